// SPDX-License-Identifier: BSD-2-Clause
/* The lskel command line. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "compile.h"
#include "dump.h"
#include "emit_skel.h"
#include "err.h"
#include "exec_direct.h"
#include "obj.h"
#include "trace.h"

#define LSKEL_VERSION "0.1.0"

static void usage_main(FILE *f)
{
	fprintf(f,
		"usage: lskel VERB [OPTIONS] OBJ...\n"
		"\n"
		"Turns compiled BPF ELF objects into a recorded trace of bpf() operations.\n"
		"\n"
		"verbs:\n"
		"  gen    generate a light skeleton NAME.lskel.h (loader program + data blob)\n"
		"  dump   print the object model and the recorded trace\n"
		"  exec   replay the trace with bpf() from user space and list what was created\n"
		"  help   this text; 'lskel VERB --help' describes one verb\n"
		"  version\n");
}

static void usage_dump(FILE *f)
{
	fprintf(f,
		"usage: lskel dump [--objects|--trace|--loader] OBJ...\n"
		"\n"
		"Prints, for every object, its maps, programs (with the references left for load\n"
		"time) and externs, then the trace of all objects: one line per operation with\n"
		"its attr fields, and below it each fixup, e.g. 'attr.btf_fd <- fd(op 0)'.\n"
		"Reads no kernel state; output is stable for golden files.\n"
		"\n"
		"  --objects   only the object model\n"
		"  --trace     only the trace\n"
		"  --loader    the compiled loader: blob layout, step table and disassembly\n");
}

static void usage_gen(FILE *f)
{
	fprintf(f,
		"usage: lskel gen [-n NAME] [-o FILE] OBJ\n"
		"\n"
		"Writes a light skeleton: a C/C++ header that embeds one loader program (a small\n"
		"interpreter, BPF_PROG_TYPE_SYSCALL) and its data blob, and needs only\n"
		"<lskel/runtime.h> (libc + kernel UAPI) at build and run time. API as bpftool's\n"
		"'gen skeleton -L': NAME__open, __load, __open_and_load, __attach, __detach,\n"
		"__destroy, skel->maps.M.map_fd, skel->progs.P.prog_fd, skel->links.P_fd, typed\n"
		"skel->bss/data/rodata (writable between open and load).\n"
		"\n"
		"  -n, --name NAME   skeleton name (default: the object's name)\n"
		"  -o, --output FILE write there instead of stdout\n");
}

static void usage_exec(FILE *f)
{
	fprintf(f,
		"usage: lskel exec [--fail-at N] [--kconfig FILE] OBJ...\n"
		"\n"
		"Loads the objects by replaying their trace with bpf() from user space (the\n"
		"reference executor), prints every map and program created with its kernel id,\n"
		"then closes them all. On failure prints the failing operation, the object and\n"
		"program or map it belongs to, the errno and the verifier log, and exits 1;\n"
		"nothing stays loaded.\n"
		"\n"
		"  --fail-at N     inject a failure at operation N (testing cleanup)\n"
		"  --kconfig FILE  kernel config for .kconfig externs (default /proc/config.gz)\n");
}

static int open_all(int argc, char **argv, struct lsk_obj ***objsp)
{
	struct lsk_obj **objs = calloc(argc + 1, sizeof(*objs));
	int i, err;

	if (!objs)
		return -ENOMEM;
	for (i = 0; i < argc; i++) {
		err = lsk_obj_open(argv[i], &objs[i]);
		if (err) {
			while (i--)
				lsk_obj_free(objs[i]);
			free(objs);
			return err;
		}
	}
	*objsp = objs;
	return 0;
}

static void free_all(struct lsk_obj **objs, int n)
{
	int i;

	for (i = 0; i < n; i++)
		lsk_obj_free(objs[i]);
	free(objs);
}

static int cmd_dump(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "objects", no_argument, NULL, 'o' },
		{ "trace", no_argument, NULL, 't' },
		{ "loader", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	bool objects = true, trace = true, loader = false;
	struct lsk_obj **objs;
	struct lsk_trace *t;
	int c, i, err;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'o': trace = false; break;
		case 't': objects = false; break;
		case 'l': objects = trace = false; loader = true; break;
		case 'h': usage_dump(stdout); return 0;
		default: usage_dump(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage_dump(stderr);
		return 2;
	}
	err = open_all(argc - optind, argv + optind, &objs);
	if (err) {
		fprintf(stderr, "lskel: %s\n", lsk_errmsg());
		return 1;
	}
	if (objects)
		for (i = 0; i < argc - optind; i++)
			lsk_dump_obj(stdout, objs[i]);
	if (trace || loader) {
		struct lsk_loader *l = NULL;

		err = lsk_trace_build(objs, argc - optind, &t);
		if (!err && loader)
			err = lsk_loader_compile(t, &l);
		if (err) {
			fprintf(stderr, "lskel: %s\n", lsk_errmsg());
			lsk_trace_free(t);
			free_all(objs, argc - optind);
			return 1;
		}
		if (trace)
			lsk_dump_trace(stdout, t);
		if (loader)
			lsk_dump_loader(stdout, t, l);
		lsk_loader_free(l);
		lsk_trace_free(t);
	}
	free_all(objs, argc - optind);
	return 0;
}

static void print_created(const struct lsk_trace *t, const int *fds)
{
	size_t i, j;

	for (i = 0; i < t->nr_objs; i++) {
		const struct lsk_trace_obj *to = &t->objs[i];

		printf("object %s:\n", to->obj->name);
		for (j = 0; j < to->obj->nr_maps; j++) {
			struct bpf_map_info info = {};
			__u32 len = sizeof(info);

			bpf_obj_get_info_by_fd(fds[to->map_op[j]], &info, &len);
			printf("  map  %-24s id %-6u %s key %u value %u max_entries %u\n",
			       to->obj->maps[j].name, info.id, info.name, info.key_size,
			       info.value_size, info.max_entries);
		}
		for (j = 0; j < to->obj->nr_progs; j++) {
			struct bpf_prog_info info = {};
			__u32 len = sizeof(info);

			if (to->prog_op[j] < 0)
				continue;
			bpf_obj_get_info_by_fd(fds[to->prog_op[j]], &info, &len);
			printf("  prog %-24s id %-6u %s, %u xlated bytes\n", to->obj->progs[j].name,
			       info.id, to->obj->progs[j].sec_name, info.xlated_prog_len);
		}
	}
}

static int cmd_exec(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "fail-at", required_argument, NULL, 'f' },
		{ "kconfig", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	static char log[1 << 20];
	struct lsk_exec_opts opts = { .fail_at = -1, .log_buf = log, .log_size = sizeof(log) };
	struct lsk_exec_error e;
	struct lsk_obj **objs;
	struct lsk_trace *t;
	int c, err, *fds;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'f': opts.fail_at = atoi(optarg); break;
		case 'k': opts.kconfig_path = optarg; break;
		case 'h': usage_exec(stdout); return 0;
		default: usage_exec(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage_exec(stderr);
		return 2;
	}
	err = open_all(argc - optind, argv + optind, &objs);
	if (err) {
		fprintf(stderr, "lskel: %s\n", lsk_errmsg());
		return 1;
	}
	err = lsk_trace_build(objs, argc - optind, &t);
	if (err) {
		fprintf(stderr, "lskel: %s\n", lsk_errmsg());
		free_all(objs, argc - optind);
		return 1;
	}
	err = lsk_exec_direct(t, &opts, &fds, &e);
	if (err) {
		fprintf(stderr, "lskel: %s\n", lsk_errmsg());
		if (log[0]) {
			size_t len = strlen(log);
			const char *tail = log;

			/* the cause is at the end; BTF logs list every type before it */
			if (len > 8192) {
				tail = strchr(log + len - 8192, '\n');
				tail = tail ? tail + 1 : log + len - 8192;
				fprintf(stderr, "verifier log (last 8 KiB of %zu bytes):\n", len);
			} else {
				fprintf(stderr, "verifier log:\n");
			}
			fprintf(stderr, "%s\n", tail);
		}
	} else {
		printf("loaded %zu operations\n", t->nr_ops);
		print_created(t, fds);
		lsk_exec_close(t, fds);
	}
	lsk_trace_free(t);
	free_all(objs, argc - optind);
	return err ? 1 : 0;
}

