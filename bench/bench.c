// SPDX-License-Identifier: BSD-2-Clause
/* `make bench`: for each object, loader instruction bytes, data bytes, generation time and
 * open_and_load latency of the lskel loader, exec_direct, libbpf's bpf_object__load and (when
 * it builds) bpftool's light skeleton; medians of RUNS runs, one table. */
#define LSKEL_WITH_ZLIB	/* objects with CONFIG_* externs read /proc/config.gz */
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

static double bench_lskel(const struct lskel_desc *d)
{
	double *v = calloc(runs, sizeof(double)), m;
	__u64 *inputs = calloc(d->nr_inputs + 1, 8);
	int i;
	__u32 k;

	for (i = 0; i < runs; i++) {
		struct lskel_ctx c = {};
		int *fds = NULL;
		double a;

		c.pin_root_path = pin_root;
		a = now_ms();
		if (lskel_run_loader(d, inputs, &c, &fds)) {
			fprintf(stderr, "lskel load failed: %s\n", c.errmsg);
			free(v);
			free(inputs);
			return -1;
		}
		v[i] = now_ms() - a;
		for (k = 0; k < d->nr_ops; k++)
			if (fds[k] >= 0)
				close(fds[k]);
		free(fds);
		free(c.pins_made);
		clear_pins();
	}
	m = median(v, runs);
	free(v);
	free(inputs);
	return m;
}

static double bench_direct(const struct lsk_trace *t)
{
	double *v = calloc(runs, sizeof(double)), m;
	struct lsk_exec_opts o = { .fail_at = -1 };
	int i, *fds;

	for (i = 0; i < runs; i++) {
		double a = now_ms();

		if (lsk_exec_direct(t, &o, &fds, NULL)) {
			free(v);
			return -1;
		}
		v[i] = now_ms() - a;
		lsk_exec_close(t, fds);
	}
	m = median(v, runs);
	free(v);
	return m;
}

static double bench_libbpf(const char *path)
{
	double *v = calloc(runs, sizeof(double)), m;
	int i;

	for (i = 0; i < runs; i++) {
		LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = pin_root);
		double a = now_ms();
		struct bpf_object *o = bpf_object__open_file(path, &oo);

		if (!o || bpf_object__load(o)) {
			bpf_object__close(o);
			free(v);
			return -1;
		}
		v[i] = now_ms() - a;
		bpf_object__close(o);
		clear_pins();
	}
	m = median(v, runs);
	free(v);
	return m;
}

static size_t count_progs(const struct lsk_obj *obj)
{
	size_t i, n = 0;

	for (i = 0; i < obj->nr_progs; i++)
		n += lsk_prog_is_entry(&obj->progs[i]);
	return n;
}

/* libbpf has no chains: open and load every object, one after the other. */
static double bench_libbpf_all(char **paths, int n)
{
	double *v = calloc(runs, sizeof(double)), m;
	struct bpf_object **o = calloc(n, sizeof(*o));
	int i, j;

	for (i = 0; i < runs; i++) {
		double a = now_ms();

		for (j = 0; j < n; j++) {
			o[j] = bpf_object__open_file(paths[j], NULL);
			if (!o[j] || bpf_object__load(o[j])) {
				free(v);
				free(o);
				return -1;
			}
		}
		v[i] = now_ms() - a;
		for (j = 0; j < n; j++)
			bpf_object__close(o[j]);
	}
	m = median(v, runs);
	free(v);
	free(o);
	return m;
}

/* One row for a chain: one loader for all objects against libbpf object by object. */
static void bench_chain(const char *name, char **paths, int n)
{
	struct lsk_obj **objs = calloc(n, sizeof(*objs));
	struct lsk_trace *t = NULL;
	struct lsk_loader *l = NULL;
	struct lskel_desc d;
	double gen, ours, direct, lib, a;
	size_t maps = 0, progs = 0;
	int i;

	a = now_ms();
	for (i = 0; i < n; i++)
		if (lsk_obj_open(paths[i], &objs[i])) {
			fprintf(stderr, "%s\n", lsk_errmsg());
			exit(1);
		}
	if (lsk_trace_build(objs, n, &t) || lsk_loader_compile(t, &l)) {
		fprintf(stderr, "%s\n", lsk_errmsg());
		exit(1);
	}
	gen = now_ms() - a;
	for (i = 0; i < n; i++) {
		maps += objs[i]->nr_maps;
		progs += count_progs(objs[i]);
	}
	lsk_loader_desc(t, l, &d);
	ours = bench_lskel(&d);
	direct = bench_direct(t);
	lib = bench_libbpf_all(paths, n);
	printf("%-16s %5zu %5zu %8zu %9u %9s %7.2f | %8.3f %8.3f %8.3f %8s | %8.2f %8s\n", name,
	       maps, progs, l->nr_insns * 8, l->blob->size, "-", gen, ours, direct, lib, "-",
	       lib > 0 ? ours / lib : 0, "-");
	printf("%-16s (%d objects in one loader; libbpf loads them one by one; maps counts the "
	       "shared one per object)\n", "", n);
	lsk_loader_desc_free(&d);
	lsk_loader_free(l);
	lsk_trace_free(t);
	for (i = 0; i < n; i++)
		lsk_obj_free(objs[i]);
	free(objs);
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
	double gen, ours, direct, lib;
	const char *base = strrchr(path, '/');

	snprintf(name, sizeof(name), "%s", base ? base + 1 : path);
	name[strcspn(name, ".")] = '\0';
	gen = bench_gen(&obj, path, &hdr);
	lsk_trace_build(&obj, 1, &t);
	lsk_loader_compile(t, &l);
	lsk_loader_desc(t, l, &d);
	ours = bench_lskel(&d);
	direct = bench_direct(t);
	lib = bench_libbpf(path);
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
		double ours, direct, lib;
		char name[64];
		const char *base = strrchr(paths[i], '/');

		snprintf(name, sizeof(name), "%s", base ? base + 1 : paths[i]);
		name[strcspn(name, ".")] = '\0';
		lib = bench_libbpf(paths[i]);
		if (lib < 0) {	/* libbpf cannot load it here: nothing to compare */
			skipped++;
			continue;
		}
		if (lsk_obj_open(paths[i], &obj) || lsk_trace_build(&obj, 1, &t) ||
		    lsk_loader_compile(t, &l) || lsk_loader_desc(t, l, &d)) {
			printf("%-22s lskel cannot generate it: %s\n", name, lsk_errmsg());
			goto next;
		}
		ours = bench_lskel(&d);
		direct = bench_direct(t);
		lsk_loader_desc_free(&d);
		if (ours < 0 || direct < 0) {
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
	return 0;
}
