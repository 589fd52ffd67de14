// SPDX-License-Identifier: BSD-2-Clause
/* The lskel command line. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "chain.h"
#include "compile.h"
#include "dump.h"
#include "emit_blob.h"
#include "emit_skel.h"
#include "emit_subskel.h"
#include "err.h"
#include "exec_direct.h"
#include "obj.h"
#include "trace.h"
#include "verify.h"
#include "link_objs.h"
#include "dispatch.h"
#include "safe_io.h"

#define LSKEL_VERSION "0.1.0"

#define CHAIN_HELP \
	"chained loads (several objects, one loader):\n" \
	"  --chain FILE           manifest: lines 'slot [OBJ:]MAP N = OBJ:PROG|MAP',\n" \
	"                         'value [OBJ:]MAP KEY = NUMBER', 'target OBJ:PROG = OBJ:PROG',\n" \
	"                         'replace OBJ:PROG = OBJ:PROG:FUNC' (load an ordinary program\n" \
	"                         as freplace of FUNC, as libxdp fills its dispatcher),\n" \
	"                         'separate-maps'; '#' starts a comment\n" \
	"  --slot 'MAP N = OBJ:PROG', --value 'MAP KEY = N', --target 'A:P = B:Q',\n" \
	"  --replace 'A:P = B:Q:FUNC'\n" \
	"                         the same, one directive on the command line\n" \
	"  --separate-maps        keep same-named maps of different objects apart\n" \
	"  --dispatcher SPEC      generate a root program from a dispatcher spec (see\n" \
	"                         'lskel dispatcher --help') and load it with the objects\n" \
	"  --mode M               dispatcher mode: static, tailcall or freplace\n" \
	"  --dynamic OBJ          link OBJ's functions that others call dynamically: callers\n" \
	"                         get a placeholder, the function loads as freplace of it\n"


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
		"  verify check a signed skeleton or container against a certificate\n"
		"  link   link objects statically into one BPF ELF (extern functions resolved)\n"
		"  dispatcher  generate a dispatcher root object from a spec\n"
		"  help   this text; 'lskel VERB --help' describes one verb\n"
		"  version\n");
}

/* Every input named, checked before any is read: regular, readable, bounded in size. A path
 * with a control character or "*" "/" would break the header comment naming it. */
static int check_inputs(char *const *paths, int n, const char *what)
{
	int i, err;

	for (i = 0; i < n; i++) {
		const char *p;

		for (p = paths[i]; *p; p++)
			if ((unsigned char)*p < 0x20 || (p[0] == '*' && p[1] == '/'))
				return lsk_err(EINVAL, "%s %s: its path holds %s, which the "
					       "generated files cannot quote: rename it", what,
					       paths[i], *p == '*' ? "'*/'" : "a control character");
		err = lsk_check_input(paths[i], what);
		if (err)
			return err;
	}
	return 0;
}

static int check_input(const char *path, const char *what)
{
	return path ? check_inputs((char *const *)&path, 1, what) : 0;
}

/* An explicit skeleton name must be a C identifier: the first offending character named. */
static int check_ident(const char *name, const char *what)
{
	size_t i;

	if (!name[0])
		return lsk_err(EINVAL, "%s '': empty, not a C identifier", what);
	if (strlen(name) > 63)
		return lsk_err(EINVAL, "%s '%.64s...': longer than 63 characters", what, name);
	for (i = 0; name[i]; i++)
		if (!(isalnum((unsigned char)name[i]) || name[i] == '_') ||
		    (!i && isdigit((unsigned char)name[i])))
			return lsk_err(EINVAL, isprint((unsigned char)name[i]) ?
				       "%s '%s': character %zu '%c' is not allowed in a C identifier" :
				       "%s '%s': character %zu (byte 0x%02x) is not allowed in a C "
				       "identifier", what, name, i + 1,
				       isprint((unsigned char)name[i]) ? name[i] :
				       (unsigned char)name[i]);
	return 0;
}

/* Object names come from file names (q"x.bpf.o -> q"x) and go into C strings of the header
 * (member names are made identifiers by the emitter): a quote, backslash, '?' (trigraphs)
 * or control character becomes '_'; "xdp-dispatcher" stays as libxdp names it. */
static void quotable_names(struct lsk_obj **objs, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		char *s;

		for (s = objs[i]->name; *s; s++)
			if (*s == '"' || *s == '\\' || *s == '?' || (unsigned char)*s < 0x20 ||
			    *s == 0x7f)
				*s = '_';
	}
}

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

