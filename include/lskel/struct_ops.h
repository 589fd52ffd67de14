/* SPDX-License-Identifier: BSD-2-Clause */
/* lskel runtime, struct_ops part (included by lskel/runtime.h; no libbpf, libc and UAPI only).
 *
 * A struct_ops map's value (struct bpf_struct_ops_NAME: a header, then struct NAME `data` on
 * a cache line) is built by the loader from the layout the object was compiled against: a
 * BPF loader cannot read kernel BTF, and bpf_btf_find_by_name_kind gives ids, not layouts.
 * So before the loader runs, this part reads the running kernel's BTF
 * (/sys/kernel/btf/vmlinux) and checks that bpf_struct_ops_NAME and struct NAME have exactly
 * that layout: same value size and data offset, the same members by name at the same offsets
 * (so the member index each program is loaded for is the kernel's), function pointers where
 * the object has them. Anything else is refused by name before anything reaches the kernel.
 * (libbpf instead translates member by member, skipping zeroed members the kernel lacks;
 * a fixed loader cannot move bytes to kernel-chosen offsets without a step kind for it.)
 * Only vmlinux struct_ops are supported (not those of modules).
 *
 * skel->struct_ops.NAME points at a copy of the struct's data (the object's initial value)
 * that the caller may edit between open and load; its data members reach the value, its
 * function-pointer members never do (the loader puts program fds there). A plain
 * .struct_ops map is registered by the loader's update and unregistered (map delete) by
 * __destroy; a .struct_ops.link map is registered by the link __attach creates (struct_ops
 * links are Linux 6.4+: on an older kernel the load refuses such a map before the loader runs,
 * naming the feature, instead of failing at its MAP_CREATE with EINVAL). */
#ifndef LSKEL_STRUCT_OPS_H
#define LSKEL_STRUCT_OPS_H

#include <linux/btf.h>
#include <lskel/core.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Newer than the 6.1 UAPI headers. */
#define LSKEL_BPF_STRUCT_OPS 44		/* attach type of a struct_ops link */

/* One member of the struct as the object lays it out. */
struct lskel_st_member {
	const char *name;
	__u32 off, size;
	__u32 is_func;
};

/* A struct_ops map of the skeleton. */
struct lskel_st_ops {
	const char *name;	/* variable = map name */
	const char *type;	/* the kernel struct it implements */
	__u32 map;		/* index in the desc's map binds */
	__u32 ptr_off;		/* offsetof(skel, struct_ops.NAME) */
	__u32 link_off;		/* offsetof(skel, links.NAME_fd); ~0u: plain .struct_ops */
	__u32 init_off;		/* blob offset of the object's data, ~0u: zeroes */
	__u32 size;		/* sizeof(struct type) in the object */
	__u32 data_off;		/* offsetof(bpf_struct_ops_type, data) the value assumes */
	__u32 value_size;
	const struct lskel_st_member *members;
	__u32 nr_members;
};

/* The running kernel's BTF: raw bytes and a type offset per id. */
struct lskel_kbtf {
	unsigned char *raw;
	size_t size;
	__u32 *off;		/* per id: offset of its btf_type in raw; [0] unused */
	__u32 nr;
	__u32 str_off, str_len;
};

static inline void lskel_kbtf_free(struct lskel_kbtf *k)
{
	free(k->raw);
	free(k->off);
}

static inline const struct btf_type *lskel_kbtf_type(const struct lskel_kbtf *k, __u32 id)
{
	return id && id < k->nr ? (const struct btf_type *)(k->raw + k->off[id]) : NULL;
}

static inline const char *lskel_kbtf_name(const struct lskel_kbtf *k, __u32 name_off)
{
	return name_off < k->str_len ? (const char *)k->raw + k->str_off + name_off : "";
}

/* Bytes following a btf_type of @kind with @vlen entries, or -1 for a kind not known. */
static inline long lskel_kbtf_extra(__u32 kind, __u32 vlen)
{
	switch (kind) {
	case 1: case 14: case 17: return 4;			/* INT, VAR, DECL_TAG */
	case 3: return sizeof(struct btf_array);		/* ARRAY */
	case 4: case 5: case 15: case 19: return 12L * vlen;	/* STRUCT, UNION, DATASEC, ENUM64 */
	case 6: case 13: return 8L * vlen;			/* ENUM, FUNC_PROTO */
	case 2: case 7: case 8: case 9: case 10: case 11: case 12: case 16: case 18: return 0;
	default: return -1;
	}
}

