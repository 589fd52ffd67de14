// SPDX-License-Identifier: BSD-2-Clause
/* lskel-run: load a NAME.lskel container with nothing but libc and the kernel: validate it
 * (structure, manifest, a signed loader's hashes), run its loader, pin maps, programs and
 * links under a bpffs directory, attach what can be attached (tracepoints, tracing programs,
 * and XDP / tc on --ifname), report. Static; no libbpf, libelf or zlib.
 * Pins are built in a fresh directory next to the target (BASE-lskel-tmp-PID on the same
 * bpffs) and renamed into place once everything succeeded, with a deployment list pinned
 * in it (DIR/lskel-run: a frozen array map holding the relative paths this run pinned):
 * --detach and --replace remove only what such a list names, and a failed or killed run
 * leaves only its temporary directory, which the next run removes. LIBBPF_PIN_BY_NAME maps
 * are pinned under temporary names too, renamed into place just before the directory. */
/* static: no library to dlopen, so plain-text kernel configs only (lskel/runtime.h) */
#define LSKEL_NO_DLOPEN
/* LIBBPF_PIN_BY_NAME maps this run pins: PIN_ROOT/NAME-lskel-tmp-PID until the deployment is
 * complete, then renamed to PIN_ROOT/NAME (pins_commit) */
static char pin_suffix[32];
#define LSKEL_PIN_TMP_SUFFIX pin_suffix
#include <lskel/container.h>
#include <dirent.h>
#include <signal.h>
#include <net/if.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#define BPF_FS_MAGIC_NR 0xcafe4a11
#define TMP_TAG "-lskel-tmp-"		/* bpffs refuses '.' in names: no hidden names */
#define LIST_PIN "lskel-run"		/* the deployment list, pinned in the directory */
#define LIST_MAP_NAME "lskel_run"
#define LIST_HEAD "lskel-run deployment 1\n"
#define RENAME_NOREPLACE_ (1 << 0)
#define RENAME_EXCHANGE_ (1 << 1)

struct opts {
	const char *file, *pin_dir, *pin_root, *ifname, *kconfig, *keyring, *xdp_mode;
	int json, mount_bpffs, detach, no_attach, tc_egress, require_signature, replace;
	int keyring_id;
	__u32 xdp_flags;
};

/* The options: a flag sets its int in struct opts, a value option (val) its string. */
static const struct {
	char name[20];
	unsigned char off, val;
} opt_tab[] = {
	{ "--json", offsetof(struct opts, json), 0 },
	{ "--mount-bpffs", offsetof(struct opts, mount_bpffs), 0 },
	{ "--detach", offsetof(struct opts, detach), 0 },
	{ "--replace", offsetof(struct opts, replace), 0 },
	{ "--no-attach", offsetof(struct opts, no_attach), 0 },
	{ "--tc-egress", offsetof(struct opts, tc_egress), 0 },
	{ "--require-signature", offsetof(struct opts, require_signature), 0 },
	{ "--pin-dir", offsetof(struct opts, pin_dir), 1 },
	{ "--pin-root", offsetof(struct opts, pin_root), 1 },
	{ "--keyring", offsetof(struct opts, keyring), 1 },
	{ "--ifname", offsetof(struct opts, ifname), 1 },
	{ "--kconfig", offsetof(struct opts, kconfig), 1 },
	{ "--xdp-mode", offsetof(struct opts, xdp_mode), 1 },
};

/* What this run pinned, relative to its directory ("maps/x"), in order. */
static char (*made)[512];
static size_t nr_made;
static volatile sig_atomic_t interrupted;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: lskel-run [OPTIONS] FILE.lskel\n"
		"       lskel-run --detach --pin-dir DIR\n"
		"\n"
		"Loads a container written by 'lskel gen --format blob': checks it, runs its loader,\n"
		"pins what it made under DIR (maps/, progs/, links/; OBJECT__NAME in chains; '.'\n"
		"becomes '_', which bpffs needs), attaches tracepoints and tracing programs,\n"
		"and XDP or tc programs to --ifname.\n"
		"Pinned links keep programs attached after lskel-run exits. DIR is built next to\n"
		"itself under a temporary name and renamed into place when all succeeded: on any\n"
		"failure nothing stays (no pin, link, program or map); the failing step and the\n"
		"verifier log are printed and the exit status is 1. An existing DIR is refused.\n"
		"\n"
		"  --pin-dir DIR     bpffs directory to pin under (default /sys/fs/bpf/lskel/NAME)\n"
		"  --replace         DIR holds an lskel-run deployment: replace it once the new\n"
		"                    load succeeded (only what its deployment list names is removed)\n"
		"  --pin-root DIR    where maps declared LIBBPF_PIN_BY_NAME are reused from or\n"
		"                    pinned to (default /sys/fs/bpf, as libbpf)\n"
		"  --keyring ID      signed containers: keyring the kernel checks the signature\n"
		"                    with (default the session keyring, -3)\n"
		"  --require-signature  refuse an unsigned container, and a signed one the kernel\n"
		"                    cannot verify (EOPNOTSUPP)\n"
		"  --mount-bpffs     mount bpffs at /sys/fs/bpf first if it is not there\n"
		"  --ifname IF       attach XDP programs (XDP link) and tc programs (tcx) to IF\n"
		"  --xdp-mode M      skb or native (default: the kernel's choice)\n"
		"  --tc-egress       tc programs on egress instead of ingress\n"
		"  --no-attach       load and pin only\n"
		"  --kconfig FILE    kernel config for CONFIG_* externs (plain text; default\n"
		"                    /boot/config-$(uname -r))\n"
		"  --json            print the summary as JSON\n"
		"  --detach          remove what the deployment list in DIR names (links first:\n"
		"                    programs detach); DIR must be on bpffs\n"
		"  --help, --version\n"
		"Test hooks (environment): LSKEL_RUN_TEST_FAIL_AFTER_PINS=K fails the run after its\n"
		"K-th pin, LSKEL_RUN_TEST_KILL_AFTER_PINS=K kills it (SIGKILL) there;\n"
		"LSKEL_RUN_TEST_KILL_AT=1 kills it before its LIBBPF_PIN_BY_NAME pins are renamed\n"
		"into place, =2 after (before the deployment's rename).\n");
}

