// SPDX-License-Identifier: BSD-2-Clause
/* lskel-run: load a NAME.lskel container with nothing but libc and the kernel: validate it,
 * run its loader, pin maps, programs and links under a bpffs directory, attach what can be
 * attached (tracepoints, tracing programs, and XDP / tc on --ifname), report. Static; no
 * libbpf, libelf or zlib. */
#include <lskel/container.h>
#include <dirent.h>
#include <net/if.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#define BPF_FS_MAGIC_NR 0xcafe4a11

struct opts {
	const char *file, *pin_dir, *pin_root, *ifname, *kconfig;
	int json, mount_bpffs, detach, no_attach, tc_egress, require_signature;
	int keyring_id;
	__u32 xdp_flags;
};

struct made {
	char path[4096];
};

static struct made *pins;
static size_t nr_pins;

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
		"Pinned links keep programs attached after lskel-run exits. On any failure nothing\n"
		"stays: no pin, no link, no program or map; the failing step and the verifier log\n"
		"are printed and the exit status is 1.\n"
		"\n"
		"  --pin-dir DIR     bpffs directory to pin under (default /sys/fs/bpf/lskel/NAME)\n"
		"  --pin-root DIR    where maps declared LIBBPF_PIN_BY_NAME are reused from or\n"
		"                    pinned to (default /sys/fs/bpf, as libbpf)\n"
		"  --keyring ID      signed containers: keyring the kernel checks the signature\n"
		"                    with (default the session keyring, -3)\n"
		"  --require-signature  refuse to load a signed container unsigned where the\n"
		"                    kernel cannot check signatures (EOPNOTSUPP)\n"
		"  --mount-bpffs     mount bpffs at /sys/fs/bpf first if it is not there\n"
		"  --ifname IF       attach XDP programs (XDP link) and tc programs (tcx) to IF\n"
		"  --xdp-mode M      skb or native (default: the kernel's choice)\n"
		"  --tc-egress       tc programs on egress instead of ingress\n"
		"  --no-attach       load and pin only\n"
		"  --kconfig FILE    kernel config for CONFIG_* externs (plain text; default\n"
		"                    /boot/config-$(uname -r))\n"
		"  --json            print the summary as JSON\n"
		"  --detach          remove every pin under DIR (links first: programs detach)\n"
		"  --help, --version\n");
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

static int mkdirs(const char *path)
{
	char tmp[4096], *p;

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return mkdir(tmp, 0700) && errno != EEXIST ? -errno : 0;
}

static int pin(int fd, const char *dir, const char *kind, const char *obj, const char *name,
	       int chain)
{
	union bpf_attr attr;
	char sub[3000], *p;
	struct made *n;

	snprintf(sub, sizeof(sub), "%s/%s", dir, kind);
	if (mkdirs(sub))
		return -errno;
	n = (struct made *)realloc(pins, (nr_pins + 1) * sizeof(*pins));
	if (!n)
		return -ENOMEM;
	pins = n;
	if (chain)
		snprintf(pins[nr_pins].path, sizeof(pins[nr_pins].path), "%s/%.200s__%.200s", sub,
			 obj, name);
	else
		snprintf(pins[nr_pins].path, sizeof(pins[nr_pins].path), "%s/%.400s", sub, name);
	for (p = pins[nr_pins].path + strlen(sub) + 1; *p; p++)
		if (*p == '.')	/* bpffs refuses dots in names */
			*p = '_';
	memset(&attr, 0, sizeof(attr));
	attr.pathname = lskel_ptr(pins[nr_pins].path);
	attr.bpf_fd = fd;
	if (lskel_sys_bpf(BPF_OBJ_PIN, &attr, sizeof(attr)))
		return -errno;
	nr_pins++;
	return 0;
}

static void unpin_all(void)
{
	while (nr_pins)
		unlink(pins[--nr_pins].path);
}

