// SPDX-License-Identifier: BSD-2-Clause
/* Blob layout. Every trace op becomes steps: its fixups (FD, PTR), then its action (BPF,
 * KSYM, BTF_ID, CLOSE, COPY_USER). Kconfig value chunks are placed inside the input area, so
 * the values the runtime passes in the context are used in place, with no step at all. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "blob.h"
#include "err.h"

#define ALIGN8(x) (((x) + 7u) & ~7u)
/* Largest array map value the kernel creates (KMALLOC_MAX_SIZE on x86-64). */
#define LSK_BLOB_MAX (4u << 20)

struct steps {
	struct lskel_step *s;
	size_t n, cap;
};

static int add(struct steps *st, struct lskel_step s)
{
	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 64;
		struct lskel_step *n = realloc(st->s, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		st->s = n;
		st->cap = cap;
	}
	st->s[st->n++] = s;
	return 0;
}

static __u32 dst_of(const struct lsk_blob *b, int chunk, __u32 off)
{
	return b->chunk_off[chunk] + off;
}

/* The steps of op @k's fixups: each writes an fd, a blob address or a u32 into the op's data. */
static int fixup_steps(const struct lsk_op *op, struct lsk_blob *b, size_t k, struct steps *st)
{
	struct lskel_step s;
	size_t i;
	int err = 0;

	for (i = 0; i < op->nr_fix && !err; i++) {
		const struct lsk_fixup *f = &op->fix[i];

		memset(&s, 0, sizeof(s));
		s.op = k;
		s.a = dst_of(b, f->chunk, f->off);
		switch (f->kind) {
		case LSK_FIX_FD:	/* an fd is a u32 of the fd table */
			s.kind = LSKEL_STEP_U32;
			s.b = b->fdtab_off + f->src * 4;
			break;
		case LSK_FIX_PTR:
			s.kind = LSKEL_STEP_PTR;
			s.b = b->chunk_off[f->src];
			break;
		case LSK_FIX_FDTAB:
			s.kind = LSKEL_STEP_PTR;
			s.b = b->fdtab_off;
			break;
		case LSK_FIX_U32:
			s.kind = LSKEL_STEP_U32;
			s.b = b->chunk_off[f->src];
			break;
		case LSK_FIX_INPUT:
			s.kind = LSKEL_STEP_U32;
			s.flags = LSKEL_STEP_IF_SET;
			s.b = b->inputs_off + f->src * 8;
			break;
		}
		err = add(st, s);
	}
	return err;
}

/* The step of a kallsyms or BTF id lookup (op @k). */
static int sym_step(const struct lsk_trace *t, const struct lsk_op *op, struct lsk_blob *b,
		    size_t k, struct steps *st)
{
	struct lskel_step s;

	memset(&s, 0, sizeof(s));
	s.op = k;
	s.kind = op->cmd == LSK_CMD_KSYM_ADDR ? LSKEL_STEP_KSYM : LSKEL_STEP_BTF_ID;
	s.a = b->chunk_off[op->sym.name];
	s.size = t->chunks[op->sym.name].size;
	s.b = dst_of(b, op->sym.dst, op->sym.dst_off);
	s.c = op->sym.btf_kind;
	s.flags = op->sym.weak ? LSKEL_STEP_WEAK : 0;
	if (op->cmd == LSK_CMD_BTF_ID) {
		s.flags |= op->sym.how == LSK_BTF_DST_LDIMM64 ? LSKEL_STEP_BTF_LDIMM64 :
			   op->sym.how == LSK_BTF_DST_KFUNC ? LSKEL_STEP_BTF_KFUNC :
			   LSKEL_STEP_BTF_U32;
		s.d = op->sym.cell >= 0 ? b->chunk_off[op->sym.cell] : 0;
		if (op->sym.same_as >= 0) {
			s.flags |= LSKEL_STEP_BTF_AGAIN;
			s.c = op->sym.same_as;
		}
	}
	if (s.size > LSKEL_NAME_MAX)
		return lsk_err(ENAMETOOLONG, "op %zu: symbol name longer than %u bytes", k,
			       LSKEL_NAME_MAX);
	return add(st, s);
}