static int fail(const char *step, const char *msg)
{
	fprintf(stderr, "lskel-run: %s: %s\n", step, msg);
	return 1;
}

static int read_file(const char *path, void **buf, size_t *size)
{
	struct stat st;
	size_t done = 0;
	int fd = open(path, O_RDONLY | O_NONBLOCK);	/* a FIFO must not block the open */

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > (256 << 20)) {
		close(fd);
		return S_ISREG(st.st_mode) ? -EFBIG : -EINVAL;
	}
	*buf = malloc(st.st_size ? st.st_size : 1);
	if (!*buf) {
		close(fd);
		return -ENOMEM;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, (char *)*buf + done, st.st_size - done);

		if (n <= 0) {
			close(fd);
			return -EIO;
		}
		done += n;
	}
	close(fd);
	*size = done;
	return 0;
}

/* @pre, then @s as a JSON string: quotes, backslashes and control characters escaped. */
static __attribute__((noinline)) void json_field(const char *pre, const char *s)
{
	printf("%s\"", pre);
	for (; *s; s++)
		printf((unsigned char)*s < 0x20 || *s == '"' || *s == '\\' ? "\\u%04x" : "%c",
		       (unsigned char)*s);
	printf("\"");
}

static int is_bpffs(const char *path)
{
	struct statfs s;

	return !statfs(path, &s) && (unsigned long)s.f_type == BPF_FS_MAGIC_NR;
}

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* A pin name bpffs accepts: what is not [A-Za-z0-9_-] becomes '_' (names are checked
 * identifiers already; object names are file names). */
static void pin_name(char *out, size_t n, const char *obj, const char *name, int chain)
{
	char *p;

	if (chain)
		snprintf(out, n, "%.200s__%.200s", obj, name);
	else
		snprintf(out, n, "%.400s", name);
	for (p = out; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			*p = '_';
}

static int test_hook(const char *var, size_t count)
{
	const char *v = getenv(var);
	long long k;

	const char *e = v ? lskel_parse_ll(v, &k) : NULL;

	return e && !*e && k >= 0 && (size_t)k == count;
}

/* Test hook: SIGKILL this run when @var is @at. */
static void test_kill(const char *var, size_t at)
{
	if (test_hook(var, at))
		kill(getpid(), SIGKILL);
}

/* Pin @fd at TMP/KIND/NAME and remember it. */
static int pin(int fd, const char *tmp, const char *kind, const char *name)
{
	char path[4096], (*n)[512];
	union bpf_attr attr;

	snprintf(path, sizeof(path), "%s/%s", tmp, kind);
	if (mkdir(path, 0700) && errno != EEXIST)
		return -errno;
	n = (char (*)[512])realloc(made, (nr_made + 1) * sizeof(*made));
	if (!n)
		return -ENOMEM;
	made = n;
	snprintf(made[nr_made], sizeof(made[0]), "%s/%s", kind, name);
	snprintf(path, sizeof(path), "%s/%s", tmp, made[nr_made]);
	memset(&attr, 0, sizeof(attr));
	attr.pathname = lskel_ptr(path);
	attr.bpf_fd = fd;
	if (lskel_sys_bpf(BPF_OBJ_PIN, &attr, sizeof(attr)))
		return -errno;
	nr_made++;
	test_kill("LSKEL_RUN_TEST_KILL_AFTER_PINS", nr_made);
	if (test_hook("LSKEL_RUN_TEST_FAIL_AFTER_PINS", nr_made))
		return -ECANCELED;
	return interrupted ? -EINTR : 0;
}

/* Remove the pins a deployment list names under @dir, links first, then the list, then the
 * kind directories and @dir if that left them empty. Returns the number removed. */
static int remove_listed(const char *dir, const char *list, size_t len)
{
	static const char *const kinds[] = { "links/", "progs/", "maps/" };
	char path[4096];
	int k, n = 0;

	for (k = 0; k < 3; k++) {
		const char *p = list, *end = list + len;

		while (p < end) {
			const char *nl = memchr(p, '\n', end - p);
			size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);

			size_t kl = strlen(kinds[k]);

			/* KIND/NAME, NAME a single component (bpffs names have no dots) */
			if (l < 500 && l > kl && !strncmp(p, kinds[k], kl) &&
			    !memchr(p + kl, '/', l - kl) && !memchr(p + kl, '.', l - kl)) {
				snprintf(path, sizeof(path), "%s/%.*s", dir, (int)l, p);
				n += !unlink(path);
			}
			p += l + 1;
		}
	}
	snprintf(path, sizeof(path), "%s/" LIST_PIN, dir);
	unlink(path);
	for (k = 0; k < 3; k++) {
		snprintf(path, sizeof(path), "%s/%.*s", dir, (int)strlen(kinds[k]) - 1, kinds[k]);
		rmdir(path);
	}
	rmdir(dir);
	return n;
}

