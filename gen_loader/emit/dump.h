/* SPDX-License-Identifier: BSD-2-Clause */
/* Stable text form of objects and traces (`lskel dump`, golden files). */
#ifndef LSK_DUMP_H
#define LSK_DUMP_H

#include <stdio.h>
#include "obj.h"
#include "trace.h"

void lsk_dump_obj(FILE *f, const struct lsk_obj *obj);
/* Object @i of a load: references into other objects' maps (composed code) named. */
void lsk_dump_obj_in(FILE *f, const struct lsk_obj *const *objs, size_t i);
void lsk_dump_trace(FILE *f, const struct lsk_trace *t);
/* Blob layout, step table and loader disassembly. */
struct lsk_loader;
void lsk_dump_loader(FILE *f, const struct lsk_trace *t, const struct lsk_loader *l);

#endif