static int cmd_gen(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *name = NULL, *out = NULL;
	struct lsk_loader *l = NULL;
	struct lsk_trace *t = NULL;
	struct lsk_obj **objs;
	FILE *f = stdout;
	int c, err, n;

	while ((c = getopt_long(argc, argv, "n:o:h", lo, NULL)) != -1) {
		switch (c) {
		case 'n': name = optarg; break;
		case 'o': out = optarg; break;
		case 'h': usage_gen(stdout); return 0;
		default: usage_gen(stderr); return 2;
		}
	}
	n = argc - optind;
	if (n < 1) {
		usage_gen(stderr);
		return 2;
	}
	err = open_all(n, argv + optind, &objs);
	if (err) {
		fprintf(stderr, "lskel: %s\n", lsk_errmsg());
		return 1;
	}
	if (!name)
		name = objs[0]->name;
	err = lsk_trace_build(objs, n, &t);
	err = err ?: lsk_loader_compile(t, &l);
	if (!err && out) {
		f = fopen(out, "w");
		if (!f)
			err = lsk_err(errno, "%s: %s", out, strerror(errno));
	}
	if (!err)
		err = lsk_emit_skel(f, name, t, l);
	if (f && f != stdout && fclose(f) && !err)
		err = lsk_err(EIO, "%s: write failed", out);
	if (err) {
		fprintf(stderr, "lskel: %s\n", lsk_errmsg());
		if (out)
			unlink(out);
	}
	lsk_loader_free(l);
	lsk_trace_free(t);
	free_all(objs, n);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage_main(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage_main(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("lskel %s\n", LSKEL_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "dump"))
		return cmd_dump(argc - 1, argv + 1);
	if (!strcmp(argv[1], "gen"))
		return cmd_gen(argc - 1, argv + 1);
	if (!strcmp(argv[1], "exec"))
		return cmd_exec(argc - 1, argv + 1);
	fprintf(stderr, "lskel: unknown verb '%s'\n", argv[1]);
	usage_main(stderr);
	return 2;
}
