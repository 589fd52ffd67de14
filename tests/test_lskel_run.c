// SPDX-License-Identifier: BSD-2-Clause
/* lskel-run: a static binary of at most 80 KiB; corrupt, truncated or version-mismatched
 * containers are refused before anything reaches the kernel (the parser also runs here,
 * under ASan with SAN=1); and an init-style run: in a network namespace lskel-run loads,
 * pins and attaches the XDP counter to a veth, a second process reads the pinned map after
 * real packets, and `lskel-run --detach` removes pins and link. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <signal.h>
#include <cmocka.h>
#include <lskel/container.h>
#include "samples.h"
#include "kstate.h"
#include "deploy.h"
#include "tool.h"

#define NS_A "lskel_r_a"
#define NS_B "lskel_r_b"
/* Delete the two namespaces where they exist (ip's own message for a missing one is noise);
 * a failed deletion still says why. */
#define DEL_NETNS "for n in " NS_A " " NS_B "; do " \
	"[ ! -e /var/run/netns/$n ] || ip netns del $n; done"

static char bpffs[256];	/* a bpffs of this test's own */
static int bpffs_base;		/* its entries when mounted (maps.debug, progs.debug) */
static char PIN[300];

static unsigned char *good;
static size_t good_size;

static int sh(const char *cmd)
{
	int rc = system(cmd);

	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static char *path_of(const char *rel, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s", build_dir(), rel);
	return buf;
}

static int setup(void **state)
{
	char p[256];
	FILE *f;
	long sz;

	(void)state;
	f = fopen(path_of("skel/net_count.lskel", p, sizeof(p)), "rb");
	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	rewind(f);
	good = malloc(sz);
	good_size = fread(good, 1, sz, f);
	fclose(f);
	if (bpffs_private(bpffs, sizeof(bpffs)))
		return -1;
	bpffs_base = count_entries(bpffs);
	snprintf(PIN, sizeof(PIN), "%s/lskel_run_test", bpffs);
	return good_size == (size_t)sz ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(good);
	sh(DEL_NETNS);
	bpffs_release(bpffs);
	return 0;
}

static void test_static_and_small(void **state)
{
	char p[256], cmd[512];
	struct stat st;

	(void)state;
	path_of("bin/lskel-run", p, sizeof(p));
	assert_int_equal(stat(p, &st), 0);
	print_message("  lskel-run: %lld bytes\n", (long long)st.st_size);
	/* 64 KiB before signed manifests, SHA-256 and safe pin directories: 80 KiB now */
	assert_true(st.st_size <= 80 * 1024);
	snprintf(cmd, sizeof(cmd), "file %s | grep -q 'statically linked'", p);
	assert_int_equal(sh(cmd), 0);
	snprintf(cmd, sizeof(cmd), "ldd %s 2>&1 | grep -q 'not a dynamic executable'", p);
	assert_int_equal(sh(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s --help | grep -q -- --pin-dir", p);
	assert_int_equal(sh(cmd), 0);
}

struct hdr_view {
	struct lskel_cnt_hdr *h;
	struct lskel_cnt_sec *s;
};

static struct lskel_cnt_sec *sec_of(unsigned char *b, __u32 type)
{
	struct lskel_cnt_hdr *h = (struct lskel_cnt_hdr *)b;
	struct lskel_cnt_sec *s = (struct lskel_cnt_sec *)(h + 1);
	__u32 i;

	for (i = 0; i < h->nr_sections; i++)
		if (s[i].type == type)
			return &s[i];
	return NULL;
}

/* Write @b/@n to a file, run lskel-run on it: it must exit 1 naming the file, and make no
 * bpf() call at all (strace counts them). */
static void refused(const char *label, unsigned char *b, size_t n, const char *want)
{
	char file[200], run[200], cmd[2048], out[512] = "";
	struct lskel_cnt c;
	FILE *f;

	/* the parser itself (ASan watches it in SAN builds) */
	if (!lskel_cnt_parse(b, n, &c, out, sizeof(out)))
		fail_msg("%s: accepted by the parser", label);
	if (want && !strstr(out, want))
		fail_msg("%s: '%s' does not say '%s'", label, out, want);
	print_message("  %-24s -> %s\n", label, out);
	snprintf(file, sizeof(file), "%s/tests/%s.lskel", build_dir(), label);
	f = fopen(file, "wb");
	assert_non_null(f);
	fwrite(b, 1, n, f);
	fclose(f);
	path_of("bin/lskel-run", run, sizeof(run));
	snprintf(cmd, sizeof(cmd), "%s --pin-dir %s_bad %s 2>&1 | grep -q 'lskel-run: %s: '",
		 run, PIN, file, file);
	assert_int_equal(sh(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%1$s %2$s > %2$s.out 2>&1; test $? -eq 1", run, file);
	assert_int_equal(sh(cmd), 0);
	if (tool_found("strace")) {
		snprintf(cmd, sizeof(cmd), "strace -f -e trace=bpf -o %1$s.strace %2$s %1$s > "
			 "%1$s.strace.out 2>&1; ! grep -q 'bpf(' %1$s.strace", file, run);
		if (sh(cmd))
			fail_msg("%s: lskel-run called bpf() on a refused container", label);
	}
}

#define CASE(label, want, ...) do { \
		unsigned char *b = malloc(good_size); \
		size_t n = good_size; \
		assert_non_null(b); \
		memcpy(b, good, good_size); \
		__VA_ARGS__; \
		refused(label, b, n, want); \
		free(b); \
	} while (0)

/* The manifest inside the blob of container @b, and its table @t. */
static unsigned char *mf_table(unsigned char *b, int t)
{
	unsigned char *data = b + sec_of(b, LSKEL_CNT_DATA)->off;
	struct lskel_mf_hdr *h = (struct lskel_mf_hdr *)(data +
		((struct lskel_blob_hdr *)data)->manifest_off);
	__u32 off[LSKEL_MF_END + 1];

	assert_int_not_equal(lskel_mf_layout(h, off), 0);
	return (unsigned char *)h + (t < 0 ? 0 : off[t]);
}

static void test_bad_containers(void **state)
{
	struct lskel_cnt c;
	char err[256];

	(void)state;
	assert_int_equal(lskel_cnt_parse(good, good_size, &c, err, sizeof(err)), 0);
	CASE("empty", "shorter", n = 0);
	CASE("truncated", "truncated", n = good_size - 100);
	CASE("header-only", "truncated", n = sizeof(struct lskel_cnt_hdr));
	CASE("bad-magic", "magic", b[0] ^= 0xff);
	CASE("version-1", "version 1", ((struct lskel_cnt_hdr *)b)->version = 1);
	CASE("too-many-sections", "section count", ((struct lskel_cnt_hdr *)b)->nr_sections = 999);
	CASE("reserved-set", "reserved", ((struct lskel_cnt_hdr *)b)->reserved[1] = 1);
	CASE("section-outside", "outside", sec_of(b, LSKEL_CNT_DATA)->off = good_size + 8);
	CASE("section-unaligned", "previous one ends", sec_of(b, LSKEL_CNT_DATA)->off += 4);
	CASE("section-repeated", "repeated", sec_of(b, LSKEL_CNT_DATA)->type = LSKEL_CNT_INSNS);
	CASE("count-mismatch", "instructions", sec_of(b, LSKEL_CNT_INSNS)->count += 1);
	CASE("strings-unterminated", "NUL", {
		struct lskel_mf_hdr *h = (struct lskel_mf_hdr *)mf_table(b, -1);

		mf_table(b, LSKEL_MF_STRINGS)[h->strings_size - 1] = 'x';
	});
	CASE("blob-magic", "blob header", b[sec_of(b, LSKEL_CNT_DATA)->off] ^= 0xff);
	CASE("op-name-offset", "description", {
		((struct lskel_mf_op *)mf_table(b, LSKEL_MF_OPS))[0].what = 0x7fffffff;
	});
	CASE("map-slot", "fd slot", ((struct lskel_mf_map *)mf_table(b, LSKEL_MF_MAPS))[0].slot = 7);
	CASE("prog-attach-kind", "attach", {
		((struct lskel_mf_prog *)mf_table(b, LSKEL_MF_PROGS))[0].attach = 99;
	});
	CASE("blob-tables", "outside the blob", {
		struct lskel_blob_hdr *h = (struct lskel_blob_hdr *)(b + sec_of(b, LSKEL_CNT_DATA)->off);

		h->nr_steps = 0x7fffffff;
	});
	CASE("ops-disagree", "in the blob header", {
		struct lskel_blob_hdr *h = (struct lskel_blob_hdr *)(b + sec_of(b, LSKEL_CNT_DATA)->off);

		h->nr_ops -= 1;
	});
	CASE("name-climbs-out", "name", {
		struct lskel_mf_hdr *h = (struct lskel_mf_hdr *)mf_table(b, -1);

		memcpy(mf_table(b, LSKEL_MF_STRINGS) + h->name, "..", 3);
	});
	CASE("map-name-slash", "bad name", {
		struct lskel_mf_map *m = (struct lskel_mf_map *)mf_table(b, LSKEL_MF_MAPS);

		mf_table(b, LSKEL_MF_STRINGS)[m[0].name] = '/';
	});
}

static void send_udp(int n)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (!pid) {
		struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) };
		int fd = open("/run/netns/" NS_A, O_RDONLY), s, i;
		char buf[64] = { 0 };

		if (fd < 0 || setns(fd, CLONE_NEWNET))
			_exit(1);
		inet_pton(AF_INET, "10.88.0.2", &to.sin_addr);
		s = socket(AF_INET, SOCK_DGRAM, 0);
		for (i = 0; i < n; i++) {
			sendto(s, buf, sizeof(buf), 0, (struct sockaddr *)&to, sizeof(to));
			usleep(20000);
		}
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_init_style(void **state)
{
	char run[256], cnt[256], cmd[1024], pinned[400];
	union bpf_attr attr;
	__u64 v = 0;
	__u32 key = 17;
	int fd;

	(void)state;
	path_of("bin/lskel-run", run, sizeof(run));
	path_of("skel/net_count.lskel", cnt, sizeof(cnt));
	sh(DEL_NETNS);
	assert_int_equal(sh("ip netns add " NS_A " && ip netns add " NS_B " && "
			    "ip link add lsr0 netns " NS_A " type veth peer name lsr1 netns " NS_B
			    " && ip -n " NS_A " addr add 10.88.0.1/24 dev lsr0 && "
			    "ip -n " NS_B " addr add 10.88.0.2/24 dev lsr1 && "
			    "ip -n " NS_A " link set lsr0 up && ip -n " NS_B " link set lsr1 up"), 0);
	/* only the network namespace changes: the pins land on the host's bpffs */
	snprintf(cmd, sizeof(cmd), "nsenter --net=/run/netns/" NS_B " %s --mount-bpffs "
		 "--pin-dir %s --ifname lsr1 %s", run, PIN, cnt);
	assert_int_equal(sh(cmd), 0);
	snprintf(cmd, sizeof(cmd), "test -e %1$s/maps/xdp_proto && test -e %1$s/links/count_xdp",
		 PIN);
	assert_int_equal(sh(cmd), 0);
	assert_int_equal(sh("ip -n " NS_B " -d link show lsr1 | grep -q xdp"), 0);
	send_udp(8);
	/* this test process is not the one that loaded it: read the pinned map */
	memset(&attr, 0, sizeof(attr));
	snprintf(pinned, sizeof(pinned), "%s/maps/xdp_proto", PIN);
	attr.pathname = lskel_ptr(pinned);
	fd = lskel_sys_bpf(BPF_OBJ_GET, &attr, sizeof(attr));
	assert_true(fd >= 0);
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	attr.key = lskel_ptr(&key);
	attr.value = lskel_ptr(&v);
	assert_int_equal(lskel_sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr, sizeof(attr)), 0);
	close(fd);
	assert_true(v >= 8);
	snprintf(cmd, sizeof(cmd), "%s --detach --pin-dir %s", run, PIN);
	assert_int_equal(sh(cmd), 0);
	snprintf(cmd, sizeof(cmd), "test ! -e %s", PIN);
	assert_int_equal(sh(cmd), 0);
	assert_int_equal(sh("ip -n " NS_B " -d link show lsr1 | grep -q 'prog/xdp'"), 1);
}


/* lskel-run @opts into BPFFS/@sub with @env; its exit status (137: killed). */
static int run_into(const char *env, const char *opts, const char *sub)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "%s %s/bin/lskel-run %s --pin-dir %s/%s %s/skel/net_count.lskel "
		 "> %s/tests/run_into.out 2>&1", env, build_dir(), opts, bpffs, sub, build_dir(),
		 build_dir());
	return sh(cmd);
}