static void usage_link(FILE *f)
{
	fprintf(f,
		"usage: lskel link -o OUT.o OBJ...\n"
		"\n"
		"Links BPF objects statically (libbpf's linker) into one standard BPF ELF that\n"
		"libbpf, bpftool and lskel load: extern functions of one object resolve to the\n"
		"global functions another defines. Checked first, naming objects and function:\n"
		"a function defined twice, a declaration whose prototype differs from the\n"
		"definition (the first differing parameter). 'lskel gen/dump/exec' link callers\n"
		"with the objects that define their extern functions on their own.\n");
}

static int cmd_link(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *out = NULL;
	struct lsk_out o;
	int c, err;

	while ((c = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'h': usage_link(stdout); return 0;
		default: usage_link(stderr); return 2;
		}
	}
	if (!out || argc - optind < 1) {
		usage_link(stderr);
		return 2;
	}
	err = check_inputs(argv + optind, argc - optind, "object");
	err = err ?: lsk_link_check(argv + optind, argc - optind);
	err = err ?: lsk_out_open(&o, out);
	if (err) {
		fprintf(stderr, "lskel: %s\n", lsk_errmsg());
		return 1;
	}
	lsk_out_by_name(&o);
	err = lsk_link_files((const char *const *)argv + optind, argc - optind, o.tmp);
	err = err ?: lsk_out_commit(&o);
	if (err) {
		fprintf(stderr, "lskel: %s\n", lsk_errmsg());
		lsk_out_abort(&o);
		return 1;
	}
	return 0;
}

static void usage_verify(FILE *f)
{
	fprintf(f,
		"usage: lskel verify --cert CERT.pem FILE\n"
		"\n"
		"Checks a signed skeleton header (NAME.lskel.h) or container (NAME.lskel) offline:\n"
		"the PKCS#7 signature over the loader instructions against the certificate, the\n"
		"exclusive-map hash against those instructions, and the blob hash the loader\n"
		"checks against the blob shipped with it. Prints each; exits 0 when all match.\n");
}

static int cmd_verify(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "cert", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *cert = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "c:h", lo, NULL)) != -1) {
		switch (c) {
		case 'c': cert = optarg; break;
		case 'h': usage_verify(stdout); return 0;
		default: usage_verify(stderr); return 2;
		}
	}
	if (!cert || argc - optind != 1) {
		usage_verify(stderr);
		return 2;
	}
	if (check_input(cert, "certificate") || check_input(argv[optind], "file") ||
	    lsk_verify_file(argv[optind], cert, stdout)) {
		fprintf(stderr, "lskel: %s\n", lsk_errmsg());
		return 1;
	}
	return 0;
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
		"  --kconfig FILE  kernel config for .kconfig externs (default: as the runtime,\n"
		"                  $LSKEL_KCONFIG_PATH, /boot/config-$(uname -r), /proc/config.gz)\n"
		"\n" CHAIN_HELP);
}

static void free_all(struct lsk_obj **objs, int n)
{
	int i;

	for (i = 0; i < n; i++)
		lsk_obj_free(objs[i]);
	free(objs);
}

/* Chain options shared by gen, dump and exec: manifest lines from --chain FILE and from
 * --slot/--value/--target/--replace/--separate-maps. */
struct chain_args {
	char **lines;
	int *line_no;
	size_t n;
	const char *file;
	const char *spec, *mode;	/* --dispatcher, --mode */
	char **dynamic;			/* --dynamic OBJ, each */
	size_t nr_dynamic;
	struct lsk_dispatch *disp;
};

#define CHAIN_LONG_OPTS \
	{ "chain", required_argument, NULL, 1001 }, \
	{ "slot", required_argument, NULL, 1002 }, \
	{ "value", required_argument, NULL, 1003 }, \
	{ "target", required_argument, NULL, 1004 }, \
	{ "separate-maps", no_argument, NULL, 1005 }, \
	{ "replace", required_argument, NULL, 1006 }, \
	{ "dispatcher", required_argument, NULL, 1007 }, \
	{ "mode", required_argument, NULL, 1008 }, \
	{ "dynamic", required_argument, NULL, 1009 }

