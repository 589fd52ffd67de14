// SPDX-License-Identifier: BSD-2-Clause
/* `make bench`, per-packet dispatch cost: BPF_PROG_TEST_RUN of a 64-byte packet, REPEAT
 * times per run (the kernel's average per packet), median of RUNS runs, for 1, 4 and 16
 * components: (a) one hand-written program doing the components' work inline, (b) the
 * static dispatcher, (c) the tailcall dispatcher. Objects from bench/gen-dispatch.sh. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include "dispatch.h"
#include "exec_direct.h"
#include "plan_open.h"
#include "err.h"

#define RUNS 5
#define REPEAT 1000000

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* ns per packet, median of RUNS runs of REPEAT packets */
static double per_packet(int prog_fd)
{
	unsigned char pkt[64] = { [12] = 0x08 };
	double v[RUNS];
	int i;

	for (i = 0; i < RUNS; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt),
			    .repeat = REPEAT);

		int r = bpf_prog_test_run_opts(prog_fd, &o);

		if (r || o.retval != 2 /* XDP_PASS */) {
			fprintf(stderr, "test run of fd %d failed: %d (retval %u)\n", prog_fd, r,
				o.retval);
			exit(1);
		}
		v[i] = o.duration;
	}
	qsort(v, RUNS, sizeof(*v), cmp);
	return v[RUNS / 2];
}

/* Load @paths (plus a root from @spec in @mode, first); the root or the one program. */
static int load(const char *spec, const char *mode, char **paths, size_t n, struct lsk_load *l,
		int **fds)
{
	struct lsk_plan p = { .paths = paths, .nr_paths = n };
	struct lsk_dispatch *d = NULL;
	struct lsk_exec_error e;
	size_t i;
	int err = 0;

	*fds = NULL;
	memset(l, 0, sizeof(*l));
	if (spec) {
		err = lsk_disp_parse(spec, &d);
		err = err ?: lsk_disp_mode_parse(mode, &d->mode);
		err = err ?: lsk_disp_plan(d, &p);
		p.disp = d;
	}
	err = err ?: lsk_plan_open(&p, l);
	err = err ?: lsk_exec_direct(l->trace, NULL, fds, &e);
	lsk_plan_free(&p);
	lsk_disp_free(d);
	if (err)
		return err;
	for (i = 0; i < l->objs[0]->nr_progs; i++)	/* the root ("dispatcher") or the one */
		if (lsk_prog_is_entry(&l->objs[0]->progs[i]) &&
		    (!spec || !strcmp(l->objs[0]->progs[i].name, "dispatcher")))
			return (*fds)[l->trace->objs[0].prog_op[i]];
	return -ENOENT;
}

static void unload(struct lsk_load *l, int *fds)
{
	if (fds)
		lsk_exec_close(l->trace, fds);
	lsk_load_free(l);
}

int main(int argc, char **argv)
{
	static const int sizes[] = { 1, 4, 16 };
	static const char *const modes[] = { NULL, "static", "tailcall" };
	char *paths[16], spec[512], inl[512];
	const char *dir = argc > 1 ? argv[1] : "build/bench/dispatch";
	double ns[3][3];
	struct utsname u;
	int s, m, i;

	for (s = 0; s < 3; s++) {
		for (i = 0; i < sizes[s]; i++)
			if (asprintf(&paths[i], "%s/bcomp_%d.bpf.o", dir, i) < 0)
				return 1;
		snprintf(spec, sizeof(spec), "%s/spec_%d", dir, sizes[s]);
		snprintf(inl, sizeof(inl), "%s/inline_%d.bpf.o", dir, sizes[s]);
		for (m = 0; m < 3; m++) {
			char *one[] = { inl };
			struct lsk_load l;
			int *fds;
			int fd = m ? load(spec, modes[m], paths, sizes[s], &l, &fds) :
				     load(NULL, NULL, one, 1, &l, &fds);

			if (fd < 0) {
				fprintf(stderr, "dispatch bench: %d components, %s: %s\n", sizes[s],
					modes[m] ? modes[m] : "inline", lsk_errmsg());
				return 1;
			}
			ns[s][m] = per_packet(fd);
			unload(&l, fds);
		}
		for (i = 0; i < sizes[s]; i++)
			free(paths[i]);
	}
	uname(&u);
	printf("\nper-packet dispatch (BPF_PROG_TEST_RUN, 64-byte packet, %d repeats, median of %d "
	       "runs; %s %s, %ld CPUs)\n", REPEAT, RUNS, u.sysname, u.release,
	       sysconf(_SC_NPROCESSORS_ONLN));
	printf("components | inline ns | static ns (+/comp) | tailcall ns (+/comp)\n");
	for (s = 0; s < 3; s++)
		printf("%10d | %9.1f | %9.1f (%+6.2f) | %11.1f (%+6.2f)\n", sizes[s], ns[s][0],
		       ns[s][1], (ns[s][1] - ns[s][0]) / sizes[s], ns[s][2],
		       (ns[s][2] - ns[s][0]) / sizes[s]);
	return 0;
}