static int out_says(const char *what)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "grep -q '%s' %s/tests/run_into.out", what, build_dir());
	return !sh(cmd);
}

/* The id of the program pinned at BPFFS/@sub/progs/@name, 0 for none. */
static __u32 pinned_prog_id(const char *sub, const char *name)
{
	struct bpf_prog_info info;
	union bpf_attr attr;
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s/progs/%s", bpffs, sub, name);
	memset(&attr, 0, sizeof(attr));
	attr.pathname = lskel_ptr(path);
	fd = lskel_sys_bpf(BPF_OBJ_GET, &attr, sizeof(attr));
	if (fd < 0)
		return 0;
	memset(&info, 0, sizeof(info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = lskel_ptr(&info);
	lskel_sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr));
	close(fd);
	return info.id;
}

static int detach_sub(const char *sub)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "%s/bin/lskel-run --detach --pin-dir %s/%s > %s/tests/detach.out "
		 "2>&1", build_dir(), bpffs, sub, build_dir());
	return sh(cmd);
}

static void no_leftovers(struct id_set before[4])
{
	char left[512];

	if (ids_wait_gone(before, left, sizeof(left)))
		fail_msg("kernel objects left behind: %s", left);
	ids_free(before);
	assert_int_equal(count_entries(bpffs), bpffs_base);
}