/* Read and index the kernel's BTF (bounds-checked; strings are NUL-terminated in bounds). */
static inline int lskel_kbtf_load(struct lskel_kbtf *k, const char *path)
{
	const struct btf_header *h;
	size_t cap = 1 << 22, pos, n = 0;
	int fd = open(path, O_RDONLY);
	ssize_t r;

	memset(k, 0, sizeof(*k));
	if (fd < 0)
		return -errno;
	k->raw = (unsigned char *)malloc(cap);
	while (k->raw && (r = read(fd, k->raw + k->size, cap - k->size)) > 0) {
		k->size += r;
		if (k->size == cap) {
			unsigned char *g = (unsigned char *)realloc(k->raw, cap * 2);

			if (!g)
				break;
			k->raw = g;
			cap *= 2;
		}
	}
	close(fd);
	h = (const struct btf_header *)k->raw;
	if (!k->raw || k->size < sizeof(*h) || h->magic != BTF_MAGIC || h->hdr_len > k->size ||
	    h->type_off > k->size - h->hdr_len || h->type_len > k->size - h->hdr_len - h->type_off ||
	    h->str_off > k->size - h->hdr_len || h->str_len > k->size - h->hdr_len - h->str_off ||
	    !h->str_len || k->raw[h->hdr_len + h->str_off + h->str_len - 1])
		goto bad;
	k->str_off = h->hdr_len + h->str_off;
	k->str_len = h->str_len;
	for (pos = 0; pos < h->type_len; n++) {	/* count, then index */
		const struct btf_type *t;
		long x;

		if (h->type_len - pos < sizeof(*t))
			goto bad;
		t = (const struct btf_type *)(k->raw + h->hdr_len + h->type_off + pos);
		x = lskel_kbtf_extra(BTF_INFO_KIND(t->info), BTF_INFO_VLEN(t->info));
		if (x < 0 || (size_t)x > h->type_len - pos - sizeof(*t))
			goto bad;
		pos += sizeof(*t) + x;
	}
	k->nr = n + 1;
	k->off = (__u32 *)calloc(k->nr, sizeof(*k->off));
	if (!k->off)
		goto bad;
	for (pos = 0, n = 1; n < k->nr; n++) {
		const struct btf_type *t = (const struct btf_type *)(k->raw + h->hdr_len +
								     h->type_off + pos);

		k->off[n] = h->hdr_len + h->type_off + pos;
		pos += sizeof(*t) + lskel_kbtf_extra(BTF_INFO_KIND(t->info), BTF_INFO_VLEN(t->info));
	}
	return 0;
bad:
	lskel_kbtf_free(k);
	return -EINVAL;
}

/* Id of the named type of @kind, 0 when absent. */
static inline __u32 lskel_kbtf_find(const struct lskel_kbtf *k, const char *name, __u32 kind)
{
	__u32 id;

	for (id = 1; id < k->nr; id++) {
		const struct btf_type *t = lskel_kbtf_type(k, id);

		if (BTF_INFO_KIND(t->info) == kind && !strcmp(lskel_kbtf_name(k, t->name_off), name))
			return id;
	}
	return 0;
}

/* Type @id with typedefs and modifiers skipped (NULL for void or a loop). */
static inline const struct btf_type *lskel_kbtf_skip(const struct lskel_kbtf *k, __u32 id)
{
	const struct btf_type *t = lskel_kbtf_type(k, id);
	int i;

	for (i = 0; t && i < 32; i++) {
		__u32 kind = BTF_INFO_KIND(t->info);

		if (kind != BTF_KIND_TYPEDEF && kind != BTF_KIND_VOLATILE &&
		    kind != BTF_KIND_CONST && kind != BTF_KIND_RESTRICT && kind != 18)
			return t;
		t = lskel_kbtf_type(k, t->type);
	}
	return NULL;
}

static inline int lskel_kbtf_is_func_ptr(const struct lskel_kbtf *k, __u32 id)
{
	const struct btf_type *t = lskel_kbtf_skip(k, id);

	if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_PTR)
		return 0;
	t = lskel_kbtf_skip(k, t->type);
	return t && BTF_INFO_KIND(t->info) == BTF_KIND_FUNC_PROTO;
}

/* Member @name of struct @t: its index, -1 when absent. */
static inline int lskel_kbtf_member(const struct lskel_kbtf *k, const struct btf_type *t,
				    const char *name)
{
	const struct btf_member *m = (const struct btf_member *)(t + 1);
	int i;

	for (i = 0; i < (int)BTF_INFO_VLEN(t->info); i++)
		if (!strcmp(lskel_kbtf_name(k, m[i].name_off), name))
			return i;
	return -1;
}

/* Enum @type (4-byte values) has an enumerator @name: 1, else 0. */
static inline int lskel_kbtf_has_enumerator(const struct lskel_kbtf *k, const char *type,
					    const char *name)
{
	const struct btf_type *t = lskel_kbtf_type(k, lskel_kbtf_find(k, type, BTF_KIND_ENUM));
	const struct btf_enum *e;
	__u32 i;

	if (!t)
		return 0;
	e = (const struct btf_enum *)(t + 1);
	for (i = 0; i < BTF_INFO_VLEN(t->info); i++)
		if (!strcmp(lskel_kbtf_name(k, e[i].name_off), name))
			return 1;
	return 0;
}

