/* SPDX-License-Identifier: BSD-2-Clause */
/* Composed programs spliced into their caller instead of called (inline_calls.c). */
#ifndef LSK_INLINE_CALLS_H
#define LSK_INLINE_CALLS_H

#include <stddef.h>
#include "obj.h"

/* A composed block inside the caller: its main body is [start, start + main_len). */
struct lsk_inline_block {
	size_t start, main_len;
};

/* Replace each call of a block's main body from @p's main function [0, @main_len) by the
 * body itself where that is safe (see inline_calls.c); other calls stay. p->main_insn_cnt
 * then covers the spliced bodies too. */
int lsk_inline_composed(struct lsk_prog *p, size_t main_len, const struct lsk_inline_block *b,
			size_t nb);

#endif
