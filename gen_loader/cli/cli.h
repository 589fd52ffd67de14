/* SPDX-License-Identifier: BSD-2-Clause */
/* The lskel command line: one function per verb (cli_*.c), the main in lskel.c, and what the
 * verbs share: input checks and the chain options that build a load plan (cli_common.c). */
#ifndef LSK_CLI_H
#define LSK_CLI_H

#include <getopt.h>
#include <stdio.h>
#include "plan.h"

struct lsk_dispatch;

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

/* getopt_long values of the chain options, CLI_CHAIN_FIRST ... CLI_CHAIN_LAST */
enum cli_chain_opt_id {
	CLI_OPT_CHAIN = 1001,
	CLI_OPT_SLOT,
	CLI_OPT_VALUE,
	CLI_OPT_TARGET,
	CLI_OPT_SEPARATE_MAPS,
	CLI_OPT_REPLACE,
	CLI_OPT_DISPATCHER,
	CLI_OPT_MODE,
	CLI_OPT_DYNAMIC,
};
#define CLI_CHAIN_FIRST CLI_OPT_CHAIN
#define CLI_CHAIN_LAST CLI_OPT_DYNAMIC
#define CHAIN_LONG_OPTS \
	{ "chain", required_argument, NULL, CLI_OPT_CHAIN }, \
	{ "slot", required_argument, NULL, CLI_OPT_SLOT }, \
	{ "value", required_argument, NULL, CLI_OPT_VALUE }, \
	{ "target", required_argument, NULL, CLI_OPT_TARGET }, \
	{ "separate-maps", no_argument, NULL, CLI_OPT_SEPARATE_MAPS }, \
	{ "replace", required_argument, NULL, CLI_OPT_REPLACE }, \
	{ "dispatcher", required_argument, NULL, CLI_OPT_DISPATCHER }, \
	{ "mode", required_argument, NULL, CLI_OPT_MODE }, \
	{ "dynamic", required_argument, NULL, CLI_OPT_DYNAMIC }

/* The load plan the chain options of gen, dump and exec build. */
struct cli_plan {
	struct lsk_plan plan;
	const char *spec, *mode;	/* --dispatcher, --mode */
	struct lsk_dispatch *disp;	/* the spec read (plan.disp points here) */
	const char **chains;		/* the --chain files read, for cli_plan_check_output */
	int nr_chains;
};

/* Take chain option @c (CLI_CHAIN_FIRST..LAST) with @arg into @cp: 0 or a negative errno. */
int cli_chain_opt(struct cli_plan *cp, int c, const char *arg);
/* After the options: the objects @paths checked and put in the plan, the dispatcher spec
 * read (with --mode) and its directives added. */
int cli_plan_finish(struct cli_plan *cp, char **paths, int n);
void cli_plan_free(struct cli_plan *cp);
/* The dispatcher spec at @spec read, @mode (may be NULL) overriding its mode. */
int cli_read_spec(const char *spec, const char *mode, struct lsk_dispatch **dp);

/* Inputs named on the command line: regular, readable, bounded in size, and a path the
 * generated files can quote. @what names the role in messages. */
int cli_check_inputs(char *const *paths, int n, const char *what);
/* The same for one path; NULL is fine. */
int cli_check_input(const char *path, const char *what);
/* An explicit skeleton name is a C identifier: the first offending character named. */
int cli_check_ident(const char *name, const char *what);
/* The value @arg of option @opt ("--output") into *@slot: refused, naming both, when it is
 * empty, looks like an option (the value left out: "-o --name"), or *@slot is set already
 * (the option given twice). */
int cli_opt_once(const char *opt, const char *arg, const char **slot);
/* The value @arg of option @opt as a decimal number from 0 to @max: no sign, space, other
 * base or trailing character. */
int cli_opt_uint(const char *opt, const char *arg, unsigned long max, unsigned long *v);
/* Output @out (NULL: stdout) is none of the @n inputs @ins (NULL entries skipped): the same
 * file under any name is refused, so no input is written over. */
int cli_check_output(const char *out, const char *const *ins, int n);
/* The same against every file of the plan: objects, --chain files, spec, key, cert. */
int cli_plan_check_output(const struct cli_plan *cp, const char *out);
/* "lskel: MESSAGE" of the last error on stderr; returns 1 (the exit status). */
int cli_fail(void);

/* The verbs: argv[0] is the verb; the exit status is returned. */
int cmd_gen(int argc, char **argv);
int cmd_gen_bpftool(int argc, char **argv);	/* 'gen skeleton|subskeleton FILE' */
int cmd_dump(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_link(int argc, char **argv);
int cmd_dispatcher(int argc, char **argv);

#endif
