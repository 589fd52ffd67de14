/* SPDX-License-Identifier: BSD-2-Clause */
/* lskel runtime: loads a generated loader program and its data blob, runs it once, and hands
 * out the fds it made. Header-only; needs libc and the kernel UAPI headers, nothing else.
 * C11 and C++ (17 and later). Generated NAME.lskel.h headers include only this file. */
#ifndef LSKEL_RUNTIME_H
#define LSKEL_RUNTIME_H

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <elf.h>
#ifndef LSKEL_NO_DLOPEN
#include <dlfcn.h>
#endif
#include <lskel/loader_abi.h>

/* Strict C11 (-std=c11, no _GNU_SOURCE) hides these; the header must not depend on what the
 * includer defined first. */
#if !defined(__cplusplus) && !defined(__USE_MISC)
extern long int syscall(long int sysno, ...);
#endif
#ifndef MAP_ANONYMOUS
#if defined(__mips__) || defined(__hppa__) || defined(__alpha__) || defined(__sparc__) || \
	defined(__xtensa__)
#error "lskel runtime: define _GNU_SOURCE before including headers on this architecture"
#endif
#define MAP_ANONYMOUS 0x20
#endif

#ifdef __cplusplus
extern "C" {
#define LSKEL_BOOL bool
#define LSKEL_STATIC_ASSERT(c, m) static_assert(c, m)
#else
#define LSKEL_BOOL _Bool
#define LSKEL_STATIC_ASSERT(c, m) _Static_assert(c, m)
#endif

/* bpftool-compatible descriptors: skel->maps.M.map_fd, skel->progs.P.prog_fd. */
struct lskel_map_desc {
	int map_fd;
	__u32 max_entries;
	__u64 initial_value;
};

struct lskel_prog_desc {
	int prog_fd;		/* -1 before the load, and for a program left out */
	int autoload;		/* libbpf's autoload: 0 for SEC("?...") programs after open; set
				 * it between open and load to have one loaded */
};

/* First member of every skeleton: error details and options. */
struct lskel_ctx {
	char *log_buf;		/* optional: verifier log of a failing program load */
	__u32 log_size;
	__u32 log_level;
	int failed_op;		/* -1, or the trace op that failed */
	int err;		/* negative errno of the last failure */
	char errmsg[512];	/* "op 17: PROG_LOAD of program 'x' of object 'y' failed: ..." */
	const char *pin_root_path;	/* LIBBPF_PIN_BY_NAME maps live here (NULL: /sys/fs/bpf) */
	unsigned char *pins_made;	/* per pinned map: this load pinned it (lskel_pins_undo) */
	/* signed loaders */
	__s32 keyring_id;	/* keyring the kernel checks the signature with (0: session) */
	int require_signature;	/* fail where the kernel cannot check signatures */
	int sig_status;		/* out: enum lskel_sig_status */
	const char *kconfig_path;	/* CONFIG_* values (NULL: $LSKEL_KCONFIG_PATH, /boot) */
};

/* What became of a signed loader's signature. */
enum lskel_sig_status {
	LSKEL_SIG_NONE = 0,		/* unsigned loader */
	LSKEL_SIG_VERIFIED,		/* the kernel checked it at BPF_PROG_LOAD */
	LSKEL_SIG_UNSUPPORTED,		/* the kernel cannot check signatures (EOPNOTSUPP):
					 * loaded unsigned, the blob still bound by its hash */
};

/* bpf_attr and bpf_map_info fields newer than the 6.1 UAPI headers (kernel 6.18 layout). */
#define LSKEL_ATTR_EXCL_PROG_HASH 80U		/* MAP_CREATE: __u64 excl_prog_hash */
#define LSKEL_ATTR_EXCL_PROG_HASH_SIZE 88U	/* __u32 excl_prog_hash_size */
#define LSKEL_ATTR_MAP_CREATE_SZ 92U
#define LSKEL_ATTR_FD_ARRAY_CNT 148U		/* PROG_LOAD: __u32 fd_array_cnt */
#define LSKEL_ATTR_SIGNATURE 152U		/* PROG_LOAD: __u64 signature */
#define LSKEL_ATTR_SIGNATURE_SIZE 160U		/* __u32 signature_size */
#define LSKEL_ATTR_KEYRING_ID 164U		/* __s32 keyring_id */
#define LSKEL_ATTR_PROG_LOAD_SZ 168U
#define LSKEL_MAP_INFO_HASH 88U			/* bpf_map_info: __u64 hash */
#define LSKEL_MAP_INFO_HASH_SIZE 96U		/* __u32 hash_size */
#define LSKEL_MAP_INFO_SZ 104U
#define LSKEL_KEY_SPEC_SESSION_KEYRING (-3)

union lskel_attr {
	union bpf_attr a;
	unsigned char raw[256];
	__u64 align;
};

static inline void lskel_put(union lskel_attr *u, __u32 off, const void *v, __u32 n)
{
	memcpy(u->raw + off, v, n);
}

/* How a program is attached by NAME__attach(). */
enum lskel_attach_kind {
	LSKEL_ATTACH_NONE = 0,	/* needs a target: use an explicit helper */
	LSKEL_ATTACH_TRACEPOINT,	/* target "category/name" */
	LSKEL_ATTACH_RAW_TP,	/* target: tracepoint name */
	LSKEL_ATTACH_TRACING,	/* tp_btf, fentry, fexit, fmod_ret, lsm: BPF_RAW_TRACEPOINT_OPEN */
	LSKEL_ATTACH_ITER,	/* iter/...: a BPF link to read with BPF_ITER_CREATE */
	LSKEL_ATTACH_KPROBE,	/* kprobe/FUNC[+OFF]: perf kprobe PMU event + link */
	LSKEL_ATTACH_KRETPROBE,
	LSKEL_ATTACH_UPROBE,	/* uprobe/PATH:FUNC[+OFF]: perf uprobe PMU event + link */
	LSKEL_ATTACH_URETPROBE,
	/* lskel/attach_multi.h: */
	LSKEL_ATTACH_UPROBE_MULTI,	/* uprobe.multi/PATH:GLOB: one uprobe_multi link */
	LSKEL_ATTACH_URETPROBE_MULTI,
	LSKEL_ATTACH_KPROBE_MULTI,	/* kprobe.multi/GLOB: one kprobe_multi link (fprobe) */
	LSKEL_ATTACH_KRETPROBE_MULTI,
	LSKEL_ATTACH_KSYSCALL,		/* ksyscall/NAME: kprobe on the syscall's entry symbol */
	LSKEL_ATTACH_KRETSYSCALL,
	LSKEL_ATTACH_USDT,		/* usdt/...: refused at attach (no USDT support yet) */
};
/* The last attach kind: manifests are checked against it (a new kind goes before it moves). */
#define LSKEL_ATTACH_MAX LSKEL_ATTACH_USDT

/* Attach types newer than the 6.1 UAPI headers. */
#define LSKEL_BPF_TCX_INGRESS 46
#define LSKEL_BPF_TCX_EGRESS 47
#define LSKEL_BPF_NETFILTER 45

/* Where a map's fd, mmapped data and initial value live in the skeleton struct. */
struct lskel_map_bind {
	__u32 fd_off;		/* offsetof(skel, maps.M) */
	__u32 slot;		/* fd table slot */
	__u32 data_off;		/* offsetof(skel, bss) etc, or ~0u */
	__u32 size;		/* value size of a global data map */
	__u32 init_off;		/* blob offset of the initial value, ~0u for none */
	__u32 input;		/* loader input slot for the caller's value, ~0u for none */
	__u32 rdonly;		/* mmapped read-only after load (.rodata, .kconfig) */
	const char *name;	/* as libbpf names it: variable name, or "obj.rodata" style */
	__u32 shared;		/* a chained object's view of a map another object owns */
	__u32 max_input;	/* input slot of maps.M.max_entries (0: as compiled), ~0u: none */
};

struct lskel_prog_bind {
	__u32 fd_off;		/* offsetof(skel, progs.P) */
	__u32 slot;
	__u32 link_off;		/* offsetof(skel, links.P_fd) */
	__u32 attach;		/* enum lskel_attach_kind */
	const char *target;
	const char *name;
	__u32 autoload_input;	/* SEC("?...") programs: input slot of progs.P.autoload, ~0u:
				 * always loaded */
};

/* The manifest every skeleton carries, for subskeletons: what each object exposes by name.
 * Sorted by (obj, kind, name). */
enum lskel_sym_kind {
	LSKEL_SYM_VAR = 1,
	LSKEL_SYM_MAP = 2,
	LSKEL_SYM_PROG = 3,
};

struct lskel_sym {
	const char *name;
	__u32 obj;		/* object index (chains) */
	__u32 kind;		/* enum lskel_sym_kind */
	__u32 bind;		/* VAR: map bind of its section, MAP: map bind, PROG: prog bind */
	__u32 off, size;	/* VAR: where in the section, how big */
	__u64 type_sig;		/* VAR: hash of the type's layout (lskel's BTF signature) */
	const char *sec;	/* VAR: ".bss", ".rodata", ".data.custom" ... */
};

/* Where an object's handle lives in the skeleton: the storage and the skel->obj pointer. */
struct lskel_handle_bind {
	__u32 storage_off;
	__u32 ptr_off;
};

struct lskel_sub;

/* skel->obj (skel->OBJ.obj in chains): what a subskeleton opens on. */
struct lskel_handle {
	const struct lskel_desc *desc;
	void *skel;
	__u32 obj;
	struct lskel_sub *subs;	/* subskeletons opened on this object */
};

struct lskel_st_ops;

/* Everything a generated skeleton knows about its loader. */
struct lskel_desc {
	const char *name;
	const void *insns;
	__u32 insns_sz;
	const void *data;
	__u32 data_sz;
	const void *btf;
	__u32 btf_sz;
	const void *func_info;	/* struct bpf_func_info[nr_func_info] */
	__u32 nr_func_info;
	__u32 nr_ops;
	__u32 fdtab_off;
	__u32 inputs_size;	/* input slots * 8 + kconfig values */
	__u32 nr_inputs;
	const __u32 *op_cmd;	/* per op: bpf command or lskel pseudo command */
	const char *const *op_what;	/* per op: what it was for */
	const struct lskel_map_bind *maps;
	__u32 nr_maps;
	const struct lskel_prog_bind *progs;
	__u32 nr_progs;
	const struct lskel_kcfg *kcfg;	/* kconfig values the runtime supplies */
	__u32 nr_kcfg;
	const struct lskel_pin *pins;	/* LIBBPF_PIN_BY_NAME maps */
	__u32 nr_pins;
	/* signed loaders (lskel gen --sign): the data map is created exclusive to the program
	 * whose instructions hash to excl_hash, frozen and hashed by the kernel; the loader
	 * checks that hash first. sig: detached PKCS#7 over the instructions. */
	const unsigned char *excl_hash;	/* 32 bytes, NULL: unsigned */
	const void *sig;
	__u32 sig_sz;
	const struct lskel_sym *syms;	/* the manifest */
	__u32 nr_syms;
	const struct lskel_handle_bind *handles;	/* one per object */
	__u32 nr_objs;
	/* signed loaders, the kernel-verified scheme (bpf-next): detached PKCS#7 over the
	 * instructions followed by the data map's contents (the blob), the map passed in
	 * fd_array with fd_array_cnt */
	const void *sig_next;
	__u32 sig_next_sz;
	const struct lskel_st_ops *st_ops;	/* struct_ops maps (lskel/struct_ops.h) */
	__u32 nr_st_ops;
};

/* A LIBBPF_PIN_BY_NAME map: reused when a map with the same definition is pinned at
 * PIN_ROOT/name (the loader skips its creation and initial value), otherwise created and
 * pinned there after the load. */
struct lskel_pin {
	const char *name;
	__u32 op;		/* the MAP_REUSE op (messages) */
	__u32 slot;		/* fd table index of the map */
	__u32 input;		/* input slot that gets the pinned map's id */
	__u32 type, key_size, value_size, max_entries, map_flags;	/* max_entries 0: per CPU */
	__u64 map_extra;
};

/* A .kconfig extern: where its value goes in the loader's input area. */
struct lskel_kcfg {
	const char *name;
	__u32 type;		/* 1 char, 2 bool, 3 int, 4 tristate, 5 char array */
	__u32 input_off;	/* offset in the input area */
	__u32 size;
	__u32 is_signed;
	__u32 is_weak;
};

static inline long lskel_sys_bpf(int cmd, union bpf_attr *attr, unsigned int size)
{
	return syscall(__NR_bpf, cmd, attr, size);
}

static inline const char *lskel_cmd_name(__u32 cmd)
{
	switch (cmd) {
	case BPF_MAP_CREATE: return "MAP_CREATE";
	case BPF_MAP_UPDATE_ELEM: return "MAP_UPDATE_ELEM";
	case BPF_MAP_FREEZE: return "MAP_FREEZE";
	case BPF_PROG_LOAD: return "PROG_LOAD";
	case BPF_BTF_LOAD: return "BTF_LOAD";
	case BPF_LINK_CREATE: return "LINK_CREATE";
	case BPF_RAW_TRACEPOINT_OPEN: return "RAW_TRACEPOINT_OPEN";
	case LSKEL_CMD_KSYM_ADDR: return "KSYM_ADDR";
	case LSKEL_CMD_BTF_ID: return "BTF_ID";
	case LSKEL_CMD_CLOSE: return "CLOSE";
	case LSKEL_CMD_KCONFIG: return "KCONFIG";
	case LSKEL_CMD_USER_INIT: return "USER_INIT";
	case LSKEL_CMD_MAP_REUSE: return "MAP_REUSE";
	case LSKEL_CMD_SKIP: return "SKIP";
	default: return "UNKNOWN";
	}
}

static inline int lskel_fail(struct lskel_ctx *c, int op, int err, const char *fmt, const char *a,
			     const char *b)
{
	c->failed_op = op;
	c->err = err;
	snprintf(c->errmsg, sizeof(c->errmsg), fmt, a, b, strerror(-err));
	return err;
}

/* Make room for @need more fds: raise the soft RLIMIT_NOFILE up to the hard limit. */
static inline void lskel_reserve_fds(__u32 need)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r))
		return;
	if (r.rlim_cur != RLIM_INFINITY && r.rlim_cur < (rlim_t)need + 64) {
		r.rlim_cur = (rlim_t)need + 256;
		if (r.rlim_max != RLIM_INFINITY && r.rlim_cur > r.rlim_max)
			r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}