/* This run's pins, as a deployment list. */
static char *list_text(size_t *len)
{
	size_t i, n = strlen(LIST_HEAD) + 1;
	char *t;

	for (i = 0; i < nr_made; i++)
		n += strlen(made[i]) + 1;
	t = (char *)malloc(n);
	if (!t)
		return NULL;
	strcpy(t, LIST_HEAD);
	for (i = 0; i < nr_made; i++) {
		strcat(t, made[i]);
		strcat(t, "\n");
	}
	*len = strlen(t);
	return t;
}

/* Pin the deployment list at DIR/lskel-run: a frozen one-entry array map. */
static int pin_list(const char *dir)
{
	char path[4096], *t;
	union bpf_attr attr;
	size_t len;
	__u32 key = 0;
	int fd, err = 0;

	t = list_text(&len);
	if (!t)
		return -ENOMEM;
	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = len;
	attr.max_entries = 1;
	memcpy(attr.map_name, LIST_MAP_NAME, sizeof(LIST_MAP_NAME));
	fd = lskel_sys_bpf(BPF_MAP_CREATE, &attr, sizeof(attr));
	if (fd < 0) {
		free(t);
		return -errno;
	}
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	attr.key = lskel_ptr(&key);
	attr.value = lskel_ptr(t);
	if (lskel_sys_bpf(BPF_MAP_UPDATE_ELEM, &attr, sizeof(attr)))
		err = -errno;
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	if (!err && lskel_sys_bpf(BPF_MAP_FREEZE, &attr, sizeof(attr)))
		err = -errno;
	snprintf(path, sizeof(path), "%s/" LIST_PIN, dir);
	memset(&attr, 0, sizeof(attr));
	attr.pathname = lskel_ptr(path);
	attr.bpf_fd = fd;
	if (!err && lskel_sys_bpf(BPF_OBJ_PIN, &attr, sizeof(attr)))
		err = -errno;
	close(fd);
	free(t);
	return err;
}

/* The deployment list pinned in @dir (allocated, NUL-terminated), or NULL with errno:
 * ENOENT when there is none, EINVAL when the pin there is not one lskel-run made. */
static char *read_list(const char *dir, size_t *len)
{
	char path[4096], *t;
	__u32 info[20], key = 0;	/* bpf_map_info up to its name */
	union bpf_attr attr;
	int fd, e;

	snprintf(path, sizeof(path), "%s/" LIST_PIN, dir);
	memset(&attr, 0, sizeof(attr));
	attr.pathname = lskel_ptr(path);
	fd = lskel_sys_bpf(BPF_OBJ_GET, &attr, sizeof(attr));
	if (fd < 0)
		return NULL;
	/* bpf_map_info: type, id, key_size, value_size, max_entries, map_flags, name[16] */
	if (lskel_obj_info(fd, info, sizeof(info)) ||
	    info[0] != BPF_MAP_TYPE_ARRAY || info[2] != 4 || info[4] != 1 ||
	    memcmp(&info[6], LIST_MAP_NAME, sizeof(LIST_MAP_NAME)) || info[3] > (1u << 24) ||
	    info[3] < strlen(LIST_HEAD)) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	t = (char *)calloc(1, info[3] + 1);
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	attr.key = lskel_ptr(&key);
	attr.value = lskel_ptr(t);
	e = !t || lskel_sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr, sizeof(attr));
	close(fd);
	if (e || strncmp(t, LIST_HEAD, strlen(LIST_HEAD))) {
		free(t);
		errno = EINVAL;
		return NULL;
	}
	*len = info[3];
	return t;
}

/* @s holds TMP_TAG (no strstr: musl's adds 1 KiB to lskel-run). */
static int has_tmp_tag(const char *s)
{
	for (; *s; s++)
		if (!strncmp(s, TMP_TAG, sizeof(TMP_TAG) - 1))
			return 1;
	return 0;
}

/* @line ("\nTEXT\n") is one of @list's lines (no strstr: it doubles as lskel-run's size). */
static int has_line(const char *list, const char *line)
{
	size_t n = strlen(line);

	for (; (list = strchr(list, '\n')); list++)
		if (!strncmp(list, line, n))
			return 1;
	return 0;
}

/* Every entry of @dir (and of its maps/progs/links) is named by @list: nothing foreign. */
static int only_listed(const char *dir, const char *list, char *foreign, size_t fn)
{
	static const char *const kinds[] = { "maps", "progs", "links" };
	char sub[4096], want[600];
	struct dirent *e;
	DIR *d = opendir(dir);
	int k, ok = 1;

	if (!d)
		return 0;
	while (ok && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    !strcmp(e->d_name, LIST_PIN))
			continue;
		for (k = 0; k < 3 && strcmp(e->d_name, kinds[k]); k++)
			;
		if (k == 3) {
			snprintf(foreign, fn, "%.3800s/%.255s", dir, e->d_name);
			ok = 0;
		}
	}
	closedir(d);
	for (k = 0; ok && k < 3; k++) {
		snprintf(sub, sizeof(sub), "%s/%s", dir, kinds[k]);
		d = opendir(sub);
		while (d && ok && (e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(want, sizeof(want), "\n%s/%s\n", kinds[k], e->d_name);
			if (!has_line(list, want)) {
				snprintf(foreign, fn, "%.3800s/%.255s", sub, e->d_name);
				ok = 0;
			}
		}
		if (d)
			closedir(d);
	}
	return ok;
}

