// SPDX-License-Identifier: BSD-2-Clause
/* `lskel dump`: the object model, the recorded trace and the compiled loader of a load
 * plan, printed for reading and for golden files (no kernel state read). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "compile.h"
#include "dispatch.h"
#include "dump.h"
#include "plan_open.h"

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
		"  --loader    the compiled loader: blob layout, step table and disassembly\n"
		"\n" CHAIN_HELP);
}

/* What to print: the object model, the trace, the loader. */
struct dump_what {
	bool objects, trace, loader;
};

/* The options into @cp and @w: 0 to go on, -1 when --help was answered (exit 0), or the
 * exit status of a usage error or bad option. */
static int parse_dump(int argc, char **argv, struct cli_plan *cp, struct dump_what *w)
{
	static const struct option lo[] = {
		{ "objects", no_argument, NULL, 'o' },
		{ "trace", no_argument, NULL, 't' },
		{ "loader", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		CHAIN_LONG_OPTS,
		{}
	};
	const char *only = NULL, *name;
	int c;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		name = c == 'o' ? "objects" : c == 't' ? "trace" : c == 'l' ? "loader" : NULL;
		if (name && only && strcmp(only, name)) {	/* each one turns the others off */
			fprintf(stderr, "lskel: --%s and --%s: give one of --objects, --trace and "
				"--loader (none: objects and trace)\n", only, name);
			return 2;
		}
		only = name ?: only;
		switch (c) {
		case 'o': w->trace = false; break;
		case 't': w->objects = false; break;
		case 'l': w->objects = w->trace = false; w->loader = true; break;
		case 'h': usage_dump(stdout); return -1;
		case CLI_CHAIN_FIRST ... CLI_CHAIN_LAST:
			if (cli_chain_opt(cp, c, optarg))
				return cli_fail();
			break;
		default: usage_dump(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage_dump(stderr);
		return 2;
	}
	return 0;
}

int cmd_dump(int argc, char **argv)
{
	struct dump_what w = { .objects = true, .trace = true };
	struct cli_plan cp = {};
	struct lsk_loader *l = NULL;
	struct lsk_load ld = {};
	size_t i;
	int rc, err;

	rc = parse_dump(argc, argv, &cp, &w);
	if (rc)
		goto out;
	err = cli_plan_finish(&cp, argv + optind, argc - optind);
	err = err ?: lsk_plan_open_objs(&cp.plan, &ld);
	if (!err && cp.disp && w.objects)
		lsk_disp_dump(cp.disp, stdout);
	for (i = 0; !err && w.objects && i < ld.n; i++)
		lsk_dump_obj_in(stdout, (const struct lsk_obj *const *)ld.objs, i);
	if (!err && (w.trace || w.loader))
		err = lsk_plan_trace(&cp.plan, &ld);
	if (!err && w.loader)
		err = lsk_loader_compile(ld.trace, &l);
	if (!err && w.trace)
		lsk_dump_trace(stdout, ld.trace);
	if (!err && w.loader)
		lsk_dump_loader(stdout, ld.trace, l);
	rc = err ? cli_fail() : 0;
out:
	lsk_loader_free(l);
	lsk_load_free(&ld);
	cli_plan_free(&cp);
	return rc < 0 ? 0 : rc;
}
