/* SPDX-License-Identifier: BSD-2-Clause */
/* Extern functions across objects, linked statically with libbpf's linker (link_objs.c). */
#ifndef LSK_LINK_OBJS_H
#define LSK_LINK_OBJS_H

#include <stdbool.h>
#include <stddef.h>
#include "obj.h"

/* Open @n objects; one that calls extern functions is first linked with the objects that
 * define them (checked: one definition, same prototype), except objects marked in @dynamic
 * (may be NULL): their functions are loaded as freplace programs (compose.h). */
int lsk_open_linked(char *const *paths, size_t n, const bool *dynamic, struct lsk_obj ***objsp);
/* The checks alone (for `lskel link`): two definitions, prototype mismatches. */
int lsk_link_check(char *const *paths, size_t n);
/* libbpf's static linker: @in linked into the BPF ELF @out. */
int lsk_link_files(const char *const *in, size_t n, const char *out);

#endif