/* The step of a bpf() command (op @k): where its attr is, where its result and log go. */
static int bpf_step(const struct lsk_op *op, struct lsk_blob *b, size_t k, struct steps *st)
{
	struct lskel_step s;

	memset(&s, 0, sizeof(s));
	s.op = k;
	s.kind = LSKEL_STEP_BPF;
	s.a = op->cmd;
	s.b = b->chunk_off[op->attr];
	s.size = op->attr_size;
	s.flags = op->makes_fd ? LSKEL_STEP_MAKES_FD : 0;
	/* where the result and the log fields go: no branch in the loader */
	s.c = op->makes_fd ? b->fdtab_off + k * 4 : offsetof(struct lskel_blob_hdr, sink_fd);
	s.d = op->cmd == BPF_PROG_LOAD ? b->chunk_off[op->attr] +
					 offsetof(union bpf_attr, log_level) :
					 offsetof(struct lskel_blob_hdr, sink_log);
	if (op->cmd == BPF_PROG_LOAD && op->attr_size < offsetof(union bpf_attr, log_buf) + 8)
		return lsk_err(EINVAL, "op %zu: PROG_LOAD attr of %u bytes has no log fields",
			       k, op->attr_size);
	if (op->attr_size > LSKEL_ATTR_MAX)
		return lsk_err(E2BIG, "op %zu: attr of %u bytes", k, op->attr_size);
	return add(st, s);
}

/* Append op @k's steps: its fixups, then the op itself. */
static int op_steps(const struct lsk_trace *t, struct lsk_blob *b, size_t k, struct steps *st)
{
	const struct lsk_op *op = &t->ops[k];
	struct lskel_step s;
	int err;

	err = fixup_steps(op, b, k, st);
	if (err)
		return err;
	memset(&s, 0, sizeof(s));
	s.op = k;
	switch (op->cmd) {
	case LSK_CMD_KCONFIG:
		return 0;	/* its chunk lives in the input area */
	case LSK_CMD_SKIP:
		s.kind = LSKEL_STEP_SKIP;
		s.b = b->inputs_off + op->skip.input * 8;
		s.d = op->skip.skip_to;	/* an op index until lsk_blob_build makes it a step */
		return add(st, s);
	case LSK_CMD_MAP_REUSE:
		s.kind = LSKEL_STEP_REUSE;
		s.a = b->chunk_off[op->attr];
		s.b = b->inputs_off + op->reuse.input * 8;
		s.c = op->reuse.map_op;
		s.d = op->reuse.skip_to;	/* an op index until lsk_blob_build makes it a step */
		return add(st, s);
	case LSK_CMD_USER_INIT: {
		const struct lsk_op_user_init *u = &op->user_init;
		__u32 size = u->user_size ?: t->chunks[u->dst].size, off;

		for (off = 0; off < size; off += LSKEL_COPY_MAX) {
			s.kind = LSKEL_STEP_COPY_USER;
			s.a = b->chunk_off[u->dst] + u->dst_off + off;
			s.b = b->inputs_off + u->input * 8;
			s.c = size - off < LSKEL_COPY_MAX ? size - off : LSKEL_COPY_MAX;
			s.d = u->user_off + off;
			err = add(st, s);
			if (err)
				return err;
		}
		return 0;
	}
	case LSK_CMD_KSYM_ADDR:
	case LSK_CMD_BTF_ID:
		return sym_step(t, op, b, k, st);
	case LSK_CMD_CLOSE:
		s.kind = LSKEL_STEP_CLOSE;
		s.a = op->close.fd_op;
		return add(st, s);
	default:
		return bpf_step(op, b, k, st);
	}
}

/* The input area: the trace's u64 slots, then every kconfig value chunk. */
static int lay_out_inputs(const struct lsk_trace *t, struct lsk_blob *b)
{
	size_t i, kcfg;

	b->nr_ops = t->nr_ops;
	b->kcfg_inputs_off = t->nr_inputs * 8;
	kcfg = b->kcfg_inputs_off;
	for (i = 0; i < t->nr_ops; i++) {
		if (t->ops[i].cmd != LSK_CMD_KCONFIG)
			continue;
		b->kcfg_input_off[i] = kcfg;
		kcfg += ALIGN8(t->chunks[t->ops[i].kconfig.dst].size);
	}
	b->inputs_size = kcfg;
	if (b->inputs_size > 32768)
		return lsk_err(E2BIG, "loader input area of %u bytes is over 32 KiB",
			       b->inputs_size);
	return 0;
}

/* Steps need chunk offsets and chunk offsets follow the steps: count steps first with
 * provisional offsets, then lay out for real. @first[k] is op k's first step; *@end the blob's
 * used size. */
