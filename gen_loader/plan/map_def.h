/* SPDX-License-Identifier: BSD-2-Clause */
/* The definition check of maps that several objects of a chain share by name. */
#ifndef LSK_MAP_DEF_H
#define LSK_MAP_DEF_H

#include <stddef.h>
#include "obj.h"

/* NULL when map @x of object @a and map @y of object @b are defined alike; otherwise what
 * differs first, written into @detail (@n bytes) and returned ("max_entries 4 in 'a', 8 in
 * 'b'", "value type differs between 'a' and 'b'"). */
const char *lsk_map_def_differs(const struct lsk_obj *a, const struct lsk_map *x,
				const struct lsk_obj *b, const struct lsk_map *y, char *detail,
				size_t n);

#endif