static inline __u64 lskel_ptr(const void *p)
{
	return (__u64)(uintptr_t)p;
}

/* strtoll(s, &end, 0) for config values and cpu lists, without libc's number scanner (it
 * keeps the static lskel-run small): optional '-', then 0x hex, 0 octal or decimal. Returns
 * the end of the number, NULL when there is none or it overflows. */
static inline const char *lskel_parse_ll(const char *s, long long *v)
{
	unsigned long long n = 0, lim = ~0ULL >> 1;
	unsigned int base = 10, d;
	const char *start;
	int neg = *s == '-';

	s += neg || *s == '+';
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (s[0] == '0') {
		base = 8;
	}
	for (start = s;; s++) {
		if (*s >= '0' && *s <= '9')
			d = (unsigned int)(*s - '0');
		else if ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
			d = (unsigned int)((*s | 0x20) - 'a' + 10);
		else
			break;
		if (d >= base || n > (lim + neg - d) / base)
			return d >= base ? (s == start ? NULL : s) : NULL;
		n = n * base + d;
	}
	if (s == start)
		return NULL;
	*v = neg ? (long long)(0 - n) : (long long)n;
	return s;
}

/* A non-negative decimal at @s (sysfs numbers), -EINVAL when there is none. */
static inline int lskel_dec(const char *s)
{
	long long v = 0;
	const char *e;

	while (*s == '0' && s[1] >= '0' && s[1] <= '9')	/* "007" is decimal here */
		s++;
	e = lskel_parse_ll(s, &v);
	return e && v >= 0 && v <= 0x7fffffff ? (int)v : -EINVAL;
}

/* Parse one kernel config line's value into the input area (the values libbpf accepts). */
static inline int lskel_kcfg_set(const struct lskel_kcfg *k, char *dst, const char *v)
{
	long long n = 0;	/* -O2 -Wall -Werror users: gcc cannot see the switch sets it */
	const char *end;

	switch (k->type) {
	case 1:
		if ((v[0] == 'y' || v[0] == 'n' || v[0] == 'm') && !v[1]) {
			*dst = v[0];
			return 0;
		}
		return -EINVAL;
	case 2:
	case 4:
		if (!v[1] && (v[0] == 'y' || v[0] == 'n' || (v[0] == 'm' && k->type == 4))) {
			n = v[0] == 'y' ? 1 : v[0] == 'm' ? 2 : 0;
			memcpy(dst, &n, k->size);
			return 0;
		}
		return -EINVAL;
	case 5: {
		size_t len = strlen(v);

		if (len < 2 || v[0] != '"' || v[len - 1] != '"')
			return -EINVAL;
		len -= 2;
		if (len >= k->size)
			len = k->size - 1;
		memcpy(dst, v + 1, len);
		dst[len] = '\0';
		return 0;
	}
	default:
		end = lskel_parse_ll(v, &n);
		if (!end || *end)
			return -EINVAL;
		memcpy(dst, &n, k->size);	/* little-endian */
		return 0;
	}
}

/* Number of possible CPUs ("0-3", "0,2-5" in /sys/devices/system/cpu/possible), or -errno. */
static inline int lskel_possible_cpus(void)
{
	char buf[256];
	const char *p = buf;
	int fd = open("/sys/devices/system/cpu/possible", O_RDONLY), n = 0;
	ssize_t len;

	if (fd < 0)
		return -errno;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return len < 0 ? -errno : -EINVAL;
	buf[len] = 0;
	while (*p >= '1' && *p <= '9' ? 1 : *p == '0') {
		long long a = 0, b;

		p = lskel_parse_ll(p, &a);	/* "0" reads as octal 0, "10" as decimal */
		b = a;
		if (p && *p == '-')
			p = lskel_parse_ll(p + 1, &b);
		if (!p || b < a)
			return -EINVAL;
		n += (int)(b - a + 1);
		if (*p != ',')
			break;
		p++;
	}
	return n > 0 ? n : -EINVAL;
}

/* Refuse a kconfig descriptor that does not fit its value: a number or flag of 1 to 8 bytes,
 * a string of at least 1, inside the input area. (Sizes come from a header or container.) */
static inline int lskel_kcfg_check(const struct lskel_desc *d, struct lskel_ctx *c)
{
	__u32 i;

	for (i = 0; i < d->nr_kcfg; i++) {
		const struct lskel_kcfg *k = &d->kcfg[i];

		if (k->name && k->type >= 1 && k->type <= 5 && k->size &&
		    (k->type == 5 || k->size <= 8) && k->input_off <= d->inputs_size &&
		    k->size <= d->inputs_size - k->input_off)
			continue;
		return lskel_fail(c, -1, -EINVAL, "kconfig '%.64s': size or offset out of bounds%s: "
				  "refused: %s", k->name ? k->name : "?", "");
	}
	return 0;
}

/* Where CONFIG_* values are read from: a plain-text config, or a gzip one read through the
 * system's zlib, loaded with dlopen("libz.so.1") only then, so no program needs -lz (glibc
 * before 2.34 wants -ldl for dlopen). Static programs, which cannot load a library, define
 * LSKEL_NO_DLOPEN: plain-text configs only. */
struct lskel_cfg_src {
	FILE *f;
	void *lib;		/* libz.so.1 */
	void *gz;		/* its gzFile */
	char *(*gets)(void *gz, char *buf, int len);
	int (*close)(void *gz);
};

static inline void lskel_cfg_close(struct lskel_cfg_src *s)
{
	if (s->f)
		fclose(s->f);
#ifndef LSKEL_NO_DLOPEN
	if (s->gz)
		s->close(s->gz);
	if (s->lib)
		dlclose(s->lib);
#endif
	memset(s, 0, sizeof(*s));
}

