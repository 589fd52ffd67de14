// SPDX-License-Identifier: BSD-2-Clause
/* `lskel dispatcher`: the root program of a dispatcher spec written as a BPF object (or its
 * C source), checked against the component objects when they are given. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include "cli.h"
#include "dispatch.h"
#include "link_objs.h"
#include "safe_io.h"

static void usage_dispatcher(FILE *f)
{
	fprintf(f,
		"usage: lskel dispatcher [--mode M] [--emit-c] -o OUT SPEC [OBJ...]\n"
		"\n"
		"Generates the root program of a dispatcher spec as a BPF object (compiled with\n"
		"$LSKEL_CLANG, default clang), or its C source with --emit-c. With the component\n"
		"objects given, checks that the spec names them. Load it with the components:\n"
		"'lskel gen --dispatcher SPEC OBJ...' does both in one step.\n"
		"\n"
		"spec (one directive per line, '#' comments):\n"
		"  hook xdp|tc                   first line\n"
		"  mode static|tailcall|freplace default static\n"
		"  root NAME                     root object and program name (dispatcher)\n"
		"  end VERDICT                   when every component continued (XDP_PASS,\n"
		"                                TC_ACT_OK)\n"
		"  component OBJ:PROG            components in order, each followed by rules:\n"
		"    on CODE continue|stop|return VERDICT\n"
		"    default continue|stop|return VERDICT   (default: continue)\n"
		"  'stop' returns the component's own code; VERDICT is a verdict of the hook\n"
		"  (XDP_ABORTED..XDP_REDIRECT, TC_ACT_UNSPEC..TC_ACT_REDIRECT) or its number.\n");
}

/* The spec checked against the component objects @paths. */
static int check_components(const struct lsk_dispatch *d, char **paths, int n)
{
	struct lsk_obj **objs = NULL;
	int i, err = cli_check_inputs(paths, n, "object");

	err = err ?: lsk_open_linked(paths, n, NULL, &objs);
	err = err ?: lsk_disp_check(d, objs, n);
	for (i = 0; objs && i < n; i++)
		lsk_obj_free(objs[i]);
	free(objs);
	return err;
}

int cmd_dispatcher(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "mode", required_argument, NULL, 'm' },
		{ "emit-c", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *out = NULL, *mode = NULL;
	struct lsk_dispatch *d = NULL;
	struct lsk_out o = {};
	bool emit_c = false;
	int c, err, rc = 0;

	while ((c = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (cli_opt_once("--output", optarg, &out))
				return cli_fail();
			break;
		case 'm':
			if (cli_opt_once("--mode", optarg, &mode))
				return cli_fail();
			break;
		case 'c': emit_c = true; break;
		case 'h': usage_dispatcher(stdout); return 0;
		default: usage_dispatcher(stderr); return 2;
		}
	}
	if (!out || optind >= argc) {
		usage_dispatcher(stderr);
		return 2;
	}
	err = cli_check_output(out, (const char *const *)argv + optind, argc - optind);
	err = err ?: cli_read_spec(argv[optind], mode, &d);
	if (!err && argc - optind > 1)
		err = check_components(d, argv + optind + 1, argc - optind - 1);
	err = err ?: lsk_out_open(&o, out);
	if (!err && emit_c) {
		err = lsk_disp_emit_c(d, o.f);
	} else if (!err) {
		lsk_out_by_name(&o);
		err = lsk_disp_build(d, o.tmp);
	}
	err = err ?: lsk_out_commit(&o);
	if (err) {
		lsk_out_abort(&o);
		rc = cli_fail();
	}
	lsk_disp_free(d);
	return rc;
}
