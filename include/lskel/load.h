/* SPDX-License-Identifier: BSD-2-Clause */
/* lskel runtime, load: run a generated loader program over its data blob (the caller's
 * inputs, kconfig values and pinned maps first), and the skeleton's life cycle: open,
 * load (bind the fds, map the data sections), destroy. */
#ifndef LSKEL_LOAD_H
#define LSKEL_LOAD_H

#include <lskel/core.h>
#include <lskel/kconfig.h>
#include <lskel/signed.h>
#include <lskel/pin.h>
#include <lskel/struct_ops.h>
#include <lskel/subskel.h>
#include <lskel/attach.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Write @value (d->data_sz bytes) into data map @map_fd: 0 or -errno. */
static inline int lskel_blob_write(int map_fd, const void *value)
{
	union bpf_attr attr;
	__u32 key = 0;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = map_fd;
	attr.key = lskel_ptr(&key);
	attr.value = lskel_ptr(value);
	return lskel_sys_bpf(BPF_MAP_UPDATE_ELEM, &attr, sizeof(attr)) ? -errno : 0;
}

/* The loader's data map holding @value (the blob: d->data, or the slim loader's copy of it,
 * lskel_blob_make). Signed loaders: exclusive to the loader (by the hash of its
 * instructions), frozen, and hashed by the kernel (the loader compares). */
static inline int lskel_data_map_of(const struct lskel_desc *d, struct lskel_ctx *c,
				    const void *value)
{
	union lskel_attr u;
	__u32 hash_size = 32;
	unsigned char hash[32], info[LSKEL_MAP_INFO_SZ];
	__u64 p;
	int fd, err;

	memset(&u, 0, sizeof(u));
	u.a.map_type = BPF_MAP_TYPE_ARRAY;
	u.a.key_size = 4;
	u.a.value_size = d->data_sz;
	u.a.max_entries = 1;	/* not mmapable: a kmalloc'ed value up to 32 KiB, created in
				 * 11-20 us where a vmalloc'ed mmapable one took 26 (3 ms apart) */
	memcpy(u.a.map_name, "lskel_data", sizeof("lskel_data"));
	if (d->excl_hash) {
		p = lskel_ptr(d->excl_hash);
		lskel_put(&u, LSKEL_ATTR_EXCL_PROG_HASH, &p, 8);
		lskel_put(&u, LSKEL_ATTR_EXCL_PROG_HASH_SIZE, &hash_size, 4);
	}
	fd = lskel_sys_bpf(BPF_MAP_CREATE, &u.a, d->excl_hash ? LSKEL_ATTR_MAP_CREATE_SZ :
			   sizeof(u.a));
	if (fd < 0)
		return lskel_fail(c, -1, -errno, "%s: creating the loader's data map%s failed",
				  d->name, d->excl_hash ? " (exclusive to the signed loader)" : "");
	err = lskel_blob_write(fd, value);
	if (err) {
		err = lskel_fail(c, -1, err, "%s: writing the loader's data failed", d->name);
		close(fd);
		return err;
	}
	if (!d->excl_hash)
		return fd;
	memset(&u, 0, sizeof(u));
	u.a.map_fd = fd;
	err = lskel_sys_bpf(BPF_MAP_FREEZE, &u.a, sizeof(u.a)) ? -errno : 0;
	if (!err) {	/* the kernel computes the frozen map's SHA-256 when asked for it */
		memset(info, 0, sizeof(info));
		p = lskel_ptr(hash);
		memcpy(info + LSKEL_MAP_INFO_HASH, &p, 8);
		memcpy(info + LSKEL_MAP_INFO_HASH_SIZE, &hash_size, 4);
		memset(&u, 0, sizeof(u));
		u.a.info.bpf_fd = fd;
		u.a.info.info_len = sizeof(info);
		u.a.info.info = lskel_ptr(info);
		err = lskel_sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &u.a, sizeof(u.a)) ? -errno : 0;
	}
	if (err) {
		lskel_fail(c, -1, err, "%s: freezing and hashing the loader's data (signed loaders "
			   "need kernel 6.18 or later) failed", d->name);
		close(fd);
		return err;
	}
	return fd;
}

/* The loader's data map holding the blob as generated. */
static inline int lskel_data_map(const struct lskel_desc *d, struct lskel_ctx *c)
{
	return lskel_data_map_of(d, c, d->data);
}

/* Where the u32 at blob offset @off comes from before the loader runs: the input area (the
 * caller's values, kconfig values and counts the runtime filled in) or the blob as generated;
 * NULL outside both or in the fd table (only the loader knows those). */
static inline const char *lskel_blob_u32(const struct lskel_desc *d, const char *inputs,
					 __u32 off)
{
	const struct lskel_blob_hdr *h = (const struct lskel_blob_hdr *)d->data;

	if (off >= h->inputs_off && off - h->inputs_off < d->inputs_size &&
	    d->inputs_size - (off - h->inputs_off) >= 4)
		return inputs + (off - h->inputs_off);
	if (off > d->data_sz - 4 || (off >= h->fdtab_off && off - h->fdtab_off < h->nr_ops * 4))
		return NULL;
	return (const char *)d->data + off;
}