static int chain_add(struct chain_args *ca, const char *kw, const char *text, int line_no)
{
	char **nl = realloc(ca->lines, (ca->n + 1) * sizeof(*nl));
	int *nn = nl ? realloc(ca->line_no, (ca->n + 1) * sizeof(*nn)) : NULL;

	if (nl)
		ca->lines = nl;
	if (!nn)
		return -ENOMEM;
	ca->line_no = nn;
	if (asprintf(&ca->lines[ca->n], "%s%s%s", kw, kw[0] ? " " : "", text) < 0)
		return -ENOMEM;
	ca->line_no[ca->n++] = line_no;
	return 0;
}

static int chain_file(struct chain_args *ca, const char *path)
{
	char line[1024];
	int no = 0, err = check_input(path, "--chain file");
	FILE *f = err ? NULL : fopen(path, "r");

	if (err)
		return err;
	if (!f)
		return lsk_err(errno, "%s: %s", path, strerror(errno));
	ca->file = path;
	while (!err && fgets(line, sizeof(line), f)) {
		char *p = line, *hash = strchr(line, '#');

		no++;
		if (hash)
			*hash = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		p[strcspn(p, "\r\n")] = '\0';
		if (*p)
			err = chain_add(ca, "", p, no);
	}
	fclose(f);
	return err;
}

/* Handle a chain option; 1 if @c was one, 0 if not, negative on error. */
static int chain_opt(struct chain_args *ca, int c, const char *arg)
{
	switch (c) {
	case 1001: return chain_file(ca, arg) ?: 1;
	case 1002: return chain_add(ca, "slot", arg, 0) ?: 1;
	case 1003: return chain_add(ca, "value", arg, 0) ?: 1;
	case 1004: return chain_add(ca, "target", arg, 0) ?: 1;
	case 1005: return chain_add(ca, "separate-maps", "", 0) ?: 1;
	case 1006: return chain_add(ca, "replace", arg, 0) ?: 1;
	case 1007: ca->spec = arg; return 1;
	case 1008: ca->mode = arg; return 1;
	case 1009: {
		char **nd = realloc(ca->dynamic, (ca->nr_dynamic + 1) * sizeof(*nd));

		if (!nd)
			return -ENOMEM;
		ca->dynamic = nd;
		nd[ca->nr_dynamic++] = (char *)arg;
		return 1;
	}
	default: return 0;
	}
}

static int read_spec(struct chain_args *ca, struct lsk_dispatch **dp)
{
	int err = check_input(ca->spec, "dispatcher spec");

	*dp = NULL;
	if (err)
		return err;
	err = lsk_disp_parse(ca->spec, dp);

	if (!err && ca->mode && lsk_disp_mode_parse(ca->mode, &(*dp)->mode))
		err = lsk_err(EINVAL, "--mode %s: static, tailcall or freplace", ca->mode);
	if (err) {
		lsk_disp_free(*dp);
		*dp = NULL;
	}
	return err;
}

/* --dispatcher: the root built from the spec, loaded first, the spec's chain lines added. */
static int open_dispatcher(struct chain_args *ca, int *argc, char ***argv, struct lsk_obj ***objsp)
{
	char **lines = NULL;
	size_t i;
	int err;

	if (ca->nr_dynamic)
		return lsk_err(EINVAL, "--dynamic and --dispatcher do not go together");
	err = read_spec(ca, &ca->disp);
	err = err ?: lsk_disp_open(ca->disp, *argv, *argc, objsp, &lines);
	if (err)
		return err;
	for (i = 0; !err && lines[i]; i++)
		err = chain_add(ca, "", lines[i], 0);
	lsk_disp_lines_free(lines);
	if (err) {
		for (i = 0; i <= (size_t)*argc; i++)
			lsk_obj_free((*objsp)[i]);
		free(*objsp);
		return err;
	}
	*argc += 1;	/* the root, first */
	return 0;
}

/* Per object given: named by --dynamic (object name, or path as given). */
static int dynamic_flags(const struct chain_args *ca, int argc, char **argv, bool **out)
{
	bool *d;
	size_t k;
	int i;

	*out = NULL;
	if (!ca->nr_dynamic)
		return 0;
	d = calloc(argc + 1, sizeof(*d));
	if (!d)
		return lsk_err(ENOMEM, "out of memory");
	for (k = 0; k < ca->nr_dynamic; k++) {
		bool found = false;

		for (i = 0; i < argc; i++) {
			const char *b = strrchr(argv[i], '/');
			size_t len = strlen(ca->dynamic[k]);

			b = b ? b + 1 : argv[i];
			if (!strcmp(argv[i], ca->dynamic[k]) ||
			    (!strncmp(b, ca->dynamic[k], len) && (!b[len] || b[len] == '.'))) {
				d[i] = true;
				found = true;
			}
		}
		if (!found) {
			free(d);
			return lsk_err(ENOENT, "--dynamic %s: no such object among the objects given",
				       ca->dynamic[k]);
		}
	}
	*out = d;
	return 0;
}

