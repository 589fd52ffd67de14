/* SPDX-License-Identifier: BSD-2-Clause */
/* What the loader compiler's files share (compile.c: main and the driver, loader_steps.c: the
 * step interpreter): the generator's state, the register convention and the offsets the
 * instructions name. */
#ifndef LSK_LOADER_GEN_H
#define LSK_LOADER_GEN_H

#include <stddef.h>
#include <linux/bpf.h>
#include "bpf_asm.h"
#include "blob.h"
#include "trace.h"

/* Registers. BPF's calling convention: r0 a helper's result, r1-r5 its arguments (clobbered by
 * every call), r6-r9 kept across calls. What the loader keeps in r6-r9, per function:
 *   lskel_loader (main)  R_CTX (r6)   the context, struct lskel_loader_ctx *
 *                        R_BLOB (r9)  the blob (the data map's value; struct lskel_blob_hdr)
 *   lskel_step           R_STEP (r7)  the step being interpreted, struct lskel_step *
 *                        R_BLOB (r9)  the blob
 *                        R_KEEP (r6)  what a step kind keeps across its helper call: the
 *                                     result's fd-table slot, a looked-up value, a BTF id
 *                        R_MODFD (r8) BTF_ID only: the module BTF fd found with the id
 * r1-r5 are scratch everywhere; the comments next to the instructions say what they hold. */
#define R0 BPF_REG_0
#define R1 BPF_REG_1
#define R2 BPF_REG_2
#define R3 BPF_REG_3
#define R4 BPF_REG_4
#define R5 BPF_REG_5
#define R_CTX BPF_REG_6
#define R_KEEP BPF_REG_6
#define R_STEP BPF_REG_7
#define R_MODFD BPF_REG_8
#define R_BLOB BPF_REG_9

/* Offsets the instructions name, from the structs they point into. */
#define HDR(f) ((int)offsetof(struct lskel_blob_hdr, f))
#define STEP(f) ((int)offsetof(struct lskel_step, f))
#define CTX(f) ((int)offsetof(struct lskel_loader_ctx, f))
#define ATTR(f) ((int)offsetof(union bpf_attr, f))
#define ATTR_END(f) (ATTR(f) + (int)sizeof(((union bpf_attr *)0)->f))
/* A BPF step's d: PROG_LOAD's log_level, log_size, log_buf (or the header's sink_log). */
#define LOG(f) (ATTR(f) - ATTR(log_level))
/* BTF_ID's u32 mode writes attach_btf_id, then attach_btf_obj_fd for a module. */
#define BTF_OBJ_FD (ATTR(attach_btf_obj_fd) - ATTR(attach_btf_id))
/* Fields of an instruction a step patches: imm of insn[k] (ld_imm64: k = 0, 1), off, and
 * the byte after the opcode (dst_reg in the low nibble, src_reg in the high one). */
#define INSN_OFF(f) ((int)offsetof(struct bpf_insn, f))
#define INSN_IMM(k) ((int)((k) * sizeof(struct bpf_insn)) + INSN_OFF(imm))
#define INSN_REGS (INSN_OFF(code) + (int)sizeof(__u8))
/* The kernel's struct bpf_map (6.18), read through the data map's pointer by a signed
 * loader: u8 sha[32], the map's hash, then u32 excl, 1 when the map is exclusive to a
 * program. */
#define KMAP_SHA 0
#define KMAP_EXCL 32

#define E(x) asm_emit(a, x)

struct gen {
	struct lsk_asm *a;
	const struct lsk_trace *t;
	const struct lsk_blob *b;
	const unsigned char *blob_hash;	/* signed loaders: SHA-256 of the blob */
	int mask;		/* offsets a step names are ANDed with this (2^k - 1) */
	int bad, fail_r0, next, stop, result;
	/* the loop loader (loop = 1): the loop's head, its way out, and where the kernel's
	 * loop budget ends it (compile.c's emit_loop) */
	int loop, head, done, expired;
	/* slim: the unsigned loop loader. The runtime writes the blob with the input area, the
	 * caller's initial values of global data (COPY_USER steps go straight on) and, for a run
	 * with a verifier log, every BPF step's log fields in place (a fresh blob each first run,
	 * the same one to resume): no copy from the context, no scratch reset; it never touches
	 * its context (the runtime reads err, failed_op and cur from the blob). A
	 * signed loader's blob is frozen before the load, so it copies them itself. In every
	 * loop loader the runtime has put a U32 step's compiled value in the input slot a
	 * caller left 0 (lskel_inputs_defaults), so U32 is a plain copy. */
	int slim;
};

/* The loop loader keeps the context pointer here: R_CTX is R_KEEP inside the loop. */
#define CTX_SLOT (-8)

/* The step interpreter: the compat loader's bpf_loop callback, long lskel_step(u32 index,
 * void *unused), 0 = go on, 1 = stop; or, in the loop loader, the loop's body (the index in
 * r1, R_BLOB set), which goes on at g->next and stops at g->done. */
void lsk_gen_step_fn(struct gen *g);

#endif
