/* SPDX-License-Identifier: BSD-2-Clause */
/* Calls into programs of other objects: a program that calls `extern int f(...)` where f is
 * an entry program of another object of the same load gets f's linked instructions (with
 * its subprograms, func/line info, CO-RE records, and BTF merged into the caller's) as a
 * subprogram. f's maps, global data and ksyms stay its own object's: the composed code
 * names them across objects (lsk_ref.obj), so caller and f share one set of maps. f is then
 * no longer loaded on its own. Generated dispatchers are built on this. */
#ifndef LSK_COMPOSE_H
#define LSK_COMPOSE_H

#include <stdbool.h>
#include <stddef.h>
#include "obj.h"

/* Resolve every LSK_REF_EXT_CALL of @objs; an extern without a defining program, or
 * defined by two objects, is an error naming caller, object and function. A global function
 * of an object marked in @dynamic (may be NULL) is linked dynamically instead: the caller
 * gets a placeholder global function with the extern's prototype (returning 0), and the
 * definition becomes an freplace (EXT) program of that placeholder in the caller's program,
 * one per calling program, bound to it (lsk_prog.dyn_target). */
int lsk_compose_calls(struct lsk_obj **objs, size_t n, const bool *dynamic);

#endif