/* Open @path: gzip when its name ends in .gz. 0, or -errno (-ENOPKG: no libz.so.1). */
static inline int lskel_cfg_open(struct lskel_cfg_src *s, const char *path)
{
#ifdef LSKEL_NO_DLOPEN
	memset(s, 0, sizeof(*s));
	s->f = fopen(path, "re");
	return s->f ? 0 : -errno;
#else
	size_t n = strlen(path);
	void *(*open_gz)(const char *path, const char *mode);
	void *sym[3];

	memset(s, 0, sizeof(*s));
	if (n < 3 || strcmp(path + n - 3, ".gz")) {
		s->f = fopen(path, "re");
		return s->f ? 0 : -errno;
	}
	s->lib = dlopen("libz.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!s->lib)
		return -ENOPKG;
	sym[0] = dlsym(s->lib, "gzopen");
	sym[1] = dlsym(s->lib, "gzgets");
	sym[2] = dlsym(s->lib, "gzclose");
	if (!sym[0] || !sym[1] || !sym[2]) {
		lskel_cfg_close(s);
		return -ENOPKG;
	}
	memcpy(&open_gz, &sym[0], sizeof(open_gz));	/* object -> function pointer, portably */
	memcpy(&s->gets, &sym[1], sizeof(s->gets));
	memcpy(&s->close, &sym[2], sizeof(s->close));
	if (access(path, R_OK)) {	/* gzopen would not say why */
		n = (size_t)errno;
		lskel_cfg_close(s);
		return -(int)n;
	}
	s->gz = open_gz(path, "r");
	if (!s->gz) {
		lskel_cfg_close(s);
		return -ENOMEM;
	}
	return 0;
#endif
}

static inline char *lskel_cfg_gets(struct lskel_cfg_src *s, char *line, int n)
{
#ifdef LSKEL_NO_DLOPEN
	return s->f ? fgets(line, n, s->f) : NULL;
#else
	return s->f ? fgets(line, n, s->f) : s->gz ? s->gets(s->gz, line, n) : NULL;
#endif
}

/* The kernel's config: @given (ctx.kconfig_path), else LSKEL_KCONFIG_PATH, else the
 * plain-text /boot/config-$(uname -r), else /proc/config.gz. @path gets what was read (or
 * tried, for messages). */
static inline int lskel_cfg_find(struct lskel_cfg_src *s, const char *given, const char *release,
				 char *path, size_t n)
{
	const char *env = given ? given : getenv("LSKEL_KCONFIG_PATH");
	int err;

	if (env) {
		snprintf(path, n, "%s", env);
		return lskel_cfg_open(s, path);
	}
	snprintf(path, n, "/boot/config-%s", release);
#ifdef LSKEL_NO_DLOPEN
	(void)err;
	return lskel_cfg_open(s, path);
#else
	if (!lskel_cfg_open(s, path))
		return 0;
	err = lskel_cfg_open(s, "/proc/config.gz");
	snprintf(path, n, err == -ENOENT ? "/boot/config-%s or /proc/config.gz" :
		 err == -ENOPKG ? "/proc/config.gz (no libz.so.1 to read it)" : "/proc/config.gz",
		 release);
	return err;
#endif
}

/* Fill the kconfig part of the input area (CONFIG_* values: lskel_cfg_find). */
static inline int lskel_fill_kconfig(const struct lskel_desc *d, char *inputs, struct lskel_ctx *c)
{
	char path[400], line[4096];
	struct utsname u;
	unsigned int a = 0, b = 0, p = 0;
	int need = 0, err;
	__u32 i;
	unsigned char *found;

	if (!d->nr_kcfg)
		return 0;
	err = lskel_kcfg_check(d, c);
	if (err)
		return err;
	found = (unsigned char *)calloc(d->nr_kcfg, 1);
	if (!found)
		return -ENOMEM;
	uname(&u);
	{	/* "6.18.44-xyz": major.minor.patch (no sscanf: keeps static runtimes small) */
		const char *r = u.release;
		unsigned int *v[3] = { &a, &b, &p };
		int k;

		for (k = 0; k < 3 && *r; k++) {
			while (*r >= '0' && *r <= '9')
				*v[k] = *v[k] * 10 + (unsigned int)(*r++ - '0');
			if (*r == '.')
				r++;
			else
				break;
		}
	}
	for (i = 0; i < d->nr_kcfg; i++) {
		const struct lskel_kcfg *k = &d->kcfg[i];
		long long v;

		if (!strcmp(k->name, "LINUX_KERNEL_VERSION")) {
			v = (a << 16) + (b << 8) + (p > 255 ? 255 : p);
		} else if (!strcmp(k->name, LSKEL_KCFG_NR_CPUS)) {
			v = lskel_possible_cpus();
			if (v < 0) {
				free(found);
				return lskel_fail(c, -1, (int)v, "%.0s%.0scannot count the possible "
						  "CPUs: %s", "", "");
			}
		} else if (!strncmp(k->name, "LINUX_HAS_", 10)) {
			v = !strcmp(k->name, "LINUX_HAS_BPF_COOKIE") ||
			    !strcmp(k->name, "LINUX_HAS_SYSCALL_WRAPPER");
		} else {
			need = 1;
			continue;
		}
		memcpy(inputs + k->input_off, &v, k->size);
		found[i] = 1;
	}
	if (need) {
		struct lskel_cfg_src src;

		lskel_cfg_find(&src, c->kconfig_path, u.release, path, sizeof(path));
		while (lskel_cfg_gets(&src, line, sizeof(line))) {
			char *eq = strchr(line, '='), *nl = strchr(line, '\n');

			if (nl)
				*nl = '\0';
			if (!eq || strncmp(line, "CONFIG_", 7))
				continue;
			*eq = '\0';
			for (i = 0; i < d->nr_kcfg; i++) {
				if (found[i] || strcmp(d->kcfg[i].name, line))
					continue;
				err = lskel_kcfg_set(&d->kcfg[i], inputs + d->kcfg[i].input_off,
						     eq + 1);
				if (err) {
					lskel_cfg_close(&src);
					free(found);
					return lskel_fail(c, -1, err, "kconfig '%.64s': bad value '%.64s': %s",
							  line, eq + 1);
				}
				found[i] = 1;
			}
		}
		lskel_cfg_close(&src);
	}
	for (i = 0; i < d->nr_kcfg; i++) {
		if (!found[i] && !d->kcfg[i].is_weak) {
			free(found);
			return lskel_fail(c, -1, -ENOENT, "kconfig '%.64s': not set in %.200s: %s",
					  d->kcfg[i].name, path);
		}
	}
	free(found);
	return 0;
}

/* --- Signed loaders and the manifest: what the runtime checks before it acts on a blob --- */

/* SHA-256 (FIPS 180-4), so the runtime checks a signed loader's hashes before any bpf()
 * call: the kernel computes the same ones again when it loads. */
static inline __u32 lskel_ror32(__u32 x, int n)
{
	return (x >> n) | (x << (32 - n));
}

static inline void lskel_sha256_block(__u32 h[8], const unsigned char *p)
{
	static const __u32 k[64] = {
		0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
		0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
		0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
		0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
		0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
		0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
		0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
		0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
		0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
		0xc67178f2 };
	__u32 w[64], v[8], t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (__u32)p[4 * i] << 24 | (__u32)p[4 * i + 1] << 16 | (__u32)p[4 * i + 2] << 8 |
		       p[4 * i + 3];
	for (; i < 64; i++)
		w[i] = w[i - 16] + w[i - 7] +
		       (lskel_ror32(w[i - 15], 7) ^ lskel_ror32(w[i - 15], 18) ^ (w[i - 15] >> 3)) +
		       (lskel_ror32(w[i - 2], 17) ^ lskel_ror32(w[i - 2], 19) ^ (w[i - 2] >> 10));
	memcpy(v, h, sizeof(v));
	for (i = 0; i < 64; i++) {
		t1 = v[7] + (lskel_ror32(v[4], 6) ^ lskel_ror32(v[4], 11) ^ lskel_ror32(v[4], 25)) +
		     ((v[4] & v[5]) ^ (~v[4] & v[6])) + k[i] + w[i];
		t2 = (lskel_ror32(v[0], 2) ^ lskel_ror32(v[0], 13) ^ lskel_ror32(v[0], 22)) +
		     ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
		memmove(v + 1, v, 7 * sizeof(v[0]));
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (i = 0; i < 8; i++)
		h[i] += v[i];
}

/* SHA-256 of @n bytes at @data into @out. */
static inline void lskel_sha256(const void *data, size_t n, unsigned char out[32])
{
	__u32 h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c,
		       0x1f83d9ab, 0x5be0cd19 };
	const unsigned char *p = (const unsigned char *)data;
	unsigned char last[128];
	size_t i, rest = n % 64, tail = rest < 56 ? 64 : 128;
	__u64 bits = (__u64)n * 8;

	for (i = 0; i + 64 <= n; i += 64)
		lskel_sha256_block(h, p + i);
	memset(last, 0, sizeof(last));
	if (rest)
		memcpy(last, p + i, rest);
	last[rest] = 0x80;
	for (i = 0; i < 8; i++)
		last[tail - 1 - i] = (unsigned char)(bits >> (8 * i));
	lskel_sha256_block(h, last);
	if (tail == 128)
		lskel_sha256_block(h, last + 64);
	for (i = 0; i < 32; i++)
		out[i] = (unsigned char)(h[i / 4] >> (24 - 8 * (i % 4)));
}

/* The blob hash a signed loader compares with (LSKEL_SIGNED_HASH_INSN), -EBADMSG when the
 * instructions do not begin with the blob check. */
static inline int lskel_loader_blob_hash(const void *insns, __u32 insns_sz, unsigned char h[32])
{
	const struct bpf_insn *in = (const struct bpf_insn *)insns;
	int k;

	if (insns_sz % sizeof(*in) || insns_sz / sizeof(*in) < LSKEL_SIGNED_HASH_INSN(4))
		return -EBADMSG;
	if (in[0].code != (BPF_LD | BPF_IMM | BPF_DW) || in[0].src_reg != BPF_PSEUDO_MAP_IDX ||
	    in[0].imm)
		return -EBADMSG;
	for (k = 0; k < 4; k++) {
		const struct bpf_insn *ld = &in[LSKEL_SIGNED_HASH_INSN(k)];
		__u64 v;

		if (ld[0].code != (BPF_LD | BPF_IMM | BPF_DW) || ld[0].src_reg || ld[1].code)
			return -EBADMSG;
		v = (__u64)(__u32)ld[0].imm | (__u64)(__u32)ld[1].imm << 32;
		memcpy(h + 8 * k, &v, 8);	/* little-endian, as the loader compares */
	}
	return 0;
}

/* Names the runtime acts on: pin path components, map, program, object and kconfig names.
 * LSKEL_NAME_IDENT: C identifier; LSKEL_NAME_MAP: also '.' (".rodata", "obj.bss"), never
 * "..", LSKEL_NAME_FILE: identifier characters and '-' (object and load names). */
enum { LSKEL_NAME_IDENT, LSKEL_NAME_MAP, LSKEL_NAME_FILE };

/* 1 when @s is a name of @kind no longer than LSKEL_MF_NAME_MAX - 1 bytes. */
static inline int lskel_name_ok(const char *s, int kind)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		char ch = s[i];

		if (i >= LSKEL_MF_NAME_MAX - 1)
			return 0;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' ||
		    (i && ch >= '0' && ch <= '9') || (kind == LSKEL_NAME_FILE && ch == '-' && i))
			continue;
		if (kind == LSKEL_NAME_FILE && ch >= '0' && ch <= '9')
			continue;
		if (kind == LSKEL_NAME_MAP && ch == '.' && s[i + 1] != '.' && s[i + 1])
			continue;
		if (kind == LSKEL_NAME_MAP && ch >= '0' && ch <= '9')
			continue;
		return 0;
	}
	return i > 0;
}

/* A parsed manifest: pointers into the blob (lskel_mf_parse checked every one). */
struct lskel_mf {
	const struct lskel_blob_hdr *bh;
	const struct lskel_mf_hdr *h;
	const struct lskel_mf_obj *objs;
	const struct lskel_mf_op *ops;
	const struct lskel_mf_map *maps;
	const struct lskel_mf_prog *progs;
	const struct lskel_mf_kcfg *kcfg;
	const struct lskel_mf_pin *pins;
	const struct bpf_func_info *func_info;
	const void *btf;
	const char *strings;
};

enum { LSKEL_MF_OBJS, LSKEL_MF_OPS, LSKEL_MF_MAPS, LSKEL_MF_PROGS, LSKEL_MF_KCFG, LSKEL_MF_PINS,
       LSKEL_MF_FUNC_INFO, LSKEL_MF_BTF, LSKEL_MF_STRINGS, LSKEL_MF_END };

/* Offsets of the manifest's tables from its header (writer and reader share it). Returns
 * the manifest's size, or 0 when the counts are out of bounds. */
static inline __u32 lskel_mf_layout(const struct lskel_mf_hdr *h, __u32 off[LSKEL_MF_END + 1])
{
	const __u64 n[LSKEL_MF_END] = {
		(__u64)h->nr_objs * sizeof(struct lskel_mf_obj),
		(__u64)h->nr_ops * sizeof(struct lskel_mf_op),
		(__u64)h->nr_maps * sizeof(struct lskel_mf_map),
		(__u64)h->nr_progs * sizeof(struct lskel_mf_prog),
		(__u64)h->nr_kcfg * sizeof(struct lskel_mf_kcfg),
		(__u64)h->nr_pins * sizeof(struct lskel_mf_pin),
		(__u64)h->nr_func_info * sizeof(struct bpf_func_info),
		h->btf_size, h->strings_size };
	__u64 at = sizeof(*h);
	int i;

	for (i = 0; i < LSKEL_MF_END; i++) {
		if (n[i] > (64u << 20))
			return 0;
		off[i] = (__u32)at;
		at = (at + n[i] + 7) & ~7ull;
	}
	off[LSKEL_MF_END] = (__u32)at;
	return at > (64u << 20) ? 0 : (__u32)at;
}

static inline const char *lskel_mf_str(const struct lskel_mf *m, __u32 off)
{
	return m->strings + off;	/* lskel_mf_parse checked it */
}

static inline int lskel_mf_bad(char *err, size_t n, const char *fmt, __u32 a, const char *s)
{
	char *p;

	snprintf(err, n, fmt, a, s);
	for (p = err; *p; p++)	/* a refused name may hold anything: no control bytes out */
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return -EINVAL;
}

