// SPDX-License-Identifier: BSD-2-Clause
/* `lskel gen`: a load plan made into a light skeleton header, a NAME.lskel container
 * (--format blob), optionally signed; or a library's subskeleton (--subskeleton). */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "compile.h"
#include "emit_blob.h"
#include "emit_skel.h"
#include "emit_subskel.h"
#include "err.h"
#include "plan_open.h"
#include "safe_io.h"

static void usage_gen(FILE *f)
{
	fprintf(f,
		"usage: lskel gen [-n NAME] [-o FILE] [CHAIN OPTIONS] OBJ...\n"
		"       lskel gen skeleton [-L] OBJ [name NAME]   (bpftool's syntax, to stdout)\n"
		"       lskel gen subskeleton OBJ [name NAME]\n"
		"\n"
		"Writes a light skeleton: a C/C++ header that embeds one loader program (a small\n"
		"interpreter, BPF_PROG_TYPE_SYSCALL) and its data blob, and needs only\n"
		"<lskel/runtime.h> (libc + kernel UAPI) at build and run time. API as bpftool's\n"
		"'gen skeleton -L': NAME__open, __load, __open_and_load, __attach, __detach,\n"
		"__destroy, skel->maps.M.map_fd, skel->progs.P.prog_fd, skel->links.P_fd, typed\n"
		"skel->bss/data/rodata (writable between open and load).\n"
		"\n"
		"  -n, --name NAME   skeleton name (default: the object's name)\n"
		"  -o, --output FILE write there instead of stdout\n"
		"  -f, --format F    'skeleton' (default) or 'blob': the NAME.lskel container file\n"
		"                    that lskel-run loads\n"
		"  --subskeleton     NAME.subskel.h for a BPF library object: NAME__open(skel->obj)\n"
		"                    on the skeleton of any object the library was linked into\n"
		"                    gives typed pointers to the library's variables, its maps and\n"
		"                    programs, found by name and checked (size, type) at open\n"
		"  --sign --key KEY.pem --cert CERT.pem\n"
		"                    a signed loader: it checks the SHA-256 of its blob before any\n"
		"                    other step, the blob's map is exclusive to it (excl_prog_hash),\n"
		"                    and a detached PKCS#7 over its instructions (RSA, reproducible)\n"
		"                    is embedded for the kernel to check at load (keyring: the\n"
		"                    session keyring, or ctx.keyring_id)\n"
		"\n"
		"Several objects make one loader; the skeleton then has one member per object:\n"
		"skel->OBJ.maps.M, skel->OBJ.progs.P, skel->OBJ.links.P_fd, skel->OBJ.bss, ...\n"
		"\n" CHAIN_HELP);
}

/* What gen writes, besides the plan. */
struct gen_args {
	const char *name, *out, *format;
	bool subskel;
	char defname[64];
};

/* The default skeleton name: the first object's, made a C identifier as bpftool makes it
 * (every character other than [A-Za-z0-9_] an '_', '_' before a leading digit). */
static void default_name(const char *obj, char *out, size_t n)
{
	size_t i = 0;

	if (isdigit((unsigned char)obj[0]) && n > 1)
		out[i++] = '_';
	for (; *obj && i + 1 < n; obj++)
		out[i++] = isalnum((unsigned char)*obj) ? *obj : '_';
	out[i] = '\0';
	if (!i && n > 1) {
		out[0] = '_';
		out[1] = '\0';
	}
}

/* The options into @cp and @g: 0 to go on, -1 when --help was answered (exit 0), or the
 * exit status of a usage error or bad option. */