/* Remove what the deployment list in @dir names (links first, so programs detach). */
static int detach(const char *dir)
{
	char foreign[4200] = "";
	size_t len = 0;
	char *list;
	int n;

	if (!is_bpffs(dir)) {
		fprintf(stderr, "lskel-run: detach: %s is not a directory on bpffs: nothing "
			"removed\n", dir);
		return 1;
	}
	list = read_list(dir, &len);
	if (!list) {
		fprintf(stderr, "lskel-run: detach: %s holds no lskel-run deployment list (%s): "
			"nothing removed\n", dir, errno == EINVAL ? "a foreign pin is there" :
			strerror(errno));
		return 1;
	}
	only_listed(dir, list, foreign, sizeof(foreign));
	n = remove_listed(dir, list, len);
	free(list);
	printf("removed %d pins under %s\n", n, dir);
	if (foreign[0])
		printf("left what lskel-run did not make, e.g. %s\n", foreign);
	return 0;
}

/* Temporary directories of earlier runs into the same target whose process is gone:
 * PARENT/BASE-lskel-tmp-PID. Only what their lists (or, killed before the list was pinned,
 * their maps/progs/links) hold is removed. */
static void clean_stale(const char *parent, const char *base)
{
	char prefix[600], path[4096], sub[4200];
	static const char *const kinds[] = { "links", "progs", "maps" };
	struct dirent *e;
	DIR *d = opendir(parent);

	if (!d)
		return;
	snprintf(prefix, sizeof(prefix), "%.500s" TMP_TAG, base);
	while ((e = readdir(d))) {
		long long pid;
		const char *end;
		size_t len;
		char *list;
		int k;

		if (strncmp(e->d_name, prefix, strlen(prefix)))
			continue;
		end = lskel_parse_ll(e->d_name + strlen(prefix), &pid);
		if (!end || *end || pid <= 0 || pid > 0x7fffffff || pid == getpid() ||
		    !kill((pid_t)pid, 0) || errno != ESRCH)
			continue;	/* not ours, or its run is still going */
		snprintf(path, sizeof(path), "%s/%s", parent, e->d_name);
		list = read_list(path, &len);
		if (list) {
			remove_listed(path, list, len);
			free(list);
		}
		for (k = 0; k < 3; k++) {	/* killed before its list was pinned */
			DIR *s;
			struct dirent *f;

			snprintf(sub, sizeof(sub), "%s/%s", path, kinds[k]);
			s = opendir(sub);
			while (s && (f = readdir(s))) {
				char obj[4500];

				if (!strcmp(f->d_name, ".") || !strcmp(f->d_name, ".."))
					continue;
				snprintf(obj, sizeof(obj), "%s/%s", sub, f->d_name);
				unlink(obj);
			}
			if (s)
				closedir(s);
			rmdir(sub);
		}
		if (!rmdir(path))
			fprintf(stderr, "lskel-run: removed %s, left by run %lld that ended\n", path,
				pid);
	}
	closedir(d);
}

/* LIBBPF_PIN_BY_NAME pins of runs that ended before renaming them into place:
 * PIN_ROOT/NAME-lskel-tmp-PID for this container's pinned map names, PID gone. */
static void clean_stale_pins(const struct lskel_desc *dsc, const char *root)
{
	char path[4096];
	struct dirent *e;
	DIR *d = opendir(root);
	__u32 i;

	while (d && (e = readdir(d))) {
		for (i = 0; i < dsc->nr_pins; i++) {
			size_t l = strlen(dsc->pins[i].name);
			long long pid;
			const char *end;

			if (strncmp(e->d_name, dsc->pins[i].name, l) ||
			    strncmp(e->d_name + l, TMP_TAG, strlen(TMP_TAG)))
				continue;
			end = lskel_parse_ll(e->d_name + l + strlen(TMP_TAG), &pid);
			if (!end || *end || pid <= 0 || pid > 0x7fffffff ||
			    (pid != getpid() && (!kill((pid_t)pid, 0) || errno != ESRCH)))
				continue;	/* its run is still going */
			snprintf(path, sizeof(path), "%s/%s", root, e->d_name);
			if (!unlink(path))
				fprintf(stderr, "lskel-run: removed %s, left by run %lld that ended\n",
					path, pid);
		}
	}
	if (d)
		closedir(d);
}

/* Rename the LIBBPF_PIN_BY_NAME pins this run made from their temporary names into place
 * (@back: the other way, to undo it); all or none. */
static int pins_commit(const struct lskel_desc *d, const struct lskel_ctx *c, int back)
{
	char fin[4096], tmpn[4200];
	__u32 i, k;
	int e = 0;

	for (i = 0; c->pins_made && i < d->nr_pins && !e; i++) {
		if (!c->pins_made[i])
			continue;
		lskel_pin_path(c, &d->pins[i], fin, sizeof(fin));
		snprintf(tmpn, sizeof(tmpn), "%s%s", fin, pin_suffix);
		if (syscall(SYS_renameat2, AT_FDCWD, back ? fin : tmpn, AT_FDCWD, back ? tmpn : fin,
			    RENAME_NOREPLACE_))
			e = -errno;
	}
	if (e && !back) {	/* e.g. another loader pinned NAME meanwhile: undo the first i-1 */
		fprintf(stderr, "lskel-run: pin: map '%s': cannot put its pin in place at %s: %s\n",
			d->pins[i - 1].name, fin, strerror(-e));
		for (k = 0; k + 1 < i; k++) {
			if (!c->pins_made[k])
				continue;
			lskel_pin_path(c, &d->pins[k], fin, sizeof(fin));
			snprintf(tmpn, sizeof(tmpn), "%s%s", fin, pin_suffix);
			syscall(SYS_renameat2, AT_FDCWD, fin, AT_FDCWD, tmpn, RENAME_NOREPLACE_);
		}
	}
	return e;
}

