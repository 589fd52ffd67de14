/* SPDX-License-Identifier: BSD-2-Clause */
/* The object model: what one BPF ELF object contains, independent of any kernel. */
#ifndef LSK_OBJ_H
#define LSK_OBJ_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/btf.h>

struct btf;

/* What a map is for: declared in .maps, backing a global data section, or .kconfig. */
enum lsk_map_kind {
	LSK_MAP_USER,
	LSK_MAP_DATA,
	LSK_MAP_RODATA,
	LSK_MAP_BSS,
	LSK_MAP_KCONFIG,
	LSK_MAP_STRUCT_OPS,	/* a variable of .struct_ops / .struct_ops.link (obj_struct_ops.c) */
};

/* What static initialiser slots of a prog array / map-in-map name. */
enum lsk_slot_kind {
	LSK_SLOT_NONE,
	LSK_SLOT_PROG,
	LSK_SLOT_MAP,
};

enum { LSK_PIN_NONE, LSK_PIN_BY_NAME };

/* One member of a struct_ops variable's struct, as the object's BTF lays it out. */
struct lsk_st_member {
	const char *name;	/* in the object's BTF */
	__u32 off, size;	/* bytes, inside the struct */
	bool is_func;		/* function pointer: a program fd goes there */
	int prog;		/* program index it names, -1: none */
};

/* A struct_ops map: the kernel struct it implements and the object's layout of it. */
struct lsk_st_ops {
	const char *type;	/* struct name ("tcp_congestion_ops"), in the object's BTF */
	__u32 btf_id;		/* the struct in the object's BTF */
	__u32 size;		/* sizeof(struct type) in the object */
	__u32 data_off;		/* where the struct sits in the map value (bpf_struct_ops_TYPE) */
	bool link;		/* .struct_ops.link: registered by a BPF link, not by the update */
	struct lsk_st_member *members;
	int nr_members;
};

/* A map as the object defines it. */
struct lsk_map {
	char *name;		/* .maps variable name, or the data section name */
	char kname[BPF_OBJ_NAME_LEN];	/* name given to the kernel (libbpf's rules) */
	enum lsk_map_kind kind;
	__u32 type, key_size, value_size, max_entries, map_flags, numa_node;
	__u32 pinning;		/* LSK_PIN_NONE or LSK_PIN_BY_NAME (libbpf's values) */
	__u64 map_extra;
	__u32 btf_key_type_id, btf_value_type_id;
	int sec_idx;		/* ELF section: .maps for user maps, the data section otherwise */
	size_t sec_off;		/* offset of the map variable inside .maps */
	size_t sec_sz;		/* its size there, initialiser slots included */
	void *init_data;	/* initial value (data, rodata, kconfig); NULL means zeroes */
	struct lsk_map *inner;	/* inner map template of a map-in-map, owned */
	enum lsk_slot_kind slot_kind;
	int *init_slots;	/* value_size-independent: prog/map index per slot, -1 = empty */
	char **init_slot_names;	/* per slot: name of a program/map of another object, or NULL */
	int nr_init_slots;
	struct lsk_st_ops *st_ops;	/* LSK_MAP_STRUCT_OPS only, owned */
};

/* What a relocation in program code refers to. */
enum lsk_reloc_kind {
	LSK_RELO_MAP_FD,	/* ld_imm64 of a map */
	LSK_RELO_MAP_VALUE,	/* ld_imm64 of an address inside a global data map */
	LSK_RELO_CALL,		/* bpf-to-bpf call */
	LSK_RELO_SUBPROG_ADDR,	/* ld_imm64 of a subprogram address (callbacks) */
	LSK_RELO_EXTERN_VAR,	/* ld_imm64 of a .ksyms/.kconfig extern */
	LSK_RELO_EXTERN_FUNC,	/* call of an extern (kfunc) */
};

/* One relocation, in section instruction indices. */
struct lsk_reloc {
	enum lsk_reloc_kind kind;
	size_t insn_idx;	/* index in the section */
	int map_idx;		/* MAP_FD/MAP_VALUE */
	int ext_idx;		/* EXTERN_* */
	long sym_off;		/* symbol value in bytes (CALL/SUBPROG_ADDR/MAP_VALUE) */
};

/* A reference that the final (linked) program instructions still need resolved at load. */
enum lsk_ref_kind {
	LSK_REF_MAP_FD,		/* insn imm <- map fd */
	LSK_REF_MAP_VALUE,	/* insn imm <- map fd, insn[1].imm holds the offset */
	LSK_REF_KSYM_ADDR,	/* ld_imm64 <- address of a typeless ksym */
	LSK_REF_KSYM_BTF,	/* ld_imm64 BPF_PSEUDO_BTF_ID <- btf id of a typed ksym */
	LSK_REF_KFUNC,		/* call BPF_PSEUDO_KFUNC_CALL <- btf id of a kfunc */
	LSK_REF_KCONFIG,	/* ld_imm64 <- address inside the .kconfig map */
	LSK_REF_EXT_CALL,	/* call of an extern function: a program of another object
				 * (compose.c makes it a subprogram; none are left after it) */
};