/* A string offset and its content: inside the table, printable, of at most @max bytes. */
static inline int lskel_mf_text_ok(const struct lskel_mf *m, __u32 off, __u32 max)
{
	const char *s;
	__u32 i;

	if (off >= m->h->strings_size)
		return 0;
	for (s = m->strings + off, i = 0; s[i]; i++)
		if (i >= max || (unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return 0;
	return 1;
}

static inline int lskel_mf_name_ok(const struct lskel_mf *m, __u32 off, int kind)
{
	return off < m->h->strings_size && lskel_name_ok(m->strings + off, kind);
}

/* Check the blob @data (its header, tables and the manifest at manifest_off: every count,
 * offset, slot, name and string) and fill @m. Returns 0 or -EINVAL with a reason in @err.
 * What it accepts the runtime may act on; signed loaders check the blob's hash first. */
static inline int lskel_mf_parse(const void *data, __u32 size, struct lskel_mf *m, char *err,
				 size_t errlen)
{
	const unsigned char *b = (const unsigned char *)data;
	const struct lskel_blob_hdr *bh = (const struct lskel_blob_hdr *)data;
	__u32 off[LSKEL_MF_END + 1], i, mo, nops;
	const struct lskel_mf_hdr *h;

	memset(m, 0, sizeof(*m));
	if (size < sizeof(*bh) + LSKEL_BLOB_TAIL || size > (64u << 20))
		return lskel_mf_bad(err, errlen, "blob of %u bytes: too small or too large%s", size,
				    "");
	if (bh->magic != LSKEL_BLOB_MAGIC)
		return lskel_mf_bad(err, errlen, "blob header magic 0x%08x is not LSKB's%s",
				    bh->magic, "");
	if (bh->version != LSKEL_BLOB_VERSION)
		return lskel_mf_bad(err, errlen, "blob format version %u: this runtime reads "
				    "version %s", bh->version, LSKEL_STR(LSKEL_BLOB_VERSION_NR));
	if (bh->fdtab_off > size || (size - bh->fdtab_off) / 4 < bh->nr_ops ||
	    bh->steps_off > size || (size - bh->steps_off) / sizeof(struct lskel_step) < bh->nr_steps ||
	    bh->inputs_off > size || size - bh->inputs_off < bh->inputs_size ||
	    bh->inputs_size > 32768 || bh->inputs_size % 8)
		return lskel_mf_bad(err, errlen, "blob tables lie outside the blob (%u ops%s)",
				    bh->nr_ops, "");
	mo = bh->manifest_off;
	if (mo % 8 || mo < sizeof(*bh) || mo > size - LSKEL_BLOB_TAIL ||
	    size - LSKEL_BLOB_TAIL - mo < sizeof(*h))
		return lskel_mf_bad(err, errlen, "manifest offset %u outside the blob%s", mo, "");
	h = (const struct lskel_mf_hdr *)(b + mo);
	if (h->magic != LSKEL_MF_MAGIC || h->version != LSKEL_MF_VERSION)
		return lskel_mf_bad(err, errlen, "manifest version %u or magic invalid%s",
				    h->version, "");
	if (!lskel_mf_layout(h, off) || off[LSKEL_MF_END] != h->size ||
	    h->size > size - LSKEL_BLOB_TAIL - mo)
		return lskel_mf_bad(err, errlen, "manifest of %u bytes does not hold its tables or "
				    "does not fit the blob%s", h->size, "");
	nops = h->nr_ops;
	if (nops != bh->nr_ops) {
		char other[16];

		snprintf(other, sizeof(other), "%u", bh->nr_ops);
		return lskel_mf_bad(err, errlen, "%u ops in the manifest, %s in the blob header",
				    nops, other);
	}
	if (h->nr_inputs > bh->inputs_size / 8)
		return lskel_mf_bad(err, errlen, "%u input slots in the manifest do not fit the blob "
				    "header's input area%s", h->nr_inputs, "");
	if (!h->nr_objs)
		return lskel_mf_bad(err, errlen, "the manifest names no object (%u)%s", 0, "");
	m->bh = bh;
	m->h = h;
	m->objs = (const struct lskel_mf_obj *)(b + mo + off[LSKEL_MF_OBJS]);
	m->ops = (const struct lskel_mf_op *)(b + mo + off[LSKEL_MF_OPS]);
	m->maps = (const struct lskel_mf_map *)(b + mo + off[LSKEL_MF_MAPS]);
	m->progs = (const struct lskel_mf_prog *)(b + mo + off[LSKEL_MF_PROGS]);
	m->kcfg = (const struct lskel_mf_kcfg *)(b + mo + off[LSKEL_MF_KCFG]);
	m->pins = (const struct lskel_mf_pin *)(b + mo + off[LSKEL_MF_PINS]);
	m->func_info = (const struct bpf_func_info *)(b + mo + off[LSKEL_MF_FUNC_INFO]);
	m->btf = b + mo + off[LSKEL_MF_BTF];
	m->strings = (const char *)(b + mo + off[LSKEL_MF_STRINGS]);
	if (!h->strings_size || m->strings[h->strings_size - 1])
		return lskel_mf_bad(err, errlen, "manifest strings are empty or not NUL-terminated "
				    "(%u bytes)%s", h->strings_size, "");
	if (!lskel_mf_name_ok(m, h->name, LSKEL_NAME_FILE))
		return lskel_mf_bad(err, errlen, "the load's name (string %u) is not a valid name%s",
				    h->name, "");
	if (!h->nr_func_info || h->nr_func_info > 16 || !h->btf_size || h->btf_size > 65536)
		return lskel_mf_bad(err, errlen, "%u loader functions or the loader's BTF size "
				    "invalid%s", h->nr_func_info, "");
	for (i = 0; i < h->nr_objs; i++)	/* file names: pin names replace what bpffs refuses */
		if (!lskel_mf_text_ok(m, m->objs[i].name, LSKEL_MF_NAME_MAX - 1) ||
		    !m->strings[m->objs[i].name] || strchr(m->strings + m->objs[i].name, '/'))
			return lskel_mf_bad(err, errlen, "object %u: invalid name%s", i, "");
	for (i = 0; i < nops; i++)
		if (!lskel_mf_text_ok(m, m->ops[i].what, 512))
			return lskel_mf_bad(err, errlen, "op %u: bad description string%s", i, "");
	for (i = 0; i < h->nr_maps; i++) {
		const struct lskel_mf_map *p = &m->maps[i];

		if (!lskel_mf_name_ok(m, p->name, LSKEL_NAME_MAP) || p->obj >= h->nr_objs ||
		    p->slot >= nops || m->ops[p->slot].cmd != BPF_MAP_CREATE || p->flags > 3 ||
		    (p->input != ~0u && p->input >= h->nr_inputs) ||
		    (p->init_off != ~0u && (p->init_off > mo || mo - p->init_off < p->value_size)))
			return lskel_mf_bad(err, errlen, "map %u (%.64s): bad name, object, fd slot, "
					    "input or initial value", i,
					    p->name < h->strings_size ? lskel_mf_str(m, p->name) : "?");
	}
	for (i = 0; i < h->nr_progs; i++) {
		const struct lskel_mf_prog *p = &m->progs[i];

		if (!lskel_mf_name_ok(m, p->name, LSKEL_NAME_IDENT) || p->obj >= h->nr_objs ||
		    p->slot >= nops || m->ops[p->slot].cmd != BPF_PROG_LOAD ||
		    p->attach > LSKEL_ATTACH_MAX ||
		    !lskel_mf_text_ok(m, p->target, LSKEL_MF_TARGET_MAX))
			return lskel_mf_bad(err, errlen, "program %u (%.64s): bad name, object, fd "
					    "slot, attach kind or target", i,
					    p->name < h->strings_size ? lskel_mf_str(m, p->name) : "?");
	}
	for (i = 0; i < h->nr_kcfg; i++) {
		const struct lskel_mf_kcfg *k = &m->kcfg[i];

		if (!lskel_mf_name_ok(m, k->name, LSKEL_NAME_IDENT) || k->type < 1 || k->type > 5 ||
		    !k->size || k->size > 256 || k->input_off < h->nr_inputs * 8 ||
		    k->input_off > bh->inputs_size || k->size > bh->inputs_size - k->input_off ||
		    k->is_signed > 1 || k->is_weak > 1 || (k->type != 5 && k->size > 8))
			return lskel_mf_bad(err, errlen, "kconfig value %u: bad name, type, size or "
					    "place%s", i, "");
	}
	for (i = 0; i < h->nr_pins; i++) {
		const struct lskel_mf_pin *p = &m->pins[i];

		if (!lskel_mf_name_ok(m, p->name, LSKEL_NAME_IDENT) || p->op >= nops ||
		    m->ops[p->op].cmd != LSKEL_CMD_MAP_REUSE || p->slot >= nops ||
		    m->ops[p->slot].cmd != BPF_MAP_CREATE || p->input >= h->nr_inputs)
			return lskel_mf_bad(err, errlen, "pinned map %u: bad name, op, fd slot or "
					    "input slot%s", i, "");
	}
	return 0;
}

/* The check a signed loader's blob gets before any bpf() call: the instructions hash to
 * the exclusive-map hash, and the blob to the hash compiled into them. The kernel checks
 * the signature over the instructions (where it can), and the loader the blob again. */
static inline int lskel_signed_check(const struct lskel_desc *d, char *err, size_t n)
{
	unsigned char h[32], want[32];

	lskel_sha256(d->insns, d->insns_sz, h);
	if (memcmp(h, d->excl_hash, 32)) {
		snprintf(err, n, "the loader instructions do not hash to the exclusive-map hash "
			 "(tampered with)");
		return -EBADMSG;
	}
	if (lskel_loader_blob_hash(d->insns, d->insns_sz, want)) {
		snprintf(err, n, "the signed loader does not begin with its blob check");
		return -EBADMSG;
	}
	lskel_sha256(d->data, d->data_sz, h);
	if (memcmp(h, want, 32)) {
		snprintf(err, n, "data blob hash mismatch: the blob is not the one this loader was "
			 "signed with (tampered with or swapped)");
		return -EBADMSG;
	}
	return 0;
}

/* The runtime acts on @d's tables (fd slots, pins, kconfig descriptors, attach specs, the
 * loader's BTF): they must say what the manifest in the (hash-checked) blob says. */
static inline int lskel_mf_agrees(const struct lskel_desc *d, const struct lskel_mf *m,
				  char *err, size_t n)
{
	const struct lskel_mf_hdr *h = m->h;
	__u32 i;

	if (d->nr_ops != h->nr_ops || d->fdtab_off != m->bh->fdtab_off ||
	    d->inputs_size != m->bh->inputs_size || d->nr_inputs != h->nr_inputs)
		return lskel_mf_bad(err, n, "op count, fd table or input area differ (%u ops)%s",
				    d->nr_ops, "");
	if (d->nr_func_info != h->nr_func_info || d->btf_sz != h->btf_size ||
	    memcmp(d->func_info, m->func_info, h->nr_func_info * sizeof(struct bpf_func_info)) ||
	    memcmp(d->btf, m->btf, h->btf_size))
		return lskel_mf_bad(err, n, "the loader's BTF or func_info (%u functions) differ%s",
				    d->nr_func_info, "");
	if (d->nr_kcfg != h->nr_kcfg)
		return lskel_mf_bad(err, n, "%u kconfig values%s", d->nr_kcfg, "");
	for (i = 0; i < h->nr_kcfg; i++) {
		const struct lskel_kcfg *a = &d->kcfg[i];
		const struct lskel_mf_kcfg *b = &m->kcfg[i];

		if (strcmp(a->name, lskel_mf_str(m, b->name)) || a->type != b->type ||
		    a->input_off != b->input_off || a->size != b->size ||
		    a->is_signed != b->is_signed || a->is_weak != b->is_weak)
			return lskel_mf_bad(err, n, "kconfig value %u (%.64s)", i, a->name);
	}
	if (d->nr_pins != h->nr_pins)
		return lskel_mf_bad(err, n, "%u pinned maps%s", d->nr_pins, "");
	for (i = 0; i < h->nr_pins; i++) {
		const struct lskel_pin *a = &d->pins[i];
		const struct lskel_mf_pin *b = &m->pins[i];

		if (strcmp(a->name, lskel_mf_str(m, b->name)) || a->op != b->op || a->slot != b->slot ||
		    a->input != b->input || a->type != b->type || a->key_size != b->key_size ||
		    a->value_size != b->value_size || a->max_entries != b->max_entries ||
		    a->map_flags != b->map_flags || a->map_extra != b->map_extra)
			return lskel_mf_bad(err, n, "pinned map %u (%.64s)", i, a->name);
	}
	if (d->maps || d->nr_maps) {	/* skeletons: where fds and data sections go */
		if (d->nr_maps != h->nr_maps)
			return lskel_mf_bad(err, n, "%u maps%s", d->nr_maps, "");
		for (i = 0; i < h->nr_maps; i++) {
			const struct lskel_map_bind *a = &d->maps[i];
			const struct lskel_mf_map *b = &m->maps[i];

			if (strcmp(a->name, lskel_mf_str(m, b->name)) || a->slot != b->slot ||
			    a->size != b->value_size || a->init_off != b->init_off ||
			    a->input != b->input || !a->rdonly != !(b->flags & LSKEL_MF_MAP_RDONLY) ||
			    !a->shared != !(b->flags & LSKEL_MF_MAP_SHARED))
				return lskel_mf_bad(err, n, "map %u (%.64s)", i, a->name);
		}
	}
	if (d->progs || d->nr_progs) {
		if (d->nr_progs != h->nr_progs)
			return lskel_mf_bad(err, n, "%u programs%s", d->nr_progs, "");
		for (i = 0; i < h->nr_progs; i++) {
			const struct lskel_prog_bind *a = &d->progs[i];
			const struct lskel_mf_prog *b = &m->progs[i];

			if (strcmp(a->name, lskel_mf_str(m, b->name)) || a->slot != b->slot ||
			    a->attach != b->attach || strcmp(a->target, lskel_mf_str(m, b->target)))
				return lskel_mf_bad(err, n, "program %u (%.64s)", i, a->name);
		}
	}
	return 0;
}

/* Before the first bpf() call of a load: a signed loader's hashes, then the manifest in the
 * blob, then @d's tables against it. Returns 0 or a negative errno with ctx.errmsg set. */
static inline int lskel_check_desc(const struct lskel_desc *d, struct lskel_ctx *c)
{
	struct lskel_mf m;
	char why[256], what[320];
	int err;

	if (d->excl_hash) {
		err = lskel_signed_check(d, why, sizeof(why));
		if (err)
			return lskel_fail(c, -1, err, "%s: %s: %s", d->name, why);
	}
	if (lskel_mf_parse(d->data, d->data_sz, &m, why, sizeof(why)))
		return lskel_fail(c, -1, -EINVAL, "%s: invalid blob: %s: %s", d->name, why);
	if (lskel_mf_agrees(d, &m, why, sizeof(why))) {
		snprintf(what, sizeof(what), "the skeleton's tables differ from the manifest in its "
			 "blob: %.200s", why);
		return lskel_fail(c, -1, -EINVAL, "%s: %s: %s", d->name, what);
	}
	return 0;
}

/* A description of the load from a parsed manifest: name, op table, kconfig descriptors,
 * pins, the loader's BTF and func_info (tables allocated: lskel_mf_desc_free). The caller
 * sets insns and, for signed loaders, excl_hash and sig. */
static inline int lskel_mf_desc(const struct lskel_mf *m, const void *data, __u32 data_sz,
				struct lskel_desc *d)
{
	const struct lskel_mf_hdr *h = m->h;
	__u32 *cmds = (__u32 *)calloc(h->nr_ops + 1, sizeof(__u32));
	const char **what = (const char **)calloc(h->nr_ops + 1, sizeof(char *));
	struct lskel_kcfg *k = (struct lskel_kcfg *)calloc(h->nr_kcfg + 1, sizeof(*k));
	struct lskel_pin *p = (struct lskel_pin *)calloc(h->nr_pins + 1, sizeof(*p));
	__u32 i;

	memset(d, 0, sizeof(*d));
	if (!cmds || !what || !k || !p) {
		free(cmds);
		free((void *)what);
		free(k);
		free(p);
		return -ENOMEM;
	}
	for (i = 0; i < h->nr_ops; i++) {
		cmds[i] = m->ops[i].cmd;
		what[i] = lskel_mf_str(m, m->ops[i].what);
	}
	for (i = 0; i < h->nr_kcfg; i++) {
		const struct lskel_mf_kcfg *s = &m->kcfg[i];

		k[i].name = lskel_mf_str(m, s->name);
		k[i].type = s->type;
		k[i].input_off = s->input_off;
		k[i].size = s->size;
		k[i].is_signed = s->is_signed;
		k[i].is_weak = s->is_weak;
	}
	for (i = 0; i < h->nr_pins; i++) {
		const struct lskel_mf_pin *s = &m->pins[i];

		p[i].name = lskel_mf_str(m, s->name);
		p[i].op = s->op;
		p[i].slot = s->slot;
		p[i].input = s->input;
		p[i].type = s->type;
		p[i].key_size = s->key_size;
		p[i].value_size = s->value_size;
		p[i].max_entries = s->max_entries;
		p[i].map_flags = s->map_flags;
		p[i].map_extra = s->map_extra;
	}
	d->name = lskel_mf_str(m, h->name);
	d->data = data;
	d->data_sz = data_sz;
	d->btf = m->btf;
	d->btf_sz = h->btf_size;
	d->func_info = m->func_info;
	d->nr_func_info = h->nr_func_info;
	d->nr_ops = h->nr_ops;
	d->fdtab_off = m->bh->fdtab_off;
	d->inputs_size = m->bh->inputs_size;
	d->nr_inputs = h->nr_inputs;
	d->op_cmd = cmds;
	d->op_what = what;
	d->kcfg = k;
	d->nr_kcfg = h->nr_kcfg;
	d->pins = p;
	d->nr_pins = h->nr_pins;
	return 0;
}

static inline void lskel_mf_desc_free(struct lskel_desc *d)
{
	free((void *)d->op_cmd);
	free((void *)d->op_what);
	free((void *)d->kcfg);
	free((void *)d->pins);
	d->op_cmd = NULL;
	d->op_what = NULL;
	d->kcfg = NULL;
	d->pins = NULL;
}

/* The max_entries the caller set for the map in fd-table @slot (maps.M.max_entries, an
 * input of its MAP_CREATE), else @max. */
static inline __u32 lskel_caller_max(const struct lskel_desc *d, const __u64 *inputs, __u32 slot,
				     __u32 max)
{
	__u32 i;

	for (i = 0; d->maps && i < d->nr_maps; i++)
		if (d->maps[i].slot == slot && d->maps[i].max_input != ~0u &&
		    inputs[d->maps[i].max_input])
			return (__u32)inputs[d->maps[i].max_input];
	return max;
}

static inline void lskel_pin_path(const struct lskel_ctx *c, const struct lskel_pin *p,
				  char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s", c->pin_root_path ? c->pin_root_path : "/sys/fs/bpf", p->name);
}

/* lskel-run defines it: maps this load pins go to PIN_ROOT/NAME + suffix, renamed into place
 * when its whole deployment is made (a killed run leaves names the next run removes). */
#ifndef LSKEL_PIN_TMP_SUFFIX
#define LSKEL_PIN_TMP_SUFFIX ""
#endif

/* Before the load: the id of each pinned map into its input slot (0: none pinned). A pin
 * whose map differs from the definition fails the load, as with libbpf. */
static inline int lskel_pins_find(const struct lskel_desc *d, __u64 *inputs, struct lskel_ctx *c)
{
	char path[4096];
	__u32 i;

	for (i = 0; i < d->nr_pins; i++) {
		const struct lskel_pin *p = &d->pins[i];
		struct bpf_map_info info;
		union bpf_attr attr;
		__u32 max = p->max_entries;
		int fd, err;

		lskel_pin_path(c, p, path, sizeof(path));
		memset(&attr, 0, sizeof(attr));
		attr.pathname = lskel_ptr(path);
		fd = lskel_sys_bpf(BPF_OBJ_GET, &attr, sizeof(attr));
		if (fd < 0 && errno == ENOENT) {
			inputs[p->input] = 0;
			continue;
		}
		if (fd < 0) {
			err = -errno;
			c->failed_op = p->op;
			c->err = err;
			snprintf(c->errmsg, sizeof(c->errmsg), "map '%.64s': cannot open its pin %.300s:"
				 " %s", p->name, path, strerror(-err));
			return err;
		}
		memset(&info, 0, sizeof(info));
		memset(&attr, 0, sizeof(attr));
		attr.info.bpf_fd = fd;
		attr.info.info_len = sizeof(info);
		attr.info.info = lskel_ptr(&info);
		err = lskel_sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr)) ? -errno : 0;
		close(fd);
		if (!max)
			max = (__u32)lskel_possible_cpus();
		max = lskel_caller_max(d, inputs, p->slot, max);
		if (!err && (info.type != p->type || info.key_size != p->key_size ||
			     info.value_size != p->value_size || info.max_entries != max ||
			     info.map_flags != p->map_flags || info.map_extra != p->map_extra))
			err = -EINVAL;
		if (err) {
			c->failed_op = p->op;
			c->err = err;
			snprintf(c->errmsg, sizeof(c->errmsg), "map '%.64s': the map pinned at %.300s "
				 "differs from its definition (type %u/%u, key %u/%u, value %u/%u, "
				 "max_entries %u/%u, flags 0x%x/0x%x; pinned/defined)", p->name, path,
				 info.type, p->type, info.key_size, p->key_size, info.value_size,
				 p->value_size, info.max_entries, max, info.map_flags, p->map_flags);
			return err;
		}
		inputs[p->input] = info.id;
	}
	return 0;
}