/* Objects calling extern functions of other objects given are linked with them first. */
static int open_all(struct chain_args *ca, int *argc, char ***argv, struct lsk_obj ***objsp)
{
	int err = check_inputs(*argv, *argc, "object");
	bool *dyn;

	if (!err && ca->spec)
		err = open_dispatcher(ca, argc, argv, objsp);
	if (err || ca->spec) {
		if (!err)
			quotable_names(*objsp, *argc);
		return err;
	}

	if (ca->mode)
		return lsk_err(EINVAL, "--mode belongs to --dispatcher");
	err = dynamic_flags(ca, *argc, *argv, &dyn);
	err = err ?: lsk_open_linked(*argv, *argc, dyn, objsp);
	free(dyn);
	if (!err)
		quotable_names(*objsp, *argc);
	return err;
}

static int build_trace(struct chain_args *ca, struct lsk_obj **objs, int n, struct lsk_trace **tp)
{
	struct lsk_chain_opts o = { .lines = (const char *const *)ca->lines, .nr_lines = ca->n,
				    .origin = ca->file, .line_no = ca->line_no };
	struct lsk_chain *c;
	int err = lsk_chain_resolve(objs, n, &o, &c);

	if (err)
		return err;
	err = lsk_trace_build_chain(objs, n, c, tp);
	lsk_chain_free(c);
	return err;
}

static void chain_free(struct chain_args *ca)
{
	size_t i;

	free(ca->dynamic);
	lsk_disp_free(ca->disp);

	for (i = 0; i < ca->n; i++)
		free(ca->lines[i]);
	free(ca->lines);
	free(ca->line_no);
}

static int cmd_dump(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "objects", no_argument, NULL, 'o' },
		{ "trace", no_argument, NULL, 't' },
		{ "loader", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		CHAIN_LONG_OPTS,
		{}
	};
	struct chain_args ca = {};
	bool objects = true, trace = true, loader = false;
	struct lsk_obj **objs;
	struct lsk_trace *t = NULL;
	int c, i, err, n;
	char **av;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'o': trace = false; break;
		case 't': objects = false; break;
		case 'l': objects = trace = false; loader = true; break;
		case 'h': usage_dump(stdout); return 0;
		case 1001 ... 1009:
			if (chain_opt(&ca, c, optarg) < 0) {
				fprintf(stderr, "lskel: %s\n", lsk_errmsg());
				return 1;
			}
			break;
		default: usage_dump(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage_dump(stderr);
		return 2;
	}
	n = argc - optind;
	av = argv + optind;
	err = open_all(&ca, &n, &av, &objs);
	if (err) {
		fprintf(stderr, "lskel: %s\n", lsk_errmsg());
		chain_free(&ca);
		return 1;
	}
	if (ca.disp && objects)
		lsk_disp_dump(ca.disp, stdout);
	if (objects)
		for (i = 0; i < n; i++)
			lsk_dump_obj_in(stdout, (const struct lsk_obj *const *)objs, i);
	if (trace || loader) {
		struct lsk_loader *l = NULL;

		err = build_trace(&ca, objs, n, &t);
		if (!err && loader)
			err = lsk_loader_compile(t, &l);
		if (err) {
			fprintf(stderr, "lskel: %s\n", lsk_errmsg());
			lsk_trace_free(t);
			free_all(objs, n);
			chain_free(&ca);
			return 1;
		}
		if (trace)
			lsk_dump_trace(stdout, t);
		if (loader)
			lsk_dump_loader(stdout, t, l);
		lsk_loader_free(l);
		lsk_trace_free(t);
	}
	free_all(objs, n);
	chain_free(&ca);
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
		CHAIN_LONG_OPTS,
		{}
	};
	struct chain_args ca = {};
	static char log[1 << 20];
	struct lsk_exec_opts opts = { .fail_at = -1, .log_buf = log, .log_size = sizeof(log) };
	struct lsk_exec_error e;
	struct lsk_obj **objs;
	struct lsk_trace *t;
	int c, err, *fds, n;
	char **av;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'f': opts.fail_at = atoi(optarg); break;
		case 'k':
			if (check_input(optarg, "--kconfig file")) {
				fprintf(stderr, "lskel: %s\n", lsk_errmsg());
				return 1;
			}
			opts.kconfig_path = optarg;
			break;
		case 'h': usage_exec(stdout); return 0;
		case 1001 ... 1009:
			if (chain_opt(&ca, c, optarg) < 0) {
				fprintf(stderr, "lskel: %s\n", lsk_errmsg());
				return 1;
			}
			break;
		default: usage_exec(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage_exec(stderr);
		return 2;
	}
	n = argc - optind;
	av = argv + optind;
	err = open_all(&ca, &n, &av, &objs);
	if (err) {
		fprintf(stderr, "lskel: %s\n", lsk_errmsg());
		chain_free(&ca);
		return 1;
	}
	err = build_trace(&ca, objs, n, &t);
	if (err) {
		fprintf(stderr, "lskel: %s\n", lsk_errmsg());
		free_all(objs, n);
		chain_free(&ca);
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
	free_all(objs, n);
	chain_free(&ca);
	return err ? 1 : 0;
}

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

