/* SPDX-License-Identifier: BSD-2-Clause */
/* The contract between a generated loader program, its data blob and the runtime: the blob
 * header, the step table the loader interprets, and the context the runtime passes to
 * BPF_PROG_TEST_RUN. Little-endian, fixed-width, no pointers. */
#ifndef LSKEL_LOADER_ABI_H
#define LSKEL_LOADER_ABI_H

#include <linux/types.h>

#define LSKEL_BLOB_MAGIC 0x424b534cU	/* "LSKB" */
#define LSKEL_BLOB_VERSION_NR 3
#define LSKEL_BLOB_VERSION ((__u32)LSKEL_BLOB_VERSION_NR)
#define LSKEL_STR_(x) #x
#define LSKEL_STR(x) LSKEL_STR_(x)	/* a number macro as a string literal */

/* At offset 0 of the data blob. The loader writes err/failed_op/res. */
struct lskel_blob_hdr {
	__u32 magic;
	__u32 version;
	__u32 nr_steps;
	__u32 steps_off;
	__u32 nr_ops;		/* fd table entries, one per trace op */
	__u32 fdtab_off;	/* __s32 per op; -1: no fd */
	__u32 inputs_off;	/* where the loader copies the context's input area */
	__u32 inputs_size;
	__s32 err;		/* out: negative errno of the failing step, 0 on success */
	__u32 failed_op;	/* out: trace op of the failing step */
	__u64 res;		/* scratch: kallsyms result */
	__u64 log_buf;		/* copied from the context */
	__u32 log_size;
	__u32 log_level;
	__u32 skip_to;		/* scratch: steps below this index are skipped (reused maps) */
	__s32 sink_fd;		/* scratch: the result of a BPF step that makes no fd */
	__u32 sink_log[4];	/* scratch: the log fields of a BPF step that is no PROG_LOAD */
	__u32 manifest_off;	/* struct lskel_mf_hdr: what the load makes, names, pins */
	__u32 cur;		/* scratch: the next step (the may_goto loader's loop index) */
};

/* Trace operations that are not bpf() commands (op tables name them in messages). */
enum lskel_pseudo_cmd {
	LSKEL_CMD_KSYM_ADDR = 1000,	/* typeless ksym address by name */
	LSKEL_CMD_BTF_ID,		/* kernel BTF id by name and kind */
	LSKEL_CMD_CLOSE,		/* close an fd the load made */
	LSKEL_CMD_KCONFIG,		/* kconfig values (from the context) */
	LSKEL_CMD_USER_INIT,		/* caller's initial value of global data */
	LSKEL_CMD_MAP_REUSE,		/* pinned map the runtime found: fd by id, skip creation */
	LSKEL_CMD_SKIP,			/* SEC("?...") program the caller did not ask for */
};

/* Load-time value the runtime supplies like a kconfig value: the number of possible CPUs
 * (perf event arrays declared with max_entries 0 get one slot per CPU, as with libbpf). */
#define LSKEL_KCFG_NR_CPUS "LSKEL_NR_CPUS"

/* Step kinds the loader interprets, in blob order. */
enum lskel_step_kind {
	/* 1: retired (an fd fixup is a U32 step from the fd table: one kind less to verify) */
	LSKEL_STEP_PTR = 2,	/* u64 at a <- address of blob offset b */
	LSKEL_STEP_BPF = 3,	/* the header's log level, size and buffer -> blob + d (a
				 * PROG_LOAD attr's log fields, else sink_log); then
				 * bpf_sys_bpf(a, blob + b, size); result -> u32 at blob + c
				 * (fdtab[op] when it makes an fd, else sink_fd) */
	LSKEL_STEP_KSYM = 4,	/* kallsyms(blob + a, size) -> ld_imm64 at b */
	LSKEL_STEP_BTF_ID = 5,	/* btf_find_by_name_kind(blob + a, size, c) -> b (by mode),
				 * result kept at d when d != 0 */
	LSKEL_STEP_CLOSE = 6,	/* close fdtab[a] */
	LSKEL_STEP_U32 = 7,	/* u32 at a <- u32 at b (a load-time input into an attr) */
	LSKEL_STEP_COPY_USER = 8,	/* copy c bytes from user ptr (u64 at b) + d to blob + a */
	LSKEL_STEP_REUSE = 9,	/* id = u32 at b; if id: MAP_GET_FD_BY_ID (attr at a) -> fdtab[c],
				 * then skip to step d */
	LSKEL_STEP_SKIP = 10,	/* if u32 at b is 0: skip to step d (a program left out) */
};

enum lskel_step_flags {
	LSKEL_STEP_MAKES_FD = 1 << 0,
	LSKEL_STEP_WEAK = 1 << 1,
	LSKEL_STEP_BTF_U32 = 0 << 2,	/* BTF_ID writes: plain u32 */
	LSKEL_STEP_BTF_LDIMM64 = 1 << 2,	/* ld_imm64 BPF_PSEUDO_BTF_ID */
	LSKEL_STEP_BTF_KFUNC = 2 << 2,	/* call BPF_PSEUDO_KFUNC_CALL */
	LSKEL_STEP_BTF_MODE = 3 << 2,
	LSKEL_STEP_BTF_AGAIN = 1 << 4,	/* BTF_ID: reuse the result kept at d by op c */
	LSKEL_STEP_IF_SET = 1 << 5,	/* U32: a value of 0 is not written (caller's inputs) */
};

struct lskel_step {
	__u8 kind;
	__u8 flags;
	__u16 size;
	__u32 op;
	__u32 a, b, c, d;
};

