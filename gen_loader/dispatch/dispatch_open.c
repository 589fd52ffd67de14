// SPDX-License-Identifier: BSD-2-Clause
/* A dispatcher spec's load set: the components opened and checked against the spec, the
 * root built and opened in front of them, calls composed; and the directives the load plan
 * needs for it (dispatch.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "compose.h"
#include "dispatch.h"
#include "link_objs.h"
#include "err.h"
#include "plan.h"
#include "safe_io.h"

static void free_objs(struct lsk_obj **objs, size_t n)
{
	size_t i;

	for (i = 0; objs && i < n; i++)
		lsk_obj_free(objs[i]);
	free(objs);
}

/* The root object of @d, built with clang in a private directory and read into memory; it
 * is named "ROOT.bpf.o", not by its temporary path, so the outputs naming it are the same on
 * every run. */
static int open_root(const struct lsk_dispatch *d, struct lsk_obj **rootp)
{
	const char *td = getenv("TMPDIR");
	char dir[4096], path[4200], name[80];
	void *buf = NULL;
	size_t size = 0;
	int err;

	snprintf(dir, sizeof(dir), "%s/lskel-dispatch-XXXXXX", td && td[0] ? td : "/tmp");
	if (!mkdtemp(dir))
		return lsk_err(errno, "%s: %s", dir, strerror(errno));
	snprintf(path, sizeof(path), "%s/%s.bpf.o", dir, d->root);
	snprintf(name, sizeof(name), "%s.bpf.o", d->root);
	err = lsk_disp_build(d, path);
	err = err ?: lsk_read_file(path, &buf, &size);
	err = err ?: lsk_obj_open_mem(name, buf, size, rootp);
	free(buf);
	unlink(path);
	rmdir(dir);
	return err;
}

int lsk_disp_open(const struct lsk_dispatch *d, char *const *paths, size_t n,
		  struct lsk_obj ***objsp)
{
	struct lsk_obj **comps = NULL, **all = NULL;
	size_t i;
	int err;

	err = lsk_open_linked(paths, n, NULL, &comps);
	err = err ?: lsk_disp_check(d, comps, n);
	for (i = 0; !err && i < n; i++)
		if (!strcmp(comps[i]->name, d->root))
			err = lsk_err(EINVAL, "%s: object '%s' has the root's name: set another with "
				      "'root NAME'", comps[i]->path, d->root);
	if (!err) {
		all = calloc(n + 2, sizeof(*all));
		err = all ? open_root(d, &all[0]) : lsk_err(ENOMEM, "out of memory");
	}
	if (!err) {
		memcpy(all + 1, comps, n * sizeof(*comps));
		free(comps);
		comps = NULL;
		err = lsk_compose_calls(all, n + 1, NULL);
	}
	if (err) {
		free_objs(comps, n);
		free_objs(all, all && all[0] ? n + 1 : 0);
		return err;
	}
	*objsp = all;
	return 0;
}

int lsk_disp_plan(const struct lsk_dispatch *d, struct lsk_plan *p)
{
	char func[96];
	size_t i;
	int err = 0;

	if (d->mode != LSK_MODE_FREPLACE)
		return 0;
	for (i = 0; !err && i < d->nr_comps; i++) {
		struct lsk_directive r = {
			.kind = LSK_DIR_REPLACE,
			.fr = {
				.prog = { (char *)d->comps[i].obj, (char *)d->comps[i].prog },
				/* the root object and its program share the name */
				.target = { (char *)d->root, (char *)d->root },
				.func = func,
			},
		};

		snprintf(func, sizeof(func), "%s_slot%zu", d->root, i);
		err = lsk_plan_add(p, &r);
	}
	return err;
}
