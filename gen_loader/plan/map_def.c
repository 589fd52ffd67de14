// SPDX-License-Identifier: BSD-2-Clause
/* Do two objects' same-named maps have one definition? Fields, then key and value types
 * compared by their BTF shape (kinds, names, sizes, members), then inner maps (map_def.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "map_def.h"

#define SIG_MAX 4096

/* A printable shape of a BTF type: kinds, names, sizes, members, down to depth 6. */
static void btf_sig(const struct btf *btf, __u32 id, char *buf, size_t n, int depth)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	size_t len = strlen(buf);
	int i;

	if (len + 64 >= n || !t || depth > 6) {
		return;
	}
	snprintf(buf + len, n - len, "%d:%s:%u", btf_kind(t),
		 btf__name_by_offset(btf, t->name_off) ?: "", btf_is_composite(t) ||
		 btf_is_int(t) || btf_is_enum(t) ? t->size : 0);
	if (btf_is_composite(t)) {
		const struct btf_member *m = btf_members(t);

		strncat(buf, "{", n - strlen(buf) - 1);
		for (i = 0; i < btf_vlen(t); i++, m++) {
			len = strlen(buf);
			snprintf(buf + len, n - len, "%s@%u=", btf__name_by_offset(btf, m->name_off),
				 m->offset);
			btf_sig(btf, m->type, buf, n, depth + 1);
			strncat(buf, ";", n - strlen(buf) - 1);
		}
		strncat(buf, "}", n - strlen(buf) - 1);
	} else if (btf_is_array(t)) {
		len = strlen(buf);
		snprintf(buf + len, n - len, "[%u]", btf_array(t)->nelems);
		btf_sig(btf, btf_array(t)->type, buf, n, depth + 1);
	} else if (btf_is_ptr(t) || btf_is_typedef(t) || btf_is_mod(t)) {
		strncat(buf, ">", n - strlen(buf) - 1);
		btf_sig(btf, t->type, buf, n, depth + 1);
	}
}

const char *lsk_map_def_differs(const struct lsk_obj *a, const struct lsk_map *x,
				const struct lsk_obj *b, const struct lsk_map *y, char *detail,
				size_t n)
{
#define FIELD(f) if (x->f != y->f) { \
		snprintf(detail, n, #f " %llu in '%s', %llu in '%s'", (unsigned long long)x->f, \
			 a->name, (unsigned long long)y->f, b->name); \
		return detail; }
	FIELD(type) FIELD(key_size) FIELD(value_size) FIELD(max_entries) FIELD(map_flags)
	FIELD(numa_node) FIELD(map_extra) FIELD(pinning)
#undef FIELD
	if (a->btf && b->btf && (x->btf_key_type_id || y->btf_key_type_id ||
				 x->btf_value_type_id || y->btf_value_type_id)) {
		char *s1 = calloc(2, SIG_MAX), *s2 = s1 ? s1 + SIG_MAX : NULL;
		const char *what = NULL;

		if (!s1)
			return "out of memory";
		if (x->btf_key_type_id && y->btf_key_type_id) {
			btf_sig(a->btf, x->btf_key_type_id, s1, SIG_MAX, 0);
			btf_sig(b->btf, y->btf_key_type_id, s2, SIG_MAX, 0);
			if (strcmp(s1, s2))
				what = "key type";
		}
		s1[0] = s2[0] = '\0';
		if (!what && x->btf_value_type_id && y->btf_value_type_id) {
			btf_sig(a->btf, x->btf_value_type_id, s1, SIG_MAX, 0);
			btf_sig(b->btf, y->btf_value_type_id, s2, SIG_MAX, 0);
			if (strcmp(s1, s2))
				what = "value type";
		}
		free(s1);
		if (what) {
			snprintf(detail, n, "%s differs between '%s' and '%s'", what, a->name,
				 b->name);
			return detail;
		}
	}
	if (!x->inner != !y->inner) {
		snprintf(detail, n, "inner map in '%s' only", x->inner ? a->name : b->name);
		return detail;
	}
	if (x->inner)
		return lsk_map_def_differs(a, x->inner, b, y->inner, detail, n);
	return NULL;
}

