// SPDX-License-Identifier: BSD-2-Clause
/* Trace of struct_ops values (obj_struct_ops.c), after the programs: the object's value with
 * the caller's edits and the program fds, registering a plain .struct_ops map (with an undo
 * if a later op fails). The map's creation is in trace_maps.c. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "trace_builder.h"
#include "err.h"

/* The caller's edits of a struct_ops map's data members (skel->struct_ops.NAME, the struct
 * as the object lays it out): one USER_INIT per run of adjacent data members, copied into
 * the value at the data offset. Function-pointer members and holes are never copied. */
static int st_ops_user_init(struct lsk_tb *b, size_t i, int vc, int slot)
{
	const struct lsk_st_ops *st = b->to->obj->maps[i].st_ops;
	struct lsk_op_user_init *u;
	char what[256];
	int k = 0, j, op;

	while (k < st->nr_members) {
		__u32 start, end;

		if (st->members[k].is_func || !st->members[k].size) {
			k++;
			continue;
		}
		start = st->members[k].off;
		end = start + st->members[k].size;
		for (j = k + 1; j < st->nr_members && !st->members[j].is_func &&
		     st->members[j].off == end; j++)
			end += st->members[j].size;
		snprintf(what, sizeof(what), "caller's value of members '%s'..'%s' of struct_ops "
			 "'%s' of object '%s'", st->members[k].name, st->members[j - 1].name,
			 b->to->obj->maps[i].name, b->to->obj->name);
		op = lsk_tb_op(b, LSK_CMD_USER_INIT, LSK_SUBJ_MAP, i, what);
		if (op < 0)
			return op;
		u = &b->t->ops[op].user_init;
		u->dst = vc;
		u->dst_off = st->data_off + start;
		u->input = slot;
		u->user_off = start;
		u->user_size = end - start;
		k = j;
	}
	return 0;
}

/* A registered plain struct_ops map stays registered when its fd is closed: if a later op
 * fails, the loader deletes its value (unregisters it) before closing the fds. The attr
 * is filled by the update's own fixups, so it is complete exactly when the update ran. */
static int st_ops_undo(struct lsk_tb *b, int op, size_t i, int kc)
{
	int c = lsk_tb_chunk(b, NULL, offsetof(union bpf_attr, flags), "unregister attr");
	int err;

	if (c < 0)
		return c;
	b->t->ops[op].undo = c;
	err = lsk_tb_fix(b, op, LSK_FIX_FD, c, ATTR_OFF(map_fd), b->to->map_op[i]);
	return err ?: lsk_tb_fix(b, op, LSK_FIX_PTR, c, ATTR_OFF(key), kc);
}

/* The value of struct_ops map @i: the object's data with the caller's edits, program fds in
 * the function-pointer members. */
static int st_ops_value(struct lsk_tb *b, size_t i)
{
	const struct lsk_map *m = &b->to->obj->maps[i];
	__u32 zero = 0;
	char what[256];
	int kc, vc, op, j, err;

	kc = lsk_tb_chunk(b, &zero, sizeof(zero), "key");
	vc = kc < 0 ? kc : lsk_tb_chunk(b, m->init_data, m->value_size, "struct_ops value");
	if (vc < 0)
		return vc;
	b->to->map_input[i] = b->t->nr_inputs++;
	err = st_ops_user_init(b, i, vc, b->to->map_input[i]);
	if (err)
		return err;
	snprintf(what, sizeof(what), "value of struct_ops '%s' (struct %s) of object '%s'%s",
		 m->name, m->st_ops->type, b->to->obj->name, m->st_ops->link ? "" :
		 ": registers it");
	op = lsk_tb_bpf_op(b, BPF_MAP_UPDATE_ELEM, LSK_SUBJ_MAP, i, what);
	if (op < 0)
		return op;
	err = lsk_tb_attr_fix(b, op, LSK_FIX_FD, ATTR_OFF(map_fd), b->to->map_op[i]);
	err = err ?: lsk_tb_attr_fix(b, op, LSK_FIX_PTR, ATTR_OFF(key), kc);
	err = err ?: lsk_tb_attr_fix(b, op, LSK_FIX_PTR, ATTR_OFF(value), vc);
	if (!err && !m->st_ops->link)
		err = st_ops_undo(b, op, i, kc);
	for (j = 0; !err && j < m->st_ops->nr_members; j++) {
		const struct lsk_st_member *sm = &m->st_ops->members[j];

		if (sm->prog >= 0)
			err = lsk_tb_fix(b, op, LSK_FIX_FD, vc, m->st_ops->data_off + sm->off,
					 b->to->prog_op[sm->prog]);
	}
	return err;
}

/* struct_ops values, after the programs. The update registers a plain .struct_ops map with
 * the kernel; a .struct_ops.link one is registered by the link __attach creates. */
int lsk_tb_add_st_ops_values(struct lsk_tb *b)
{
	size_t i;
	int err;

	for (i = 0; i < b->to->obj->nr_maps; i++) {
		if (b->to->obj->maps[i].kind != LSK_MAP_STRUCT_OPS)
			continue;
		err = st_ops_value(b, i);
		if (err)
			return err;
	}
	return 0;
}
