/* SPDX-License-Identifier: BSD-2-Clause */
/* lskel runtime, core: the skeleton and descriptor types every other part uses, the bpf()
 * syscall, error reporting into struct lskel_ctx, and the small number parsers for config
 * and sysfs values (no libc number scanner: keeps static runtimes small). */
#ifndef LSKEL_CORE_H
#define LSKEL_CORE_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
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
#include <sys/uio.h>
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
#define LSKEL_BOOL bool
#define LSKEL_STATIC_ASSERT(c, m) static_assert(c, m)
#else
#define LSKEL_BOOL _Bool
#define LSKEL_STATIC_ASSERT(c, m) _Static_assert(c, m)
#endif

#ifdef __cplusplus
extern "C" {
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
	void *usdt;		/* lskel/usdt.h: what attached usdt/ programs hold */
	int compat;		/* out: 1 when the kernel refused the loop loader and the compat
				 * (bpf_loop) loader ran (kernels before 6.9) */
	__u32 loader_runs;	/* out: BPF_PROG_TEST_RUNs of the loader: 1, one more for a
				 * verifier log, one more each time the kernel's loop budget
				 * stopped it */
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
	LSKEL_ATTACH_USDT,		/* usdt/PATH:PROVIDER:NAME: lskel/usdt.h, desc->usdt */
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
struct lskel_usdt_ops;

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
	const struct lskel_usdt_ops *usdt;	/* lskel/usdt.h, NULL: usdt/ programs refused */
	/* The compat loader: the same interpreter as a bpf_loop callback, with btf and
	 * func_info above, for kernels that refuse insns (the may_goto loop, 6.9+). NULL for
	 * signed loaders, which need 6.18. */
	const void *compat_insns;
	__u32 compat_insns_sz;
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

/* Record a failure of trace op @op (-1: none) in @c: c->err = @err, c->errmsg = the printf
 * of @fmt followed by ": " and strerror(-@err). Returns @err. */
static inline int lskel_fail(struct lskel_ctx *c, int op, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static inline int lskel_fail(struct lskel_ctx *c, int op, int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	c->failed_op = op;
	c->err = err;
	va_start(ap, fmt);
	n = vsnprintf(c->errmsg, sizeof(c->errmsg), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(c->errmsg))
		snprintf(c->errmsg + n, sizeof(c->errmsg) - (size_t)n, ": %s", strerror(-err));
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

/* BPF_OBJ_GET_INFO_BY_FD of @fd into @info (@len bytes, zeroed first): 0 or -errno. */
static inline int lskel_obj_info(int fd, void *info, __u32 len)
{
	union bpf_attr attr;

	memset(info, 0, len);
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = len;
	attr.info.info = lskel_ptr(info);
	return lskel_sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr)) ? -errno : 0;
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

#ifdef __cplusplus
}
#endif

#endif
