// SPDX-License-Identifier: BSD-2-Clause
/* bpftool's command line for one object, so a Makefile's $(BPFTOOL) can be lskel:
 * 'gen skeleton [-L] OBJ [name NAME]' and 'gen subskeleton OBJ [name NAME]', to stdout.
 * lskel writes light skeletons only: -L is accepted and implied. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "compile.h"
#include "emit_skel.h"
#include "emit_subskel.h"
#include "obj.h"
#include "plan_open.h"
#include "trace.h"

/* bpftool's name for an object: file name without ".o", other than [A-Za-z0-9_] as '_'. */
static void bpftool_name(const char *path, char *out, size_t n)
{
	const char *b = strrchr(path, '/');
	size_t i, len;

	snprintf(out, n, "%s", b ? b + 1 : path);
	len = strlen(out);
	if (len > 2 && !strcmp(out + len - 2, ".o"))
		out[len - 2] = '\0';
	for (i = 0; out[i]; i++)
		if (!isalnum((unsigned char)out[i]) && out[i] != '_')
			out[i] = '_';
}

/* 'FILE [name NAME]' with -L anywhere: 0, or 2 (what is wrong and the usage printed). As
 * bpftool, 'name' given twice and an argument of neither kind are refused by name. */
static int parse_bpftool(int argc, char **argv, const char **file, const char **name)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-L") || !strcmp(a, "--use-loader"))
			continue;
		if (!strcmp(a, "name") && *file) {
			if (*name || i + 1 == argc) {
				fprintf(stderr, "lskel: gen %s: 'name' %s\n", argv[0], *name ?
					"given twice" : "without the NAME after it");
				break;
			}
			*name = argv[++i];
			continue;
		}
		if (a[0] == '-' || *file) {
			fprintf(stderr, "lskel: gen %s: %s '%s'\n", argv[0], a[0] == '-' ?
				"unknown option" : "unexpected argument", a);
			break;
		}
		*file = a;
	}
	if (i < argc || !*file) {
		fprintf(stderr, "usage: lskel gen %s [-L] FILE [name NAME]\n", argv[0]);
		return 2;
	}
	return 0;
}

int cmd_gen_bpftool(int argc, char **argv)
{
	bool sub = !strcmp(argv[0], "subskeleton");
	const char *file = NULL, *name = NULL;
	char defname[256];
	struct lsk_loader *l = NULL;
	struct lsk_trace *t = NULL;
	struct lsk_obj *obj = NULL;
	int err;

	if (parse_bpftool(argc, argv, &file, &name))
		return 2;
	if (!name) {
		bpftool_name(file, defname, sizeof(defname));
		name = defname;
	}
	err = cli_check_input(file, "object");
	err = err ?: cli_check_ident(name, "skeleton name");
	err = err ?: lsk_obj_open(file, &obj);
	if (!err)
		lsk_objs_quotable_names(&obj, 1);
	if (!err && sub)
		err = lsk_emit_subskel(stdout, name, obj);
	if (!err && !sub) {
		err = lsk_trace_build(&obj, 1, &t);
		err = err ?: lsk_loader_compile(t, &l);
		err = err ?: lsk_emit_skel(stdout, name, t, l);
	}
	lsk_loader_free(l);
	lsk_trace_free(t);
	lsk_obj_free(obj);
	return err ? cli_fail() : 0;
}