static int lay_out_steps(const struct lsk_trace *t, struct lsk_blob *b, struct steps *st,
			 __u32 *first, size_t *end)
{
	size_t i, pos = 0;
	int err = 0;

	for (int pass = 0; pass < 2; pass++) {
		st->n = 0;
		b->steps_off = ALIGN8(sizeof(struct lskel_blob_hdr));
		b->fdtab_off = ALIGN8(b->steps_off + b->nr_steps * sizeof(struct lskel_step));
		b->inputs_off = ALIGN8(b->fdtab_off + b->nr_ops * 4);
		pos = ALIGN8(b->inputs_off + b->inputs_size);
		for (i = 0; i < t->nr_chunks; i++) {
			b->chunk_off[i] = pos;
			pos = ALIGN8(pos + t->chunks[i].size);
		}
		for (i = 0; i < t->nr_ops; i++)
			if (t->ops[i].cmd == LSK_CMD_KCONFIG)
				b->chunk_off[t->ops[i].kconfig.dst] = b->inputs_off +
								      b->kcfg_input_off[i];
		for (i = 0; i < t->nr_ops && !err; i++) {
			first[i] = st->n;
			err = op_steps(t, b, i, st);
		}
		if (err)
			return err;
		first[t->nr_ops] = st->n;
		b->nr_steps = st->n;
	}
	for (i = 0; i < st->n; i++)	/* reused maps, programs left out: skip to an op */
		if (st->s[i].kind == LSKEL_STEP_REUSE || st->s[i].kind == LSKEL_STEP_SKIP)
			st->s[i].d = first[st->s[i].d];
	*end = pos;
	return 0;
}

/* Size the blob (a power of two plus the tail, the loader bounds offsets with a mask) and
 * write the header, the steps, the fd table (-1 everywhere) and the chunks outside the inputs. */
static int fill_blob(const struct lsk_trace *t, struct lsk_blob *b, const struct steps *st,
		     size_t pos)
{
	struct lskel_blob_hdr *h;
	size_t i;

	/* an array map value holds at most KMALLOC_MAX_SIZE (4 MiB on x86-64) */
	for (b->mask = 4095; b->mask < pos && b->mask < (1u << 30); b->mask = b->mask << 1 | 1)
		;
	if ((size_t)b->mask + 1 + LSKEL_BLOB_TAIL > LSK_BLOB_MAX)
		return lsk_err(E2BIG, "data blob of %zu bytes is over %u KiB: the loader's data map "
			       "(a power of two plus %u bytes) would be larger than the kernel's "
			       "largest array map value", pos, (LSK_BLOB_MAX - LSKEL_BLOB_TAIL) / 2048,
			       LSKEL_BLOB_TAIL);
	b->size = b->mask + 1 + LSKEL_BLOB_TAIL;
	b->data = calloc(1, b->size);
	if (!b->data)
		return lsk_err(ENOMEM, "out of memory");
	h = (struct lskel_blob_hdr *)b->data;
	h->magic = LSKEL_BLOB_MAGIC;
	h->version = LSKEL_BLOB_VERSION;
	h->nr_steps = b->nr_steps;
	h->steps_off = b->steps_off;
	h->nr_ops = b->nr_ops;
	h->fdtab_off = b->fdtab_off;
	h->inputs_off = b->inputs_off;
	h->inputs_size = b->inputs_size;
	if (st->n)
		memcpy(b->data + b->steps_off, st->s, st->n * sizeof(*st->s));
	memset(b->data + b->fdtab_off, 0xff, b->nr_ops * 4);
	for (i = 0; i < t->nr_chunks; i++) {
		bool in_inputs = b->chunk_off[i] >= b->inputs_off &&
				 b->chunk_off[i] < b->inputs_off + b->inputs_size;

		if (!in_inputs)
			memcpy(b->data + b->chunk_off[i], t->chunks[i].data, t->chunks[i].size);
	}
	return 0;
}

int lsk_blob_build(const struct lsk_trace *t, struct lsk_blob **bp)
{
	struct lsk_blob *b = calloc(1, sizeof(*b));
	struct steps st = {};
	__u32 *first = calloc(t->nr_ops + 1, sizeof(*first));
	size_t end = 0;
	int err = 0;

	if (!b || !first) {
		free(b);
		free(first);
		return lsk_err(ENOMEM, "out of memory");
	}
	b->chunk_off = calloc(t->nr_chunks + 1, sizeof(__u32));
	b->kcfg_input_off = calloc(t->nr_ops + 1, sizeof(__u32));
	if (!b->chunk_off || !b->kcfg_input_off)
		err = lsk_err(ENOMEM, "out of memory");
	err = err ?: lay_out_inputs(t, b);
	err = err ?: lay_out_steps(t, b, &st, first, &end);
	err = err ?: fill_blob(t, b, &st, end);
	free(st.s);
	free(first);
	if (err) {
		lsk_blob_free(b);
		return err;
	}
	*bp = b;
	return 0;
}

void lsk_blob_free(struct lsk_blob *b)
{
	if (!b)
		return;
	free(b->data);
	free(b->chunk_off);
	free(b->kcfg_input_off);
	free(b);
}