static const char *kind_name(__u32 attach)
{
	switch (attach) {
	case LSKEL_ATTACH_TRACEPOINT: return "tracepoint";
	case LSKEL_ATTACH_RAW_TP: return "raw_tracepoint";
	case LSKEL_ATTACH_TRACING: return "tracing";
	case LSKEL_ATTACH_ITER: return "iter";
	default: return "none";
	}
}

static __u32 info_id(int fd)
{
	__u32 buf[2];	/* type, id */

	return lskel_obj_info(fd, buf, sizeof(buf)) ? 0 : buf[1];
}

/* Everything one run holds, for the steps of main. */
struct run {
	struct opts o;
	struct lskel_ctx ctx;
	struct lskel_desc d;
	struct lskel_cnt c;
	char dir[2048], parent[2048], tmp[2600];
	const char *base;
	char *old_list;		/* --replace: the old deployment's list */
	size_t old_len;
	int *fds, *links, ifindex, chain, have_tmp;
};

/* "lskel-run: options: OPT 'VALUE': WHY", exit status @rc. */
static int bad_opt(const char *opt, const char *v, const char *why, int rc)
{
	fprintf(stderr, "lskel-run: options: %s '%.256s': %s\n", opt, v ? v : "", why);
	return rc;
}

/* Options into r->o, each value checked: present, not empty, not an option (the value left
 * out), given once, at most 2000 characters. Returns -1 to go on, else the exit code. */
static int parse_args(struct run *r, int argc, char **argv)
{
	struct opts *o = &r->o;
	const char *other = NULL, *e;	/* other: the first argument --detach does not take */
	long long k = 0;
	__u32 i, t;

	for (i = 1; i < (__u32)argc; i++) {
		const char *a = argv[i], *v = argv[i + 1], **slot;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--version")) {
			printf("lskel-run 0.2.0 (container version %u)\n", LSKEL_CNT_VERSION);
			return 0;
		}
		for (t = 0; t < sizeof(opt_tab) / sizeof(opt_tab[0]) && strcmp(a, opt_tab[t].name);
		     t++)
			;
		if (!other && strcmp(a, "--detach") && strcmp(a, "--pin-dir"))
			other = a;
		if (t == sizeof(opt_tab) / sizeof(opt_tab[0])) {
			if (a[0] == '-') {
				fprintf(stderr, "lskel-run: options: unknown option '%s'\n", a);
				usage(stderr);
				return 2;
			}
			if (o->file || !a[0])
				return bad_opt("container", a, a[0] ? "one container only" :
					       "an empty path", 2);
			o->file = a;
			continue;
		}
		if (!opt_tab[t].val) {
			*(int *)((char *)o + opt_tab[t].off) = 1;
			continue;
		}
		slot = (const char **)((char *)o + opt_tab[t].off);
		if (*slot) {
			fprintf(stderr, "lskel-run: options: %s given twice ('%s', then '%s')\n", a,
				*slot, v ? v : "");
			return 2;
		}
		if (!v || !v[0] || (v[0] == '-' && !(v[1] >= '0' && v[1] <= '9')) ||
		    strlen(v) > 2000)
			return bad_opt(a, v, !v ? "needs a value" : !v[0] ? "an empty value" :
				       v[0] == '-' ? "an option where its value belongs (the value "
				       "left out?)" : "longer than 2000 characters", 2);
		*slot = v;
		i++;
	}
	if (o->keyring) {
		e = lskel_parse_ll(o->keyring, &k);
		if (!e || *e || k < -0x7fffffffLL || k > 0x7fffffffLL)
			return bad_opt("--keyring", o->keyring, "not a keyring serial number", 1);
		o->keyring_id = (int)k;
	}
	if (o->xdp_mode) {
		if (!strcmp(o->xdp_mode, "skb"))
			o->xdp_flags = 1u << 1;	/* XDP_FLAGS_SKB_MODE */
		else if (!strcmp(o->xdp_mode, "native"))
			o->xdp_flags = 1u << 2;	/* XDP_FLAGS_DRV_MODE */
		else
			return bad_opt("--xdp-mode", o->xdp_mode, "skb or native", 1);
	}
	if (o->ifname && strlen(o->ifname) > 15)	/* if_nametoindex would cut it to 15 */
		return bad_opt("--ifname", o->ifname, "longer than an interface name (15)", 1);
	if (o->ifname ? o->no_attach : o->xdp_mode || o->tc_egress)
		return fail("options", o->ifname ? "--ifname attaches: not with --no-attach" :
			    "--xdp-mode and --tc-egress belong to --ifname");
	if (o->detach) {
		if (!o->pin_dir)
			return fail("options", "--detach needs --pin-dir");
		if (other)
			return bad_opt("--detach", other, "takes --pin-dir DIR and nothing else", 2);
		return detach(o->pin_dir);
	}
	if (!o->file) {
		usage(stderr);
		return 2;
	}
	return -1;
}