/* The blob's step table (steps_off and nr_steps checked by lskel_mf_parse). */
static inline const struct lskel_step *lskel_blob_steps(const struct lskel_desc *d)
{
	const struct lskel_blob_hdr *h = (const struct lskel_blob_hdr *)d->data;

	return (const struct lskel_step *)((const char *)d->data + h->steps_off);
}

/* A U32 step of an input slot (IF_SET) keeps the field's value when the caller left the slot
 * 0: the value an earlier step of its op wrote there (a count of CPUs for a perf event
 * array's max_entries), else the compiled one. Put that value in the slot (@inputs, the input
 * area), so the loop loader copies without deciding. Offsets it cannot follow are refused
 * (-EINVAL); the step table itself was checked with the manifest. */
static inline int lskel_inputs_defaults(const struct lskel_desc *d, char *inputs)
{
	const struct lskel_blob_hdr *h = (const struct lskel_blob_hdr *)d->data;
	const struct lskel_step *s = lskel_blob_steps(d);
	const char *slot, *from;
	__u32 i, j, v;

	for (i = 0; i < h->nr_steps; i++) {
		if (s[i].kind != LSKEL_STEP_U32 || !(s[i].flags & LSKEL_STEP_IF_SET))
			continue;
		slot = lskel_blob_u32(d, inputs, s[i].b);
		from = lskel_blob_u32(d, inputs, s[i].a);	/* the compiled value */
		for (j = i; j-- > 0 && s[j].op == s[i].op;)
			if (s[j].kind == LSKEL_STEP_U32 && s[j].a == s[i].a) {
				from = lskel_blob_u32(d, inputs, s[j].b);
				break;
			}
		if (!slot || slot < inputs || slot >= inputs + d->inputs_size || !from)
			return -EINVAL;
		memcpy(&v, slot, 4);
		if (!v)
			memcpy((char *)slot, from, 4);
	}
	return 0;
}

/* A COPY_USER step (the caller's initial value of global data) into blob @b, as the compat
 * loader's bpf_copy_from_user does: c bytes from the caller's pointer (the u64 input slot at
 * step b) plus d, to a; nothing when the pointer is 0. Read with process_vm_readv on this
 * process, so a bad pointer is EFAULT, not a crash. 0 or -errno. */
static inline int lskel_copy_user(const struct lskel_desc *d, char *b, const char *inputs,
				  const struct lskel_step *s)
{
	const struct lskel_blob_hdr *h = (const struct lskel_blob_hdr *)d->data;
	struct iovec to, from;
	__u64 p;
	long n;

	if (d->inputs_size < 8 || s->b < h->inputs_off || s->b - h->inputs_off > d->inputs_size - 8 ||
	    !s->c || s->c > LSKEL_COPY_MAX || s->a > d->data_sz - s->c)
		return -EINVAL;
	memcpy(&p, inputs + (s->b - h->inputs_off), 8);
	if (!p)
		return 0;
	to.iov_base = b + s->a;
	to.iov_len = s->c;
	from.iov_base = (void *)(uintptr_t)(p + s->d);
	from.iov_len = s->c;
	n = syscall(__NR_process_vm_readv, getpid(), &to, 1UL, &from, 1UL, 0UL);
	if (n < 0 && (errno == ENOSYS || errno == EPERM)) {	/* no cross-memory attach here */
		memcpy(to.iov_base, from.iov_base, s->c);
		return 0;
	}
	return n == (long)s->c ? 0 : n < 0 ? -errno : -EFAULT;
}

/* The blob an unsigned (slim) loader runs on, into *@out (the caller frees it): d->data with
 * the input area in place, the caller's initial values of global data copied in (its COPY_USER
 * steps; a failing one sets lc->err and lc->failed_op) and, when @lc has a log, every BPF
 * step's log fields (its PROG_LOAD attr's, or the sink). 0 or -errno. */
static inline int lskel_blob_make(const struct lskel_desc *d, struct lskel_loader_ctx *lc,
				  void **out)
{
	const struct lskel_blob_hdr *h = (const struct lskel_blob_hdr *)d->data;
	const struct lskel_step *s = lskel_blob_steps(d);
	char *b = (char *)malloc(d->data_sz);
	__u32 i;
	int err = 0;

	*out = b;
	if (!b)
		return -ENOMEM;
	memcpy(b, d->data, d->data_sz);
	memcpy(b + h->inputs_off, lc + 1, d->inputs_size);
	for (i = 0; !err && i < h->nr_steps; i++) {
		if (s[i].kind == LSKEL_STEP_COPY_USER) {
			err = lskel_copy_user(d, b, (const char *)(lc + 1), &s[i]);
			lc->err = err;
			lc->failed_op = s[i].op;
		}
		if (!lc->log_buf || s[i].kind != LSKEL_STEP_BPF || s[i].d > d->data_sz - 16)
			continue;	/* (an offset outside the blob: the loader masks it) */
		memcpy(b + s[i].d, &lc->log_level, 4);
		memcpy(b + s[i].d + 4, &lc->log_size, 4);
		memcpy(b + s[i].d + 8, &lc->log_buf, 8);
	}
	return err;
}