/* A second run into a live deployment is refused and leaves it alone; --replace replaces
 * it once the new load succeeded, removing only what the old one's list names. */
static void test_second_run(void **state)
{
	struct id_set before[4] = {};
	__u32 first, again;
	char fp1[8192], fp2[8192], dir[400];

	(void)state;
	assert_int_equal(ids_snapshot(before), 0);
	assert_int_equal(run_into("", "", "dep"), 0);
	first = pinned_prog_id("dep", "count_getpid");
	assert_int_not_equal(first, 0);
	snprintf(dir, sizeof(dir), "%s/dep", bpffs);
	assert_int_equal(deploy_fingerprint(dir, fp1, sizeof(fp1)), 0);
	assert_int_equal(run_into("", "", "dep"), 1);
	assert_true(out_says("exists"));
	assert_int_equal(pinned_prog_id("dep", "count_getpid"), first);
	assert_int_equal(deploy_fingerprint(dir, fp2, sizeof(fp2)), 0);
	assert_string_equal(fp1, fp2);
	assert_int_equal(count_entries(bpffs), bpffs_base + count_entries(dir) + 1);
	/* --replace: the new load first, then the swap, then the old pins go */
	assert_int_equal(run_into("", "--replace", "dep"), 0);
	again = pinned_prog_id("dep", "count_getpid");
	assert_int_not_equal(again, 0);
	assert_int_not_equal(again, first);
	assert_int_equal(deploy_fingerprint(dir, fp2, sizeof(fp2)), 0);
	assert_string_equal(fp1, fp2);
	assert_int_equal(count_entries(bpffs), bpffs_base + count_entries(dir) + 1);
	/* --replace whose new load fails: the old deployment stays */
	assert_int_equal(run_into("LSKEL_RUN_TEST_FAIL_AFTER_PINS=2", "--replace", "dep"), 1);
	assert_int_equal(pinned_prog_id("dep", "count_getpid"), again);
	assert_int_equal(detach_sub("dep"), 0);
	no_leftovers(before);
}