/* Remove the pins this load made (a load that fails after the loader ran leaves none). */
static inline void lskel_pins_undo(const struct lskel_desc *d, struct lskel_ctx *c)
{
	char path[4096];
	__u32 i;

	for (i = 0; c->pins_made && i < d->nr_pins; i++) {
		if (!c->pins_made[i])
			continue;
		lskel_pin_path(c, &d->pins[i], path, sizeof(path));
		strncat(path, LSKEL_PIN_TMP_SUFFIX, sizeof(path) - strlen(path) - 1);
		unlink(path);
	}
	free(c->pins_made);
	c->pins_made = NULL;
}

/* After the load: pin each map the loader created (not reused). On failure removes the pins
 * this load made. */
static inline int lskel_pins_make(const struct lskel_desc *d, const __u64 *inputs,
				  const int *fds, struct lskel_ctx *c)
{
	char path[4096];
	__u32 i;

	free(c->pins_made);
	c->pins_made = (unsigned char *)calloc(d->nr_pins, 1);
	if (!c->pins_made)
		return lskel_fail(c, -1, -ENOMEM, "%s%s: out of memory: %s", d->name, "");
	for (i = 0; i < d->nr_pins; i++) {
		const struct lskel_pin *p = &d->pins[i];
		union bpf_attr attr;
		int err;

		if (inputs[p->input])
			continue;
		lskel_pin_path(c, p, path, sizeof(path));
#ifdef LSKEL_PIN_RACE_HOOK
		LSKEL_PIN_RACE_HOOK(path);	/* tests: another loader pins here first */
#endif
		strncat(path, LSKEL_PIN_TMP_SUFFIX, sizeof(path) - strlen(path) - 1);
		memset(&attr, 0, sizeof(attr));
		attr.pathname = lskel_ptr(path);
		attr.bpf_fd = (__u32)fds[p->slot];
		if (!lskel_sys_bpf(BPF_OBJ_PIN, &attr, sizeof(attr))) {
			c->pins_made[i] = 1;
			continue;
		}
		err = -errno;
		if (err == -EEXIST) {
			/* pinned since lskel_pins_find: a retry reuses it; the pins this load made
			 * stay, other loaders may have found them already */
			free(c->pins_made);
			c->pins_made = NULL;
		} else {
			lskel_pins_undo(d, c);
		}
		c->failed_op = p->op;
		c->err = err;
		snprintf(c->errmsg, sizeof(c->errmsg), "map '%.64s': cannot pin it at %.300s: %s",
			 p->name, path, strerror(-err));
		return err;
	}
	return 0;
}

/* The loader's data map holding the blob. Signed loaders: exclusive to the loader (by the
 * hash of its instructions), frozen, and hashed by the kernel (the loader compares). */
static inline int lskel_data_map(const struct lskel_desc *d, struct lskel_ctx *c)
{
	union lskel_attr u;
	__u32 key = 0, hash_size = 32;
	unsigned char hash[32], info[LSKEL_MAP_INFO_SZ];
	__u64 p;
	int fd, err;

	memset(&u, 0, sizeof(u));
	u.a.map_type = BPF_MAP_TYPE_ARRAY;
	u.a.key_size = 4;
	u.a.value_size = d->data_sz;
	u.a.max_entries = 1;
	u.a.map_flags = BPF_F_MMAPABLE;
	memcpy(u.a.map_name, "lskel_data", sizeof("lskel_data"));
	if (d->excl_hash) {
		p = lskel_ptr(d->excl_hash);
		lskel_put(&u, LSKEL_ATTR_EXCL_PROG_HASH, &p, 8);
		lskel_put(&u, LSKEL_ATTR_EXCL_PROG_HASH_SIZE, &hash_size, 4);
	}
	fd = lskel_sys_bpf(BPF_MAP_CREATE, &u.a, d->excl_hash ? LSKEL_ATTR_MAP_CREATE_SZ :
			   sizeof(u.a));
	if (fd < 0)
		return lskel_fail(c, -1, -errno, "%s: creating the loader's data map%s failed: %s",
				  d->name, d->excl_hash ? " (exclusive to the signed loader)" : "");
	memset(&u, 0, sizeof(u));
	u.a.map_fd = fd;
	u.a.key = lskel_ptr(&key);
	u.a.value = lskel_ptr(d->data);
	if (lskel_sys_bpf(BPF_MAP_UPDATE_ELEM, &u.a, sizeof(u.a))) {
		err = lskel_fail(c, -1, -errno, "%s: writing the loader's data%s failed: %s",
				 d->name, "");
		close(fd);
		return err;
	}
	if (!d->excl_hash)
		return fd;
	memset(&u, 0, sizeof(u));
	u.a.map_fd = fd;
	err = lskel_sys_bpf(BPF_MAP_FREEZE, &u.a, sizeof(u.a)) ? -errno : 0;
	if (!err) {	/* the kernel computes the frozen map's SHA-256 when asked for it */
		memset(info, 0, sizeof(info));
		p = lskel_ptr(hash);
		memcpy(info + LSKEL_MAP_INFO_HASH, &p, 8);
		memcpy(info + LSKEL_MAP_INFO_HASH_SIZE, &hash_size, 4);
		memset(&u, 0, sizeof(u));
		u.a.info.bpf_fd = fd;
		u.a.info.info_len = sizeof(info);
		u.a.info.info = lskel_ptr(info);
		err = lskel_sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &u.a, sizeof(u.a)) ? -errno : 0;
	}
	if (err) {
		lskel_fail(c, -1, err, "%s: freezing and hashing the loader's data%s failed: %s",
			   d->name, " (signed loaders need kernel 6.18 or later)");
		close(fd);
		return err;
	}
	return fd;
}

/* The loader's BPF_PROG_LOAD attr: @map_fd (at *@fd_array) is its data map; a signature
 * (@sig, @sig_sz) goes with the keyring, and with @map_cnt (1: the map in fd_array is
 * part of what the kernel verifies, the bpf-next scheme; 0: the 6.18 one). Returns the attr
 * size to pass. */
static inline __u32 lskel_loader_attr(const struct lskel_desc *d, union lskel_attr *u,
				      const int *fd_array, int btf_fd, const void *sig,
				      __u32 sig_sz, __s32 keyring, __u32 map_cnt)
{
	__u64 p = lskel_ptr(sig);

	memset(u, 0, sizeof(*u));
	u->a.prog_type = BPF_PROG_TYPE_SYSCALL;
	u->a.insns = lskel_ptr(d->insns);
	u->a.insn_cnt = d->insns_sz / sizeof(struct bpf_insn);
	u->a.license = lskel_ptr("Dual BSD/GPL");
	u->a.prog_flags = BPF_F_SLEEPABLE;
	memcpy(u->a.prog_name, "lskel_loader", sizeof("lskel_loader"));
	u->a.fd_array = lskel_ptr(fd_array);
	u->a.prog_btf_fd = btf_fd;
	u->a.func_info = lskel_ptr(d->func_info);
	u->a.func_info_cnt = d->nr_func_info;
	u->a.func_info_rec_size = sizeof(struct bpf_func_info);
	if (!sig || !sig_sz)
		return sizeof(u->a);
	lskel_put(u, LSKEL_ATTR_FD_ARRAY_CNT, &map_cnt, 4);
	lskel_put(u, LSKEL_ATTR_SIGNATURE, &p, 8);
	lskel_put(u, LSKEL_ATTR_SIGNATURE_SIZE, &sig_sz, 4);
	lskel_put(u, LSKEL_ATTR_KEYRING_ID, &keyring, 4);
	return LSKEL_ATTR_PROG_LOAD_SZ;
}

