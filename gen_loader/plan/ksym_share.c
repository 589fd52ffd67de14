// SPDX-License-Identifier: BSD-2-Clause
/* Counting the typed ksym / kfunc references of a load so each symbol is resolved once and
 * its module BTF fd (if any) closed once (see ksym_share.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/btf.h>
#include "ksym_share.h"
#include "obj.h"
#include "err.h"

struct lsk_ksym_use *lsk_ksym_share_find(struct lsk_ksym_share *s, const char *name, __u32 kind)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->u[i].kind == kind && !strcmp(s->u[i].name, name))
			return &s->u[i];
	return NULL;
}

static int count(struct lsk_ksym_share *s, const struct lsk_extern *e)
{
	__u32 kind = e->is_func ? BTF_KIND_FUNC : BTF_KIND_VAR;
	struct lsk_ksym_use *u = lsk_ksym_share_find(s, e->name, kind), *nu;

	if (!u) {
		nu = realloc(s->u, (s->n + 1) * sizeof(*nu));
		if (!nu)
			return lsk_err(ENOMEM, "out of memory counting ksym references");
		s->u = nu;
		u = &nu[s->n++];
		memset(u, 0, sizeof(*u));
		u->name = e->name;
		u->kind = kind;
		u->op = -1;
		u->weak = true;
	}
	u->left++;
	u->weak &= e->is_weak;
	return 0;
}

int lsk_ksym_share_init(struct lsk_ksym_share *s, struct lsk_obj **objs, size_t nr)
{
	size_t o, i, r;
	int err;

	memset(s, 0, sizeof(*s));
	for (o = 0; o < nr; o++) {
		for (i = 0; i < objs[o]->nr_progs; i++) {
			const struct lsk_prog *p = &objs[o]->progs[i];

			if (!lsk_prog_is_entry(p) || p->optional)
				continue;	/* SEC("?...") programs resolve their own */
			for (r = 0; r < p->nr_refs; r++) {
				if (p->refs[r].kind != LSK_REF_KSYM_BTF &&
				    p->refs[r].kind != LSK_REF_KFUNC)
					continue;
				err = count(s, &objs[p->refs[r].obj >= 0 ? (size_t)p->refs[r].obj :
							o]->externs[p->refs[r].idx]);
				if (err) {
					lsk_ksym_share_free(s);
					return err;
				}
			}
		}
	}
	return 0;
}

void lsk_ksym_share_free(struct lsk_ksym_share *s)
{
	free(s->u);
	memset(s, 0, sizeof(*s));
}