/* A failure after k pins (k = 1 .. all, and at the list and the rename) leaves nothing. */
static void test_failure_after_pins(void **state)
{
	struct id_set before[4] = {};
	char env[64];
	int k, fails = 0;

	(void)state;
	assert_int_equal(ids_snapshot(before), 0);
	for (k = 1; k <= 16; k++) {
		snprintf(env, sizeof(env), "LSKEL_RUN_TEST_FAIL_AFTER_PINS=%d", k);
		if (!run_into(env, "", "part")) {	/* fewer pins than k: it succeeded */
			assert_int_equal(detach_sub("part"), 0);
			break;
		}
		fails++;
		assert_int_equal(count_entries(bpffs), bpffs_base);
	}
	print_message("  a failure after each of %d pins: nothing left\n", fails);
	assert_true(fails >= 7);
	no_leftovers(before);
}

/* SIGKILL after k pins: only the run's own temporary directory survives, and the next run
 * removes it (its owner is dead) before making its own deployment. */
static void test_killed_during_pinning(void **state)
{
	struct id_set before[4] = {};
	int ks[] = { 1, 3, 7 }, i;
	char env[64];

	(void)state;
	assert_int_equal(ids_snapshot(before), 0);
	for (i = 0; i < 3; i++) {
		snprintf(env, sizeof(env), "LSKEL_RUN_TEST_KILL_AFTER_PINS=%d", ks[i]);
		assert_int_equal(run_into(env, "", "killed"), 128 + SIGKILL);
		/* the temporary directory, its kind directories and k pins; no target */
		assert_true(count_entries(bpffs) > bpffs_base + ks[i]);
		assert_int_equal(sh("true"), 0);
		{
			char t[400];

			snprintf(t, sizeof(t), "%s/killed", bpffs);
			assert_int_equal(count_entries(t), -1);
		}
		assert_int_equal(run_into("", "", "killed"), 0);
		assert_true(out_says("left by run"));
		assert_int_equal(detach_sub("killed"), 0);
		assert_int_equal(count_entries(bpffs), bpffs_base);
	}
	print_message("  killed after 1, 3 and 7 pins: the next run cleaned up\n");
	no_leftovers(before);
}