/* The loader's BPF_PROG_LOAD attr: @map_fd (at *@fd_array) is its data map; @btf_fd < 0: the
 * loop loader (no BTF), else the compat loader with its BTF and func_info; a signature
 * (@sig, @sig_sz) goes with the keyring, and with @map_cnt (1: the map in fd_array is
 * part of what the kernel verifies, the bpf-next scheme; 0: the 6.18 one). Returns the attr
 * size to pass. */
static inline __u32 lskel_loader_attr(const struct lskel_desc *d, union lskel_attr *u,
				      const int *fd_array, int btf_fd, const void *sig,
				      __u32 sig_sz, __s32 keyring, __u32 map_cnt)
{
	__u64 p = lskel_ptr(sig);

	memset(u, 0, sizeof(*u));
	u->a.prog_type = BPF_PROG_TYPE_SYSCALL;
	u->a.insns = lskel_ptr(btf_fd < 0 ? d->insns : d->compat_insns);
	u->a.insn_cnt = (btf_fd < 0 ? d->insns_sz : d->compat_insns_sz) / sizeof(struct bpf_insn);
	u->a.license = lskel_ptr("Dual BSD/GPL");
	u->a.prog_flags = BPF_F_SLEEPABLE;
	memcpy(u->a.prog_name, "lskel_loader", sizeof("lskel_loader"));
	u->a.fd_array = lskel_ptr(fd_array);
	if (btf_fd >= 0) {
		u->a.prog_btf_fd = btf_fd;
		u->a.func_info = lskel_ptr(d->func_info);
		u->a.func_info_cnt = d->nr_func_info;
		u->a.func_info_rec_size = sizeof(struct bpf_func_info);
	}
	if (!sig || !sig_sz)
		return sizeof(u->a);
	lskel_put(u, LSKEL_ATTR_FD_ARRAY_CNT, &map_cnt, 4);
	lskel_put(u, LSKEL_ATTR_SIGNATURE, &p, 8);
	lskel_put(u, LSKEL_ATTR_SIGNATURE_SIZE, &sig_sz, 4);
	lskel_put(u, LSKEL_ATTR_KEYRING_ID, &keyring, 4);
	return LSKEL_ATTR_PROG_LOAD_SZ;
}

/* Load the loader program (@btf_fd < 0: the loop loader, else the compat loader with that
 * BTF); a signed one with its signature, checked by the kernel against
 * the keyring (ctx.keyring_id, default the session keyring): first as the kernel-verified
 * scheme (signature over instructions and blob, the frozen exclusive data map in
 * fd_array), then as 6.18's (signature over the instructions; the loader checks the
 * blob). A kernel that cannot check signatures (EOPNOTSUPP) gets the loader unsigned. The loop
 * loader of an unsigned load with a compat loader is only tried: -errno, no message, no log. */
