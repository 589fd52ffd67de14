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
#include <cmocka.h>
#include <lskel/container.h>
#include "samples.h"

#define NS_A "lskel_r_a"
#define NS_B "lskel_r_b"
#define PIN "/sys/fs/bpf/lskel_run_test"

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
	return good_size == (size_t)sz ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(good);
	sh("ip netns del " NS_A " 2>/dev/null; ip netns del " NS_B " 2>/dev/null");
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
	snprintf(cmd, sizeof(cmd), "%s --pin-dir " PIN "_bad %s 2>&1 | grep -q 'lskel-run: %s: '",
		 run, file, file);
	assert_int_equal(sh(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s %s >/dev/null 2>&1; test $? -eq 1", run, file);
	assert_int_equal(sh(cmd), 0);
	if (!sh("command -v strace >/dev/null")) {
		snprintf(cmd, sizeof(cmd), "strace -f -e trace=bpf -o %s.strace %s %s >/dev/null "
			 "2>&1; ! grep -q 'bpf(' %s.strace", file, run, file, file);
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
	CASE("ops-disagree", "disagrees", {
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
	char run[256], cnt[256], cmd[1024];
	union bpf_attr attr;
	__u64 v = 0;
	__u32 key = 17;
	int fd;

	(void)state;
	path_of("bin/lskel-run", run, sizeof(run));
	path_of("skel/net_count.lskel", cnt, sizeof(cnt));
	sh("ip netns del " NS_A " 2>/dev/null; ip netns del " NS_B " 2>/dev/null; rm -rf " PIN);
	assert_int_equal(sh("ip netns add " NS_A " && ip netns add " NS_B " && "
			    "ip link add lsr0 netns " NS_A " type veth peer name lsr1 netns " NS_B
			    " && ip -n " NS_A " addr add 10.88.0.1/24 dev lsr0 && "
			    "ip -n " NS_B " addr add 10.88.0.2/24 dev lsr1 && "
			    "ip -n " NS_A " link set lsr0 up && ip -n " NS_B " link set lsr1 up"), 0);
	/* only the network namespace changes: the pins land on the host's bpffs */
	snprintf(cmd, sizeof(cmd), "nsenter --net=/run/netns/" NS_B " %s --mount-bpffs "
		 "--pin-dir " PIN " --ifname lsr1 %s", run, cnt);
	assert_int_equal(sh(cmd), 0);
	assert_int_equal(sh("test -e " PIN "/maps/xdp_proto && test -e " PIN "/links/count_xdp"),
			 0);
	assert_int_equal(sh("ip -n " NS_B " -d link show lsr1 | grep -q xdp"), 0);
	send_udp(8);
	/* this test process is not the one that loaded it: read the pinned map */
	memset(&attr, 0, sizeof(attr));
	attr.pathname = lskel_ptr(PIN "/maps/xdp_proto");
	fd = lskel_sys_bpf(BPF_OBJ_GET, &attr, sizeof(attr));
	assert_true(fd >= 0);
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	attr.key = lskel_ptr(&key);
	attr.value = lskel_ptr(&v);
	assert_int_equal(lskel_sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr, sizeof(attr)), 0);
	close(fd);
	assert_true(v >= 8);
	snprintf(cmd, sizeof(cmd), "%s --detach --pin-dir " PIN, run);
	assert_int_equal(sh(cmd), 0);
	assert_int_equal(sh("test ! -e " PIN), 0);
	assert_int_equal(sh("ip -n " NS_B " -d link show lsr1 | grep -q 'prog/xdp'"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_static_and_small),
		cmocka_unit_test(test_bad_containers),
		cmocka_unit_test(test_init_style),
	};

	return cmocka_run_group_tests_name("lskel-run", tests, setup, teardown);
}
