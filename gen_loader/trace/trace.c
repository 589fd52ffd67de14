// SPDX-License-Identifier: BSD-2-Clause
/* Trace containers: ops, chunks and fixups. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lskel/runtime.h>
#include "trace.h"

int lsk_trace_add_chunk(struct lsk_trace *t, const void *data, size_t size, const char *label)
{
	struct lsk_chunk *nc, *c;

	if (size > (1u << 30))
		return -E2BIG;
	nc = realloc(t->chunks, (t->nr_chunks + 1) * sizeof(*nc));
	if (!nc)
		return -ENOMEM;
	t->chunks = nc;
	c = &nc[t->nr_chunks];
	c->data = calloc(1, size ? size : 1);
	if (!c->data)
		return -ENOMEM;
	if (data)
		memcpy(c->data, data, size);
	c->size = size;
	c->op = -1;
	snprintf(c->label, sizeof(c->label), "%s", label);
	return t->nr_chunks++;
}

int lsk_trace_add_attr(struct lsk_trace *t, int op, size_t size)
{
	char label[40];
	int c;

	snprintf(label, sizeof(label), "attr op %d", op);
	c = lsk_trace_add_chunk(t, NULL, size, label);
	if (c < 0)
		return c;
	t->chunks[c].op = op;
	t->ops[op].attr = c;
	t->ops[op].attr_size = size;
	return c;
}

/* Per-command fields of a new op: every index "none" until the builder sets it. */
static void op_none(struct lsk_op *op)
{
	switch (op->cmd) {
	case LSK_CMD_KSYM_ADDR:
	case LSK_CMD_BTF_ID:
		op->sym.name = op->sym.dst = op->sym.same_as = op->sym.cell = -1;
		break;
	case LSK_CMD_CLOSE:
		op->close.fd_op = -1;
		break;
	case LSK_CMD_KCONFIG:
		op->kconfig.descs = op->kconfig.dst = -1;
		break;
	case LSK_CMD_USER_INIT:
		op->user_init.input = op->user_init.dst = -1;
		break;
	case LSK_CMD_MAP_REUSE:
		op->reuse.input = op->reuse.map_op = op->reuse.skip_to = -1;
		break;
	case LSK_CMD_SKIP:
		op->skip.input = op->skip.skip_to = -1;
		break;
	default:
		break;
	}
}

int lsk_trace_add_op(struct lsk_trace *t, __u32 cmd, int obj, enum lsk_subject subj, int idx,
		     const char *what)
{
	struct lsk_op *no, *op;

	no = realloc(t->ops, (t->nr_ops + 1) * sizeof(*no));
	if (!no)
		return -ENOMEM;
	t->ops = no;
	op = &no[t->nr_ops];
	memset(op, 0, sizeof(*op));
	op->cmd = cmd;
	op->attr = op->undo = -1;
	op_none(op);
	op->obj = obj;
	op->subj = subj;
	op->idx = idx;
	snprintf(op->what, sizeof(op->what), "%s", what);
	return t->nr_ops++;
}

int lsk_trace_add_fix(struct lsk_trace *t, int op, enum lsk_fix_kind kind, int chunk, __u32 off,
		      int src)
{
	struct lsk_op *o = &t->ops[op];
	struct lsk_fixup *nf = realloc(o->fix, (o->nr_fix + 1) * sizeof(*nf));

	if (!nf)
		return -ENOMEM;
	o->fix = nf;
	nf[o->nr_fix].kind = kind;
	nf[o->nr_fix].chunk = chunk;
	nf[o->nr_fix].off = off;
	nf[o->nr_fix].src = src;
	o->nr_fix++;
	return 0;
}

void lsk_trace_free(struct lsk_trace *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->nr_ops; i++)
		free(t->ops[i].fix);
	free(t->ops);
	for (i = 0; i < t->nr_chunks; i++)
		free(t->chunks[i].data);
	free(t->chunks);
	for (i = 0; i < t->nr_objs; i++) {
		free(t->objs[i].map_op);
		free(t->objs[i].prog_op);
		free(t->objs[i].map_input);
		free(t->objs[i].max_input);
		free(t->objs[i].prog_input);
	}
	free(t->objs);
	free(t);
}

const char *lsk_cmd_name(__u32 cmd)
{
	return lskel_cmd_name(cmd);	/* one table, shared with the runtime's messages */
}