/* Pins and files lskel-run did not make are never removed: in a target (refused), under
 * --replace (refused), under --detach (left), off bpffs (refused), and a temporary-looking
 * directory of a live process (left). */
static void test_foreign_entries(void **state)
{
	struct id_set before[4] = {};
	char dir[400], path[600], cmd[2048], tmpd[256];
	union bpf_attr attr;
	int fd;

	(void)state;
	assert_int_equal(ids_snapshot(before), 0);
	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = 4;
	attr.max_entries = 1;
	fd = lskel_sys_bpf(BPF_MAP_CREATE, &attr, sizeof(attr));
	assert_true(fd >= 0);
	/* a foreign directory as the target */
	snprintf(dir, sizeof(dir), "%s/foreign", bpffs);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/theirs", dir);
	memset(&attr, 0, sizeof(attr));
	attr.pathname = lskel_ptr(path);
	attr.bpf_fd = fd;
	assert_int_equal(lskel_sys_bpf(BPF_OBJ_PIN, &attr, sizeof(attr)), 0);
	assert_int_equal(run_into("", "", "foreign"), 1);
	assert_int_equal(run_into("", "--replace", "foreign"), 1);
	assert_true(out_says("no lskel-run deployment list"));
	assert_int_equal(detach_sub("foreign"), 1);
	assert_int_equal(access(path, F_OK), 0);
	/* a foreign pin inside a deployment: --replace refused, --detach leaves it */
	assert_int_equal(run_into("", "", "dep2"), 0);
	snprintf(path, sizeof(path), "%s/dep2/maps/theirs", bpffs);
	attr.pathname = lskel_ptr(path);
	assert_int_equal(lskel_sys_bpf(BPF_OBJ_PIN, &attr, sizeof(attr)), 0);
	assert_int_equal(run_into("", "--replace", "dep2"), 1);
	assert_true(out_says("is not the old deployment"));
	assert_int_equal(detach_sub("dep2"), 0);
	assert_int_equal(access(path, F_OK), 0);
	snprintf(cmd, sizeof(cmd), "grep -q 'did not make' %s/tests/detach.out", build_dir());
	assert_int_equal(sh(cmd), 0);
	unlink(path);
	snprintf(path, sizeof(path), "%s/dep2/maps", bpffs);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/dep2", bpffs);
	assert_int_equal(rmdir(path), 0);
	/* a directory that looks like a temporary one, of a live process (this one) */
	snprintf(path, sizeof(path), "%s/live-lskel-tmp-%d", bpffs, (int)getpid());
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "/theirs");
	attr.pathname = lskel_ptr(path);
	assert_int_equal(lskel_sys_bpf(BPF_OBJ_PIN, &attr, sizeof(attr)), 0);
	assert_int_equal(run_into("", "", "live"), 0);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(detach_sub("live"), 0);
	unlink(path);
	*strrchr(path, '/') = '\0';
	assert_int_equal(rmdir(path), 0);
	/* --detach off bpffs: plain files stay */
	snprintf(tmpd, sizeof(tmpd), "%s/tests/notbpffs-XXXXXX", build_dir());
	assert_non_null(mkdtemp(tmpd));
	snprintf(cmd, sizeof(cmd), "mkdir %1$s/maps && echo data > %1$s/maps/file && "
		 "%2$s/bin/lskel-run --detach --pin-dir %1$s > %2$s/tests/detach.out 2>&1; "
		 "test $? -eq 1 && test -f %1$s/maps/file && rm -r %1$s", tmpd, build_dir());
	assert_int_equal(sh(cmd), 0);
	unlink(dir);
	snprintf(path, sizeof(path), "%s/theirs", dir);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);
	close(fd);
	no_leftovers(before);
}

