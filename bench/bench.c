// SPDX-License-Identifier: BSD-2-Clause
/* `make bench`: for each object, loader instruction bytes, data bytes, generation time and
 * open_and_load latency of the lskel loader, exec_direct, libbpf's bpf_object__load and (when
 * it builds) bpftool's light skeleton; medians of RUNS runs, one table. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <lskel/runtime.h>
#include "compile.h"
#include "emit_skel.h"
#include "exec_direct.h"
#include "err.h"
#include "loader_desc.h"
#include "plan_open.h"
#include "settle.h"

static int runs = 21;
static const char *pin_root;	/* --corpus: LIBBPF_PIN_BY_NAME maps go here, cleared per run */

/* Remove the pins a run made, so every run creates its maps as the first one did. */
static void clear_pins(void)
{
	char cmd[512];

	if (!pin_root)
		return;
	snprintf(cmd, sizeof(cmd), "rm -f %s/*", pin_root);
	if (system(cmd))
		return;
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp);
	return v[n / 2];
}

static int silent(enum libbpf_print_level l, const char *f, va_list ap)
{
	(void)l;
	(void)f;
	(void)ap;
	return 0;
}

/* One open_and_load through the loader; the time, or -1. */
static double run_lskel(const struct lskel_desc *d)
{
	__u64 *inputs = calloc(d->nr_inputs + 1, 8);
	struct lskel_ctx c = {};
	int *fds = NULL;
	double a, v;
	__u32 k;

	c.pin_root_path = pin_root;
	a = now_ms();
	if (lskel_run_loader(d, inputs, &c, &fds)) {
		fprintf(stderr, "lskel load failed: %s\n", c.errmsg);
		free(inputs);
		return -1;
	}
	v = now_ms() - a;
	for (k = 0; k < d->nr_ops; k++)
		if (fds[k] >= 0)
			close(fds[k]);
	free(fds);
	free(c.pins_made);
	free(inputs);
	clear_pins();
	return v;
}

/* The same trace issued from user space (exec_direct). */
static double run_direct(const struct lsk_trace *t)
{
	struct lsk_exec_opts o = { .fail_at = -1 };
	double a = now_ms(), v;
	int *fds;

	if (lsk_exec_direct(t, &o, &fds, NULL))
		return -1;
	v = now_ms() - a;
	lsk_exec_close(t, fds);
	return v;
}

/* libbpf: open and load every object of @paths, one after the other. */
static double run_libbpf(char **paths, int n)
{
	struct bpf_object **o = calloc(n, sizeof(*o));
	double a = now_ms(), v = -1;
	int j, made = 0;

	for (j = 0; j < n; j++, made++) {
		LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = pin_root);

		o[j] = bpf_object__open_file(paths[j], &oo);
		if (!o[j] || bpf_object__load(o[j])) {
			made += !!o[j];
			goto out;
		}
	}
	v = now_ms() - a;
out:
	for (j = 0; j < made; j++)
		bpf_object__close(o[j]);
	free(o);
	clear_pins();
	return v;
}

static FILE *phases;		/* BENCH_PHASES=FILE: the phase table, one row per object */
static FILE *data;		/* BENCH_DATA=FILE: name lskel direct libbpf (ms), for plots */

static void data_row(const char *name, double ours, double direct, double lib)
{
	if (data && ours > 0 && direct > 0 && lib > 0)
		fprintf(data, "%s %.4f %.4f %.4f\n", name, ours, direct, lib);
}

static char *phase_rows;	/* the same rows, printed after the main tables */
static size_t phase_len;
static FILE *phase_mem;

/* The kernel's own verification time of the (loop) loader (log_level BPF_LOG_STATS), in us. */
static double loader_vtime(const struct lskel_desc *d, int map_fd)
{
	union lskel_attr u;
	char log[512];
	const char *p;
	__u32 sz = lskel_loader_attr(d, &u, &map_fd, -1, NULL, 0, 0, 0);
	int fd;

	u.a.log_buf = lskel_ptr(log);
	u.a.log_size = sizeof(log);
	u.a.log_level = 4;	/* BPF_LOG_STATS */
	log[0] = '\0';
	fd = lskel_sys_bpf(BPF_PROG_LOAD, &u.a, sz);
	if (fd >= 0)
		close(fd);
	p = strstr(log, "verification time ");
	return p ? atof(p + 18) : -1;
}

