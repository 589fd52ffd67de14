// SPDX-License-Identifier: BSD-2-Clause
/* The runtime under valgrind (make valgrind): every path of include/lskel/runtime.h a program
 * takes — open, load with caller values, attach and detach, pinned maps reused, a signed
 * loader, a subskeleton, a failing load with the verifier log, a container parsed as
 * lskel-run parses it — with results checked, so memcheck sees real use. Plain C (no cmocka:
 * one process, nothing valgrind-unfriendly); exits 1 on the first wrong result. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tp_counter.lskel.h"
#include "net_count.lskel.h"
#include "map_in_map.lskel.h"
#include "pinned.lskel.h"
#include "signed_tp.lskel.h"
#include "sub_a.lskel.h"
#include "sublib.subskel.h"
#include <lskel/container.h>

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); \
	exit(1); } } while (0)

static __u32 run_xdp(int fd, __u32 len)
{
	unsigned char pkt[256] = { 0 }, out[256];
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = fd;
	attr.test.data_in = lskel_ptr(pkt);
	attr.test.data_size_in = len;
	attr.test.data_out = lskel_ptr(out);	/* valgrind checks it even when unused */
	attr.test.data_size_out = sizeof(out);
	attr.test.repeat = 1;
	CHECK(!lskel_sys_bpf(BPF_PROG_TEST_RUN, &attr, sizeof(attr)));
	return attr.test.retval;
}

static void skeletons(void)
{
	struct tp_counter *tp = tp_counter__open();
	struct net_count *nc;
	struct map_in_map *mm;

	CHECK(tp);
	tp->rodata->settings.step = 3;	/* a caller value through the input area */
	CHECK(!tp_counter__load(tp));
	CHECK(tp->rodata->settings.step == 3);
	CHECK(!tp_counter__attach(tp));
	tp_counter__detach(tp);
	tp_counter__destroy(tp);

	nc = net_count__open_and_load();
	CHECK(nc);
	net_count__destroy(nc);
	mm = map_in_map__open_and_load();
	CHECK(mm);
	map_in_map__destroy(mm);
}

static void pins(const char *root)
{
	struct pinned *a = pinned__open(), *b = pinned__open();

	CHECK(a && b);
	a->ctx.pin_root_path = root;
	b->ctx.pin_root_path = root;
	CHECK(!pinned__load(a));
	CHECK(!pinned__load(b));	/* reuses a's pins */
	CHECK(run_xdp(b->progs.count_pkt.prog_fd, 64) == XDP_PASS);
	pinned__destroy(a);
	pinned__destroy(b);
}

static void signed_and_refused(void)
{
	static char log[1 << 16];
	struct signed_tp *s = signed_tp__open();
	struct lskel_desc d = signed_tp__desc;
	char *blob = (char *)malloc(d.data_sz);

	CHECK(s && blob);
	CHECK(!signed_tp__load(s));
	signed_tp__destroy(s);
	memcpy(blob, d.data, d.data_sz);
	blob[d.data_sz / 2] ^= 1;
	d.data = blob;
	s = (struct signed_tp *)calloc(1, sizeof(*s));
	CHECK(s);
	CHECK(!lskel_open(&d, s));
	s->ctx.log_buf = log;
	s->ctx.log_size = sizeof(log);
	CHECK(lskel_load(&d, s) == -EBADMSG);
	lskel_destroy(&d, s);
	free(blob);
}

static void subskeleton(void)
{
	struct sub_a *s = sub_a__open();
	struct sublib *lib;

	CHECK(s);
	lib = sublib__open(s->obj);
	CHECK(lib);
	*lib->rodata.lib_min_len = 10;
	CHECK(!sub_a__load(s));
	CHECK(run_xdp(s->progs.prog_a.prog_fd, 64) == XDP_PASS);
	CHECK(*lib->bss.lib_calls == 1);
	CHECK(lib->maps.lib_seen.map_fd >= 0);
	sub_a__destroy(s);	/* the parent first: the subskeleton lets go */
	sublib__destroy(lib);
}

static void container(const char *path, const char *root)
{
	struct lskel_cnt c;
	struct lskel_desc d;
	struct lskel_ctx ctx;
	char err[256];
	int *fds = NULL;
	long size;
	void *buf;
	FILE *f = fopen(path, "rb");
	__u32 i;

	CHECK(f);
	CHECK(!fseek(f, 0, SEEK_END) && (size = ftell(f)) > 0 && !fseek(f, 0, SEEK_SET));
	buf = malloc(size);
	CHECK(buf && fread(buf, 1, size, f) == (size_t)size);
	fclose(f);
	CHECK(!lskel_cnt_parse(buf, size, &c, err, sizeof(err)));
	CHECK(!lskel_cnt_desc(&c, &d));
	memset(&ctx, 0, sizeof(ctx));
	ctx.pin_root_path = root;
	CHECK(!lskel_run_loader(&d, NULL, &ctx, &fds));
	free(ctx.pins_made);	/* as lskel-run: the caller of lskel_run_loader owns it */
	for (i = 0; i < d.nr_ops; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	lskel_cnt_desc_free(&d);
	((char *)buf)[size / 3] ^= 0x5a;	/* damaged: refused or accepted, no bad read */
	(void)lskel_cnt_parse(buf, size, &c, err, sizeof(err));
	free(buf);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: valgrind_runtime PIN_ROOT CONTAINER\n");
		return 2;
	}
	skeletons();
	pins(argv[1]);
	signed_and_refused();
	subskeleton();
	container(argv[2], argv[1]);
	printf("runtime under valgrind: all paths ran with the expected results\n");
	return 0;
}