/* A SEC("?...") program is left out of lskel-run's load: the summary says so (text and
 * --json) instead of printing id 0, and the loaded program beside it has its id. */
static void test_not_loaded_reported(void **state)
{
	struct id_set before[4] = {};
	char cmd[2048], out[300], blob[300];
	int i;

	(void)state;
	assert_int_equal(ids_snapshot(before), 0);
	snprintf(blob, sizeof(blob), "%s/tests/opt_root.lskel", build_dir());
	snprintf(out, sizeof(out), "%s/tests/opt_root.out", build_dir());
	snprintf(cmd, sizeof(cmd), "%1$s/bin/lskel gen --format blob -n opt_root -o %2$s "
		 "%1$s/tests/bpf/opt_root.bpf.o", build_dir(), blob);
	assert_int_equal(sh(cmd), 0);
	for (i = 0; i < 2; i++) {
		snprintf(cmd, sizeof(cmd), "%s/bin/lskel-run %s --no-attach --pin-dir %s/opt %s > %s",
			 build_dir(), i ? "--json" : "", bpffs, blob, out);
		assert_int_equal(sh(cmd), 0);
		if (!i)
			snprintf(cmd, sizeof(cmd), "cat %1$s; grep -q 'programs (1 not loaded)' %1$s && "
				 "grep -Eq '^  prog opt_root +not loaded' %1$s && "
				 "grep -Eq '^  prog kept +id [1-9][0-9]* ' %1$s && "
				 "! grep -q 'id 0 ' %1$s", out);
		else
			snprintf(cmd, sizeof(cmd), "cat %s; python3 -c 'import json,sys; "
				 "p={x[\"name\"]: x for x in json.load(open(sys.argv[1]))[\"programs\"]}; "
				 "o=p[\"opt_root\"]; k=p[\"kept\"]; "
				 "assert o[\"loaded\"] is False and o[\"id\"] is None, o; "
				 "assert k[\"loaded\"] is True and k[\"id\"] > 0, k' %s", out, out);
		assert_int_equal(sh(cmd), 0);
		assert_int_equal(detach_sub("opt"), 0);
	}
	unlink(out);
	unlink(blob);
	no_leftovers(before);
}

/* Entries of @dir whose name has @part (-1: no such directory). */
static int count_named(const char *dir, const char *part)
{
	char cmd[600];
	FILE *f;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "test -d %s && ls %s | grep -c -- '%s'", dir, dir, part);
	f = popen(cmd, "r");
	assert_non_null(f);
	if (fscanf(f, "%d", &n) != 1)
		n = -1;
	pclose(f);
	return n;
}

/* SIGKILL at several points of a run whose container has LIBBPF_PIN_BY_NAME maps
 * (tests/bpf/pinned.bpf.c: two, under --pin-root). Before the run renames its by-name pins
 * into place (after the load, after 1 and 3 deployment pins) only temporary names
 * (NAME-lskel-tmp-PID) are left, which the next run removes; after that rename (just before
 * the deployment's own) the pins are in place, their maps set up by the finished loader, and
 * the next run reuses them as after any completed run (by-name pins outlive deployments). */