/* Where an lskel load spends its time, phase by phase, as lskel_run_loader does it (its
 * helpers, in its order): the blob map (create and fill), the loop loader's PROG_LOAD (and
 * the kernel's verification time within it; the compat loader and its BTF are only loaded
 * where the kernel has no may_goto, not here), the loader's run (the object's own operations)
 * and the user-space work after it (fd table, pins). Medians of RUNS. */
static void bench_phases(const char *name, const struct lskel_desc *d, double direct,
			 double lib)
{
	enum { BLOB, LOAD, VTIME, RUN, AFTER, NR };
	static const char *const hdr[NR] = { "blob", "ldr_load", "verify", "run", "after" };
	double *v[NR], m[NR], sum = 0;
	size_t ctx_sz = sizeof(struct lskel_loader_ctx) + d->inputs_size;
	int i, k;

	if (!phase_mem) {
		phase_mem = open_memstream(&phase_rows, &phase_len);
		fprintf(phase_mem, "%-22s", "object");
		for (k = 0; k < NR; k++)
			fprintf(phase_mem, " %8s", hdr[k]);
		fprintf(phase_mem, " | %8s %8s %8s %8s\n", "lskel", "direct", "lsk-dir", "libbpf");
	}
	for (k = 0; k < NR; k++)
		v[k] = calloc(runs, sizeof(double));
	for (i = 0; i < runs; i++) {
		struct lskel_loader_ctx *lc = calloc(1, ctx_sz);
		struct lskel_ctx c = {};
		int map_fd = -1, prog_fd = -1, *fds = malloc((d->nr_ops + 1) * sizeof(int));
		union bpf_attr u;
		double a, b;
		void *blob;
		__u32 j;
		int got;

		c.pin_root_path = pin_root;
		lc->sz = ctx_sz;
		lc->inputs = lskel_ptr(lc + 1);
		settle();
		a = now_ms();
		lskel_fill_kconfig(d, (char *)(lc + 1), &c);
		lskel_inputs_defaults(d, (char *)(lc + 1));
		/* the inputs in place, as lskel_run_loader does */
		map_fd = !lskel_blob_make(d, lc, &blob) ? lskel_data_map_of(d, &c, blob) : -1;
		free(blob);
		b = now_ms();
		v[BLOB][i] = (b - a) * 1e3;
		a = b;
		if (map_fd >= 0)
			prog_fd = lskel_load_loader(d, &c, map_fd, -1);
		b = now_ms();
		v[LOAD][i] = (b - a) * 1e3;
		a = b;
		memset(&u, 0, sizeof(u));
		u.test.prog_fd = prog_fd;
		u.test.ctx_in = lskel_ptr(lc);
		u.test.ctx_size_in = sizeof(*lc);
		if (prog_fd < 0 || lskel_sys_bpf(BPF_PROG_TEST_RUN, &u, sizeof(u)) ||
		    u.test.retval) {
			fprintf(stderr, "%s: phases: the load failed: %s\n", name, c.errmsg);
			exit(1);
		}
		b = now_ms();
		v[RUN][i] = (b - a) * 1e3;
		a = b;
		got = !lskel_fdtab_read(d, map_fd, fds);
		if (d->nr_pins)
			lskel_pins_make(d, (const __u64 *)(lc + 1), fds, &c);
		v[AFTER][i] = (now_ms() - a) * 1e3;
		v[VTIME][i] = i < 5 ? loader_vtime(d, map_fd) : v[VTIME][i % 5];
		for (j = 0; got && j < d->nr_ops; j++)
			if (fds[j] >= 0)
				close(fds[j]);
		close(prog_fd);
		close(map_fd);
		free(fds);
		free(lc);
		free(c.pins_made);
		clear_pins();
	}
	fprintf(phase_mem, "%-22s", name);
	for (k = 0; k < NR; k++) {
		m[k] = median(v[k], runs);
		sum += k == VTIME ? 0 : m[k];
		fprintf(phase_mem, " %8.1f", m[k]);
		free(v[k]);
	}
	fprintf(phase_mem, " | %8.1f %8.1f %8.1f", sum, direct * 1e3, sum - direct * 1e3);
	if (lib > 0)
		fprintf(phase_mem, " %8.1f\n", lib * 1e3);
	else	/* libbpf does not load it here */
		fprintf(phase_mem, " %8s\n", "-");
	if (phases)
		fprintf(phases, "%s %.1f %.1f %.1f %.1f %.1f %.1f\n", name, m[BLOB],
			m[LOAD], m[VTIME], m[RUN], m[AFTER], direct * 1e3);
}

