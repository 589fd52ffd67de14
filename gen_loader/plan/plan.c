// SPDX-License-Identifier: BSD-2-Clause
/* The load plan's own bookkeeping: directives appended as copies, references split, a
 * directive named for messages, everything freed (plan.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "err.h"
#include "plan.h"

static void ref_free(struct lsk_plan_ref *r)
{
	free(r->obj);
	free(r->name);
	r->obj = r->name = NULL;
}

void lsk_directive_release(struct lsk_directive *d)
{
	switch (d->kind) {
	case LSK_DIR_SLOT:
		ref_free(&d->slot.map);
		ref_free(&d->slot.to);
		break;
	case LSK_DIR_VALUE:
		ref_free(&d->value.map);
		break;
	case LSK_DIR_TARGET:
	case LSK_DIR_REPLACE:
		ref_free(&d->fr.prog);
		ref_free(&d->fr.target);
		free(d->fr.func);
		d->fr.func = NULL;
		break;
	}
	free(d->text);
	d->text = NULL;
}

void lsk_plan_free(struct lsk_plan *p)
{
	size_t i;

	for (i = 0; i < p->nr_dirs; i++)
		lsk_directive_release(&p->dirs[i]);
	free(p->dirs);
	free(p->dynamic);
	memset(p, 0, sizeof(*p));
}

/* *dst = a copy of @s (NULL stays NULL); false when out of memory. */
static bool dup_str(char **dst, const char *s)
{
	*dst = s ? strdup(s) : NULL;
	return !s || *dst;
}

static bool ref_copy(struct lsk_plan_ref *dst, const struct lsk_plan_ref *src)
{
	bool ok = dup_str(&dst->obj, src->obj);

	return dup_str(&dst->name, src->name) && ok;
}

int lsk_plan_add(struct lsk_plan *p, const struct lsk_directive *d)
{
	struct lsk_directive *nd, *c;
	bool ok;

	if (d->kind != LSK_DIR_SLOT && d->kind != LSK_DIR_VALUE && d->kind != LSK_DIR_TARGET &&
	    d->kind != LSK_DIR_REPLACE)
		return lsk_err(EINVAL, "directive kind %d is none of slot, value, target, replace",
			       d->kind);
	if (d->kind == LSK_DIR_REPLACE && !d->fr.func)
		return lsk_err(EINVAL, "a 'replace' directive names no function");
	if (d->kind == LSK_DIR_SLOT ? !d->slot.map.name || !d->slot.to.name :
	    d->kind == LSK_DIR_VALUE ? !d->value.map.name : !d->fr.prog.name || !d->fr.target.name)
		return lsk_err(EINVAL, "a directive without the name of its map or program");
	nd = realloc(p->dirs, (p->nr_dirs + 1) * sizeof(*nd));
	if (!nd)
		return lsk_err(ENOMEM, "out of memory");
	p->dirs = nd;
	c = &nd[p->nr_dirs];
	memset(c, 0, sizeof(*c));
	c->kind = d->kind;
	c->file = d->file;
	c->line = d->line;
	ok = dup_str(&c->text, d->text);
	switch (d->kind) {
	case LSK_DIR_SLOT:
		c->slot.index = d->slot.index;
		ok = ref_copy(&c->slot.map, &d->slot.map) && ok;
		ok = ref_copy(&c->slot.to, &d->slot.to) && ok;
		break;
	case LSK_DIR_VALUE:
		c->value.key = d->value.key;
		c->value.value = d->value.value;
		ok = ref_copy(&c->value.map, &d->value.map) && ok;
		break;
	case LSK_DIR_TARGET:
	case LSK_DIR_REPLACE:
		ok = ref_copy(&c->fr.prog, &d->fr.prog) && ok;
		ok = ref_copy(&c->fr.target, &d->fr.target) && ok;
		ok = dup_str(&c->fr.func, d->fr.func) && ok;
		break;
	}
	if (!ok) {
		lsk_directive_release(c);
		return lsk_err(ENOMEM, "out of memory");
	}
	p->nr_dirs++;
	return 0;
}

int lsk_plan_add_dynamic(struct lsk_plan *p, char *obj)
{
	char **nd = realloc(p->dynamic, (p->nr_dynamic + 1) * sizeof(*nd));

	if (!nd)
		return lsk_err(ENOMEM, "out of memory");
	p->dynamic = nd;
	nd[p->nr_dynamic++] = obj;
	return 0;
}

int lsk_plan_ref_parse(const char *s, struct lsk_plan_ref *r)
{
	const char *colon = strchr(s, ':');

	r->obj = colon ? strndup(s, colon - s) : NULL;
	r->name = strdup(colon ? colon + 1 : s);
	if ((colon && !r->obj) || !r->name) {
		ref_free(r);
		return lsk_err(ENOMEM, "out of memory");
	}
	return 0;
}

/* "OBJ:NAME" or "NAME" */
static const char *ref_str(const struct lsk_plan_ref *r, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s%s", r->obj ?: "", r->obj ? ":" : "", r->name ?: "");
	return buf;
}

const char *lsk_plan_where(const struct lsk_directive *d, char *buf, size_t n)
{
	char a[256], b[256];

	if (d->file && d->line) {
		snprintf(buf, n, "%s:%d: ", d->file, d->line);
		return buf;
	}
	if (d->text) {
		snprintf(buf, n, "'%s': ", d->text);
		return buf;
	}
	switch (d->kind) {
	case LSK_DIR_SLOT:
		snprintf(buf, n, "'slot %s %llu = %s': ", ref_str(&d->slot.map, a, sizeof(a)),
			 (unsigned long long)d->slot.index, ref_str(&d->slot.to, b, sizeof(b)));
		break;
	case LSK_DIR_VALUE:
		snprintf(buf, n, "'value %s %llu = %llu': ", ref_str(&d->value.map, a, sizeof(a)),
			 (unsigned long long)d->value.key, (unsigned long long)d->value.value);
		break;
	case LSK_DIR_TARGET:
	case LSK_DIR_REPLACE:
		snprintf(buf, n, "'%s %s = %s%s%s': ", d->kind == LSK_DIR_TARGET ? "target" :
			 "replace", ref_str(&d->fr.prog, a, sizeof(a)),
			 ref_str(&d->fr.target, b, sizeof(b)), d->fr.func ? ":" : "",
			 d->fr.func ?: "");
		break;
	}
	return buf;
}
