/* SPDX-License-Identifier: BSD-2-Clause */
/* C declarations of BTF types for generated headers, and type signatures (emit_ctype.c). */
#ifndef LSK_EMIT_CTYPE_H
#define LSK_EMIT_CTYPE_H

#include <stdbool.h>
#include <stdio.h>
#include <bpf/btf.h>

/* Write "TYPE NAME" for BTF type @id (a member declaration at @ind tabs, no ';'), spelled
 * with no named type: see emit_ctype.c. */
int lsk_emit_ctype(FILE *f, const struct btf *btf, __u32 id, const char *name, int ind);

/* @id, modifiers and typedefs skipped, is an array. */
bool lsk_type_is_array(const struct btf *btf, __u32 id);

/* Hash of the layout of BTF type @id (see emit_ctype.c); subskeletons compare them. */
int lsk_type_sig(const struct btf *btf, __u32 id, __u64 *sig);

/* C identifier from a map or section name: ".data.custom" -> "data_custom". */
void lsk_c_ident(char *out, size_t n, const char *name);

#endif