/* Load the loader program; a signed one with its signature, checked by the kernel against
 * the keyring (ctx.keyring_id, default the session keyring): first as the kernel-verified
 * scheme (signature over instructions and blob, the frozen exclusive data map in
 * fd_array), then as 6.18's (signature over the instructions; the loader checks the
 * blob). A kernel that cannot check signatures (EOPNOTSUPP) gets the loader unsigned. */
static inline int lskel_load_loader(const struct lskel_desc *d, struct lskel_ctx *c, int map_fd,
				    int btf_fd)
{
	union lskel_attr u;
	__s32 keyring = c->keyring_id ? c->keyring_id : LSKEL_KEY_SPEC_SESSION_KEYRING;
	int fd, sig_err = 0;
	__u32 sz;

	c->sig_status = LSKEL_SIG_NONE;
	if (d->sig && d->sig_sz) {
		if (d->sig_next && d->sig_next_sz) {
			sz = lskel_loader_attr(d, &u, &map_fd, btf_fd, d->sig_next, d->sig_next_sz,
					       keyring, 1);
			fd = lskel_sys_bpf(BPF_PROG_LOAD, &u.a, sz);
			if (fd >= 0) {
				c->sig_status = LSKEL_SIG_VERIFIED;
				return fd;
			}
			sig_err = -errno;
		}
		if (sig_err != -EOPNOTSUPP) {
			sz = lskel_loader_attr(d, &u, &map_fd, btf_fd, d->sig, d->sig_sz, keyring, 0);
			fd = lskel_sys_bpf(BPF_PROG_LOAD, &u.a, sz);
			if (fd >= 0) {
				c->sig_status = LSKEL_SIG_VERIFIED;
				return fd;
			}
			sig_err = -errno;
		}
		if (sig_err == -EOPNOTSUPP && c->require_signature)
			return lskel_fail(c, -1, sig_err, "%s: this kernel cannot check BPF program "
					  "signatures%s: %s", d->name, " and the signature is required");
	}
	sz = lskel_loader_attr(d, &u, &map_fd, btf_fd, NULL, 0, 0, 0);
	fd = lskel_sys_bpf(BPF_PROG_LOAD, &u.a, sz);
	if (fd >= 0 && sig_err && sig_err != -EOPNOTSUPP) {
		/* the program loads unsigned: what the kernel refused was the signature */
		close(fd);
		return lskel_fail(c, -1, sig_err, "%s: the kernel refused the loader's signature%s: "
				  "%s", d->name, " (is the signing key in the keyring?)");
	}
	if (fd >= 0 && sig_err)
		c->sig_status = LSKEL_SIG_UNSUPPORTED;
	if (fd < 0 && c->log_buf && c->log_size) {
		/* again, with the verifier's log for the caller */
		u.a.log_buf = lskel_ptr(c->log_buf);
		u.a.log_size = c->log_size;
		u.a.log_level = 1;
		fd = lskel_sys_bpf(BPF_PROG_LOAD, &u.a, sz);
	}
	if (fd < 0 && d->excl_hash)	/* a signed loader verifies with its own blob */
		return lskel_fail(c, -1, -errno, "%s: the kernel refused the signed loader program%s:"
				  " %s", d->name, " (its blob is not the one it was built with: "
				  "tampered with or swapped?)");
	if (fd < 0 && errno == EPERM)
		return lskel_fail(c, -1, -errno, "%s: the kernel refused the loader program%s: %s",
				  d->name, " (BPF_PROG_TYPE_SYSCALL needs CAP_BPF and CAP_PERFMON)");
	if (fd < 0)	/* not a permission problem: the instructions or their BTF */
		return lskel_fail(c, -1, -errno, "%s: the verifier refused the loader program%s: %s",
				  d->name, " (corrupted?)");
	return fd;
}

/* One run of the loader (lskel_run_loader); *pin_race set when a pin it was to make
 * appeared meanwhile. */
static inline int lskel_run_loader_once(const struct lskel_desc *d, const __u64 *input_slots,
					struct lskel_ctx *c, int **fdsp, int *pin_race)
{
	int btf_fd = -1, map_fd = -1, prog_fd = -1, err = 0, *fds = NULL;
	size_t ctx_sz = sizeof(struct lskel_loader_ctx) + d->inputs_size;
	struct lskel_loader_ctx *lc;
	union bpf_attr attr;
	void *m;
	__u32 i;

	c->failed_op = -1;
	c->err = 0;
	c->errmsg[0] = '\0';
	c->sig_status = LSKEL_SIG_NONE;
	err = lskel_check_desc(d, c);	/* before any bpf() call: hashes, manifest, tables */
	if (err)
		return err;
	lc = (struct lskel_loader_ctx *)calloc(1, ctx_sz);
	fds = (int *)malloc((d->nr_ops + 1) * sizeof(int));
	if (!lc || !fds) {
		err = lskel_fail(c, -1, -ENOMEM, "%s%s: out of memory: %s", d->name, "");
		goto out;
	}
	if (d->nr_inputs && input_slots)	/* NULL: every initial value as compiled */
		memcpy(lc + 1, input_slots, d->nr_inputs * 8);
	err = lskel_fill_kconfig(d, (char *)(lc + 1), c);
	if (!err && d->nr_pins)
		err = lskel_pins_find(d, (__u64 *)(lc + 1), c);
	if (err)
		goto out;
	lskel_reserve_fds(d->nr_ops);

	memset(&attr, 0, sizeof(attr));
	attr.btf = lskel_ptr(d->btf);
	attr.btf_size = d->btf_sz;
	btf_fd = lskel_sys_bpf(BPF_BTF_LOAD, &attr, sizeof(attr));
	if (btf_fd < 0) {
		err = lskel_fail(c, -1, -errno, "%s: loading the loader's BTF%s failed: %s",
				 d->name, "");
		goto out;
	}
	map_fd = lskel_data_map(d, c);
	if (map_fd < 0) {
		err = map_fd;
		goto out;
	}
	prog_fd = lskel_load_loader(d, c, map_fd, btf_fd);
	if (prog_fd < 0) {
		err = prog_fd;
		goto out;
	}
	lc->sz = ctx_sz;	/* the first run without a verifier log: the fast path */
	lc->inputs = lskel_ptr(lc + 1);
run:
	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = prog_fd;
	attr.test.ctx_in = lskel_ptr(lc);
	/* the header only (the loader reads the inputs from user memory); SYSCALL programs
	 * write the context back there */
	attr.test.ctx_size_in = sizeof(*lc);
	if (lskel_sys_bpf(BPF_PROG_TEST_RUN, &attr, sizeof(attr))) {
		err = lskel_fail(c, -1, -errno, "%s: running the loader%s failed: %s", d->name, "");
		goto out;
	}
	if (lc->err && !lc->log_buf && c->log_buf && c->log_size && lc->failed_op < d->nr_ops &&
	    d->op_cmd[lc->failed_op] == BPF_PROG_LOAD) {
		/* a program was refused and the caller wants the verifier's log: the loader
		 * closed everything it made; run it again with the log in every PROG_LOAD, the
		 * last one written is the refused program's */
		lc->log_buf = lskel_ptr(c->log_buf);
		lc->log_size = c->log_size;
		lc->log_level = c->log_level ? c->log_level : 1;
		lc->err = 0;
		goto run;
	}
	if (d->excl_hash && (int)attr.test.retval == -EBADMSG && !lc->err) {
		err = lskel_fail(c, -1, -EBADMSG, "%s: data blob hash mismatch: the blob is not the "
				 "one this loader was signed with (tampered with or swapped)%s: %s",
				 d->name, "");
		goto out;
	}
	if ((int)attr.test.retval < 0 || lc->err) {
		int op = lc->err ? (int)lc->failed_op : -1;
		int known = op >= 0 && (__u32)op < d->nr_ops;
		const char *what = known ? d->op_what[op] : "the load";
		int trunc;
		char head[96];

		err = lc->err ? lc->err : (int)attr.test.retval;
		trunc = known && d->op_cmd[op] == BPF_PROG_LOAD && err == -ENOSPC && lc->log_buf;
		snprintf(head, sizeof(head), "op %d: %s of", op,
			 known ? lskel_cmd_name(d->op_cmd[op]) : "?");
		c->failed_op = op;
		c->err = err;
		/* ENOSPC on the retry with the caller's log: a full log hid the refusal */
		snprintf(c->errmsg, sizeof(c->errmsg), "%s %s%s%s: %s", known ? head : d->name,
			 known ? what : err == -EBADMSG && !d->excl_hash ? "blob hash check failed, "
			 "no signing data (signature section stripped?)" : "loader failed before its "
			 "first op", known ? " failed" : "", trunc ? " (refused by the verifier; its "
			 "log was truncated: give a larger log_buf)" : "", strerror(-err));
		goto out;
	}
	/* the fd table, by a lookup of the whole value: 3 us for a 12 KiB blob where mmap and
	 * munmap took 10-25 us, and no slower for a 1 MiB one */
	m = malloc(d->data_sz);
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = map_fd;
	attr.key = lskel_ptr(&i);
	attr.value = lskel_ptr(m);
	i = 0;
	if (!m || lskel_sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr, sizeof(attr))) {
		err = lskel_fail(c, -1, m ? -errno : -ENOMEM, "%s: reading the loader's fd table%s: "
				 "%s", d->name, "");
		free(m);
		/* the loader succeeded: its fds are open but unknown; nothing better to do */
		goto out;
	}
	memcpy(fds, (char *)m + d->fdtab_off, d->nr_ops * sizeof(int));
	free(m);
	if (d->nr_pins) {
		err = lskel_pins_make(d, (const __u64 *)(lc + 1), fds, c);
		*pin_race = err == -EEXIST;
		if (err) {
			for (i = 0; i < d->nr_ops; i++)
				if (fds[i] >= 0)
					close(fds[i]);
			goto out;
		}
	}
	*fdsp = fds;
	fds = NULL;
out:
	if (prog_fd >= 0)
		close(prog_fd);
	if (map_fd >= 0)
		close(map_fd);
	if (btf_fd >= 0)
		close(btf_fd);
	free(lc);
	free(fds);
	(void)i;
	return err;
}

/* Run the loader. On success *fdsp holds one fd per trace op (-1 where none), and a loader
 * with pinned maps leaves c->pins_made for lskel_pins_undo: a caller other than lskel_load
 * frees it (lskel_load's skeleton does in lskel_destroy). Loaders racing to pin the same
 * LIBBPF_PIN_BY_NAME map: the one finding it pinned (EEXIST) undoes its load and loads again
 * on the winner's map, after checking it matches, as libbpf retries. */
static inline int lskel_run_loader(const struct lskel_desc *d, const __u64 *input_slots,
				   struct lskel_ctx *c, int **fdsp)
{
	int tries, err = -EINVAL, race = 0;

	for (tries = 0; tries < 3; tries++) {
		race = 0;
		err = lskel_run_loader_once(d, input_slots, c, fdsp, &race);
		if (!race)
			break;
	}
	return err;
}

#include <lskel/struct_ops.h>

/* Anonymous copy of a global data section, readable and writable before load. */
static inline void *lskel_prep_data(const void *init, __u32 size)
{
	size_t len = ((size_t)size + 4095) & ~(size_t)4095;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (init)
		memcpy(p, init, size);
	else
		memset(p, 0, size);
	return p;
}

static inline void lskel_free_data(void *p, __u32 size)
{
	if (p)
		munmap(p, ((size_t)size + 4095) & ~(size_t)4095);
}

/* Open: mark every fd closed first (a failed open's destroy closes none it did not make),
 * then make the writable data sections. */
