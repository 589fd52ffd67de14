// SPDX-License-Identifier: BSD-2-Clause
/* Maps declared with pinning = LIBBPF_PIN_BY_NAME behave as with libbpf: the first load
 * creates and pins them under the pin root, later loads (skeleton, libbpf, lskel-run) reuse
 * the pinned map without touching its contents, a pin whose map differs from the definition
 * is refused naming map and path, and a refused or failed load leaves no object and no pin. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "pinned.lskel.h"
#include "pinned_other.lskel.h"
#include "inject.h"
#include "kstate.h"
#include "samples.h"

static char root[128];

static __u32 id_of(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.id;
}

static __u32 pinned_id(const char *name)
{
	char path[256];
	__u32 id;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	id = id_of(fd);
	close(fd);
	return id;
}

static int run_xdp(int prog_fd)
{
	unsigned char pkt[64] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .repeat = 1);

	return bpf_prog_test_run_opts(prog_fd, &o);
}

static void clear_pins(void)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/lsk_test_counts", root);
	unlink(path);
	snprintf(path, sizeof(path), "%s/lsk_test_events", root);
	unlink(path);
}

static struct pinned *load(void)
{
	struct pinned *s = pinned__open();

	assert_non_null(s);
	s->ctx.pin_root_path = root;
	if (pinned__load(s))
		fail_msg("load: %s", s->ctx.errmsg);
	return s;
}

static int setup(void **state)
{
	struct statfs s;

	(void)state;
	if ((statfs("/sys/fs/bpf", &s) || s.f_type != BPF_FS_MAGIC) &&
	    mount("bpf", "/sys/fs/bpf", "bpf", 0, NULL))
		return -1;
	snprintf(root, sizeof(root), "/sys/fs/bpf/lskel-pin-test-%d", getpid());
	return mkdir(root, 0700);
}

/* What test_lskel_run_pin_root pinned under root/run0 and run1, also when it failed part-way
 * (the group teardown then finds root empty). */
static void detach_runs(void)
{
	char cmd[1024];
	int i;

	for (i = 0; i < 2; i++) {
		snprintf(cmd, sizeof(cmd), "%s/run%d", root, i);
		if (access(cmd, F_OK))
			continue;
		/* what it removed, in the log: this test has no directory for files */
		snprintf(cmd, sizeof(cmd), "%s/bin/lskel-run --detach --pin-dir %s/run%d",
			 build_dir(), root, i);
		if (system(cmd))
			fprintf(stderr, "%s failed\n", cmd);
		snprintf(cmd, sizeof(cmd), "%s/run%d", root, i);
		rmdir(cmd);
	}
}

static int teardown(void **state)
{
	(void)state;
	detach_runs();
	clear_pins();
	return rmdir(root);
}

/* First load pins, second load reuses: same map, contents kept, private maps not shared. */
static void test_pin_then_reuse(void **state)
{
	struct pinned *a, *b;
	__u32 k = 0;
	__u64 v = 0;

	(void)state;
	clear_pins();
	a = load();
	assert_int_not_equal(pinned_id("lsk_test_counts"), 0);
	assert_int_equal(pinned_id("lsk_test_counts"), id_of(a->maps.lsk_test_counts.map_fd));
	assert_int_equal(pinned_id("lsk_test_events"), id_of(a->maps.lsk_test_events.map_fd));
	assert_int_equal(run_xdp(a->progs.count_pkt.prog_fd), 0);
	assert_int_equal(run_xdp(a->progs.count_pkt.prog_fd), 0);

	b = load();
	assert_int_equal(id_of(b->maps.lsk_test_counts.map_fd),
			 id_of(a->maps.lsk_test_counts.map_fd));
	assert_int_equal(id_of(b->maps.lsk_test_events.map_fd),
			 id_of(a->maps.lsk_test_events.map_fd));
	assert_int_not_equal(id_of(b->maps.private_total.map_fd),
			     id_of(a->maps.private_total.map_fd));
	assert_int_equal(run_xdp(b->progs.count_pkt.prog_fd), 0);
	assert_int_equal(bpf_map_lookup_elem(b->maps.lsk_test_counts.map_fd, &k, &v), 0);
	assert_int_equal(v, 7 + 2);	/* seeded by a's first packet, counted by a and b */
	pinned__destroy(a);
	pinned__destroy(b);
	/* the pins keep the maps */
	assert_int_not_equal(pinned_id("lsk_test_counts"), 0);
	clear_pins();
}