/* The floor under lskel's fixed cost, from the same settled state as every load: an array
 * map with one @value_sz value created and written (the blob's data map), and the smallest
 * sleepable SYSCALL program loaded (the loader, before its own instructions); medians in us,
 * each object closed after it is measured. */
static void bench_floors(__u32 value_sz, double *map_us, double *prog_us)
{
	struct bpf_insn insns[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	double *v[2] = { calloc(runs, sizeof(double)), calloc(runs, sizeof(double)) };
	char *value = calloc(1, value_sz);
	union bpf_attr u;
	int i, fd, key = 0;
	double a;

	for (i = 0; i < runs; i++) {
		settle();
		a = now_ms();
		memset(&u, 0, sizeof(u));
		u.map_type = BPF_MAP_TYPE_ARRAY;
		u.key_size = 4;
		u.value_size = value_sz;
		u.max_entries = 1;
		fd = lskel_sys_bpf(BPF_MAP_CREATE, &u, sizeof(u));
		memset(&u, 0, sizeof(u));
		u.map_fd = fd;
		u.key = lskel_ptr(&key);
		u.value = lskel_ptr(value);
		if (fd < 0 || lskel_sys_bpf(BPF_MAP_UPDATE_ELEM, &u, sizeof(u)))
			fprintf(stderr, "floor: the array map: %s\n", strerror(errno));
		v[0][i] = (now_ms() - a) * 1e3;
		close(fd);
		settle();
		a = now_ms();
		memset(&u, 0, sizeof(u));
		u.prog_type = BPF_PROG_TYPE_SYSCALL;
		u.insns = lskel_ptr(insns);
		u.insn_cnt = 2;
		u.license = lskel_ptr("GPL");
		u.prog_flags = BPF_F_SLEEPABLE;
		fd = lskel_sys_bpf(BPF_PROG_LOAD, &u, sizeof(u));
		if (fd < 0)
			fprintf(stderr, "floor: the empty program: %s\n", strerror(errno));
		v[1][i] = (now_ms() - a) * 1e3;
		close(fd);
	}
	*map_us = median(v[0], runs);
	*prog_us = median(v[1], runs);
	free(v[0]);
	free(v[1]);
	free(value);
}

/* Medians of lskel, exec_direct and libbpf, measured in turn within each round (the order
 * rotates), each from the same state (settle.h): a load's objects are freed by the kernel
 * after an RCU grace period and libbpf's load leaves the caches full of its own data, and
 * neither may land in the next contender's time. Measuring one contender's runs after the
 * other's charged scale100's libbpf frees to lskel. @d or @t NULL: that contender is left
 * out (-1). */
static void bench_three(const struct lskel_desc *d, const struct lsk_trace *t, char **paths,
			int n, double out[3])
{
	double *v[3];
	int i, k, bad[3] = {};

	for (k = 0; k < 3; k++)
		v[k] = calloc(runs, sizeof(double));
	for (i = 0; i < runs; i++)
		for (k = 0; k < 3; k++) {
			int who = (i + k) % 3;
			double x = -1;

			if (bad[who])
				continue;
			settle();
			if (who == 0 && d)
				x = run_lskel(d);
			else if (who == 1 && t)
				x = run_direct(t);
			else if (who == 2 && paths)
				x = run_libbpf(paths, n);
			bad[who] = x < 0;
			v[who][i] = x;
		}
	for (k = 0; k < 3; k++) {
		out[k] = bad[k] ? -1 : median(v[k], runs);
		free(v[k]);
	}
}

static size_t count_progs(const struct lsk_obj *obj)
{
	size_t i, n = 0;

	for (i = 0; i < obj->nr_progs; i++)
		n += lsk_prog_is_entry(&obj->progs[i]);
	return n;
}

/* One row for a chain: one loader for all objects against libbpf object by object. */
static void bench_chain(const char *name, char **paths, int n)
{
	struct lsk_plan p = { .paths = paths, .nr_paths = n };
	struct lsk_loader *l = NULL;
	struct lsk_load ld;
	struct lskel_desc d;
	double gen, ours, direct, lib, a, r[3];
	size_t maps = 0, progs = 0;
	int i;

	a = now_ms();
	if (lsk_plan_open(&p, &ld) || lsk_loader_compile(ld.trace, &l)) {
		fprintf(stderr, "%s\n", lsk_errmsg());
		exit(1);
	}
	gen = now_ms() - a;
	for (i = 0; i < n; i++) {
		maps += ld.objs[i]->nr_maps;
		progs += count_progs(ld.objs[i]);
	}
	lsk_loader_desc(ld.trace, l, &d);
	bench_three(&d, ld.trace, paths, n, r);
	ours = r[0];
	direct = r[1];
	lib = r[2];
	data_row(name, ours, direct, lib);
	printf("%-16s %5zu %5zu %8zu %9u %9s %7.2f | %8.3f %8.3f %8.3f %8s | %8.2f %8s\n", name,
	       maps, progs, l->nr_insns * 8, l->blob->size, "-", gen, ours, direct, lib, "-",
	       lib > 0 ? ours / lib : 0, "-");
	printf("%-16s (%d objects in one loader; libbpf loads them one by one; maps counts the "
	       "shared one per object)\n", "", n);
	lsk_loader_desc_free(&d);
	lsk_loader_free(l);
	lsk_load_free(&ld);
}

static double bench_gen(struct lsk_obj **objp, const char *path, size_t *hdr_bytes)
{
	double *v = calloc(runs, sizeof(double)), m;
	int i;

	for (i = 0; i < runs; i++) {
		struct lsk_trace *t = NULL;
		struct lsk_loader *l = NULL;
		struct lsk_obj *obj = NULL;
		char *buf = NULL;
		size_t n = 0;
		FILE *f;
		double a = now_ms();

		if (lsk_obj_open(path, &obj) || lsk_trace_build(&obj, 1, &t) ||
		    lsk_loader_compile(t, &l)) {
			fprintf(stderr, "%s\n", lsk_errmsg());
			exit(1);
		}
		f = open_memstream(&buf, &n);
		lsk_emit_skel(f, "bench", t, l);
		fclose(f);
		v[i] = now_ms() - a;
		*hdr_bytes = n;
		free(buf);
		lsk_loader_free(l);
		lsk_trace_free(t);
		if (i == runs - 1)
			*objp = obj;
		else
			lsk_obj_free(obj);
	}
	m = median(v, runs);
	free(v);
	return m;
}

/* bpftool's numbers come from a helper binary built next to the object's bench name. */
static void bpftool_numbers(const char *dir, const char *name, char *ms, char *insn_bytes)
{
	char path[512], line[600];
	FILE *f;

	snprintf(ms, 32, "-");
	snprintf(insn_bytes, 32, "-");
	snprintf(path, sizeof(path), "%s/%s.bpftool.status", dir, name);
	f = fopen(path, "r");
	if (f) {
		if (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(ms, 32, "%.31s", line);
		}
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/%s.bpftool.h", dir, name);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "opts.insns_sz = ");

		if (p) {
			snprintf(insn_bytes, 32, "%d", atoi(p + 16));
			break;
		}
	}
	fclose(f);
	snprintf(path, sizeof(path), "%s/%s.bpftool", dir, name);
	if (access(path, X_OK))
		return;
	snprintf(line, sizeof(line), "%s %d", path, runs);
	f = popen(line, "r");
	if (f) {
		if (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(ms, 32, "%.31s", line);
		}
		pclose(f);
	}
}

static void bench_object(const char *path, const char *dir)
{
	struct lsk_obj *obj = NULL;
	struct lsk_trace *t = NULL;
	struct lsk_loader *l = NULL;
	struct lskel_desc d;
	char name[64], bt_ms[32], bt_insn[32], ratio[16] = "-";
	size_t hdr;
	double gen, ours, direct, lib, r[3];
	const char *base = strrchr(path, '/');
	char *paths[1] = { (char *)path };

	snprintf(name, sizeof(name), "%s", base ? base + 1 : path);
	name[strcspn(name, ".")] = '\0';
	gen = bench_gen(&obj, path, &hdr);
	lsk_trace_build(&obj, 1, &t);
	lsk_loader_compile(t, &l);
	lsk_loader_desc(t, l, &d);
	bench_three(&d, t, paths, 1, r);
	ours = r[0];
	direct = r[1];
	lib = r[2];
	bench_phases(name, &d, direct, lib);
	data_row(name, ours, direct, lib);
	bpftool_numbers(dir, name, bt_ms, bt_insn);
	if (atoi(bt_insn) > 0)
		snprintf(ratio, sizeof(ratio), "%.2f",
			 (double)(l->nr_insns * 8) / atoi(bt_insn));
	printf("%-16s %5zu %5zu %8zu %9u %9s %7.2f | %8.3f %8.3f %8.3f %8s | %8.2f %8s\n",
	       name, obj->nr_maps, count_progs(obj), l->nr_insns * 8, l->blob->size, bt_insn,
	       gen, ours, direct, lib, bt_ms, lib > 0 ? ours / lib : 0, ratio);
	lsk_loader_desc_free(&d);
	lsk_loader_free(l);
	lsk_trace_free(t);
	lsk_obj_free(obj);
}

/* Real objects (Debian's, listed by scripts/corpus-objects.sh): open_and_load time of the
 * lskel loader, exec_direct and libbpf, for every object libbpf loads here. */
static void bench_corpus(char **paths, int n)
{
	double r_lsk[256], r_dir[256];
	int i, nr = 0, skipped = 0;
	char dir[] = "/sys/fs/bpf/lskel-bench-XXXXXX";

	pin_root = mkdtemp(dir);
	printf("\nreal-world objects (Debian: libxdp1, libbpf-tools), medians of %d runs; ms\n\n",
	       runs);
	printf("%-22s %5s %5s | %8s %8s %8s | %8s %8s\n", "object", "maps", "progs", "lskel",
	       "direct", "libbpf", "lsk/lib", "dir/lib");
	for (i = 0; i < n && nr < 256; i++) {
		struct lsk_obj *obj = NULL;
		struct lsk_trace *t = NULL;
		struct lsk_loader *l = NULL;
		struct lskel_desc d;
		double ours, direct, lib, r[3];
		char name[64];
		const char *base = strrchr(paths[i], '/');

		snprintf(name, sizeof(name), "%s", base ? base + 1 : paths[i]);
		name[strcspn(name, ".")] = '\0';
		if (run_libbpf(paths + i, 1) < 0) {	/* libbpf cannot load it here */
			skipped++;
			continue;
		}
		if (lsk_obj_open(paths[i], &obj) || lsk_trace_build(&obj, 1, &t) ||
		    lsk_loader_compile(t, &l) || lsk_loader_desc(t, l, &d)) {
			printf("%-22s lskel cannot generate it: %s\n", name, lsk_errmsg());
			goto next;
		}
		bench_three(&d, t, paths + i, 1, r);
		ours = r[0];
		direct = r[1];
		lib = r[2];
		bench_phases(name, &d, direct, lib);
		data_row(name, ours, direct, lib);
		lsk_loader_desc_free(&d);
		if (ours < 0 || direct < 0 || lib < 0) {
			printf("%-22s lskel fails to load it\n", name);
			goto next;
		}
		r_lsk[nr] = ours / lib;
		r_dir[nr++] = direct / lib;
		printf("%-22s %5zu %5zu | %8.3f %8.3f %8.3f | %8.2f %8.2f\n", name, obj->nr_maps,
		       count_progs(obj), ours, direct, lib, ours / lib, direct / lib);
next:
		lsk_loader_free(l);
		lsk_trace_free(t);
		lsk_obj_free(obj);
	}
	if (nr)
		printf("\n%d objects: median lskel/libbpf %.2f, median exec_direct/libbpf %.2f "
		       "(%d objects libbpf does not load here left out)\n", nr, median(r_lsk, nr),
		       median(r_dir, nr), skipped);
	if (pin_root)
		rmdir(pin_root);
	pin_root = NULL;
}

int main(int argc, char **argv)
{
	const char *dir = ".";
	int i, corpus = 0;

	libbpf_set_print(silent);
	if (getenv("BENCH_RUNS"))
		runs = atoi(getenv("BENCH_RUNS"));
	settle_init();
	if (getenv("BENCH_PHASES"))
		phases = fopen(getenv("BENCH_PHASES"), "w");
	if (getenv("BENCH_DATA"))
		data = fopen(getenv("BENCH_DATA"), "w");
	if (argc > 2 && !strcmp(argv[1], "--bpftool-dir")) {
		dir = argv[2];
		argv += 2;
		argc -= 2;
	}
	printf("lskel bench, medians of %d runs; times in ms\n\n", runs);
	printf("%-16s %5s %5s %8s %9s %9s %7s | %8s %8s %8s %8s | %8s %8s\n", "object", "maps",
	       "progs", "ldr_B", "data_B", "bpftl_B", "gen", "lskel", "direct", "libbpf",
	       "bpftool", "lsk/lib", "ldr/bpf");
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--chain") && i + 2 < argc) {
			int j = i + 2;

			while (j < argc && strcmp(argv[j], "--corpus"))
				j++;
			bench_chain(argv[i + 1], argv + i + 2, j - i - 2);
			i = j - 1;
			continue;
		}
		if (!strcmp(argv[i], "--corpus")) {
			corpus = i;
			break;
		}
		bench_object(argv[i], dir);
	}
	printf("\nldr_B: loader instruction bytes; bpftl_B: bpftool 7.1's (gen skeleton -L); "
	       "lsk/lib: lskel load time / libbpf's; ldr/bpf: loader bytes / bpftool's.\n"
	       "bpftool '-': no skeleton (bpftool failed to generate it or it does not compile).\n");
	if (corpus)
		bench_corpus(argv + corpus + 1, argc - corpus - 1);
	if (phase_mem) {
		double map_us, prog_us;

		bench_floors(9064, &map_us, &prog_us);
		fprintf(phase_mem, "\nfloor, from the same settled state:\n"
			"  a 9064-byte array map created and written  %8.1f us\n"
			"  an empty sleepable SYSCALL program loaded  %8.1f us\n", map_us, prog_us);
		fclose(phase_mem);
		printf("\nlskel load phases (us, medians of %d runs): blob = data map created and "
		       "filled,\nldr_load = the (may_goto) loader's PROG_LOAD (verify: the "
		       "kernel's verification time within it, BPF_LOG_STATS),\nrun = the loader's "
		       "TEST_RUN (the object's own operations), after = fd table and pins;\nlskel = "
		       "their sum, direct = the same operations from user space (exec_direct), libbpf = "
		       "its load of the object\n(both the main table's medians); every load "
		       "from the same state: caches swept (%zu MiB), then %d us of pause\n\n%s",
		       runs, sweep_bytes >> 20, settle_us, phase_rows);
		free(phase_rows);
	}
	if (phases)
		fclose(phases);
	if (data)
		fclose(data);
	return 0;
}