static inline __u32 lskel_kbtf_moff(const struct btf_type *t, int i)
{
	__u32 o = ((const struct btf_member *)(t + 1))[i].offset;

	return (BTF_INFO_KFLAG(t->info) ? BTF_MEMBER_BIT_OFFSET(o) : o) / 8;
}

static inline int lskel_st_ops_refuse(struct lskel_ctx *c, const struct lskel_st_ops *s,
				      const char *why, const char *member, __u32 kernel, __u32 obj)
{
	c->failed_op = -1;
	c->err = -EINVAL;
	char nums[64] = "";

	if (kernel != obj)
		snprintf(nums, sizeof(nums), " (kernel %u, object %u)", kernel, obj);
	snprintf(c->errmsg, sizeof(c->errmsg), "struct_ops '%s': the running kernel's struct %s "
		 "differs from the one the object was compiled against: %s%s%s%s", s->name, s->type,
		 why, member ? " " : "", member ? member : "", nums);
	return -EINVAL;
}

/* The kernel's layout of one struct_ops map equals the object's, member by member. */
static inline int lskel_st_ops_check_one(const struct lskel_kbtf *k, const struct lskel_st_ops *s,
					 struct lskel_ctx *c)
{
	char vname[160];
	const struct btf_type *vt, *t;
	__u32 i;
	int d;

	snprintf(vname, sizeof(vname), "bpf_struct_ops_%s", s->type);
	vt = lskel_kbtf_type(k, lskel_kbtf_find(k, vname, BTF_KIND_STRUCT));
	t = lskel_kbtf_type(k, lskel_kbtf_find(k, s->type, BTF_KIND_STRUCT));
	if (!vt || !t) {
		c->failed_op = -1;
		c->err = -ENOENT;
		snprintf(c->errmsg, sizeof(c->errmsg), "struct_ops '%s': the running kernel has no "
			 "struct_ops type %s in its BTF (no %s in vmlinux; struct_ops of modules "
			 "are not supported)", s->name, s->type, vname);
		return -ENOENT;
	}
	if (vt->size != s->value_size)
		return lskel_st_ops_refuse(c, s, "value size of", vname, vt->size, s->value_size);
	d = lskel_kbtf_member(k, vt, "data");
	if (d < 0 || lskel_kbtf_moff(vt, d) != s->data_off)
		return lskel_st_ops_refuse(c, s, "offset of the data in", vname,
					   d < 0 ? ~0u : lskel_kbtf_moff(vt, d), s->data_off);
	for (i = 0; i < s->nr_members; i++) {
		const struct lskel_st_member *m = &s->members[i];
		int ki = lskel_kbtf_member(k, t, m->name);

		if (ki < 0)
			return lskel_st_ops_refuse(c, s, "it has no member", m->name, 0, 0);
		if ((__u32)ki != i)
			return lskel_st_ops_refuse(c, s, "index of member", m->name, ki, i);
		if (lskel_kbtf_moff(t, ki) != m->off)
			return lskel_st_ops_refuse(c, s, "offset of member", m->name,
						   lskel_kbtf_moff(t, ki), m->off);
		if ((__u32)lskel_kbtf_is_func_ptr(k, ((const struct btf_member *)(t + 1))[ki].type) !=
		    m->is_func)
			return lskel_st_ops_refuse(c, s, "function pointer or not: member", m->name,
						   !m->is_func, m->is_func);
	}
	if (BTF_INFO_VLEN(t->info) != s->nr_members)
		return lskel_st_ops_refuse(c, s, "number of members", NULL, BTF_INFO_VLEN(t->info),
					   s->nr_members);
	if (t->size != s->size)
		return lskel_st_ops_refuse(c, s, "size", NULL, t->size, s->size);
	/* struct_ops links came in Linux 6.4 with the map flag BPF_F_LINK and the attach type
	 * BPF_STRUCT_OPS (one kernel commit); before, a struct_ops map with any flag is EINVAL
	 * at MAP_CREATE and registers only by its update. The attach type is in kernel BTF. */
	if (s->link_off != ~0u &&
	    !lskel_kbtf_has_enumerator(k, "bpf_attach_type", "BPF_STRUCT_OPS")) {
		c->failed_op = -1;
		c->err = -EOPNOTSUPP;
		snprintf(c->errmsg, sizeof(c->errmsg), "struct_ops '%s' (struct %s) is in "
			 "SEC(\".struct_ops.link\"): registering it by a BPF link needs struct_ops "
			 "links (map flag BPF_F_LINK, link attach type BPF_STRUCT_OPS; Linux 6.4), "
			 "which the running kernel lacks (no BPF_STRUCT_OPS in its enum "
			 "bpf_attach_type); SEC(\".struct_ops\") registers at load instead",
			 s->name, s->type);
		return -EOPNOTSUPP;
	}
	return 0;
}

