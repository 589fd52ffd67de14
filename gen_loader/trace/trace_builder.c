// SPDX-License-Identifier: BSD-2-Clause
/* The trace builder's helpers (trace_builder.h): ops with their attr chunks, data chunks,
 * fixups, map updates, the SKIP of a SEC("?...") program and symbol lookups, shared by the
 * files that record maps, programs and struct_ops. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "trace_builder.h"
#include "err.h"

int lsk_tb_nomem(struct lsk_tb *b)
{
	return lsk_err(ENOMEM, "%s: out of memory building the trace", b->to->obj->path);
}

int lsk_tb_op(struct lsk_tb *b, __u32 cmd, enum lsk_subject subj, int idx, const char *what)
{
	int op = lsk_trace_add_op(b->t, cmd, b->oi, subj, idx, what);

	return op < 0 ? lsk_tb_nomem(b) : op;
}

int lsk_tb_bpf_op(struct lsk_tb *b, __u32 cmd, enum lsk_subject subj, int idx,
		  const char *what)
{
	int op = lsk_tb_op(b, cmd, subj, idx, what);

	if (op < 0)
		return op;
	if (lsk_trace_add_attr(b->t, op, sizeof(union bpf_attr)) < 0)
		return lsk_tb_nomem(b);
	return op;
}

union bpf_attr *lsk_tb_attr(struct lsk_tb *b, int op)
{
	return b->t->chunks[b->t->ops[op].attr].data;
}

int lsk_tb_fix(struct lsk_tb *b, int op, enum lsk_fix_kind kind, int chunk, __u32 off, int src)
{
	return lsk_trace_add_fix(b->t, op, kind, chunk, off, src) ? lsk_tb_nomem(b) : 0;
}

int lsk_tb_attr_fix(struct lsk_tb *b, int op, enum lsk_fix_kind kind, __u32 off, int src)
{
	return lsk_tb_fix(b, op, kind, b->t->ops[op].attr, off, src);
}

int lsk_tb_chunk(struct lsk_tb *b, const void *data, size_t size, const char *label)
{
	int c = lsk_trace_add_chunk(b->t, data, size, label);

	return c < 0 ? lsk_tb_nomem(b) : c;
}

int lsk_tb_map_update(struct lsk_tb *b, int map_op, const char *what, __u32 key,
		      const void *value, size_t value_size, int fd_op, __u64 flags, int *vc)
{
	int op, kc, c, err;

	kc = lsk_tb_chunk(b, &key, sizeof(key), "key");
	if (kc < 0)
		return kc;
	c = lsk_tb_chunk(b, value, value_size, "value");
	if (c < 0)
		return c;
	op = lsk_tb_bpf_op(b, BPF_MAP_UPDATE_ELEM, b->t->ops[map_op].subj, b->t->ops[map_op].idx,
			   what);
	if (op < 0)
		return op;
	lsk_tb_attr(b, op)->flags = flags;
	err = lsk_tb_attr_fix(b, op, LSK_FIX_FD, ATTR_OFF(map_fd), map_op);
	err = err ?: lsk_tb_attr_fix(b, op, LSK_FIX_PTR, ATTR_OFF(key), kc);
	err = err ?: lsk_tb_attr_fix(b, op, LSK_FIX_PTR, ATTR_OFF(value), c);
	if (!err && fd_op >= 0)
		err = lsk_tb_fix(b, op, LSK_FIX_FD, c, 0, fd_op);
	if (vc)
		*vc = c;
	return err;
}

int lsk_tb_skip_unless_asked(struct lsk_trace *t, int oi, int pi, const char *what)
{
	const struct lsk_prog *p = &t->objs[oi].obj->progs[pi];
	char w[300];
	int op;

	if (!p->optional)
		return -1;
	snprintf(w, sizeof(w), "autoload of program '%s' of object '%s' (section '%s'): %s",
		 p->name, t->objs[oi].obj->name, p->sec_name, what);
	op = lsk_trace_add_op(t, LSK_CMD_SKIP, oi, LSK_SUBJ_PROG, pi, w);
	if (op < 0)
		return lsk_err(ENOMEM, "out of memory building the trace");
	t->ops[op].skip.input = t->objs[oi].prog_input[pi];
	return op;
}

int lsk_tb_sym_name(struct lsk_tb *b, int op, const char *sym)
{
	int c = lsk_tb_chunk(b, sym, strlen(sym) + 1, "symbol name");

	if (c < 0)
		return c;
	b->t->ops[op].sym.name = c;
	return 0;
}

int lsk_tb_resolve_op(struct lsk_tb *b, __u32 cmd, const char *sym, const char *what_fmt,
		      const char *pname, enum lsk_subject subj, int idx)
{
	char what[256];
	int op, err;

	snprintf(what, sizeof(what), what_fmt, sym, pname, b->to->obj->name);
	op = lsk_tb_op(b, cmd, subj, idx, what);
	if (op < 0)
		return op;
	err = lsk_tb_sym_name(b, op, sym);
	return err ? err : op;
}
