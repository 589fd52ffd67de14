/* SPDX-License-Identifier: BSD-2-Clause */
/* lskel runtime, subskeletons (lskel gen --subskeleton): a library's typed view of a
 * skeleton it was linked into, bound by name through the skeleton's manifest. */
#ifndef LSKEL_SUBSKEL_H
#define LSKEL_SUBSKEL_H

#include <lskel/core.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Subskeletons (lskel gen --subskeleton): a library's typed view of the skeleton it was
 * linked into, bound by name through the manifest when opened. */
struct lskel_sub_var {
	const char *name;
	const char *sec;
	__u32 size;
	__u64 type_sig;
	__u32 ptr_off;		/* offsetof(sub, bss.NAME): gets the variable's address */
};

struct lskel_sub_ref {
	const char *name;
	__u32 off;		/* offsetof(sub, maps.M) / offsetof(sub, progs.P) */
};

struct lskel_sub_desc {
	const char *name;
	const struct lskel_sub_var *vars;
	__u32 nr_vars;
	const struct lskel_sub_ref *maps;
	__u32 nr_maps;
	const struct lskel_sub_ref *progs;
	__u32 nr_progs;
};

/* First member of every subskeleton. */
struct lskel_sub {
	const struct lskel_sub_desc *d;
	struct lskel_handle *h;		/* NULL once the parent is destroyed */
	struct lskel_sub *next;
	const void **src;		/* per map, then per program: the parent's descriptor */
};

static inline const struct lskel_sym *lskel_sym_find(const struct lskel_handle *h, __u32 kind,
						     const char *name)
{
	const struct lskel_desc *d = h->desc;
	__u32 lo = 0, hi = d->nr_syms;

	while (lo < hi) {	/* (obj, kind, name) order */
		__u32 mid = lo + (hi - lo) / 2;
		const struct lskel_sym *s = &d->syms[mid];
		int c = s->obj != h->obj ? (s->obj < h->obj ? -1 : 1) :
			s->kind != kind ? (s->kind < kind ? -1 : 1) : strcmp(s->name, name);

		if (!c)
			return s;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Copy the parent's map and program descriptors into the subskeleton (fds after load). */
static inline void lskel_sub_refresh(struct lskel_sub *sub)
{
	const struct lskel_sub_desc *sd = sub->d;
	char *s = (char *)sub;
	__u32 i;

	for (i = 0; i < sd->nr_maps; i++)
		memcpy(s + sd->maps[i].off, sub->src[i], sizeof(struct lskel_map_desc));
	for (i = 0; i < sd->nr_progs; i++)
		memcpy(s + sd->progs[i].off, sub->src[sd->nr_maps + i],
		       sizeof(struct lskel_prog_desc));
}

static inline void *lskel_sub_fail(struct lskel_handle *h, void *s, int err, const char *what,
				   const char *name, const char *why)
{
	struct lskel_ctx *c = (struct lskel_ctx *)h->skel;

	c->err = err;
	c->failed_op = -1;
	snprintf(c->errmsg, sizeof(c->errmsg), "subskeleton: %s '%.64s': %.400s", what, name,
		 why);
	if (s)
		free((void *)((struct lskel_sub *)s)->src);
	free(s);
	errno = -err;
	return NULL;
}

/* Open subskeleton @sd (@size bytes) on object handle @h: every variable, map and program
 * found by name, a variable's size and type signature checked, its pointer set into the
 * parent's data section (valid before and after the parent's load). On failure returns
 * NULL with errno set and the reason in the parent's ctx.errmsg. */
static inline void *lskel_sub_open(const struct lskel_sub_desc *sd, struct lskel_handle *h,
				   size_t size)
{
	char *s, why[256];
	struct lskel_sub *sub;
	__u32 i;

	if (!h || !h->desc || !h->skel) {
		errno = EINVAL;
		return NULL;
	}
	s = (char *)calloc(1, size);
	if (!s)
		return lskel_sub_fail(h, NULL, -ENOMEM, "out of memory for", sd->name, "");
	sub = (struct lskel_sub *)s;
	sub->d = sd;
	sub->h = h;
	sub->src = (const void **)calloc(sd->nr_maps + sd->nr_progs + 1, sizeof(void *));
	if (!sub->src)
		return lskel_sub_fail(h, s, -ENOMEM, "out of memory for", sd->name, "");
	for (i = 0; i < sd->nr_vars; i++) {
		const struct lskel_sub_var *v = &sd->vars[i];
		const struct lskel_sym *y = lskel_sym_find(h, LSKEL_SYM_VAR, v->name);
		const struct lskel_map_bind *b;

		if (!y)
			return lskel_sub_fail(h, s, -ENOENT, "variable", v->name,
					      "not in the object (or static)");
		b = &h->desc->maps[y->bind];
		if (strcmp(y->sec, v->sec)) {
			snprintf(why, sizeof(why), "in section %.64s of the object, %.64s in the "
				 "library", y->sec, v->sec);
			return lskel_sub_fail(h, s, -EINVAL, "variable", v->name, why);
		}
		if (y->size != v->size || y->type_sig != v->type_sig) {
			snprintf(why, sizeof(why), "the object has %u bytes of type %016llx, the "
				 "library %u bytes of type %016llx: built from another version",
				 y->size, (unsigned long long)y->type_sig, v->size,
				 (unsigned long long)v->type_sig);
			return lskel_sub_fail(h, s, -EINVAL, "variable", v->name, why);
		}
		if (b->data_off == ~0u)
			return lskel_sub_fail(h, s, -EINVAL, "variable", v->name,
					      "its section is not mapped");
		*(void **)(s + v->ptr_off) = *(char **)((char *)h->skel + b->data_off) + y->off;
	}
	for (i = 0; i < sd->nr_maps + sd->nr_progs; i++) {
		int is_map = i < sd->nr_maps;
		const struct lskel_sub_ref *r = is_map ? &sd->maps[i] : &sd->progs[i - sd->nr_maps];
		const struct lskel_sym *y = lskel_sym_find(h, is_map ? LSKEL_SYM_MAP :
							   LSKEL_SYM_PROG, r->name);

		if (!y)
			return lskel_sub_fail(h, s, -ENOENT, is_map ? "map" : "program", r->name,
					      "not in the object");
		sub->src[i] = (char *)h->skel + (is_map ? h->desc->maps[y->bind].fd_off :
						h->desc->progs[y->bind].fd_off);
	}
	lskel_sub_refresh(sub);
	sub->next = h->subs;
	h->subs = sub;
	return s;
}

static inline void lskel_sub_destroy(struct lskel_sub *sub)
{
	struct lskel_sub **pp;

	if (!sub)
		return;
	for (pp = sub->h ? &sub->h->subs : NULL; pp && *pp; pp = &(*pp)->next)
		if (*pp == sub) {
			*pp = sub->next;
			break;
		}
	free((void *)sub->src);
	free(sub);
}

/* The parent loaded (fds known) or is going away (its subskeletons let go of it). */
static inline void lskel_subs_notify(const struct lskel_desc *d, void *skel, int gone)
{
	__u32 i;

	for (i = 0; i < d->nr_objs; i++) {
		struct lskel_handle *h = (struct lskel_handle *)((char *)skel +
								 d->handles[i].storage_off);
		struct lskel_sub *sub;

		for (sub = h->subs; sub; sub = sub->next) {
			if (gone)
				sub->h = NULL;
			else
				lskel_sub_refresh(sub);
		}
		if (gone)
			h->subs = NULL;
	}
}

#ifdef __cplusplus
}
#endif

#endif