/* bpftool's command line: 'gen skeleton [-L] OBJ [name NAME]' and 'gen subskeleton OBJ
 * [name NAME]', to stdout, so a Makefile's $(BPFTOOL) can be lskel. lskel writes light
 * skeletons only: -L is accepted and implied. */
static int cmd_gen_bpftool(int argc, char **argv)
{
	bool sub = !strcmp(argv[0], "subskeleton");
	const char *file = NULL, *name = NULL;
	char defname[256];
	struct lsk_loader *l = NULL;
	struct lsk_trace *t = NULL;
	struct lsk_obj *obj = NULL;
	int i, err;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-L") || !strcmp(argv[i], "--use-loader"))
			continue;
		if (!strcmp(argv[i], "name") && i + 1 < argc && file) {
			name = argv[++i];
			continue;
		}
		if (file || argv[i][0] == '-') {
			fprintf(stderr, "usage: lskel gen %s [-L] FILE [name NAME]\n", argv[0]);
			return 2;
		}
		file = argv[i];
	}
	if (!file) {
		fprintf(stderr, "usage: lskel gen %s [-L] FILE [name NAME]\n", argv[0]);
		return 2;
	}
	if (!name) {
		bpftool_name(file, defname, sizeof(defname));
		name = defname;
	}
	err = check_input(file, "object");
	err = err ?: check_ident(name, "skeleton name");
	err = err ?: lsk_obj_open(file, &obj);
	if (!err)
		quotable_names(&obj, 1);
	if (!err && sub)
		err = lsk_emit_subskel(stdout, name, obj);
	if (!err && !sub) {
		err = lsk_trace_build(&obj, 1, &t);
		err = err ?: lsk_loader_compile(t, &l);
		err = err ?: lsk_emit_skel(stdout, name, t, l);
	}
	if (err)
		fprintf(stderr, "lskel: %s\n", lsk_errmsg());
	lsk_loader_free(l);
	lsk_trace_free(t);
	lsk_obj_free(obj);
	return err ? 1 : 0;
}