/* libbpf reuses what lskel pinned, and lskel reuses what libbpf pinned. */
static void test_libbpf_interop(void **state)
{
	char path[256];
	LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = root);
	struct bpf_object *obj;
	struct pinned *s;
	__u32 ours;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/bpf/pinned.bpf.o", build_dir());
	clear_pins();
	s = load();
	ours = id_of(s->maps.lsk_test_counts.map_fd);
	obj = bpf_object__open_file(path, &oo);
	assert_non_null(obj);
	assert_int_equal(bpf_object__load(obj), 0);
	assert_int_equal(id_of(bpf_map__fd(bpf_object__find_map_by_name(obj, "lsk_test_counts"))),
			 ours);
	bpf_object__close(obj);
	pinned__destroy(s);

	clear_pins();
	obj = bpf_object__open_file(path, &oo);
	assert_non_null(obj);
	assert_int_equal(bpf_object__load(obj), 0);
	s = load();
	assert_int_equal(id_of(s->maps.lsk_test_counts.map_fd),
			 id_of(bpf_map__fd(bpf_object__find_map_by_name(obj, "lsk_test_counts"))));
	assert_int_equal(id_of(s->maps.lsk_test_events.map_fd),
			 id_of(bpf_map__fd(bpf_object__find_map_by_name(obj, "lsk_test_events"))));
	pinned__destroy(s);
	bpf_object__close(obj);
	clear_pins();
}

/* A pin with another definition: refused, naming map and path; nothing made, no pin. */
static void test_mismatch_refused(void **state)
{
	struct id_set before[4] = {};
	struct pinned_other *o;
	struct pinned *s;
	char left[512];
	int fds0;
	__u32 id;

	(void)state;
	clear_pins();
	s = load();
	id = pinned_id("lsk_test_counts");
	pinned__destroy(s);
	fds0 = count_fds();
	assert_int_equal(ids_snapshot(before), 0);
	o = pinned_other__open();
	assert_non_null(o);
	o->ctx.pin_root_path = root;
	assert_int_equal(pinned_other__load(o), -EINVAL);
	print_message("  refused: %s\n", o->ctx.errmsg);
	assert_non_null(strstr(o->ctx.errmsg, "map 'lsk_test_counts'"));
	assert_non_null(strstr(o->ctx.errmsg, root));
	assert_non_null(strstr(o->ctx.errmsg, "max_entries 16/32"));
	pinned_other__destroy(o);
	if (ids_wait_gone(before, left, sizeof(left)))
		fail_msg("left behind: %s", left);
	ids_free(before);
	assert_int_equal(count_fds(), fds0);
	assert_int_equal(pinned_id("lsk_test_counts"), id);	/* the pin is untouched */
	clear_pins();
}

/* A pin root that is no bpffs: the maps cannot be pinned, the load fails naming the path
 * and closes everything it made. */
static void test_pin_failure_cleans_up(void **state)
{
	struct id_set before[4] = {};
	struct pinned *s;
	char left[512], dir[] = "/tmp/lskel-not-bpffs-XXXXXX";
	int fds0 = count_fds();

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(ids_snapshot(before), 0);
	s = pinned__open();
	assert_non_null(s);
	s->ctx.pin_root_path = dir;
	assert_true(pinned__load(s) < 0);
	print_message("  refused: %s\n", s->ctx.errmsg);
	assert_non_null(strstr(s->ctx.errmsg, "cannot pin it at"));
	assert_non_null(strstr(s->ctx.errmsg, dir));
	pinned__destroy(s);
	if (ids_wait_gone(before, left, sizeof(left)))
		fail_msg("left behind: %s", left);
	ids_free(before);
	assert_int_equal(count_fds(), fds0);
	assert_int_equal(rmdir(dir), 0);	/* empty: no pin stayed */
}

/* A failure at any op, loader- or kernel-side, with and without a pinned map to reuse:
 * nothing stays, no pin is made, an existing pin is untouched. */
