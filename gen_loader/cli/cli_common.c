// SPDX-License-Identifier: BSD-2-Clause
/* What the CLI's verbs share: checks of the inputs named on the command line and the chain
 * options (--chain, --slot, ..., --dispatcher, --mode, --dynamic) gathered into a load plan. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"
#include "dispatch.h"
#include "err.h"
#include "safe_io.h"

int cli_fail(void)
{
	fprintf(stderr, "lskel: %s\n", lsk_errmsg());
	return 1;
}

int cli_opt_once(const char *opt, const char *arg, const char **slot)
{
	if (*slot)
		return lsk_err(EINVAL, "%s given twice ('%s', then '%s'): give it once", opt, *slot,
			       arg);
	if (!arg[0])
		return lsk_err(EINVAL, "%s '': an empty value is not allowed", opt);
	if (arg[0] == '-' && !isdigit((unsigned char)arg[1]))
		return lsk_err(EINVAL, "%s '%s': an option where its value belongs (the value "
			       "left out?); a file whose name starts with '-' is written './%s'",
			       opt, arg, arg);
	*slot = arg;
	return 0;
}

int cli_opt_uint(const char *opt, const char *arg, unsigned long max, unsigned long *v)
{
	unsigned long n = 0;
	const char *p;

	for (p = arg; *p >= '0' && *p <= '9'; p++) {
		if (n > (max - (unsigned long)(*p - '0')) / 10)
			return lsk_err(ERANGE, "%s '%s': over %lu", opt, arg, max);
		n = n * 10 + (unsigned long)(*p - '0');
	}
	if (p == arg || *p)
		return lsk_err(EINVAL, "%s '%s': not a decimal number from 0 to %lu", opt, arg, max);
	*v = n;
	return 0;
}

int cli_check_output(const char *out, const char *const *ins, int n)
{
	struct stat so, si;
	int i;

	if (!out || stat(out, &so) || !S_ISREG(so.st_mode))
		return 0;	/* nothing there yet, or refused or written into by lsk_out_open */
	for (i = 0; i < n; i++)
		if (ins[i] && !stat(ins[i], &si) && si.st_dev == so.st_dev &&
		    si.st_ino == so.st_ino)
			return lsk_err(EINVAL, "output %s: is the input %s: not writing over an "
				       "input", out, ins[i]);
	return 0;
}

int cli_plan_check_output(const struct cli_plan *cp, const char *out)
{
	const struct lsk_plan *p = &cp->plan;
	const char **ins;
	int i, n = 0, err;

	ins = calloc(p->nr_paths + cp->nr_chains + 3, sizeof(*ins));
	if (!ins)
		return lsk_err(ENOMEM, "out of memory");
	for (i = 0; i < (int)p->nr_paths; i++)
		ins[n++] = p->paths[i];
	for (i = 0; i < cp->nr_chains; i++)
		ins[n++] = cp->chains[i];
	ins[n++] = cp->spec;
	ins[n++] = p->sign_key;
	ins[n++] = p->sign_cert;
	err = cli_check_output(out, ins, n);
	free(ins);
	return err;
}

/* A path with a control character or "*" "/" would break the header comment naming it. */
int cli_check_inputs(char *const *paths, int n, const char *what)
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

int cli_check_input(const char *path, const char *what)
{
	return path ? cli_check_inputs((char *const *)&path, 1, what) : 0;
}

int cli_check_ident(const char *name, const char *what)
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

/* One directive on the command line: '--slot TEXT' is the manifest line 'slot TEXT'. */
static int cli_directive(struct cli_plan *cp, const char *kw, const char *arg)
{
	char line[1100];

	if ((size_t)snprintf(line, sizeof(line), "%s %s", kw, arg) >= sizeof(line))
		return lsk_err(EINVAL, "--%s '%.64s...': longer than %zu characters", kw, arg,
			       sizeof(line) - 2);
	return lsk_plan_parse_line(&cp->plan, line, NULL, 0);
}

int cli_chain_opt(struct cli_plan *cp, int c, const char *arg)
{
	const char **nc;

	switch (c) {
	case CLI_OPT_CHAIN:
		nc = realloc(cp->chains, (cp->nr_chains + 1) * sizeof(*nc));
		if (!nc)
			return lsk_err(ENOMEM, "out of memory");
		cp->chains = nc;
		nc[cp->nr_chains++] = arg;
		return cli_check_input(arg, "--chain file") ?: lsk_plan_parse_file(&cp->plan, arg);
	case CLI_OPT_SLOT: return cli_directive(cp, "slot", arg);
	case CLI_OPT_VALUE: return cli_directive(cp, "value", arg);
	case CLI_OPT_TARGET: return cli_directive(cp, "target", arg);
	case CLI_OPT_SEPARATE_MAPS: cp->plan.separate_maps = true; return 0;
	case CLI_OPT_REPLACE: return cli_directive(cp, "replace", arg);
	case CLI_OPT_DISPATCHER: return cli_opt_once("--dispatcher", arg, &cp->spec);
	case CLI_OPT_MODE: return cli_opt_once("--mode", arg, &cp->mode);
	case CLI_OPT_DYNAMIC: return lsk_plan_add_dynamic(&cp->plan, (char *)arg);
	}
	return lsk_err(EINVAL, "option %d is no chain option", c);
}

int cli_read_spec(const char *spec, const char *mode, struct lsk_dispatch **dp)
{
	int err = cli_check_input(spec, "dispatcher spec");

	*dp = NULL;
	err = err ?: lsk_disp_parse(spec, dp);
	if (!err && mode && lsk_disp_mode_parse(mode, &(*dp)->mode))
		err = lsk_err(EINVAL, "--mode %s: static, tailcall or freplace", mode);
	if (err) {
		lsk_disp_free(*dp);
		*dp = NULL;
	}
	return err;
}

int cli_plan_finish(struct cli_plan *cp, char **paths, int n)
{
	int err = cli_check_inputs(paths, n, "object");

	cp->plan.paths = paths;
	cp->plan.nr_paths = n;
	if (err || !cp->spec)
		return err ?: cp->mode ? lsk_err(EINVAL, "--mode belongs to --dispatcher") : 0;
	err = cli_read_spec(cp->spec, cp->mode, &cp->disp);
	cp->plan.disp = cp->disp;
	return err ?: lsk_disp_plan(cp->disp, &cp->plan);
}

void cli_plan_free(struct cli_plan *cp)
{
	lsk_plan_free(&cp->plan);
	lsk_disp_free(cp->disp);
	cp->disp = NULL;
	free(cp->chains);
	cp->chains = NULL;
	cp->nr_chains = 0;
}