static inline int lskel_open(const struct lskel_desc *d, void *skel)
{
	char *s = (char *)skel;
	__u32 i;

	((struct lskel_ctx *)skel)->failed_op = -1;
	for (i = 0; i < d->nr_maps; i++)
		((struct lskel_map_desc *)(s + d->maps[i].fd_off))->map_fd = -1;
	for (i = 0; i < d->nr_progs; i++) {
		((struct lskel_prog_desc *)(s + d->progs[i].fd_off))->prog_fd = -1;
		((struct lskel_prog_desc *)(s + d->progs[i].fd_off))->autoload =
			d->progs[i].autoload_input == ~0u;
		*(int *)(s + d->progs[i].link_off) = -1;
	}
	for (i = 0; i < d->nr_maps; i++) {
		const struct lskel_map_bind *b = &d->maps[i];
		struct lskel_map_desc *md = (struct lskel_map_desc *)(s + b->fd_off);

		if (b->data_off != ~0u) {
			void *p = lskel_prep_data(b->init_off != ~0u ?
						  (const char *)d->data + b->init_off : NULL,
						  b->size);

			if (!p)
				return -ENOMEM;
			*(void **)(s + b->data_off) = p;
			md->initial_value = lskel_ptr(p);
		}
	}
	for (i = 0; i < d->nr_objs; i++) {
		struct lskel_handle *h = (struct lskel_handle *)(s + d->handles[i].storage_off);

		h->desc = d;
		h->skel = skel;
		h->obj = i;
		h->subs = NULL;
		*(struct lskel_handle **)(s + d->handles[i].ptr_off) = h;
	}
	return lskel_st_ops_open(d, skel);
}

/* Subskeletons (lskel gen --subskeleton): a library's typed view of the skeleton it was
 * linked into, bound by name through the manifest when opened. */
struct lskel_sub_var {
	const char *name;
	const char *sec;
	__u32 size;
	__u64 type_sig;
	__u32 ptr_off;		/* offsetof(sub, bss.NAME): gets the variable's address */
};

struct lskel_sub_ref {
	const char *name;
	__u32 off;		/* offsetof(sub, maps.M) / offsetof(sub, progs.P) */
};

struct lskel_sub_desc {
	const char *name;
	const struct lskel_sub_var *vars;
	__u32 nr_vars;
	const struct lskel_sub_ref *maps;
	__u32 nr_maps;
	const struct lskel_sub_ref *progs;
	__u32 nr_progs;
};

/* First member of every subskeleton. */
struct lskel_sub {
	const struct lskel_sub_desc *d;
	struct lskel_handle *h;		/* NULL once the parent is destroyed */
	struct lskel_sub *next;
	const void **src;		/* per map, then per program: the parent's descriptor */
};

static inline const struct lskel_sym *lskel_sym_find(const struct lskel_handle *h, __u32 kind,
						     const char *name)
{
	const struct lskel_desc *d = h->desc;
	__u32 lo = 0, hi = d->nr_syms;

	while (lo < hi) {	/* (obj, kind, name) order */
		__u32 mid = lo + (hi - lo) / 2;
		const struct lskel_sym *s = &d->syms[mid];
		int c = s->obj != h->obj ? (s->obj < h->obj ? -1 : 1) :
			s->kind != kind ? (s->kind < kind ? -1 : 1) : strcmp(s->name, name);

		if (!c)
			return s;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Copy the parent's map and program descriptors into the subskeleton (fds after load). */
static inline void lskel_sub_refresh(struct lskel_sub *sub)
{
	const struct lskel_sub_desc *sd = sub->d;
	char *s = (char *)sub;
	__u32 i;

	for (i = 0; i < sd->nr_maps; i++)
		memcpy(s + sd->maps[i].off, sub->src[i], sizeof(struct lskel_map_desc));
	for (i = 0; i < sd->nr_progs; i++)
		memcpy(s + sd->progs[i].off, sub->src[sd->nr_maps + i],
		       sizeof(struct lskel_prog_desc));
}

static inline void *lskel_sub_fail(struct lskel_handle *h, void *s, int err, const char *what,
				   const char *name, const char *why)
{
	struct lskel_ctx *c = (struct lskel_ctx *)h->skel;

	c->err = err;
	c->failed_op = -1;
	snprintf(c->errmsg, sizeof(c->errmsg), "subskeleton: %s '%.64s': %.400s", what, name,
		 why);
	if (s)
		free((void *)((struct lskel_sub *)s)->src);
	free(s);
	errno = -err;
	return NULL;
}

/* Open subskeleton @sd (@size bytes) on object handle @h: every variable, map and program
 * found by name, a variable's size and type signature checked, its pointer set into the
 * parent's data section (valid before and after the parent's load). On failure returns
 * NULL with errno set and the reason in the parent's ctx.errmsg. */
static inline void *lskel_sub_open(const struct lskel_sub_desc *sd, struct lskel_handle *h,
				   size_t size)
{
	char *s, why[256];
	struct lskel_sub *sub;
	__u32 i;

	if (!h || !h->desc || !h->skel) {
		errno = EINVAL;
		return NULL;
	}
	s = (char *)calloc(1, size);
	if (!s)
		return lskel_sub_fail(h, NULL, -ENOMEM, "out of memory for", sd->name, "");
	sub = (struct lskel_sub *)s;
	sub->d = sd;
	sub->h = h;
	sub->src = (const void **)calloc(sd->nr_maps + sd->nr_progs + 1, sizeof(void *));
	if (!sub->src)
		return lskel_sub_fail(h, s, -ENOMEM, "out of memory for", sd->name, "");
	for (i = 0; i < sd->nr_vars; i++) {
		const struct lskel_sub_var *v = &sd->vars[i];
		const struct lskel_sym *y = lskel_sym_find(h, LSKEL_SYM_VAR, v->name);
		const struct lskel_map_bind *b;

		if (!y)
			return lskel_sub_fail(h, s, -ENOENT, "variable", v->name,
					      "not in the object (or static)");
		b = &h->desc->maps[y->bind];
		if (strcmp(y->sec, v->sec)) {
			snprintf(why, sizeof(why), "in section %.64s of the object, %.64s in the "
				 "library", y->sec, v->sec);
			return lskel_sub_fail(h, s, -EINVAL, "variable", v->name, why);
		}
		if (y->size != v->size || y->type_sig != v->type_sig) {
			snprintf(why, sizeof(why), "the object has %u bytes of type %016llx, the "
				 "library %u bytes of type %016llx: built from another version",
				 y->size, (unsigned long long)y->type_sig, v->size,
				 (unsigned long long)v->type_sig);
			return lskel_sub_fail(h, s, -EINVAL, "variable", v->name, why);
		}
		if (b->data_off == ~0u)
			return lskel_sub_fail(h, s, -EINVAL, "variable", v->name,
					      "its section is not mapped");
		*(void **)(s + v->ptr_off) = *(char **)((char *)h->skel + b->data_off) + y->off;
	}
	for (i = 0; i < sd->nr_maps + sd->nr_progs; i++) {
		int is_map = i < sd->nr_maps;
		const struct lskel_sub_ref *r = is_map ? &sd->maps[i] : &sd->progs[i - sd->nr_maps];
		const struct lskel_sym *y = lskel_sym_find(h, is_map ? LSKEL_SYM_MAP :
							   LSKEL_SYM_PROG, r->name);

		if (!y)
			return lskel_sub_fail(h, s, -ENOENT, is_map ? "map" : "program", r->name,
					      "not in the object");
		sub->src[i] = (char *)h->skel + (is_map ? h->desc->maps[y->bind].fd_off :
						h->desc->progs[y->bind].fd_off);
	}
	lskel_sub_refresh(sub);
	sub->next = h->subs;
	h->subs = sub;
	return s;
}

static inline void lskel_sub_destroy(struct lskel_sub *sub)
{
	struct lskel_sub **pp;

	if (!sub)
		return;
	for (pp = sub->h ? &sub->h->subs : NULL; pp && *pp; pp = &(*pp)->next)
		if (*pp == sub) {
			*pp = sub->next;
			break;
		}
	free((void *)sub->src);
	free(sub);
}

/* The parent loaded (fds known) or is going away (its subskeletons let go of it). */
static inline void lskel_subs_notify(const struct lskel_desc *d, void *skel, int gone)
{
	__u32 i;

	for (i = 0; i < d->nr_objs; i++) {
		struct lskel_handle *h = (struct lskel_handle *)((char *)skel +
								 d->handles[i].storage_off);
		struct lskel_sub *sub;

		for (sub = h->subs; sub; sub = sub->next) {
			if (gone)
				sub->h = NULL;
			else
				lskel_sub_refresh(sub);
		}
		if (gone)
			h->subs = NULL;
	}
}

/* Whether a load bound fds into @skel (a second load would make a second set). */
static inline int lskel_loaded(const struct lskel_desc *d, const void *skel)
{
	const char *s = (const char *)skel;
	__u32 i;

	for (i = 0; i < d->nr_maps; i++)
		if (((const struct lskel_map_desc *)(s + d->maps[i].fd_off))->map_fd >= 0)
			return 1;
	for (i = 0; i < d->nr_progs; i++)
		if (((const struct lskel_prog_desc *)(s + d->progs[i].fd_off))->prog_fd >= 0)
			return 1;
	return 0;
}

/* progs.P.autoload into the load's inputs: SEC("?...") programs are loaded when asked for;
 * any other program always is, so asking to leave one out is an error, not ignored. */
static inline int lskel_autoload_inputs(const struct lskel_desc *d, void *skel, __u64 *inputs)
{
	__u32 i;

	for (i = 0; i < d->nr_progs; i++) {
		const struct lskel_prog_bind *b = &d->progs[i];
		int a = ((struct lskel_prog_desc *)((char *)skel + b->fd_off))->autoload;

		if (b->autoload_input != ~0u)
			inputs[b->autoload_input] = a != 0;
		else if (!a)
			return lskel_fail((struct lskel_ctx *)skel, -1, -EINVAL, "program '%s': "
					  "autoload is 0, but only SEC(\"?...\") programs can be "
					  "left out of this load%s: %s", b->name, "");
	}
	return 0;
}

/* Load: run the loader with the caller's data sections, bind fds, map the data sections. */
static inline int lskel_load(const struct lskel_desc *d, void *skel)
{
	struct lskel_ctx *c = (struct lskel_ctx *)skel;
	char *s = (char *)skel;
	__u64 *inputs = NULL;
	int *fds = NULL, err;
	__u32 i;

	if (lskel_loaded(d, skel))
		return lskel_fail(c, -1, -EBUSY, "%s: already loaded%s: a skeleton loads once "
				  "(destroy it and open a new one): %s", d->name, "");
	err = lskel_st_ops_check(d, c);
	if (err)
		return err;
	if (d->nr_inputs) {
		inputs = (__u64 *)calloc(d->nr_inputs, 8);
		if (!inputs)
			return -ENOMEM;
	}
	for (i = 0; i < d->nr_maps; i++) {
		const struct lskel_map_bind *b = &d->maps[i];

		/* bpftool's contract: the loader reads maps.M.initial_value, which points at
		 * skel->M for exposed sections and may be set for any section with a value
		 * (libxdp's dispatcher keeps its config in a static, unexposed .rodata) */
		if (b->input != ~0u)
			inputs[b->input] = ((struct lskel_map_desc *)(s + b->fd_off))->initial_value;
		if (b->max_input != ~0u)	/* set between open and load, as with bpftool */
			inputs[b->max_input] =
				((struct lskel_map_desc *)(s + b->fd_off))->max_entries;
	}
	err = lskel_autoload_inputs(d, skel, inputs);
	if (!err)
		err = lskel_run_loader(d, inputs, c, &fds);
	free(inputs);
	if (err)
		return err;
	for (i = 0; i < d->nr_maps; i++) {
		const struct lskel_map_bind *b = &d->maps[i];

		((struct lskel_map_desc *)(s + b->fd_off))->map_fd = fds[b->slot];
	}
	for (i = 0; i < d->nr_maps; i++)	/* shared maps: one fd, several views */
		fds[d->maps[i].slot] = -1;
	for (i = 0; i < d->nr_progs; i++) {
		const struct lskel_prog_bind *b = &d->progs[i];

		((struct lskel_prog_desc *)(s + b->fd_off))->prog_fd = fds[b->slot];
		fds[b->slot] = -1;
	}
	for (i = 0; i < d->nr_ops; i++)	/* BTF and other helpers the programs keep alive */
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	for (i = 0; i < d->nr_maps; i++) {
		const struct lskel_map_bind *b = &d->maps[i];
		void **pp = (void **)(s + b->data_off);
		size_t len = ((size_t)b->size + 4095) & ~(size_t)4095;
		void *p;

		if (b->data_off == ~0u)
			continue;
		/* same address: pointers the caller took to skel->bss stay valid */
		p = mmap(*pp, len, PROT_READ | (b->rdonly ? 0 : PROT_WRITE), MAP_SHARED | MAP_FIXED,
			 ((struct lskel_map_desc *)(s + b->fd_off))->map_fd, 0);
		if (p == MAP_FAILED) {
			err = lskel_fail(c, -1, -errno, "%s: cannot map global data '%s': %s",
					 d->name, "");
			lskel_pins_undo(d, c);
			return err;
		}
	}
	lskel_subs_notify(d, skel, 0);	/* subskeletons see the fds */
	return 0;
}

/* Read a tracefs event id ("category/name"). */
static inline int lskel_tp_id(const char *target)
{
	static const char *const roots[] = { "/sys/kernel/tracing/events",
					     "/sys/kernel/debug/tracing/events" };
	char path[512], buf[32];
	int i, fd, n;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s/id", roots[i], target);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			return -EINVAL;
		buf[n] = '\0';
		return lskel_dec(buf);
	}
	return -ENOENT;
}

/* A small unsigned number from a sysfs file ("8\n", "config:0\n" -> 0 after @skip chars). */
static inline int lskel_read_num(const char *path, size_t skip)
{
	char buf[64];
	int fd = open(path, O_RDONLY), n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= (int)skip)
		return -EINVAL;
	buf[n] = '\0';
	return lskel_dec(buf + skip);
}