struct lsk_ref {
	enum lsk_ref_kind kind;
	size_t insn_idx;	/* index in the linked program */
	int idx;		/* map index or extern index */
	int obj;		/* object they belong to: -1 = the program's own; set when another
				 * object's program was composed into this one (compose.c) */
};

/* A program: entry programs own linked instructions; .text functions are subprograms. */
struct lsk_prog {
	char *name;
	char *sec_name;
	int sec_idx;
	size_t sec_insn_off;	/* first instruction inside its section */
	size_t sec_insn_cnt;
	bool is_subprog;
	bool linked_copy;	/* another object's program, come in by static linking: not loaded */
	bool optional;		/* SEC("?..."): in the skeleton, loaded only when the caller
				 * asks (an input of the load) */
	bool is_global;		/* global symbol: a .text one is linked on its own too (insns), so
				 * it can be loaded as an freplace definition (--dynamic) */
	bool dyn_target;	/* an freplace made by --dynamic: its target program is known */
	int dyn_tobj, dyn_tprog;

	__u32 type, expected_attach_type, prog_flags;
	const char *attach_target;	/* part of SEC after the prefix (tracepoint, func...) */
	char *replace_func;	/* a chain's 'replace' made it an freplace of this function */
	bool attach_btf;		/* needs attach_btf_id resolved by name at load time */

	/* After linking (entry programs only). */
	struct bpf_insn *insns;
	size_t insn_cnt;
	size_t main_insn_cnt;	/* the program's own function, first in insns (grows when
				 * composed bodies are spliced into it) */
	struct bpf_func_info *func_info;
	size_t nr_func_info;
	struct bpf_line_info *line_info;
	size_t nr_line_info;
	struct bpf_core_relo *core_relos;
	size_t nr_core_relos;
	struct lsk_ref *refs;
	size_t nr_refs;
	size_t sub_insn_off;	/* scratch for linking: where a subprog landed, 0 = not yet */
};

/* Kinds of extern variables and functions. */
enum lsk_ext_kind {
	LSK_EXT_KCONFIG,
	LSK_EXT_KSYM,
	LSK_EXT_LINK,		/* function defined in another object (chains, linking) */
};

/* Type of a .kconfig extern, deciding how a CONFIG_ value is parsed. */
enum lsk_kcfg_type {
	LSK_KCFG_UNKNOWN,
	LSK_KCFG_CHAR,
	LSK_KCFG_BOOL,
	LSK_KCFG_INT,
	LSK_KCFG_TRISTATE,
	LSK_KCFG_CHAR_ARR,
};

struct lsk_extern {
	char *name;
	enum lsk_ext_kind kind;
	bool is_weak;
	bool is_func;		/* ksym that is a function (kfunc) */
	bool typed;		/* typed ksym (BTF id resolved) vs typeless (address) */
	__u32 btf_id;		/* VAR or FUNC in the object's BTF */
	/* kconfig */
	enum lsk_kcfg_type kcfg_type;
	__u32 kcfg_off, kcfg_sz;
	bool kcfg_signed;
};

/* Section kinds the reader tracks. */
enum lsk_sec_kind {
	LSK_SEC_OTHER,
	LSK_SEC_PROG,
	LSK_SEC_DATA,
	LSK_SEC_RODATA,
	LSK_SEC_BSS,
	LSK_SEC_MAPS,
};

/* One BPF object: everything `lskel dump` prints and the trace builder reads. */
struct lsk_obj {
	char *path;
	char name[64];		/* basename up to the first '.', as libbpf names objects */
	struct btf *btf;	/* NULL without .BTF */
	char license[128];
	__u32 kern_version;

	struct lsk_map *maps;
	size_t nr_maps;
	struct lsk_prog *progs;	/* entry programs and subprograms, in section order */
	size_t nr_progs;
	struct lsk_extern *externs;
	size_t nr_externs;
	int kconfig_map;	/* index of the .kconfig map, -1 when none */
	char **unloaded;	/* sections no code refers to and no load needs (tools' metadata,
				 * as libxdp's 'features'): named by lskel dump */
	size_t nr_unloaded;
};

/* Read and fully link @path. Returns 0 or a negative errno with lsk_errmsg() set. */
int lsk_obj_open(const char *path, struct lsk_obj **objp);
/* Same, from memory (@name labels errors). @buf is read during the call only: the object
 * keeps copies of what it needs, so the caller may free it right after. */
int lsk_obj_open_mem(const char *name, const void *buf, size_t size, struct lsk_obj **objp);
void lsk_obj_free(struct lsk_obj *obj);

/* Entry programs only (subprograms are linked into them). */
static inline bool lsk_prog_is_entry(const struct lsk_prog *p)
{
	return !p->is_subprog && !p->linked_copy;
}

#endif