static void test_killed_with_pins_by_name(void **state)
{
	static const char *const kills[] = { "LSKEL_RUN_TEST_KILL_AT=1",
		"LSKEL_RUN_TEST_KILL_AFTER_PINS=1", "LSKEL_RUN_TEST_KILL_AFTER_PINS=3",
		"LSKEL_RUN_TEST_KILL_AT=2" };
	struct id_set before[4] = {};
	char root[300], cmd[2048];
	size_t i;

	(void)state;
	assert_int_equal(ids_snapshot(before), 0);
	snprintf(root, sizeof(root), "%s/root", bpffs);
	assert_int_equal(mkdir(root, 0700), 0);
	for (i = 0; i < sizeof(kills) / sizeof(kills[0]); i++) {
		int placed = i == 3;

		snprintf(cmd, sizeof(cmd), "%1$s %2$s/bin/lskel-run --no-attach --pin-root %3$s "
			 "--pin-dir %4$s/kp %2$s/skel/pinned.lskel > %2$s/tests/run_into.out 2>&1",
			 kills[i], build_dir(), root, bpffs);
		assert_int_equal(sh(cmd), 128 + SIGKILL);
		assert_int_equal(count_named(bpffs, "^kp-lskel-tmp-[0-9]*$"), 1);
		assert_int_equal(count_named(bpffs, "^kp$"), 0);
		assert_int_equal(count_named(root, "-lskel-tmp-"), placed ? 0 : 2);
		assert_int_equal(count_named(root, "^lsk_test_counts$"), placed);
		assert_int_equal(count_named(root, "^lsk_test_events$"), placed);
		snprintf(cmd, sizeof(cmd), "%1$s/bin/lskel-run --no-attach --pin-root %2$s "
			 "--pin-dir %3$s/kp %1$s/skel/pinned.lskel > %1$s/tests/run_into.out 2>&1",
			 build_dir(), root, bpffs);
		assert_int_equal(sh(cmd), 0);
		snprintf(cmd, sizeof(cmd), "lsk_test_counts" "-lskel-tmp-[0-9]*, left by run");
		assert_int_equal(out_says(cmd), !placed);
		assert_int_equal(count_named(bpffs, "-lskel-tmp-"), 0);	/* the run's directory */
		assert_int_equal(count_named(root, "-lskel-tmp-"), 0);
		assert_int_equal(count_named(root, "^lsk_test_counts$"), 1);
		assert_int_equal(count_named(root, "^lsk_test_events$"), 1);
		assert_int_equal(detach_sub("kp"), 0);
		snprintf(cmd, sizeof(cmd), "rm %1$s/lsk_test_counts %1$s/lsk_test_events", root);
		assert_int_equal(sh(cmd), 0);
	}
	print_message("  killed after the load, after 1 and 3 pins, after the by-name renames: "
		      "the next run cleaned up\n");
	assert_int_equal(rmdir(root), 0);
	no_leftovers(before);
}

/* A mistaken lskel-run command line: its arguments (shell words; B: this test's bpffs, N: a
 * container path that does not exist), the exit status and the message. */
struct opt_case {
	const char *args;
	int rc;
	const char *want;
};

static const struct opt_case opt_cases[] = {
	/* a value left out, empty, taken from the next option, given twice, too long */
	{ "--pin-dir", 2, "--pin-dir '': needs a value" },
	{ "--pin-dir --json N", 2, "--pin-dir '--json': an option where its value belongs" },
	{ "--pin-dir '' N", 2, "--pin-dir '': an empty value" },
	{ "--pin-dir B/a --pin-dir B/b N", 2, "--pin-dir given twice ('B/a', then 'B/b')" },
	{ "--kconfig B/a --kconfig B/b N", 2, "--kconfig given twice" },
	{ "--pin-root $(printf '%2100s' | tr ' ' a) N", 2, "longer than 2000 characters" },
	/* numbers and enumerations: the value named */
	{ "--keyring abc N", 1, "--keyring 'abc': not a keyring serial number" },
	{ "--keyring 1x N", 1, "--keyring '1x': not a keyring serial number" },
	{ "--xdp-mode foo --ifname lo N", 1, "--xdp-mode 'foo': skb or native" },
	/* if_nametoindex cuts a name to 15 characters: another interface could be the one */
	{ "--ifname lo0123456789abcdef N", 1, "--ifname 'lo0123456789abcdef': longer than" },
	/* options that did nothing without a word */
	{ "--xdp-mode skb N", 1, "--xdp-mode and --tc-egress belong to --ifname" },
	{ "--tc-egress N", 1, "--xdp-mode and --tc-egress belong to --ifname" },
	{ "--ifname lo --no-attach N", 1, "--ifname attaches: not with --no-attach" },
	{ "--detach --pin-dir B/none N", 2, "--detach 'N': takes --pin-dir DIR and nothing else" },
	{ "--detach --pin-dir B/none --json", 2, "--detach '--json': takes --pin-dir DIR" },
	/* unknown options and extra or empty containers named (was: the usage alone) */
	{ "--bogus N", 2, "unknown option '--bogus'" },
	{ "--pin-dir=B/x N", 2, "unknown option '--pin-dir=B/x'" },
	{ "N other.lskel", 2, "container 'other.lskel': one container only" },
	{ "''", 2, "container '': an empty path" },
};

