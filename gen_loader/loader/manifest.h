/* SPDX-License-Identifier: BSD-2-Clause */
/* The manifest: every fact about a load that the skeleton, the subskeleton, the container,
 * the loader descriptions and the runtime act on (which maps and programs it exposes, their
 * fd slots, inputs, initial values, read-only and shared maps, kconfig values, pins, the
 * name table), computed once here from the trace and the blob layout. The emitters only
 * serialise it. lsk_manifest_append also writes it into the blob (loader_abi.h), so a
 * signed loader's blob hash covers it; runtime.h (lskel_mf_agrees) checks that a
 * skeleton's tables agree with it. */
#ifndef LSK_MANIFEST_H
#define LSK_MANIFEST_H

#include <stdbool.h>
#include <lskel/runtime.h>
#include "blob.h"
#include "trace.h"

/* A map of the load, in object order then map order. */
struct lsk_mf_map {
	const struct lsk_map *m;	/* borrowed from the object */
	unsigned int obj;		/* object index */
	const char *name;		/* at run time: the map's name, or a section's kname
					 * ("obj.rodata" style, as libbpf names it) */
	char ident[128];		/* C identifier: skel->maps.IDENT, skel->IDENT */
	int slot;			/* fd table slot (its MAP_CREATE op), -1: none */
	bool shared;			/* created by another object's op (a chained view) */
	bool rdonly;			/* frozen by the loader: mmapped read-only */
	bool exposed;			/* a global data section the skeleton maps (skel->bss) */
	__u32 init_off;			/* blob offset of the initial value, ~0u: none */
	int input;			/* input slot of the caller's value, -1: none */
	int max_input;			/* input slot of the caller's max_entries, -1: none */
};

/* An entry program of the load, in object order then program order. */
struct lsk_mf_prog {
	const struct lsk_prog *p;	/* borrowed from the object */
	unsigned int obj;
	int slot;			/* fd table slot (its PROG_LOAD op), -1: none */
	unsigned int attach;		/* enum lskel_attach_kind */
	int autoload_input;		/* SEC("?...") program: input slot of its autoload flag,
					 * -1: always loaded */
};

/* A non-static variable of an exposed section, in map order then BTF order. */
struct lsk_mf_var {
	const char *name;
	unsigned int obj;
	size_t map;			/* index in lsk_manifest.maps */
	__u32 off, size;
	__u32 type;			/* BTF id of the variable's type (in its object's BTF) */
	__u64 sig;			/* type signature (lsk_type_sig) */
};

/* The name table subskeletons bind through: sorted by (obj, kind, name), unique. */
struct lsk_mf_sym {
	const char *name;
	unsigned int obj, kind;		/* LSKEL_SYM_* */
	unsigned int bind;		/* MAP: map index, PROG: program index, VAR: its map */
	const struct lsk_mf_var *var;	/* VAR only */
};

/* A kconfig value the runtime supplies: its descriptor and its offset in the input area. */
struct lsk_kcfg_entry {
	const struct lsk_kcfg_desc *d;
	__u32 input_off;
};

struct lsk_manifest {
	struct lsk_mf_map *maps;
	size_t nr_maps;
	struct lsk_mf_prog *progs;
	size_t nr_progs;
	struct lsk_mf_var *vars;
	size_t nr_vars;
	struct lsk_mf_sym *syms;
	size_t nr_syms;
	struct lsk_kcfg_entry *kcfg;	/* in op order */
	size_t nr_kcfg;
	struct lskel_pin *pins;		/* LIBBPF_PIN_BY_NAME maps, in op order */
	size_t nr_pins;
	bool uses_config;		/* a CONFIG_* value: the runtime reads the kernel config */
	bool has_struct_ops;
};

/* The manifest of @t laid out as @b. Returns 0 or a negative errno with lsk_errmsg() set
 * (two variables, maps or programs of an object with one name, out of memory). */
int lsk_manifest_build(const struct lsk_trace *t, const struct lsk_blob *b,
		       struct lsk_manifest **mfp);
/* The maps, programs, variables and names of one object, without a load (a library's
 * subskeleton): slots, inputs and offsets are "none". */
int lsk_manifest_of_obj(const struct lsk_obj *obj, struct lsk_manifest **mfp);
void lsk_manifest_free(struct lsk_manifest *mf);

/* Append @mf, the load named @name, with the loader's @btf and @func_info, to the blob
 * (before its zero tail) and set manifest_off (manifest_blob.c). Names the runtime would
 * refuse are refused here, by name. Returns 0 or a negative errno with lsk_errmsg() set. */
int lsk_manifest_append(const struct lsk_manifest *mf, const struct lsk_trace *t,
			const char *name, struct lsk_blob *b, const void *btf, __u32 btf_size,
			const struct bpf_func_info *func_info, __u32 nr_func_info);

#endif