/* Largest bpf_attr a step passes, largest name, largest single copy. */
#define LSKEL_ATTR_MAX 144U
#define LSKEL_NAME_MAX 256U
#define LSKEL_COPY_MAX 4096U
/* Every blob ends with this much zero padding so bounded accesses stay inside it. */
#define LSKEL_BLOB_TAIL 4096U

/* BPF_PROG_TEST_RUN context of the loader. The input area (user pointers of initial values,
 * max_entries, kconfig values) stays in user memory, right after this header in the
 * runtime's allocation: a signed or compat loader copies it into the blob at inputs_off with
 * one bpf_copy_from_user, so the loader's size does not grow with the number of inputs (a
 * context cannot be read at a variable offset: copying it took two instructions per 8
 * bytes, 2,000 for 1,000 maps); an unsigned loop loader gets a blob with the input area (and
 * the log fields) already in place and reads neither from here. */
struct lskel_loader_ctx {
	__u32 sz;		/* in: size of this header + inputs */
	__u32 failed_op;	/* out */
	__s32 err;		/* out */
	__u32 log_level;	/* in: verifier log for a failing PROG_LOAD */
	__u64 log_buf;		/* in: user pointer */
	__u32 log_size;		/* in */
	__u32 reserved;
	__u64 inputs;		/* in: user pointer to the input area (inputs_size bytes) */
	/* The may_goto loader stops when the kernel's loop budget runs out (BPF_MAX_LOOPS, or
	 * 250 ms on a timed may_goto) and returns LSKEL_LOADER_AGAIN with where it stopped
	 * here: run it again unchanged (same blob) and it goes on from there. 0 on the first
	 * run. The unsigned (slim) loader keeps both in the blob and only reports resume_step. */
	__u32 resume_step;	/* in/out */
	__u32 resume_skip;	/* in/out: the blob's skip_to at that point */
};

/* The loader's return value when it stopped for the kernel's loop budget (see above). */
#define LSKEL_LOADER_AGAIN 1

/* The manifest, at manifest_off of the blob, so the blob hash a signed loader checks (and
 * the signature over it) covers every fact the runtime acts on: names, fd slots, attach
 * specs, LIBBPF_PIN_BY_NAME pins, kconfig descriptors, the op table, the loader's own BTF
 * and func_info. Tables follow the header in this order, each 8-byte aligned, at offsets
 * lskel_mf_layout() computes from the counts (no free offsets): objs, ops, maps, progs,
 * kcfg, pins, func_info, btf, strings (NUL-terminated, referenced by offset). */
#define LSKEL_MF_MAGIC 0x4d4b534cU	/* "LSKM" */
#define LSKEL_MF_VERSION 1U
#define LSKEL_MF_NAME_MAX 128U		/* names of the load, objects, maps, programs, pins */
#define LSKEL_MF_TARGET_MAX 512U	/* attach targets ("category/name", "PATH:FUNC+OFF") */

struct lskel_mf_hdr {
	__u32 magic;
	__u32 version;
	__u32 size;		/* the whole manifest, strings included */
	__u32 name;		/* string: the load's name (skeleton, container, pin directory) */
	__u32 nr_objs, nr_ops, nr_maps, nr_progs, nr_kcfg, nr_pins;
	__u32 nr_inputs;	/* u64 input slots before the kconfig values */
	__u32 nr_func_info;	/* struct bpf_func_info of the loader */
	__u32 btf_size;		/* the loader's BTF */
	__u32 strings_size;
	__u32 reserved[2];
};

struct lskel_mf_obj {
	__u32 name;		/* string */
	__u32 reserved;
};

struct lskel_mf_op {
	__u32 cmd;		/* bpf command or enum lskel_pseudo_cmd */
	__u32 what;		/* string, for messages */
};

enum { LSKEL_MF_MAP_SHARED = 1, LSKEL_MF_MAP_RDONLY = 2 };

struct lskel_mf_map {
	__u32 name, obj;	/* string, object index */
	__u32 slot;		/* fd table slot (its MAP_CREATE op) */
	__u32 type, key_size, value_size, max_entries;
	__u32 flags;		/* LSKEL_MF_MAP_*: SHARED: another object's map, RDONLY: mmapped
				 * read-only after load (.rodata sections) */
	__u32 pinning;		/* LIBBPF_PIN_* of the definition */
	__u32 input;		/* input slot of the caller's initial value, ~0u: none */
	__u32 init_off;		/* blob offset of the initial value, ~0u: none */
	__u32 reserved;
};

struct lskel_mf_prog {
	__u32 name, obj;	/* string, object index */
	__u32 slot;		/* fd table slot (its PROG_LOAD op) */
	__u32 prog_type, expected_attach_type;
	__u32 attach;		/* enum lskel_attach_kind */
	__u32 target;		/* string */
	__u32 reserved;
};

struct lskel_mf_kcfg {
	__u32 name;		/* string */
	__u32 type, input_off, size, is_signed, is_weak;
};

struct lskel_mf_pin {
	__u32 name;		/* string */
	__u32 op, slot, input;
	__u32 type, key_size, value_size, max_entries, map_flags;
	__u32 reserved;
	__u64 map_extra;
};

/* Signed loaders begin with the blob check (compile.c): the SHA-256 compiled into them is
 * four ld_imm64 at these instruction indexes (low half in .imm, high half in the next
 * instruction's .imm), 8 bytes each, in order. */
#define LSKEL_SIGNED_HASH_INSN(k) (5 + 4 * (k))

#endif