/* @s with B and N (whole words or before '/' and quotes) replaced. */
static void opt_expand(char *buf, size_t n, const char *s, const char *nofile)
{
	size_t len = 0;

	for (; *s; s++) {
		int word = (s[0] == 'B' || s[0] == 'N') && (s[1] == '\0' || s[1] == ' ' ||
			    s[1] == '/' || s[1] == '\'' || s[1] == ')');
		if (word)
			len += snprintf(buf + len, n - len, "%s", s[0] == 'B' ? bpffs : nofile);
		else
			buf[len++] = *s;
		assert_true(len < n);
	}
	buf[len] = '\0';
}

/* lskel-run's options on mistakes: each refused naming the option and the value, before
 * anything is loaded or pinned; a test hook's number read whole. */
static void test_options(void **state)
{
	char run[256], args[2048], want[512], cmd[4096], nofile[300], err[300], out[300];
	char msg[4096];
	struct id_set before[4] = {};
	FILE *f;
	size_t i;

	(void)state;
	assert_int_equal(ids_snapshot(before), 0);
	path_of("bin/lskel-run", run, sizeof(run));
	snprintf(nofile, sizeof(nofile), "%s/tests/no-such.lskel", build_dir());
	snprintf(err, sizeof(err), "%s/tests/options.err", build_dir());
	snprintf(out, sizeof(out), "%s/tests/options.out", build_dir());
	for (i = 0; i < sizeof(opt_cases) / sizeof(opt_cases[0]); i++) {
		const struct opt_case *c = &opt_cases[i];
		int rc;

		opt_expand(args, sizeof(args), c->args, nofile);
		opt_expand(want, sizeof(want), c->want, nofile);
		snprintf(cmd, sizeof(cmd), "%s %s > %s 2> %s", run, args, out, err);
		rc = sh(cmd);
		f = fopen(err, "r");
		assert_non_null(f);
		msg[fread(msg, 1, sizeof(msg) - 1, f)] = '\0';
		fclose(f);
		print_message("  %-36.36s -> exit %d: %.*s\n", c->args, rc,
			      (int)strcspn(msg, "\n"), msg);
		if (!strstr(msg, want) || rc != c->rc)
			fail_msg("lskel-run %s: exit %d (want %d), no '%s'", c->args, rc, c->rc,
				 want);
	}
	unlink(err);
	/* a test hook's count with trailing garbage was read as its number ("1x": after pin 1) */
	assert_int_equal(run_into("LSKEL_RUN_TEST_FAIL_AFTER_PINS=1x", "--no-attach", "hook"), 0);
	assert_int_equal(detach_sub("hook"), 0);
	no_leftovers(before);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_static_and_small),
		cmocka_unit_test(test_bad_containers),
		cmocka_unit_test(test_init_style),
		cmocka_unit_test(test_second_run),
		cmocka_unit_test(test_failure_after_pins),
		cmocka_unit_test(test_killed_during_pinning),
		cmocka_unit_test(test_foreign_entries),
		cmocka_unit_test(test_not_loaded_reported),
		cmocka_unit_test(test_killed_with_pins_by_name),
		cmocka_unit_test(test_options),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);	/* one case: test_lskel_run test_init_style */
	return cmocka_run_group_tests_name("lskel-run", tests, setup, teardown);
}