static void test_failure_at_every_op(void **state)
{
	struct pinned *a;
	__u32 id;

	(void)state;
	clear_pins();
	inject_pin_root = root;
	assert_true(inject_every_op(&pinned__desc, sizeof(struct pinned)) > 0);
	assert_true(kernel_fail_every_op(&pinned__desc, sizeof(struct pinned)) > 0);
	assert_int_equal(pinned_id("lsk_test_counts"), 0);
	a = load();
	id = pinned_id("lsk_test_counts");
	assert_true(inject_every_op(&pinned__desc, sizeof(struct pinned)) > 0);
	assert_true(kernel_fail_every_op(&pinned__desc, sizeof(struct pinned)) > 0);
	assert_int_equal(pinned_id("lsk_test_counts"), id);
	pinned__destroy(a);
	inject_pin_root = NULL;
	clear_pins();
}

/* lskel_pins_undo removes exactly the pins this load made: a pin it reused (an entry at
 * the path that it did not make) stays. Plain files stand for the pins (unlink is all undo
 * does), in a directory of the test's own. */
static void test_undo_only_own_pins(void **state)
{
	const struct lskel_desc *d = &pinned__desc;
	struct lskel_ctx c;
	char dir[] = "/tmp/lskel-undo-XXXXXX", path[256];
	__u32 i;
	int fd;

	(void)state;
	assert_int_equal(d->nr_pins, 2);
	assert_non_null(mkdtemp(dir));
	for (i = 0; i < d->nr_pins; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, d->pins[i].name);
		fd = open(path, O_CREAT | O_WRONLY | O_EXCL, 0600);
		assert_true(fd >= 0);
		close(fd);
	}
	memset(&c, 0, sizeof(c));
	c.pin_root_path = dir;
	c.pins_made = calloc(d->nr_pins, 1);
	assert_non_null(c.pins_made);
	c.pins_made[1] = 1;	/* made the second, reused the first */
	lskel_pins_undo(d, &c);
	assert_null(c.pins_made);
	snprintf(path, sizeof(path), "%s/%s", dir, d->pins[0].name);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, d->pins[1].name);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(rmdir(dir), 0);
}

/* lskel-run --pin-root: the container pins by name and a second run reuses the map. */
static void test_lskel_run_pin_root(void **state)
{
	char cmd[1024], out[4096];
	__u32 first, second;
	FILE *f;
	size_t n;
	int i;

	(void)state;
	clear_pins();
	for (i = 0; i < 2; i++) {
		snprintf(cmd, sizeof(cmd), "%s/bin/lskel-run --no-attach --pin-root %s --pin-dir "
			 "%s/run%d %s/skel/pinned.lskel 2>&1", build_dir(), root, root, i,
			 build_dir());
		f = popen(cmd, "r");
		assert_non_null(f);
		n = fread(out, 1, sizeof(out) - 1, f);
		out[n] = 0;
		if (pclose(f))
			fail_msg("lskel-run: %s", out);
		if (!i)
			first = pinned_id("lsk_test_counts");
	}
	second = pinned_id("lsk_test_counts");
	assert_int_not_equal(first, 0);
	assert_int_equal(first, second);
	for (i = 0; i < 2; i++) {
		/* what it removed, in the log: this test has no directory for files */
		snprintf(cmd, sizeof(cmd), "%s/bin/lskel-run --detach --pin-dir %s/run%d",
			 build_dir(), root, i);
		assert_int_equal(system(cmd), 0);
		snprintf(cmd, sizeof(cmd), "%s/run%d", root, i);
		rmdir(cmd);
	}
	detach_runs();	/* the group teardown does it too, when an assertion above failed */
	clear_pins();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pin_then_reuse),
		cmocka_unit_test(test_libbpf_interop),
		cmocka_unit_test(test_mismatch_refused),
		cmocka_unit_test(test_pin_failure_cleans_up),
		cmocka_unit_test(test_failure_at_every_op),
		cmocka_unit_test(test_lskel_run_pin_root),
		cmocka_unit_test(test_undo_only_own_pins),
	};

	return cmocka_run_group_tests_name("maps pinned by name", tests, setup, teardown);
}