static int cmd_gen(int argc, char **argv)
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
	struct lsk_sign_opts so = {};
	bool sign = false, subskel = false;
	struct chain_args ca = {};
	const char *name = NULL, *out = NULL, *format = "skeleton";
	struct lsk_loader *l = NULL;
	struct lsk_trace *t = NULL;
	struct lsk_obj **objs;
	struct lsk_out o = {};
	char **av, defname[64];
	int c, err, n;

	if (argc > 1 && (!strcmp(argv[1], "skeleton") || !strcmp(argv[1], "subskeleton")))
		return cmd_gen_bpftool(argc - 1, argv + 1);
	while ((c = getopt_long(argc, argv, "n:o:f:h", lo, NULL)) != -1) {
		switch (c) {
		case 'f': format = optarg; break;
		case 's': sign = true; break;
		case 'S': subskel = true; break;
		case 'k': so.key_path = optarg; break;
		case 'c': so.cert_path = optarg; break;
		case 'n': name = optarg; break;
		case 'o': out = optarg; break;
		case 'h': usage_gen(stdout); return 0;
		case 1001 ... 1009:
			if (chain_opt(&ca, c, optarg) < 0) {
				fprintf(stderr, "lskel: %s\n", lsk_errmsg());
				return 1;
			}
			break;
		default: usage_gen(stderr); return 2;
		}
	}
	n = argc - optind;
	if (n < 1) {
		usage_gen(stderr);
		return 2;
	}
	if (sign != (so.key_path || so.cert_path) || (sign && !(so.key_path && so.cert_path))) {
		fprintf(stderr, "lskel: %s\n", sign ? "--sign needs --key KEY.pem and --cert CERT.pem" :
			"--key and --cert belong to --sign");
		return 2;
	}
	av = argv + optind;
	err = name ? check_ident(name, "-n") : 0;
	err = err ?: check_input(so.key_path, "--key");
	err = err ?: check_input(so.cert_path, "--cert");
	err = err ?: open_all(&ca, &n, &av, &objs);
	if (err) {
		fprintf(stderr, "lskel: %s\n", lsk_errmsg());
		chain_free(&ca);
		return 1;
	}
	if (!name) {
		default_name(objs[0]->name, defname, sizeof(defname));
		name = defname;
	}
	if (subskel) {
		if (n != 1 || sign || ca.n || strcmp(format, "skeleton"))
			err = lsk_err(EINVAL, "--subskeleton takes one library object and no chain, "
				      "signing or format options");
		err = err ?: lsk_out_open(&o, out);
		err = err ?: lsk_emit_subskel(o.f, name, objs[0]);
		goto done;
	}
	if (strcmp(format, "skeleton") && strcmp(format, "blob"))
		err = lsk_err(EINVAL, "--format %s: 'skeleton' or 'blob'", format);
	if (!err && !strcmp(format, "blob") && !out && isatty(1))
		err = lsk_err(EINVAL, "not writing a binary container to a terminal: use -o FILE");
	err = err ?: build_trace(&ca, objs, n, &t);
	err = err ?: lsk_loader_compile_named(t, name, sign ? &so : NULL, &l);
	err = err ?: lsk_out_open(&o, out);
	if (!err)
		err = !strcmp(format, "blob") ? lsk_emit_container(o.f, name, t, l) :
						lsk_emit_skel(o.f, name, t, l);
done:
	err = err ?: lsk_out_commit(&o);
	if (err) {
		fprintf(stderr, "lskel: %s\n", lsk_errmsg());
		lsk_out_abort(&o);
	}
	lsk_loader_free(l);
	lsk_trace_free(t);
	free_all(objs, n);
	chain_free(&ca);
	return err ? 1 : 0;
}

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

static int cmd_dispatcher(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "mode", required_argument, NULL, 'm' },
		{ "emit-c", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct chain_args ca = {};
	struct lsk_obj **objs = NULL;
	const char *out = NULL;
	struct lsk_out o = {};
	bool emit_c = false;
	int c, err, n = 0;

	while ((c = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'm': ca.mode = optarg; break;
		case 'c': emit_c = true; break;
		case 'h': usage_dispatcher(stdout); return 0;
		default: usage_dispatcher(stderr); return 2;
		}
	}
	if (!out || optind >= argc) {
		usage_dispatcher(stderr);
		return 2;
	}
	ca.spec = argv[optind++];
	n = argc - optind;
	err = read_spec(&ca, &ca.disp);
	if (!err && n) {
		err = check_inputs(argv + optind, n, "object");
		err = err ?: lsk_open_linked(argv + optind, n, NULL, &objs);
		err = err ?: lsk_disp_check(ca.disp, objs, n);
	}
	err = err ?: lsk_out_open(&o, out);
	if (!err && emit_c) {
		err = lsk_disp_emit_c(ca.disp, o.f);
	} else if (!err) {
		lsk_out_by_name(&o);
		err = lsk_disp_build(ca.disp, o.tmp);
	}
	err = err ?: lsk_out_commit(&o);
	if (err) {
		fprintf(stderr, "lskel: %s\n", lsk_errmsg());
		lsk_out_abort(&o);
	}
	if (objs)
		free_all(objs, n);
	chain_free(&ca);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	while (argc > 2 && (!strcmp(argv[1], "-L") || !strcmp(argv[1], "--use-loader"))) {
		argv++;		/* bpftool's global -L: light skeletons are all lskel makes */
		argc--;
	}
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
	if (!strcmp(argv[1], "verify"))
		return cmd_verify(argc - 1, argv + 1);
	if (!strcmp(argv[1], "link"))
		return cmd_link(argc - 1, argv + 1);
	if (!strcmp(argv[1], "dispatcher"))
		return cmd_dispatcher(argc - 1, argv + 1);
	fprintf(stderr, "lskel: unknown verb '%s'\n", argv[1]);
	usage_main(stderr);
	return 2;
}