static int is_bpffs(const char *path)
{
	struct statfs s;

	return !statfs(path, &s) && (unsigned long)s.f_type == BPF_FS_MAGIC_NR;
}

/* Remove pins: links first, so programs detach before anything else goes. */
static int detach(const char *dir)
{
	static const char *const kinds[] = { "links", "progs", "maps" };
	char sub[4096], path[8192];
	int i, n = 0;

	for (i = 0; i < 3; i++) {
		DIR *d;
		struct dirent *e;

		snprintf(sub, sizeof(sub), "%s/%s", dir, kinds[i]);
		d = opendir(sub);
		if (!d)
			continue;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", sub, e->d_name);
			if (!unlink(path))
				n++;
		}
		closedir(d);
		rmdir(sub);
	}
	if (rmdir(dir) && errno != ENOENT) {
		fprintf(stderr, "lskel-run: detach: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	printf("removed %d pins under %s\n", n, dir);
	return 0;
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
	union bpf_attr attr;
	__u32 buf[2] = { 0, 0 };	/* type, id */

	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = sizeof(buf);
	attr.info.info = lskel_ptr(buf);
	if (lskel_sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr)))
		return 0;
	return buf[1];
}

int main(int argc, char **argv)
{
	struct stat kst;
	static char log[1 << 20];
	struct opts o = { .pin_dir = NULL };
	struct lskel_ctx ctx;
	struct lskel_desc d;
	struct lskel_cnt c;
	char err[256], dir[2048];
	int *fds = NULL, *links = NULL, ifindex = 0, chain, rc = 1, e;
	void *buf = NULL;
	size_t size = 0;
	__u32 i;

	memset(&ctx, 0, sizeof(ctx));
	for (i = 1; i < (__u32)argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < (__u32)argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--version")) {
			printf("lskel-run 0.1.0 (container version %u)\n", LSKEL_CNT_VERSION);
			return 0;
		} else if (!strcmp(a, "--json")) {
			o.json = 1;
		} else if (!strcmp(a, "--mount-bpffs")) {
			o.mount_bpffs = 1;
		} else if (!strcmp(a, "--detach")) {
			o.detach = 1;
		} else if (!strcmp(a, "--no-attach")) {
			o.no_attach = 1;
		} else if (!strcmp(a, "--tc-egress")) {
			o.tc_egress = 1;
		} else if (v && !strcmp(a, "--pin-dir")) {
			o.pin_dir = v;
			i++;
		} else if (v && !strcmp(a, "--pin-root")) {
			o.pin_root = v;
			i++;
		} else if (v && !strcmp(a, "--keyring")) {
			long long k = 0;
			const char *e = lskel_parse_ll(v, &k);

			if (!e || *e || k < -0x7fffffffLL || k > 0x7fffffffLL)
				return fail("options", "--keyring takes a keyring serial number");
			o.keyring_id = (int)k;
			i++;
		} else if (!strcmp(a, "--require-signature")) {
			o.require_signature = 1;
		} else if (v && !strcmp(a, "--ifname")) {
			o.ifname = v;
			i++;
		} else if (v && !strcmp(a, "--kconfig")) {
			o.kconfig = v;
			i++;
		} else if (v && !strcmp(a, "--xdp-mode")) {
			if (!strcmp(v, "skb"))
				o.xdp_flags = 1u << 1;	/* XDP_FLAGS_SKB_MODE */
			else if (!strcmp(v, "native"))
				o.xdp_flags = 1u << 2;	/* XDP_FLAGS_DRV_MODE */
			else
				return fail("options", "--xdp-mode takes skb or native");
			i++;
		} else if (a[0] == '-' || o.file) {
			usage(stderr);
			return 2;
		} else {
			o.file = a;
		}
	}
	if (o.detach) {
		if (!o.pin_dir)
			return fail("options", "--detach needs --pin-dir");
		return detach(o.pin_dir);
	}
	if (!o.file) {
		usage(stderr);
		return 2;
	}
	e = read_file(o.file, &buf, &size);
	if (e)	/* EFBIG: over 256 MiB */
		return fail(o.file, e == -EINVAL ? "not a regular file: refused" : strerror(-e));
	if (lskel_cnt_parse(buf, size, &c, err, sizeof(err))) {
		free(buf);
		return fail(o.file, err);
	}
	if (lskel_cnt_desc(&c, &d)) {
		free(buf);
		return fail(o.file, "out of memory");
	}
	chain = c.meta->nr_objs > 1;
	snprintf(dir, sizeof(dir), "%s", o.pin_dir ? o.pin_dir : "/sys/fs/bpf/lskel");
	if (!o.pin_dir)
		snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/%s", d.name);
	if (o.mount_bpffs && !is_bpffs("/sys/fs/bpf") &&
	    mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700")) {
		rc = fail("mount bpffs on /sys/fs/bpf", strerror(errno));
		goto out;
	}
	if (o.ifname) {
		ifindex = if_nametoindex(o.ifname);
		if (!ifindex) {
			rc = fail(o.ifname, "no such network interface");
			goto out;
		}
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.log_buf = log;
	ctx.log_size = sizeof(log);
	ctx.kconfig_path = o.kconfig;	/* not setenv: it costs lskel-run 850 bytes */
	if (o.kconfig && (stat(o.kconfig, &kst) || !S_ISREG(kst.st_mode))) {
		rc = fail(o.kconfig, "not a regular file: refused");	/* a FIFO would block */
		goto out;
	}
	ctx.pin_root_path = o.pin_root;
	ctx.keyring_id = o.keyring_id;
	ctx.require_signature = o.require_signature;
	e = lskel_run_loader(&d, NULL, &ctx, &fds);
	if (e) {
		fprintf(stderr, "lskel-run: load: %s\n", ctx.errmsg);
		if (log[0])
			fprintf(stderr, "verifier log:\n%s\n", log);
		goto out;
	}
	e = mkdirs(dir);	/* EROFS: a read-only bpffs, not a missing one */
	if (e || !is_bpffs(dir)) {
		fprintf(stderr, "lskel-run: pin: %s: %s\n", dir,
			e ? strerror(-e) : "not on a bpffs (try --mount-bpffs)");
		goto out_close;
	}
	links = (int *)malloc((c.nr_progs + 1) * sizeof(int));
	if (!links)
		goto out_close;
	for (i = 0; i < c.nr_progs; i++)
		links[i] = -1;
	for (i = 0; i < c.nr_maps; i++) {
		const struct lskel_cnt_map *m = &c.maps[i];

		if (m->flags & LSKEL_CNT_MAP_SHARED)
			continue;	/* pinned once, by its owner */
		e = pin(fds[m->slot], dir, "maps", lskel_cnt_str(&c, m->obj),
			lskel_cnt_str(&c, m->name), chain);
		if (e) {
			fprintf(stderr, "lskel-run: pin map '%s': %s\n", lskel_cnt_str(&c, m->name),
				strerror(-e));
			goto out_unpin;
		}
	}
	for (i = 0; i < c.nr_progs; i++) {
		const struct lskel_cnt_prog *p = &c.progs[i];
		const char *name = lskel_cnt_str(&c, p->name);
		int fd = fds[p->slot], l = 0;

		e = pin(fd, dir, "progs", lskel_cnt_str(&c, p->obj), name, chain);
		if (e) {
			fprintf(stderr, "lskel-run: pin program '%s': %s\n", name, strerror(-e));
			goto out_unpin;
		}
		if (o.no_attach)
			continue;
		if (p->attach != LSKEL_ATTACH_NONE) {
			struct lskel_prog_bind b;

			memset(&b, 0, sizeof(b));
			b.attach = p->attach;
			b.target = lskel_cnt_str(&c, p->target);
			b.name = name;
			l = lskel_attach_prog(&b, fd);
		} else if (ifindex && p->prog_type == BPF_PROG_TYPE_XDP) {
			l = lskel_link_create(fd, ifindex, BPF_XDP, o.xdp_flags);
		} else if (ifindex && p->prog_type == BPF_PROG_TYPE_SCHED_CLS) {
			l = lskel_link_create(fd, ifindex, o.tc_egress ? LSKEL_BPF_TCX_EGRESS :
					      LSKEL_BPF_TCX_INGRESS, 0);
		}
		if (l < 0) {
			fprintf(stderr, "lskel-run: attach program '%s' (%s%s%s): %s\n", name,
				ifindex && p->attach == LSKEL_ATTACH_NONE ? "to " : "",
				ifindex && p->attach == LSKEL_ATTACH_NONE ? o.ifname :
				kind_name(p->attach), "", strerror(-l));
			goto out_unpin;
		}
		if (l > 0) {
			links[i] = l;
			e = pin(l, dir, "links", lskel_cnt_str(&c, p->obj), name, chain);
			if (e) {
				fprintf(stderr, "lskel-run: pin link of '%s': %s\n", name, strerror(-e));
				goto out_unpin;
			}
		}
	}
	if (o.json) {
		json_field("{\"name\":", d.name);
		json_field(",\"pin_dir\":", dir);
		printf(",\"maps\":[");
		for (i = 0; i < c.nr_maps; i++) {
			json_field(i ? ",{\"object\":" : "{\"object\":",
				   lskel_cnt_str(&c, c.maps[i].obj));
			json_field(",\"name\":", lskel_cnt_str(&c, c.maps[i].name));
			printf(",\"id\":%u}", info_id(fds[c.maps[i].slot]));
		}
		printf("],\"programs\":[");
		for (i = 0; i < c.nr_progs; i++) {
			json_field(i ? ",{\"object\":" : "{\"object\":",
				   lskel_cnt_str(&c, c.progs[i].obj));
			json_field(",\"name\":", lskel_cnt_str(&c, c.progs[i].name));
			printf(",\"id\":%u,\"link\":%u}", info_id(fds[c.progs[i].slot]),
			       links[i] >= 0 ? info_id(links[i]) : 0);
		}
		printf("]}\n");
	} else {
		int nl = 0;

		for (i = 0; i < c.nr_progs; i++)
			nl += links[i] >= 0;
		printf("loaded %s: %u maps, %u programs, %d links; pinned under %s\n", d.name,
		       c.nr_maps, c.nr_progs, nl, dir);
		for (i = 0; i < c.nr_maps; i++)
			printf("  map  %-20s id %-6u %s\n", lskel_cnt_str(&c, c.maps[i].name),
			       info_id(fds[c.maps[i].slot]),
			       c.maps[i].flags & LSKEL_CNT_MAP_SHARED ? "(shared)" : "");
		for (i = 0; i < c.nr_progs; i++)
			printf("  prog %-20s id %-6u %s\n", lskel_cnt_str(&c, c.progs[i].name),
			       info_id(fds[c.progs[i].slot]), links[i] >= 0 ? "attached" : "");
	}
	rc = 0;
	goto out_close;
out_unpin:
	unpin_all();
	detach(dir);
out_close:
	if (rc)
		lskel_pins_undo(&d, &ctx);	/* LIBBPF_PIN_BY_NAME pins this run made */
	if (links)
		for (i = 0; i < c.nr_progs; i++)
			if (links[i] >= 0)
				close(links[i]);
	if (fds)
		for (i = 0; i < d.nr_ops; i++)
			if (fds[i] >= 0)
				close(fds[i]);
out:
	free(ctx.pins_made);
	free(links);
	free(fds);
	free(pins);
	lskel_cnt_desc_free(&d);
	free(buf);
	return rc;
}