static inline int lskel_load_loader(const struct lskel_desc *d, struct lskel_ctx *c, int map_fd,
				    int btf_fd)
{
	int tried = btf_fd < 0 && d->compat_insns_sz && !d->excl_hash;
	union lskel_attr u;
	__s32 keyring = c->keyring_id ? c->keyring_id : LSKEL_KEY_SPEC_SESSION_KEYRING;
	int fd, sig_err = 0;
	__u32 sz;

	c->sig_status = LSKEL_SIG_NONE;
	if (d->sig && d->sig_sz) {
		if (d->sig_next && d->sig_next_sz) {
			sz = lskel_loader_attr(d, &u, &map_fd, btf_fd, d->sig_next, d->sig_next_sz,
					       keyring, 1);
			fd = lskel_sys_bpf(BPF_PROG_LOAD, &u.a, sz);
			if (fd >= 0) {
				c->sig_status = LSKEL_SIG_VERIFIED;
				return fd;
			}
			sig_err = -errno;
		}
		if (sig_err != -EOPNOTSUPP) {
			sz = lskel_loader_attr(d, &u, &map_fd, btf_fd, d->sig, d->sig_sz, keyring, 0);
			fd = lskel_sys_bpf(BPF_PROG_LOAD, &u.a, sz);
			if (fd >= 0) {
				c->sig_status = LSKEL_SIG_VERIFIED;
				return fd;
			}
			sig_err = -errno;
		}
		if (sig_err == -EOPNOTSUPP && c->require_signature)
			return lskel_fail(c, -1, sig_err, "%s: this kernel cannot check BPF program "
					  "signatures and the signature is required", d->name);
	}
	sz = lskel_loader_attr(d, &u, &map_fd, btf_fd, NULL, 0, 0, 0);
	fd = lskel_sys_bpf(BPF_PROG_LOAD, &u.a, sz);
	if (fd >= 0 && sig_err && sig_err != -EOPNOTSUPP) {
		/* the program loads unsigned: what the kernel refused was the signature */
		close(fd);
		return lskel_fail(c, -1, sig_err, "%s: the kernel refused the loader's signature "
				  "(is the signing key in the keyring?)", d->name);
	}
	if (fd >= 0 && sig_err)
		c->sig_status = LSKEL_SIG_UNSUPPORTED;
	if (fd < 0 && tried)
		return -errno;
	if (fd < 0 && c->log_buf && c->log_size) {
		/* again, with the verifier's log for the caller */
		u.a.log_buf = lskel_ptr(c->log_buf);
		u.a.log_size = c->log_size;
		u.a.log_level = 1;
		fd = lskel_sys_bpf(BPF_PROG_LOAD, &u.a, sz);
	}
	if (fd < 0 && d->excl_hash)	/* a signed loader verifies with its own blob */
		return lskel_fail(c, -1, -errno, "%s: the kernel refused the signed loader program "
				  "(its blob is not the one it was built with: tampered with or "
				  "swapped?)", d->name);
	if (fd < 0 && errno == EPERM)
		return lskel_fail(c, -1, -errno, "%s: the kernel refused the loader program "
				  "(BPF_PROG_TYPE_SYSCALL needs CAP_BPF and CAP_PERFMON)", d->name);
	if (fd < 0)	/* not a permission problem: the instructions or their BTF */
		return lskel_fail(c, -1, -errno, "%s: the verifier refused the loader program "
				  "(corrupted?)", d->name);
	return fd;
}

/* @len bytes at @off of the blob in data map @map_fd (the loader's, after a run) into @to:
 * one lookup of the whole value. 0 or -errno. */
static inline int lskel_blob_read(const struct lskel_desc *d, int map_fd, __u32 off, size_t len,
				  void *to)
{
	union bpf_attr attr;
	__u32 key = 0;
	void *m = malloc(d->data_sz);
	int err = 0;

	if (!m)
		return -ENOMEM;
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = map_fd;
	attr.key = lskel_ptr(&key);
	attr.value = lskel_ptr(m);
	if (lskel_sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr, sizeof(attr)))
		err = -errno;
	else
		memcpy(to, (char *)m + off, len);
	free(m);
	return err;
}

/* Read the loader's fd table (one fd per op, -1 where none) from data map @map_fd into @fds:
 * one lookup of the whole value, 3 us for a 12 KiB blob where mmap and munmap took 10-25 us,
 * and no slower for a 1 MiB one. */
static inline int lskel_fdtab_read(const struct lskel_desc *d, int map_fd, int *fds)
{
	return lskel_blob_read(d, map_fd, d->fdtab_off, d->nr_ops * sizeof(int), fds);
}

/* After a run of a slim loader (the unsigned loop loader never touches its context): from the
 * blob's header, its error and failed op when it returned one (@retval < 0), and where it
 * stopped when the kernel's loop budget did (LSKEL_LOADER_AGAIN), into @lc. 0 or -errno. */
static inline int lskel_slim_status(const struct lskel_desc *d, int map_fd,
				    struct lskel_loader_ctx *lc, int retval)
{
	struct lskel_blob_hdr h;
	int err;

	if (!retval)
		return 0;
	memset(&h, 0, sizeof(h));
	err = lskel_blob_read(d, map_fd, 0, sizeof(h), &h);
	if (err)
		return err;
	if (retval == LSKEL_LOADER_AGAIN) {
		lc->resume_step = h.cur;
		lc->resume_skip = h.skip_to;
	} else if (retval < 0) {
		lc->err = h.err ? h.err : retval;
		lc->failed_op = h.err ? h.failed_op : ~0u;
	}
	return 0;
}

/* After a failed run: close every fd the ops before @failed_op made (the failed op's slot holds
 * its errno; later slots may hold a previous run's closed fds). The loader leaves this to us:
 * a close pass inside it would cost a third function to verify on every load. */