/* The target DIR = PARENT/BASE, built as PARENT/BASE-lskel-tmp-PID on the same bpffs: names
 * checked, bpffs mounted if asked, an existing deployment refused or (--replace) checked to
 * hold only what its list names. Returns 0 or the exit code. */
static int prepare_dirs(struct run *r)
{
	char foreign[4200] = "";
	struct stat st;
	char *dir = r->dir;

	snprintf(dir, sizeof(r->dir), "%s", r->o.pin_dir ? r->o.pin_dir : "/sys/fs/bpf/lskel");
	if (!r->o.pin_dir)
		snprintf(dir + strlen(dir), sizeof(r->dir) - strlen(dir), "/%s", r->d.name);
	while (strlen(dir) > 1 && dir[strlen(dir) - 1] == '/')
		dir[strlen(dir) - 1] = '\0';
	r->base = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
	snprintf(r->parent, sizeof(r->parent), "%.*s",
		 r->base == dir ? 1 : (int)(r->base - dir - 1), dir);
	if (r->base == dir)
		r->parent[0] = '.';
	if (!lskel_name_ok(r->base, LSKEL_NAME_FILE) || has_tmp_tag(r->base))
		return fail(dir, "the pin directory's name must be letters, digits, '_' and '-' "
			    "(bpffs refuses '.'), without \"" TMP_TAG "\" (temporary directories)");
	snprintf(r->tmp, sizeof(r->tmp), "%.2047s/%.400s" TMP_TAG "%d", r->parent, r->base,
		 (int)getpid());
	if (r->o.mount_bpffs && !is_bpffs("/sys/fs/bpf") &&
	    mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700"))
		return fail("mount bpffs on /sys/fs/bpf", strerror(errno));
	if (!r->o.pin_dir && mkdir("/sys/fs/bpf/lskel", 0700) && errno != EEXIST)
		return fail("/sys/fs/bpf/lskel", strerror(errno));
	if (!is_bpffs(r->parent)) {
		fprintf(stderr, "lskel-run: pin: %s is not a directory on bpffs (try "
			"--mount-bpffs)\n", r->parent);
		return 1;
	}
	if (lstat(dir, &st))
		return 0;
	if (!r->o.replace) {
		fprintf(stderr, "lskel-run: pin: %s exists (a running deployment?): nothing "
			"loaded; --replace replaces an lskel-run deployment\n", dir);
		return 1;
	}
	r->old_list = read_list(dir, &r->old_len);
	if (!r->old_list) {
		fprintf(stderr, "lskel-run: --replace: %s holds no lskel-run deployment list: "
			"nothing loaded\n", dir);
		return 1;
	}
	if (!only_listed(dir, r->old_list, foreign, sizeof(foreign))) {
		fprintf(stderr, "lskel-run: --replace: %s is not the old deployment's: nothing "
			"loaded, nothing removed\n", foreign);
		return 1;
	}
	return 0;
}

/* Attach program @p (fd @fd) as its section says, or to --ifname; a link fd, 0 or -errno. */
static int attach_one(const struct run *r, const struct lskel_mf_prog *p, int fd)
{
	const struct lskel_mf *m = &r->c.mf;

	if (p->attach != LSKEL_ATTACH_NONE) {
		struct lskel_prog_bind b;

		memset(&b, 0, sizeof(b));
		b.attach = p->attach;
		b.target = lskel_mf_str(m, p->target);
		b.name = lskel_mf_str(m, p->name);
		return lskel_attach_prog(&b, fd);
	}
	if (r->ifindex && p->prog_type == BPF_PROG_TYPE_XDP)
		return lskel_link_create(fd, r->ifindex, BPF_XDP, r->o.xdp_flags);
	if (r->ifindex && p->prog_type == BPF_PROG_TYPE_SCHED_CLS)
		return lskel_link_create(fd, r->ifindex, r->o.tc_egress ? LSKEL_BPF_TCX_EGRESS :
					 LSKEL_BPF_TCX_INGRESS, 0);
	return 0;
}

/* Pin the maps (shared ones once, by their owner), the programs and the links of what gets
 * attached, all in the temporary directory. Returns 0 or -errno (reported). */
static int pin_and_attach(struct run *r)
{
	const struct lskel_mf *m = &r->c.mf;
	char name[512];
	__u32 i;
	int e;

	for (i = 0; i < m->h->nr_maps; i++) {
		const struct lskel_mf_map *mp = &m->maps[i];

		if (mp->flags & LSKEL_MF_MAP_SHARED)
			continue;	/* pinned once, by its owner */
		pin_name(name, sizeof(name), lskel_mf_str(m, m->objs[mp->obj].name),
			 lskel_mf_str(m, mp->name), r->chain);
		e = pin(r->fds[mp->slot], r->tmp, "maps", name);
		if (e) {
			fprintf(stderr, "lskel-run: pin map '%s': %s\n", lskel_mf_str(m, mp->name),
				strerror(-e));
			return e;
		}
	}
	for (i = 0; i < m->h->nr_progs; i++) {
		const struct lskel_mf_prog *p = &m->progs[i];
		const char *pname = lskel_mf_str(m, p->name);
		int fd = r->fds[p->slot], l;

		if (fd < 0)
			continue;	/* a SEC("?...") program: left out of the load */
		pin_name(name, sizeof(name), lskel_mf_str(m, m->objs[p->obj].name), pname, r->chain);
		e = pin(fd, r->tmp, "progs", name);
		if (e) {
			fprintf(stderr, "lskel-run: pin program '%s': %s\n", pname, strerror(-e));
			return e;
		}
		if (r->o.no_attach)
			continue;
		l = attach_one(r, p, fd);
		if (l < 0) {
			fprintf(stderr, "lskel-run: attach program '%s' (%s%s%s): %s\n", pname,
				r->ifindex && p->attach == LSKEL_ATTACH_NONE ? "to " : "",
				r->ifindex && p->attach == LSKEL_ATTACH_NONE ? r->o.ifname :
				kind_name(p->attach), "", strerror(-l));
			return l;
		}
		if (l > 0) {
			r->links[i] = l;
			e = pin(l, r->tmp, "links", name);
			if (e) {
				fprintf(stderr, "lskel-run: pin link of '%s': %s\n", pname, strerror(-e));
				return e;
			}
		}
	}
	return 0;
}

/* The deployment list, the by-name pins, then the directory renamed into place (exchanged
 * with the old deployment on --replace). Returns 0 or -errno (reported). */
static int put_in_place(struct run *r)
{
	int e = pin_list(r->tmp);

	if (!e && interrupted)
		e = -EINTR;
	if (!e) {
		test_kill("LSKEL_RUN_TEST_KILL_AT", 1);
		e = pins_commit(&r->d, &r->ctx, 0);
		if (e)
			return e;
		test_kill("LSKEL_RUN_TEST_KILL_AT", 2);
	}
	if (!e && syscall(SYS_renameat2, AT_FDCWD, r->tmp, AT_FDCWD, r->dir,
			  r->old_list ? RENAME_EXCHANGE_ : RENAME_NOREPLACE_))
		e = -errno;
	if (e) {
		fprintf(stderr, "lskel-run: pin: putting %s in place: %s\n", r->dir, strerror(-e));
		pins_commit(&r->d, &r->ctx, 1);
		return e;
	}
	r->have_tmp = 0;
	if (r->old_list)	/* the old deployment now sits at the temporary name */
		fprintf(stderr, "lskel-run: replaced %s: removed %d pins of the old deployment\n",
			r->dir, remove_listed(r->tmp, r->old_list, r->old_len));
	return 0;
}

/* What was loaded, as JSON. */
static void report_json(const struct run *r, const char *sig)
{
	const struct lskel_mf *m = &r->c.mf;
	__u32 i;

	json_field("{\"name\":", r->d.name);
	json_field(",\"pin_dir\":", r->dir);
	json_field(",\"signature\":", sig);
	json_field(",\"loader\":", r->ctx.compat ? "compat" : "loop");
	printf(",\"maps\":[");
	for (i = 0; i < m->h->nr_maps; i++) {
		json_field(i ? ",{\"object\":" : "{\"object\":",
			   lskel_mf_str(m, m->objs[m->maps[i].obj].name));
		json_field(",\"name\":", lskel_mf_str(m, m->maps[i].name));
		printf(",\"id\":%u}", info_id(r->fds[m->maps[i].slot]));
	}
	printf("],\"programs\":[");
	for (i = 0; i < m->h->nr_progs; i++) {
		json_field(i ? ",{\"object\":" : "{\"object\":",
			   lskel_mf_str(m, m->objs[m->progs[i].obj].name));
		json_field(",\"name\":", lskel_mf_str(m, m->progs[i].name));
		if (r->fds[m->progs[i].slot] < 0)	/* SEC("?...") left out of the load */
			printf(",\"loaded\":false,\"id\":null,\"link\":null}");
		else
			printf(",\"loaded\":true,\"id\":%u,\"link\":%u}",
			       info_id(r->fds[m->progs[i].slot]),
			       r->links[i] >= 0 ? info_id(r->links[i]) : 0);
	}
	printf("]}\n");
}

/* What was loaded, as text. */
static void report_text(const struct run *r)
{
	const struct lskel_mf *m = &r->c.mf;
	int nl = 0, out = 0;
	__u32 i;

	for (i = 0; i < m->h->nr_progs; i++) {
		nl += r->links[i] >= 0;
		out += r->fds[m->progs[i].slot] < 0;
	}
	printf("loaded %s: %u maps, %u programs", r->d.name, m->h->nr_maps, m->h->nr_progs - out);
	if (out)
		printf(" (%d not loaded)", out);
	printf(", %d links; pinned under %s\n", nl, r->dir);
	printf("signature: %s\n", !r->c.sig ? "absent (unsigned container)" :
	       r->ctx.sig_status == LSKEL_SIG_VERIFIED ? "checked by the kernel" :
	       "not checked: this kernel cannot verify BPF program signatures (the blob "
	       "is bound to the signed loader by its hash)");
	if (r->ctx.compat)
		printf("loader: the compat (bpf_loop) loader: this kernel refused the may_goto one\n");
	for (i = 0; i < m->h->nr_maps; i++)
		printf("  map  %-20s id %-6u %s\n", lskel_mf_str(m, m->maps[i].name),
		       info_id(r->fds[m->maps[i].slot]),
		       m->maps[i].flags & LSKEL_MF_MAP_SHARED ? "(shared)" : "");
	for (i = 0; i < m->h->nr_progs; i++)
		if (r->fds[m->progs[i].slot] < 0)
			printf("  prog %-20s not loaded (SEC(\"?...\"): autoload off)\n",
			       lskel_mf_str(m, m->progs[i].name));
		else
			printf("  prog %-20s id %-6u %s\n", lskel_mf_str(m, m->progs[i].name),
			       info_id(r->fds[m->progs[i].slot]),
			       r->links[i] >= 0 ? "attached" : "");
}

/* Run the container's loader with the run's options. Returns 0 or the exit code (reported). */
static int load(struct run *r, char *log, size_t log_size)
{
	struct stat kst;
	int e;

	memset(&r->ctx, 0, sizeof(r->ctx));
	r->ctx.log_buf = log;
	r->ctx.log_size = log_size;
	r->ctx.kconfig_path = r->o.kconfig;	/* not setenv: it costs lskel-run 850 bytes */
	if (r->o.kconfig && (stat(r->o.kconfig, &kst) || !S_ISREG(kst.st_mode)))
		return fail(r->o.kconfig, "not a regular file: refused");	/* a FIFO would block */
	r->ctx.pin_root_path = r->o.pin_root;
	r->ctx.keyring_id = r->o.keyring_id;
	r->ctx.require_signature = r->o.require_signature;
	e = lskel_run_loader(&r->d, NULL, &r->ctx, &r->fds);
	if (!e)
		return 0;
	if (e == -EOPNOTSUPP && r->c.sig && r->o.require_signature)
		fprintf(stderr, "lskel-run: refused: the kernel cannot verify the container's "
			"signature (no BPF signature check: EOPNOTSUPP) and "
			"--require-signature is set\n");
	else
		fprintf(stderr, "lskel-run: load: %s\n", r->ctx.errmsg);
	if (log[0])
		fprintf(stderr, "verifier log:\n%s\n", log);
	return 1;
}

/* Read and check the container (before any bpf() call). Returns -1 to go on, else the exit
 * code; *buf holds the file. */
static int open_container(struct run *r, void **buf)
{
	char err[256];
	size_t size = 0;
	int e;

	e = read_file(r->o.file, buf, &size);
	if (e)	/* EFBIG: over 256 MiB */
		return fail(r->o.file, e == -EINVAL ? "not a regular file: refused" : strerror(-e));
	if (lskel_cnt_parse(*buf, size, &r->c, err, sizeof(err)))
		return fail(r->o.file, err);
	if (r->o.require_signature && !r->c.sig)
		return fail(r->o.file, "refused: the container is not signed and "
			    "--require-signature is set");
	if (lskel_cnt_desc(&r->c, &r->d))
		return fail(r->o.file, "out of memory");
	r->chain = r->c.mf.h->nr_objs > 1;
	return -1;
}

/* Undo a failed run (by-name pins, links, fds, the temporary directory) and free it all. */
static void finish(struct run *r, int loaded, int rc)
{
	__u32 i;

	if (loaded && rc)
		lskel_pins_undo(&r->d, &r->ctx);	/* LIBBPF_PIN_BY_NAME pins this run made */
	if (r->links)
		for (i = 0; i < r->c.mf.h->nr_progs; i++)
			if (r->links[i] >= 0)
				close(r->links[i]);
	if (r->fds)
		for (i = 0; i < r->d.nr_ops; i++)
			if (r->fds[i] >= 0)
				close(r->fds[i]);
	if (r->have_tmp) {	/* a failure: only what this run made, in its own directory */
		char *list;
		size_t len;

		list = list_text(&len);
		if (list)
			remove_listed(r->tmp, list, len);
		free(list);
	}
	free(r->ctx.pins_made);
	free(r->old_list);
	free(r->links);
	free(r->fds);
	free(made);
	lskel_cnt_desc_free(&r->d);
}

int main(int argc, char **argv)
{
	static char log[1 << 20];
	static struct run r;
	struct sigaction sa;
	void *buf = NULL;
	int rc, loaded = 0;
	__u32 i;

	rc = parse_args(&r, argc, argv);
	if (rc >= 0)
		return rc;
	rc = open_container(&r, &buf);
	if (rc >= 0)
		goto out;
	rc = prepare_dirs(&r);
	if (rc)
		goto out;
	rc = 1;
	if (r.o.ifname) {
		r.ifindex = if_nametoindex(r.o.ifname);
		if (!r.ifindex) {
			rc = fail(r.o.ifname, "no such network interface");
			goto out;
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	clean_stale(r.parent, r.base);
	snprintf(pin_suffix, sizeof(pin_suffix), TMP_TAG "%d", (int)getpid());
	clean_stale_pins(&r.d, r.o.pin_root ? r.o.pin_root : "/sys/fs/bpf");
	if (mkdir(r.tmp, 0700)) {
		fprintf(stderr, "lskel-run: pin: cannot make %s: %s\n", r.tmp, strerror(errno));
		goto out;
	}
	r.have_tmp = 1;
	rc = load(&r, log, sizeof(log));
	if (rc)
		goto out;
	loaded = 1;
	rc = 1;
	r.links = (int *)malloc((r.c.mf.h->nr_progs + 1) * sizeof(int));
	if (!r.links)
		goto out;
	for (i = 0; i < r.c.mf.h->nr_progs; i++)
		r.links[i] = -1;
	if (pin_and_attach(&r) || put_in_place(&r))
		goto out;
	if (r.o.json)
		report_json(&r, !r.c.sig ? "absent" : r.ctx.sig_status == LSKEL_SIG_VERIFIED ?
			    "verified" : "unchecked");
	else
		report_text(&r);
	rc = 0;
out:
	finish(&r, loaded, rc);
	free(buf);
	return rc;
}