static int parse_gen(int argc, char **argv, struct cli_plan *cp, struct gen_args *g)
{
	static const struct option lo[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "sign", no_argument, NULL, 's' },
		{ "subskeleton", no_argument, NULL, 'S' },
		{ "key", required_argument, NULL, 'k' },
		{ "cert", required_argument, NULL, 'c' },
		CHAIN_LONG_OPTS,
		{}
	};
	struct lsk_plan *p = &cp->plan;
	int c;

	while ((c = getopt_long(argc, argv, "n:o:f:h", lo, NULL)) != -1) {
		int err = 0;

		switch (c) {
		case 'f': err = cli_opt_once("--format", optarg, &g->format); break;
		case 's': p->sign = true; break;
		case 'S': g->subskel = true; break;
		case 'k': err = cli_opt_once("--key", optarg, &p->sign_key); break;
		case 'c': err = cli_opt_once("--cert", optarg, &p->sign_cert); break;
		case 'n': err = cli_opt_once("--name", optarg, &g->name); break;
		case 'o': err = cli_opt_once("--output", optarg, &g->out); break;
		case 'h': usage_gen(stdout); return -1;
		case CLI_CHAIN_FIRST ... CLI_CHAIN_LAST:
			if (cli_chain_opt(cp, c, optarg))
				return cli_fail();
			break;
		default: usage_gen(stderr); return 2;
		}
		if (err)
			return cli_fail();
	}
	if (!g->format)
		g->format = "skeleton";
	if (argc - optind < 1) {
		usage_gen(stderr);
		return 2;
	}
	if (p->sign != (p->sign_key || p->sign_cert) || (p->sign && !(p->sign_key &&
								       p->sign_cert))) {
		fprintf(stderr, "lskel: %s\n", p->sign ? "--sign needs --key KEY.pem and --cert "
			"CERT.pem" : "--key and --cert belong to --sign");
		return 2;
	}
	return 0;
}

/* --subskeleton: one library object, nothing else. */
static int gen_subskel(const struct cli_plan *cp, const struct gen_args *g,
		       const struct lsk_load *ld, struct lsk_out *o)
{
	if (ld->n != 1 || cp->plan.sign || cp->plan.nr_dirs || cp->plan.separate_maps ||
	    cp->spec || cp->plan.nr_dynamic || strcmp(g->format, "skeleton"))
		return lsk_err(EINVAL, "--subskeleton takes one library object and no chain, "
			       "signing or format options");
	return lsk_out_open(o, g->out) ?: lsk_emit_subskel(o->f, g->name, ld->objs[0]);
}

/* The loader compiled from the trace and written as a header or a container. */
static int gen_loader(const struct cli_plan *cp, const struct gen_args *g, struct lsk_load *ld,
		      struct lsk_out *o)
{
	struct lsk_sign_opts so = { cp->plan.sign_key, cp->plan.sign_cert };
	bool blob = !strcmp(g->format, "blob");
	struct lsk_loader *l = NULL;
	int err = 0;

	if (!blob && strcmp(g->format, "skeleton"))
		err = lsk_err(EINVAL, "--format %s: 'skeleton' or 'blob'", g->format);
	if (!err && blob && !g->out && isatty(1))
		err = lsk_err(EINVAL, "not writing a binary container to a terminal: use -o FILE");
	err = err ?: lsk_plan_trace(&cp->plan, ld);
	err = err ?: lsk_loader_compile_named(ld->trace, g->name, cp->plan.sign ? &so : NULL, &l);
	err = err ?: lsk_out_open(o, g->out);
	if (!err)
		err = blob ? lsk_emit_container(o->f, g->name, ld->trace, l) :
			     lsk_emit_skel(o->f, g->name, ld->trace, l);
	lsk_loader_free(l);
	return err;
}

int cmd_gen(int argc, char **argv)
{
	struct gen_args g = {};
	struct cli_plan cp = {};
	struct lsk_load ld = {};
	struct lsk_out o = {};
	int rc, err;

	if (argc > 1 && (!strcmp(argv[1], "skeleton") || !strcmp(argv[1], "subskeleton")))
		return cmd_gen_bpftool(argc - 1, argv + 1);
	rc = parse_gen(argc, argv, &cp, &g);
	if (rc)
		goto out;
	err = g.name ? cli_check_ident(g.name, "-n") : 0;
	err = err ?: cli_check_input(cp.plan.sign_key, "--key");
	err = err ?: cli_check_input(cp.plan.sign_cert, "--cert");
	err = err ?: cli_plan_finish(&cp, argv + optind, argc - optind);
	err = err ?: cli_plan_check_output(&cp, g.out);
	err = err ?: lsk_plan_open_objs(&cp.plan, &ld);
	if (!err && !g.name) {
		default_name(ld.objs[0]->name, g.defname, sizeof(g.defname));
		g.name = g.defname;
	}
	if (!err)
		err = g.subskel ? gen_subskel(&cp, &g, &ld, &o) : gen_loader(&cp, &g, &ld, &o);
	err = err ?: lsk_out_commit(&o);
	if (err) {
		rc = cli_fail();
		lsk_out_abort(&o);
	}
out:
	lsk_load_free(&ld);
	cli_plan_free(&cp);
	return rc < 0 ? 0 : rc;
}