static inline void lskel_close_failed(const struct lskel_desc *d, int map_fd, int *fds,
				      __u32 failed_op)
{
	__u32 i;

	if (lskel_fdtab_read(d, map_fd, fds))
		return;	/* ENOMEM: the fds stay with the process until it exits */
	for (i = 0; i < failed_op && i < d->nr_ops; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* The op a loop loader run stopped in (@lc's resume_step, or its resume_skip when that is
 * further: the steps between are skipped, a reused map's slot already filled): every op before
 * it has made its fd, since ops run in order and an op's fd comes from its last step. */
static inline __u32 lskel_stopped_op(const struct lskel_desc *d,
				     const struct lskel_loader_ctx *lc)
{
	__u32 step = lc->resume_skip > lc->resume_step ? lc->resume_skip : lc->resume_step;

	if (step >= ((const struct lskel_blob_hdr *)d->data)->nr_steps)
		return d->nr_ops;
	return lskel_blob_steps(d)[step].op;
}

/* The loader's data map holding @blob (NULL: d->data) and the loader program itself: the loop
 * loader, or where the kernel refuses it (no may_goto before 6.9) the compat loader with its
 * BTF. The caller closes the fds it gets (-1 where none was made). */
static inline int lskel_loader_prog(const struct lskel_desc *d, struct lskel_ctx *c,
				    const void *blob, int *btf_fd, int *map_fd, int *prog_fd)
{
	union bpf_attr attr;

	*map_fd = lskel_data_map_of(d, c, blob ? blob : d->data);
	if (*map_fd < 0)
		return *map_fd;
	*prog_fd = lskel_load_loader(d, c, *map_fd, -1);
	if (*prog_fd >= 0 || !d->compat_insns_sz || d->excl_hash)
		return *prog_fd < 0 ? *prog_fd : 0;
	memset(&attr, 0, sizeof(attr));
	attr.btf = lskel_ptr(d->btf);
	attr.btf_size = d->btf_sz;
	*btf_fd = lskel_sys_bpf(BPF_BTF_LOAD, &attr, sizeof(attr));
	if (*btf_fd < 0)
		return lskel_fail(c, -1, -errno, "%s: loading the loader's BTF failed", d->name);
	c->compat = 1;
	*prog_fd = lskel_load_loader(d, c, *map_fd, *btf_fd);
	return *prog_fd < 0 ? *prog_fd : 0;
}

/* Say which op of a failed loader run failed and why, in @c; returns the error. */
static inline int lskel_run_failed(const struct lskel_desc *d, struct lskel_ctx *c,
				   const struct lskel_loader_ctx *lc, int retval)
{
	int op = lc->err ? (int)lc->failed_op : -1;
	int known = op >= 0 && (__u32)op < d->nr_ops;
	const char *what = known ? d->op_what[op] : "the load";
	int err = lc->err ? lc->err : retval, trunc;
	char head[96];

	trunc = known && d->op_cmd[op] == BPF_PROG_LOAD && err == -ENOSPC && lc->log_buf;
	snprintf(head, sizeof(head), "op %d: %s of", op,
		 known ? lskel_cmd_name(d->op_cmd[op]) : "?");
	c->failed_op = op;
	c->err = err;
	/* ENOSPC on the retry with the caller's log: a full log hid the refusal */
	snprintf(c->errmsg, sizeof(c->errmsg), "%s %s%s%s: %s", known ? head : d->name,
		 known ? what : err == -EBADMSG && !d->excl_hash ? "blob hash check failed, "
		 "no signing data (signature section stripped?)" : "loader failed before its "
		 "first op", known ? " failed" : "", trunc ? " (refused by the verifier; its "
		 "log was truncated: give a larger log_buf)" : "", strerror(-err));
	return err;
}

/* The input area after the context header @lc: the caller's @input_slots (NULL: every
 * initial value as compiled), kconfig values, pinned maps' ids, the values IF_SET steps keep;
 * then, for an unsigned loader, *@blob: the blob with them in place (a signed loader copies
 * them: its blob is frozen and hashed as generated). */
static inline int lskel_run_inputs(const struct lskel_desc *d, const __u64 *input_slots,
				   struct lskel_ctx *c, struct lskel_loader_ctx *lc, void **blob)
{
	int err;

	if (d->nr_inputs && input_slots)
		memcpy(lc + 1, input_slots, d->nr_inputs * 8);
	err = lskel_fill_kconfig(d, (char *)(lc + 1), c);
	if (!err && d->nr_pins)
		err = lskel_pins_find(d, (__u64 *)(lc + 1), c);
	if (!err && lskel_inputs_defaults(d, (char *)(lc + 1)))
		err = lskel_fail(c, -1, -EINVAL, "%s: invalid blob: a step's input slot or "
				 "compiled value lies outside it", d->name);
	if (err || d->excl_hash)
		return err;
	err = lskel_blob_make(d, lc, blob);
	if (err == -ENOMEM)
		return lskel_fail(c, -1, err, "%s: out of memory", d->name);
	if (err)	/* nothing is loaded yet */
		err = lskel_run_failed(d, c, lc, err);
	lc->err = 0;
	return err;
}

/* Before the run with the caller's verifier log: the log fields into the context (signed and
 * compat loaders copy them into every BPF step) and, for an unsigned loader, a fresh blob with
 * them in place written over the failed run's; from the first step. */
static inline int lskel_log_rerun(const struct lskel_desc *d, struct lskel_ctx *c,
				  struct lskel_loader_ctx *lc, void **blob, int map_fd)
{
	int err;

	lc->log_buf = lskel_ptr(c->log_buf);
	lc->log_size = c->log_size;
	lc->log_level = c->log_level ? c->log_level : 1;
	lc->err = 0;
	lc->resume_step = lc->resume_skip = 0;
	if (!*blob)
		return 0;
	free(*blob);
	err = lskel_blob_make(d, lc, blob);	/* the same copies as the first time */
	lc->err = 0;
	if (!err)
		err = lskel_blob_write(map_fd, *blob);
	return err ? lskel_fail(c, -1, err, "%s: rewriting the loader's data failed", d->name) : 0;
}

/* After a successful run: the fd table into @fds and the pins made; *pin_race set when a pin
 * it was to make appeared meanwhile (every fd closed then). */
static inline int lskel_run_done(const struct lskel_desc *d, struct lskel_ctx *c,
				 const struct lskel_loader_ctx *lc, int map_fd, int *fds,
				 int *pin_race)
{
	__u32 i;
	int err = lskel_fdtab_read(d, map_fd, fds);

	if (err)	/* the loader succeeded: its fds are open but unknown; nothing better */
		return lskel_fail(c, -1, err, "%s: reading the loader's fd table", d->name);
	if (!d->nr_pins)
		return 0;
	err = lskel_pins_make(d, (const __u64 *)(lc + 1), fds, c);
	*pin_race = err == -EEXIST;
	for (i = 0; err && i < d->nr_ops; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return err;
}

/* One run of the loader (lskel_run_loader); *pin_race set when a pin it was to make
 * appeared meanwhile. */
static inline int lskel_run_loader_once(const struct lskel_desc *d, const __u64 *input_slots,
					struct lskel_ctx *c, int **fdsp, int *pin_race)
{
	int btf_fd = -1, map_fd = -1, prog_fd = -1, err = 0, *fds = NULL;
	size_t ctx_sz = sizeof(struct lskel_loader_ctx) + d->inputs_size;
	struct lskel_loader_ctx *lc;
	void *blob = NULL;
	union bpf_attr attr;
	__u32 resume = 0;

	c->failed_op = -1;
	c->err = 0;
	c->loader_runs = 0;
	c->compat = 0;	/* also when the description is refused before any load */
	c->errmsg[0] = '\0';
	c->sig_status = LSKEL_SIG_NONE;
	err = lskel_check_desc(d, c);	/* before any bpf() call: hashes, manifest, tables */
	if (err)
		return err;
	lc = (struct lskel_loader_ctx *)calloc(1, ctx_sz);
	fds = (int *)malloc((d->nr_ops + 1) * sizeof(int));
	if (!lc || !fds) {
		err = lskel_fail(c, -1, -ENOMEM, "%s: out of memory", d->name);
		goto out;
	}
	err = lskel_run_inputs(d, input_slots, c, lc, &blob);
	if (err)
		goto out;
	lskel_reserve_fds(d->nr_ops);

	err = lskel_loader_prog(d, c, blob, &btf_fd, &map_fd, &prog_fd);
	if (err)
		goto out;
	lc->sz = ctx_sz;	/* the first run without a verifier log: the fast path */
	lc->inputs = lskel_ptr(lc + 1);
run:
	c->loader_runs++;
	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = prog_fd;
	attr.test.ctx_in = lskel_ptr(lc);
	/* the header only (the loader reads the inputs from user memory); SYSCALL programs
	 * write the context back there */
	attr.test.ctx_size_in = sizeof(*lc);
	if (lskel_sys_bpf(BPF_PROG_TEST_RUN, &attr, sizeof(attr))) {
		err = lskel_fail(c, -1, -errno, "%s: running the loader failed", d->name);
		goto out;
	}
	if (blob && !c->compat) {	/* the slim loader: what it says is in the blob */
		err = lskel_slim_status(d, map_fd, lc, (int)attr.test.retval);
		if (err) {
			err = lskel_fail(c, -1, err, "%s: reading the loader's result", d->name);
			goto out;
		}
	}
	if (attr.test.retval == LSKEL_LOADER_AGAIN && !lc->err) {
		/* the kernel's loop budget stopped the loop loader after a whole step: again,
		 * from where it stopped (it always gets further) */
		if (lc->resume_step <= resume) {
			/* the fds the earlier runs made are in the fd table */
			lskel_close_failed(d, map_fd, fds, lskel_stopped_op(d, lc));
			err = lskel_fail(c, -1, -EFAULT, "%s: the loader stopped at step %u without "
					 "getting further", d->name, lc->resume_step);
			goto out;
		}
		resume = lc->resume_step;
		goto run;
	}
	if (lc->err)
		lskel_close_failed(d, map_fd, fds, lc->failed_op);
	if (lc->err && !lc->log_buf && c->log_buf && c->log_size && lc->failed_op < d->nr_ops &&
	    d->op_cmd[lc->failed_op] == BPF_PROG_LOAD) {
		/* a program was refused and the caller wants the verifier's log: everything
		 * the load made is closed; run it again with the log in every PROG_LOAD, the
		 * last one written is the refused program's */
		resume = 0;
		err = lskel_log_rerun(d, c, lc, &blob, map_fd);
		if (err)
			goto out;
		goto run;
	}
	if (d->excl_hash && (int)attr.test.retval == -EBADMSG && !lc->err) {
		err = lskel_fail(c, -1, -EBADMSG, "%s: data blob hash mismatch: the blob is not the "
				 "one this loader was signed with (tampered with or swapped)",
				 d->name);
		goto out;
	}
	if ((int)attr.test.retval < 0 || lc->err) {
		err = lskel_run_failed(d, c, lc, (int)attr.test.retval);
		goto out;
	}
	err = lskel_run_done(d, c, lc, map_fd, fds, pin_race);
	if (err)
		goto out;
	*fdsp = fds;
	fds = NULL;
out:
	if (prog_fd >= 0)
		close(prog_fd);
	if (map_fd >= 0)
		close(map_fd);
	if (btf_fd >= 0)
		close(btf_fd);
	free(blob);
	free(lc);
	free(fds);
	return err;
}

/* Run the loader. On success *fdsp holds one fd per trace op (-1 where none), and a loader
 * with pinned maps leaves c->pins_made for lskel_pins_undo: a caller other than lskel_load
 * frees it (lskel_load's skeleton does in lskel_destroy). Loaders racing to pin the same
 * LIBBPF_PIN_BY_NAME map: the one finding it pinned (EEXIST) undoes its load and loads again
 * on the winner's map, after checking it matches, as libbpf retries. */
static inline int lskel_run_loader(const struct lskel_desc *d, const __u64 *input_slots,
				   struct lskel_ctx *c, int **fdsp)
{
	int tries, err = -EINVAL, race = 0;

	for (tries = 0; tries < 3; tries++) {
		race = 0;
		err = lskel_run_loader_once(d, input_slots, c, fdsp, &race);
		if (!race)
			break;
	}
	return err;
}

/* Anonymous copy of a global data section, readable and writable before load. */
static inline void *lskel_prep_data(const void *init, __u32 size)
{
	size_t len = ((size_t)size + 4095) & ~(size_t)4095;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (init)
		memcpy(p, init, size);
	else
		memset(p, 0, size);
	return p;
}

static inline void lskel_free_data(void *p, __u32 size)
{
	if (p)
		munmap(p, ((size_t)size + 4095) & ~(size_t)4095);
}

/* Open: mark every fd closed first (a failed open's destroy closes none it did not make),
 * then make the writable data sections. */
static inline int lskel_open(const struct lskel_desc *d, void *skel)
{
	char *s = (char *)skel;
	__u32 i;

	((struct lskel_ctx *)skel)->failed_op = -1;
	for (i = 0; i < d->nr_maps; i++)
		((struct lskel_map_desc *)(s + d->maps[i].fd_off))->map_fd = -1;
	for (i = 0; i < d->nr_progs; i++) {
		((struct lskel_prog_desc *)(s + d->progs[i].fd_off))->prog_fd = -1;
		((struct lskel_prog_desc *)(s + d->progs[i].fd_off))->autoload =
			d->progs[i].autoload_input == ~0u;
		*(int *)(s + d->progs[i].link_off) = -1;
	}
	for (i = 0; i < d->nr_maps; i++) {
		const struct lskel_map_bind *b = &d->maps[i];
		struct lskel_map_desc *md = (struct lskel_map_desc *)(s + b->fd_off);

		if (b->data_off != ~0u) {
			void *p = lskel_prep_data(b->init_off != ~0u ?
						  (const char *)d->data + b->init_off : NULL,
						  b->size);

			if (!p)
				return -ENOMEM;
			*(void **)(s + b->data_off) = p;
			md->initial_value = lskel_ptr(p);
		}
	}
	for (i = 0; i < d->nr_objs; i++) {
		struct lskel_handle *h = (struct lskel_handle *)(s + d->handles[i].storage_off);

		h->desc = d;
		h->skel = skel;
		h->obj = i;
		h->subs = NULL;
		*(struct lskel_handle **)(s + d->handles[i].ptr_off) = h;
	}
	return lskel_st_ops_open(d, skel);
}

/* progs.P.autoload into the load's inputs: SEC("?...") programs are loaded when asked for;
 * any other program always is, so asking to leave one out is an error, not ignored. */
static inline int lskel_autoload_inputs(const struct lskel_desc *d, void *skel, __u64 *inputs)
{
	__u32 i;

	for (i = 0; i < d->nr_progs; i++) {
		const struct lskel_prog_bind *b = &d->progs[i];
		int a = ((struct lskel_prog_desc *)((char *)skel + b->fd_off))->autoload;

		if (b->autoload_input != ~0u)
			inputs[b->autoload_input] = a != 0;
		else if (!a)
			return lskel_fail((struct lskel_ctx *)skel, -1, -EINVAL, "program '%s': "
					  "autoload is 0, but only SEC(\"?...\") programs can be "
					  "left out of this load", b->name);
	}
	return 0;
}

/* Load: run the loader with the caller's data sections, bind fds, map the data sections. */
static inline int lskel_load(const struct lskel_desc *d, void *skel)
{
	struct lskel_ctx *c = (struct lskel_ctx *)skel;
	char *s = (char *)skel;
	__u64 *inputs = NULL;
	int *fds = NULL, err;
	__u32 i;

	if (lskel_loaded(d, skel))
		return lskel_fail(c, -1, -EBUSY, "%s: already loaded: a skeleton loads once "
				  "(destroy it and open a new one)", d->name);
	err = lskel_st_ops_check(d, c);
	if (err)
		return err;
	if (d->nr_inputs) {
		inputs = (__u64 *)calloc(d->nr_inputs, 8);
		if (!inputs)
			return -ENOMEM;
	}
	for (i = 0; i < d->nr_maps; i++) {
		const struct lskel_map_bind *b = &d->maps[i];

		/* bpftool's contract: the loader reads maps.M.initial_value, which points at
		 * skel->M for exposed sections and may be set for any section with a value
		 * (libxdp's dispatcher keeps its config in a static, unexposed .rodata) */
		if (b->input != ~0u)
			inputs[b->input] = ((struct lskel_map_desc *)(s + b->fd_off))->initial_value;
		if (b->max_input != ~0u)	/* set between open and load, as with bpftool */
			inputs[b->max_input] =
				((struct lskel_map_desc *)(s + b->fd_off))->max_entries;
	}
	err = lskel_autoload_inputs(d, skel, inputs);
	if (!err)
		err = lskel_run_loader(d, inputs, c, &fds);
	free(inputs);
	if (err)
		return err;
	for (i = 0; i < d->nr_maps; i++) {
		const struct lskel_map_bind *b = &d->maps[i];

		((struct lskel_map_desc *)(s + b->fd_off))->map_fd = fds[b->slot];
	}
	for (i = 0; i < d->nr_maps; i++)	/* shared maps: one fd, several views */
		fds[d->maps[i].slot] = -1;
	for (i = 0; i < d->nr_progs; i++) {
		const struct lskel_prog_bind *b = &d->progs[i];

		((struct lskel_prog_desc *)(s + b->fd_off))->prog_fd = fds[b->slot];
		fds[b->slot] = -1;
	}
	for (i = 0; i < d->nr_ops; i++)	/* BTF and other helpers the programs keep alive */
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	for (i = 0; i < d->nr_maps; i++) {
		const struct lskel_map_bind *b = &d->maps[i];
		void **pp = (void **)(s + b->data_off);
		size_t len = ((size_t)b->size + 4095) & ~(size_t)4095;
		void *p;

		if (b->data_off == ~0u)
			continue;
		/* same address: pointers the caller took to skel->bss stay valid */
		p = mmap(*pp, len, PROT_READ | (b->rdonly ? 0 : PROT_WRITE), MAP_SHARED | MAP_FIXED,
			 ((struct lskel_map_desc *)(s + b->fd_off))->map_fd, 0);
		if (p == MAP_FAILED) {
			err = lskel_fail(c, -1, -errno, "%s: cannot map global data '%s'",
					 d->name, b->name);
			lskel_pins_undo(d, c);
			return err;
		}
	}
	lskel_subs_notify(d, skel, 0);	/* subskeletons see the fds */
	return 0;
}

/* Release links first, then programs and maps, then the data sections. */
static inline void lskel_destroy(const struct lskel_desc *d, void *skel)
{
	char *s = (char *)skel;
	__u32 i;

	if (!skel)
		return;
	free(((struct lskel_ctx *)skel)->pins_made);	/* the pins stay: that is their point */
	lskel_subs_notify(d, skel, 1);
	lskel_detach(d, skel);
	lskel_st_ops_destroy(d, skel);
	for (i = 0; i < d->nr_progs; i++) {
		int fd = ((struct lskel_prog_desc *)(s + d->progs[i].fd_off))->prog_fd;

		if (fd >= 0)
			close(fd);
	}
	for (i = 0; i < d->nr_maps; i++) {
		const struct lskel_map_bind *b = &d->maps[i];
		int fd = ((struct lskel_map_desc *)(s + b->fd_off))->map_fd;

		if (fd >= 0 && !b->shared)
			close(fd);
		if (b->data_off != ~0u)
			lskel_free_data(*(void **)(s + b->data_off), b->size);
	}
	free(skel);
}

#ifdef __cplusplus
}
#endif

#endif