/* Before the load: every struct_ops map's layout against the running kernel's BTF. */
static inline int lskel_st_ops_check(const struct lskel_desc *d, struct lskel_ctx *c)
{
	struct lskel_kbtf k;
	__u32 i;
	int err;

	if (!d->nr_st_ops)
		return 0;
	err = lskel_kbtf_load(&k, "/sys/kernel/btf/vmlinux");
	if (err)
		return lskel_fail(c, -1, err, "%s: cannot read the kernel's BTF (%s) to check its "
				  "struct_ops layouts", d->name, "/sys/kernel/btf/vmlinux");
	for (i = 0; !err && i < d->nr_st_ops; i++)
		err = lskel_st_ops_check_one(&k, &d->st_ops[i], c);
	lskel_kbtf_free(&k);
	return err;
}

/* Open: the caller's editable copy of each struct_ops variable, no link yet. */
static inline int lskel_st_ops_open(const struct lskel_desc *d, void *skel)
{
	char *s = (char *)skel;
	__u32 i;

	for (i = 0; i < d->nr_st_ops; i++) {
		const struct lskel_st_ops *o = &d->st_ops[i];
		void *p;

		if (o->link_off != ~0u)
			*(int *)(s + o->link_off) = -1;
		p = calloc(1, o->size ? o->size : 1);
		if (!p)
			return -ENOMEM;
		if (o->init_off != ~0u)
			memcpy(p, (const char *)d->data + o->init_off, o->size);
		*(void **)(s + o->ptr_off) = p;
		((struct lskel_map_desc *)(s + d->maps[o->map].fd_off))->initial_value = lskel_ptr(p);
	}
	return 0;
}

/* __attach: a BPF link per .struct_ops.link map (registers it); -errno on failure. */
static inline int lskel_st_ops_attach(const struct lskel_desc *d, void *skel)
{
	char *s = (char *)skel;
	__u32 i;

	for (i = 0; i < d->nr_st_ops; i++) {
		const struct lskel_st_ops *o = &d->st_ops[i];
		int *l = (int *)(s + o->link_off), fd;
		union bpf_attr attr;

		if (o->link_off == ~0u || *l >= 0)
			continue;
		memset(&attr, 0, sizeof(attr));
		attr.link_create.prog_fd = ((struct lskel_map_desc *)(s + d->maps[o->map].fd_off))->
					   map_fd;	/* link_create.map_fd */
		attr.link_create.attach_type = LSKEL_BPF_STRUCT_OPS;
		fd = lskel_sys_bpf(BPF_LINK_CREATE, &attr, sizeof(attr));
		if (fd < 0)
			return lskel_fail((struct lskel_ctx *)skel, -1, -errno, "attaching struct_ops "
					  "'%s' (struct %s) failed", o->name, o->type);
		*l = fd;
	}
	return 0;
}

/* __detach: close the struct_ops links (the kernel unregisters those maps). */
static inline void lskel_st_ops_detach(const struct lskel_desc *d, void *skel)
{
	char *s = (char *)skel;
	__u32 i;

	for (i = 0; i < d->nr_st_ops; i++) {
		int *l = (int *)(s + d->st_ops[i].link_off);

		/* no copy: open never reached this map, the slot holds no fd */
		if (d->st_ops[i].link_off == ~0u || *l < 0 || !*(void **)(s + d->st_ops[i].ptr_off))
			continue;
		close(*l);
		*l = -1;
	}
}

/* __destroy, before the maps are closed: unregister plain .struct_ops maps (a registered map
 * outlives its fd otherwise) and free the caller's copies. */
static inline void lskel_st_ops_destroy(const struct lskel_desc *d, void *skel)
{
	char *s = (char *)skel;
	__u32 i, key = 0;

	lskel_st_ops_detach(d, skel);
	for (i = 0; i < d->nr_st_ops; i++) {
		const struct lskel_st_ops *o = &d->st_ops[i];
		int fd = ((struct lskel_map_desc *)(s + d->maps[o->map].fd_off))->map_fd;
		union bpf_attr attr;

		if (o->link_off == ~0u && fd >= 0) {
			memset(&attr, 0, sizeof(attr));
			attr.map_fd = fd;
			attr.key = lskel_ptr(&key);
			lskel_sys_bpf(BPF_MAP_DELETE_ELEM, &attr, sizeof(attr));
		}
		free(*(void **)(s + o->ptr_off));
		*(void **)(s + o->ptr_off) = NULL;
	}
}

#ifdef __cplusplus
}
#endif

#endif