#include <lskel/attach_multi.h>

/* File offset of function @func in the ELF executable or library @path (for uprobes). */
static inline long lskel_elf_func_off(const char *path, const char *func)
{
	__u64 off;
	long n = lskel_elf_glob_offs(path, func, &off, 1);

	return n <= 0 ? (n ? n : -ENOENT) : (long)off;
}

/* kprobe/uprobe perf event ("FUNC[+OFF]" or "PATH:FUNC[+OFF]") linked to @prog_fd. */
static inline int lskel_attach_probe(__u32 kind, const char *target, int prog_fd)
{
	int user = kind == LSKEL_ATTACH_UPROBE || kind == LSKEL_ATTACH_URETPROBE;
	int ret = kind == LSKEL_ATTACH_KRETPROBE || kind == LSKEL_ATTACH_URETPROBE;
	const char *pmu = user ? "/sys/bus/event_source/devices/uprobe" :
				 "/sys/bus/event_source/devices/kprobe";
	char path[256], file[512], func[256], *plus;
	struct perf_event_attr pe;
	union bpf_attr attr;
	long off = 0;
	int type, bit = 0, pfd, fd, e;
	const char *colon = user ? strrchr(target, ':') : NULL;

	if (user && (!colon || colon == target || (size_t)(colon - target) >= sizeof(file)))
		return -EINVAL;
	snprintf(func, sizeof(func), "%s", colon ? colon + 1 : target);
	plus = strchr(func, '+');
	if (plus) {
		long long v = 0;

		*plus = '\0';
		if (!lskel_parse_ll(plus + 1, &v))
			return -EINVAL;
		off = (long)v;
	}
	snprintf(path, sizeof(path), "%s/type", pmu);
	type = lskel_read_num(path, 0);
	if (type < 0)
		return type;
	if (ret) {
		snprintf(path, sizeof(path), "%s/format/retprobe", pmu);
		bit = lskel_read_num(path, 7);	/* "config:N" */
		if (bit < 0)
			return bit;
	}
	memset(&pe, 0, sizeof(pe));
	pe.size = sizeof(pe);
	pe.type = type;
	pe.config = ret ? 1ULL << bit : 0;
	if (user) {
		long at;

		memcpy(file, target, colon - target);
		file[colon - target] = '\0';
		at = func[0] ? lskel_elf_func_off(file, func) : 0;
		if (at < 0)
			return (int)at;
		pe.config1 = lskel_ptr(file);	/* uprobe_path */
		pe.config2 = (__u64)(at + off);	/* probe_offset */
	} else {
		pe.config1 = lskel_ptr(func);	/* kprobe_func */
		pe.config2 = (__u64)off;
	}
	pfd = syscall(__NR_perf_event_open, &pe, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0)
		return -errno;
	memset(&attr, 0, sizeof(attr));
	attr.link_create.prog_fd = prog_fd;
	attr.link_create.target_fd = pfd;
	attr.link_create.attach_type = BPF_PERF_EVENT;
	fd = lskel_sys_bpf(BPF_LINK_CREATE, &attr, sizeof(attr));
	e = errno;
	close(pfd);
	return fd < 0 ? -e : fd;
}

/* Attach one program the way its SEC says; returns a link fd or -errno. */
static inline int lskel_attach_prog(const struct lskel_prog_bind *b, int prog_fd)
{
	union bpf_attr attr;
	struct perf_event_attr pe;
	int pfd, id, fd;

	memset(&attr, 0, sizeof(attr));
	switch (b->attach) {
	case LSKEL_ATTACH_TRACEPOINT:
		id = lskel_tp_id(b->target);
		if (id < 0)
			return id;
		memset(&pe, 0, sizeof(pe));
		pe.type = PERF_TYPE_TRACEPOINT;
		pe.size = sizeof(pe);
		pe.config = id;
		pe.sample_period = 1;
		pe.wakeup_events = 1;
		pfd = syscall(__NR_perf_event_open, &pe, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
		if (pfd < 0)
			return -errno;
		attr.link_create.prog_fd = prog_fd;
		attr.link_create.target_fd = pfd;
		attr.link_create.attach_type = BPF_PERF_EVENT;
		fd = lskel_sys_bpf(BPF_LINK_CREATE, &attr, sizeof(attr));
		id = errno;
		close(pfd);	/* the link holds the perf event */
		return fd < 0 ? -id : fd;
	case LSKEL_ATTACH_RAW_TP:
		attr.raw_tracepoint.name = lskel_ptr(b->target);
		attr.raw_tracepoint.prog_fd = prog_fd;
		fd = lskel_sys_bpf(BPF_RAW_TRACEPOINT_OPEN, &attr, sizeof(attr));
		return fd < 0 ? -errno : fd;
	case LSKEL_ATTACH_TRACING:
		attr.raw_tracepoint.prog_fd = prog_fd;
		fd = lskel_sys_bpf(BPF_RAW_TRACEPOINT_OPEN, &attr, sizeof(attr));
		return fd < 0 ? -errno : fd;
	case LSKEL_ATTACH_KPROBE:
	case LSKEL_ATTACH_KRETPROBE:
	case LSKEL_ATTACH_UPROBE:
	case LSKEL_ATTACH_URETPROBE:
		return lskel_attach_probe(b->attach, b->target, prog_fd);
	case LSKEL_ATTACH_UPROBE_MULTI:
	case LSKEL_ATTACH_URETPROBE_MULTI:
		return lskel_attach_uprobe_multi(b->target, b->attach == LSKEL_ATTACH_URETPROBE_MULTI,
						 prog_fd);
	case LSKEL_ATTACH_KPROBE_MULTI:
	case LSKEL_ATTACH_KRETPROBE_MULTI:
		return lskel_attach_kprobe_multi(b->target, b->attach == LSKEL_ATTACH_KRETPROBE_MULTI,
						 prog_fd);
	case LSKEL_ATTACH_KSYSCALL:
	case LSKEL_ATTACH_KRETSYSCALL:
		return lskel_attach_ksyscall(b->target, b->attach == LSKEL_ATTACH_KRETSYSCALL, prog_fd);
	case LSKEL_ATTACH_USDT:
		return -EOPNOTSUPP;
	case LSKEL_ATTACH_ITER:
		attr.link_create.prog_fd = prog_fd;
		attr.link_create.attach_type = BPF_TRACE_ITER;
		fd = lskel_sys_bpf(BPF_LINK_CREATE, &attr, sizeof(attr));
		return fd < 0 ? -errno : fd;
	default:
		return 0;
	}
}

/* BPF_LINK_CREATE for programs that need a target: returns a link fd or -errno.
 * @target: ifindex (XDP, tcx), cgroup fd, netns fd (sk_lookup, flow dissector) or
 * sockmap/sockhash fd (sk_msg, sk_skb). */
static inline int lskel_link_create(int prog_fd, int target, __u32 attach_type, __u32 flags)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.link_create.prog_fd = prog_fd;
	attr.link_create.target_fd = target;
	attr.link_create.attach_type = attach_type;
	attr.link_create.flags = flags;
	fd = lskel_sys_bpf(BPF_LINK_CREATE, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}

/* A netfilter hook link (pf NFPROTO_IPV4 = 2, hooknum NF_INET_*, priority). */
static inline int lskel_link_netfilter(int prog_fd, __u32 pf, __u32 hooknum, int priority)
{
	union bpf_attr attr;
	__u32 nf[4];
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.link_create.prog_fd = prog_fd;
	attr.link_create.attach_type = LSKEL_BPF_NETFILTER;
	nf[0] = pf;	/* link_create.netfilter: pf, hooknum, priority, flags */
	nf[1] = hooknum;
	memcpy(&nf[2], &priority, 4);
	nf[3] = 0;
	memcpy((char *)&attr.link_create + 16, nf, sizeof(nf));
	fd = lskel_sys_bpf(BPF_LINK_CREATE, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}

/* Store a new link in a skeleton's links.P_fd (replacing one already there). */
static inline int lskel_set_link(struct lskel_ctx *c, int *slot, int fd, const char *prog,
				 const char *what)
{
	if (fd < 0)
		return lskel_fail(c, -1, fd, "attaching program '%s' (%s) failed: %s", prog, what);
	if (*slot >= 0)
		close(*slot);
	*slot = fd;
	return 0;
}

static inline void lskel_detach(const struct lskel_desc *d, void *skel)
{
	char *s = (char *)skel;
	__u32 i;

	if (!d || !skel)
		return;
	for (i = 0; i < d->nr_progs; i++) {
		int *l = (int *)(s + d->progs[i].link_off);

		if (*l >= 0)
			close(*l);
		*l = -1;
	}
	lskel_st_ops_detach(d, skel);
}

/* NAME__P__attach(): attach program @i the way its SEC says and keep the link in
 * links.P_fd; returns the link fd (the one already there if attached), 0 for a program whose
 * target only the caller knows (as bpftool's header: use NAME__P__attach_KIND), or -errno
 * (-ENOENT for a SEC("?...") program that was not loaded). */
static inline int lskel_attach_one(const struct lskel_desc *d, void *skel, __u32 i)
{
	struct lskel_ctx *c = (struct lskel_ctx *)skel;
	const struct lskel_prog_bind *b = &d->progs[i];
	char *s = (char *)skel;
	int *l = (int *)(s + b->link_off), fd;
	int prog_fd = ((struct lskel_prog_desc *)(s + b->fd_off))->prog_fd;

	if (b->attach == LSKEL_ATTACH_NONE)
		return 0;
	if (*l >= 0)
		return *l;
	if (prog_fd < 0)
		return lskel_fail(c, -1, -ENOENT, "attaching program '%s' to '%s' failed: it is "
				  "not loaded: %s", b->name, b->target);
	fd = lskel_attach_prog(b, prog_fd);
	if (fd < 0) {
		lskel_fail(c, -1, fd, "attaching program '%s' to '%s' failed: %s", b->name,
			   b->target);
		return lskel_attach_explain(c, b->attach, fd);
	}
	*l = fd;
	return fd;
}

/* Attach every loaded program whose SEC names its target; all or none. */
static inline int lskel_attach(const struct lskel_desc *d, void *skel)
{
	struct lskel_ctx *c = (struct lskel_ctx *)skel;
	char *s = (char *)skel;
	__u32 i;
	int fd;

	if (!lskel_loaded(d, skel))
		return lskel_fail(c, -1, -EINVAL, "%s: not loaded%s: call __load before __attach: %s",
				  d->name, "");
	for (i = 0; i < d->nr_progs; i++) {
		if (((struct lskel_prog_desc *)(s + d->progs[i].fd_off))->prog_fd < 0)
			continue;	/* SEC("?...") left out of the load */
		fd = lskel_attach_one(d, skel, i);
		if (fd < 0) {
			lskel_detach(d, skel);
			return fd;
		}
	}
	if (lskel_st_ops_attach(d, skel)) {
		lskel_detach(d, skel);
		return c->err;
	}
	return 0;
}

/* Release links first, then programs and maps, then the data sections. */
static inline void lskel_destroy(const struct lskel_desc *d, void *skel)
{
	char *s = (char *)skel;
	__u32 i;

	if (!skel)
		return;
	free(((struct lskel_ctx *)skel)->pins_made);	/* the pins stay: that is their point */
	lskel_subs_notify(d, skel, 1);
	lskel_detach(d, skel);
	lskel_st_ops_destroy(d, skel);
	for (i = 0; i < d->nr_progs; i++) {
		int fd = ((struct lskel_prog_desc *)(s + d->progs[i].fd_off))->prog_fd;

		if (fd >= 0)
			close(fd);
	}
	for (i = 0; i < d->nr_maps; i++) {
		const struct lskel_map_bind *b = &d->maps[i];
		int fd = ((struct lskel_map_desc *)(s + b->fd_off))->map_fd;

		if (fd >= 0 && !b->shared)
			close(fd);
		if (b->data_off != ~0u)
			lskel_free_data(*(void **)(s + b->data_off), b->size);
	}
	free(skel);
}

#ifdef __cplusplus
}
#endif

#endif
