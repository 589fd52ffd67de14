// SPDX-License-Identifier: BSD-2-Clause
/* Running a load plan: objects opened (the dispatcher's load set, or the objects given with
 * their extern functions linked and --dynamic ones composed), then the named steps up to the
 * trace: retype 'replace'd programs, resolve the chain, build the trace (plan_open.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "chain.h"
#include "dispatch.h"
#include "err.h"
#include "link_objs.h"
#include "plan_open.h"

void lsk_objs_quotable_names(struct lsk_obj **objs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char *s;

		for (s = objs[i]->name; *s; s++)
			if (*s == '"' || *s == '\\' || *s == '?' || (unsigned char)*s < 0x20 ||
			    *s == 0x7f)
				*s = '_';
	}
}

/* Does --dynamic @want name object file @path (object name, or the path as given)? */
static bool names_path(const char *want, const char *path)
{
	const char *b = strrchr(path, '/');
	size_t len = strlen(want);

	b = b ? b + 1 : path;
	return !strcmp(path, want) || (!strncmp(b, want, len) && (!b[len] || b[len] == '.'));
}

/* Per object of the plan: named by --dynamic. NULL when none is. */
static int dynamic_flags(const struct lsk_plan *p, bool **out)
{
	bool *d;
	size_t i, k;

	*out = NULL;
	if (!p->nr_dynamic)
		return 0;
	d = calloc(p->nr_paths + 1, sizeof(*d));
	if (!d)
		return lsk_err(ENOMEM, "out of memory");
	for (k = 0; k < p->nr_dynamic; k++) {
		bool found = false;

		for (i = 0; i < p->nr_paths; i++)
			if (names_path(p->dynamic[k], p->paths[i]))
				d[i] = found = true;
		if (!found) {
			free(d);
			return lsk_err(ENOENT, "--dynamic %s: no such object among the objects given",
				       p->dynamic[k]);
		}
	}
	*out = d;
	return 0;
}

int lsk_plan_open_objs(const struct lsk_plan *p, struct lsk_load *l)
{
	bool *dyn = NULL;
	int err;

	memset(l, 0, sizeof(*l));
	if (p->disp) {
		if (p->nr_dynamic)
			return lsk_err(EINVAL, "--dynamic and --dispatcher do not go together");
		err = lsk_disp_open(p->disp, p->paths, p->nr_paths, &l->objs);
		l->n = err ? 0 : p->nr_paths + 1;	/* the root, first */
	} else {
		err = dynamic_flags(p, &dyn);
		err = err ?: lsk_open_linked(p->paths, p->nr_paths, dyn, &l->objs);
		l->n = err ? 0 : p->nr_paths;
		free(dyn);
	}
	if (err)
		return err;
	lsk_objs_quotable_names(l->objs, l->n);
	return 0;
}

int lsk_plan_trace(const struct lsk_plan *p, struct lsk_load *l)
{
	struct lsk_chain *c = NULL;
	int err;

	err = lsk_plan_retype_replaced(p, l->objs, l->n);
	err = err ?: lsk_chain_resolve(l->objs, l->n, p, &c);
	err = err ?: lsk_trace_build_chain(l->objs, l->n, c, &l->trace);
	lsk_chain_free(c);
	return err;
}

int lsk_plan_open(const struct lsk_plan *p, struct lsk_load *l)
{
	int err = lsk_plan_open_objs(p, l);

	err = err ?: lsk_plan_trace(p, l);
	if (err)
		lsk_load_free(l);
	return err;
}

void lsk_load_free(struct lsk_load *l)
{
	size_t i;

	lsk_trace_free(l->trace);
	for (i = 0; l->objs && i < l->n; i++)
		lsk_obj_free(l->objs[i]);
	free(l->objs);
	memset(l, 0, sizeof(*l));
}
