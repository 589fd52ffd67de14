// SPDX-License-Identifier: BSD-2-Clause
/* The direct executor: every trace op as a real bpf() call (or a user-space resolution). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "exec_direct.h"
#include "kconfig.h"
#include "err.h"

/* A loaded module's BTF (split on vmlinux), searched after vmlinux as the kernel does. */
struct mod_btf {
	__u32 id;
	struct btf *btf;
};

struct exec {
	const struct lsk_trace *t;
	const struct lsk_exec_opts *opts;
	void **mem;		/* per chunk: private copy */
	int *fds;
	struct btf *vmlinux;
	struct mod_btf *mods;	/* in BTF id order, read at the first miss in vmlinux */
	size_t nr_mods;
	bool mods_read;
	FILE *kallsyms;
};

static long sys_bpf(int cmd, void *attr, unsigned int size)
{
	return syscall(__NR_bpf, cmd, attr, size);
}

/* Input slot @src holds a non-zero u32 (a caller's autoload flag or max_entries). */
static bool input_set(const struct lsk_exec_opts *o, int src)
{
	__u32 v = 0;

	if (o && o->user_init && (size_t)src < o->nr_user_init && o->user_init[src])
		memcpy(&v, o->user_init[src], 4);
	return v;
}

static int apply_fixups(struct exec *x, const struct lsk_op *op)
{
	size_t i;

	for (i = 0; i < op->nr_fix; i++) {
		const struct lsk_fixup *f = &op->fix[i];
		char *dst = x->mem[f->chunk];
		__u64 v64;
		__u32 v32;

		switch (f->kind) {
		case LSK_FIX_FD:
			if (x->fds[f->src] < 0)
				return -EBADF;
			v32 = x->fds[f->src];
			memcpy(dst + f->off, &v32, 4);
			break;
		case LSK_FIX_PTR:
			v64 = (uintptr_t)x->mem[f->src];
			memcpy(dst + f->off, &v64, 8);
			break;
		case LSK_FIX_FDTAB:
			v64 = (uintptr_t)x->fds;
			memcpy(dst + f->off, &v64, 8);
			break;
		case LSK_FIX_U32:
			memcpy(dst + f->off, x->mem[f->src], 4);
			break;
		case LSK_FIX_INPUT:	/* as the loader: the caller's u32, when set and not 0 */
			if (input_set(x->opts, f->src))
				memcpy(dst + f->off, x->opts->user_init[f->src], 4);
			break;
		}
	}
	return 0;
}

static int ksym_addr(struct exec *x, const char *name, __u64 *addr)
{
	char line[512], sym[256], type;
	unsigned long long a;

	if (!x->kallsyms) {
		x->kallsyms = fopen("/proc/kallsyms", "re");
		if (!x->kallsyms)
			return -errno;
	}
	rewind(x->kallsyms);
	while (fgets(line, sizeof(line), x->kallsyms)) {
		if (sscanf(line, "%llx %c %255s", &a, &type, sym) != 3)
			continue;
		if (!strcmp(sym, name)) {
			*addr = a;
			return 0;
		}
	}
	return -ENOENT;
}

static int do_ksym(struct exec *x, const struct lsk_op *op)
{
	const char *name = x->mem[op->sym.name];
	struct bpf_insn *insn = (struct bpf_insn *)((char *)x->mem[op->sym.dst] + op->sym.dst_off);
	__u64 addr = 0;
	int err;

	err = ksym_addr(x, name, &addr);
	if (err && !(err == -ENOENT && op->sym.weak))
		return lsk_err(-err, "ksym '%s' not found in /proc/kallsyms", name);
	insn[0].imm = (__u32)addr;
	insn[1].imm = addr >> 32;
	return 0;
}

/* The kernel's module BTFs, in id order (the order bpf_btf_find_by_name_kind searches them). */
static int read_module_btfs(struct exec *x)
{
	__u32 id = 0;

	x->mods_read = true;
	while (!bpf_btf_get_next_id(id, &id)) {
		struct bpf_btf_info info = {};
		__u32 len = sizeof(info);
		char name[64] = "";
		struct mod_btf *m;
		struct btf *btf;
		int fd, err;

		fd = bpf_btf_get_fd_by_id(id);
		if (fd < 0) {
			if (errno == ENOENT)
				continue;	/* freed since GET_NEXT_ID */
			return -errno;
		}
		info.name = (uintptr_t)name;
		info.name_len = sizeof(name);
		err = bpf_obj_get_info_by_fd(fd, &info, &len) ? -errno : 0;
		close(fd);
		if (err)
			return err;
		if (!info.kernel_btf || !strcmp(name, "vmlinux"))
			continue;
		btf = btf__load_from_kernel_by_id_split(id, x->vmlinux);
		if (!btf) {
			if (errno == ENOENT)
				continue;	/* the module went away */
			return -errno;
		}
		m = realloc(x->mods, (x->nr_mods + 1) * sizeof(*m));
		if (!m) {
			btf__free(btf);
			return -ENOMEM;
		}
		x->mods = m;
		x->mods[x->nr_mods].id = id;
		x->mods[x->nr_mods++].btf = btf;
	}
	return errno == ENOENT ? 0 : -errno;
}

/* @name of @kind in vmlinux, else in the first module having it: its id, and for a module a
 * new fd of that module's BTF in *fd (as the loader's bpf_btf_find_by_name_kind gives). */
static int find_btf_id(struct exec *x, const char *name, __u32 kind, int *fd)
{
	size_t i;
	int id, err;

	*fd = 0;
	if (!x->vmlinux) {
		x->vmlinux = btf__load_vmlinux_btf();
		if (!x->vmlinux)
			return lsk_err(ENOENT, "cannot read the kernel's BTF to resolve '%s'", name);
	}
	id = btf__find_by_name_kind(x->vmlinux, name, kind);
	if (id > 0)
		return id;
	if (!x->mods_read) {
		err = read_module_btfs(x);
		if (err)
			return lsk_err(-err, "cannot read the kernel's module BTFs to resolve '%s': "
				       "%s", name, strerror(-err));
	}
	for (i = 0; i < x->nr_mods; i++) {
		id = btf__find_by_name_kind(x->mods[i].btf, name, kind);
		if (id <= 0)
			continue;
		*fd = bpf_btf_get_fd_by_id(x->mods[i].id);
		if (*fd < 0) {
			err = errno;
			*fd = 0;
			return lsk_err(err, "'%s': cannot open the BTF of its module (id %u): %s",
				       name, x->mods[i].id, strerror(err));
		}
		return id;
	}
	return -ESRCH;
}

/* Op @k: the BTF id of a name. As in the loader, a module's BTF fd goes into the fd-table slot
 * of the op that looked the name up (closed by a later CLOSE op); a later op of the same
 * symbol (same_as) reuses that lookup, its fd and its slot. */
static int do_btf_id(struct exec *x, const struct lsk_op *op, size_t k)
{
	const struct lsk_op_sym *s = &op->sym;
	const char *name = x->mem[s->name];
	char *dst = (char *)x->mem[s->dst] + s->dst_off;
	struct bpf_insn *insn = (struct bpf_insn *)dst;
	int id, fd = 0, slot = k;
	__u64 cell;

	if (s->same_as >= 0) {
		memcpy(&cell, x->mem[s->cell], 8);
		id = (__u32)cell;
		fd = cell >> 32;
		slot = s->same_as;
	} else {
		id = find_btf_id(x, name, s->btf_kind, &fd);
		if (id == -ESRCH) {
			if (!s->weak)
				return lsk_err(ESRCH, "'%s' not found in kernel BTF (vmlinux and "
					       "modules)", name);
			id = 0;
		} else if (id < 0) {
			return id;
		}
		if (fd > 0)
			x->fds[k] = fd;
		if (s->cell >= 0) {
			cell = (__u64)fd << 32 | (__u32)id;
			memcpy(x->mem[s->cell], &cell, 8);
		}
	}
	switch (s->how) {
	case LSK_BTF_DST_U32:
		memcpy(dst, &id, 4);
		if (fd > 0)	/* attach_btf_obj_fd follows attach_btf_id */
			memcpy(dst + 4, &fd, 4);
		break;
	case LSK_BTF_DST_LDIMM64:
		insn[0].imm = id;
		insn[1].imm = fd;	/* 0: vmlinux */
		if (!id)
			insn[0].src_reg = 0;
		break;
	case LSK_BTF_DST_KFUNC:
		insn[0].imm = id;
		insn[0].off = fd > 0 ? slot : 0;	/* fd_array index of the module's BTF */
		break;
	}
	return 0;
}

static int do_bpf(struct exec *x, const struct lsk_op *op)
{
	void *attr = x->mem[op->attr];
	long fd = sys_bpf(op->cmd, attr, op->attr_size);
	int err = errno;

	if (fd >= 0)
		return op->makes_fd ? (int)fd : 0;
	if ((op->cmd == BPF_PROG_LOAD || op->cmd == BPF_BTF_LOAD) && x->opts &&
	    x->opts->log_buf && x->opts->log_size) {
		union bpf_attr a;
		long r;

		memcpy(&a, attr, sizeof(a));
		x->opts->log_buf[0] = '\0';
		if (op->cmd == BPF_PROG_LOAD) {
			a.log_level = 1;
			a.log_buf = (uintptr_t)x->opts->log_buf;
			a.log_size = x->opts->log_size;
		} else {
			a.btf_log_level = 1;
			a.btf_log_buf = (uintptr_t)x->opts->log_buf;
			a.btf_log_size = x->opts->log_size;
		}
		r = sys_bpf(op->cmd, &a, op->attr_size);
		if (r >= 0)	/* passed the second time: take it (both commands make an fd) */
			return r;
	}
	return -err;
}

/* A plain struct_ops map stays registered with the kernel after its fd is closed: delete
 * its value first (BPF_F_LINK maps are registered by links only). */
static void st_ops_unregister(const struct lsk_trace *t, const int *fds, size_t upto)
{
	size_t i;

	for (i = 0; i < upto; i++) {
		const union bpf_attr *a = t->ops[i].attr >= 0 ? t->chunks[t->ops[i].attr].data : NULL;
		union bpf_attr d;
		__u32 key = 0;

		if (t->ops[i].cmd != BPF_MAP_CREATE || fds[i] < 0 ||
		    a->map_type != BPF_MAP_TYPE_STRUCT_OPS || (a->map_flags & (1U << 13)))
			continue;
		memset(&d, 0, sizeof(d));
		d.map_fd = fds[i];
		d.key = (uintptr_t)&key;
		sys_bpf(BPF_MAP_DELETE_ELEM, &d, sizeof(d));	/* ENOENT: not registered yet */
	}
}

static void close_all(struct exec *x, size_t upto)
{
	size_t i;

	st_ops_unregister(x->t, x->fds, upto);

	for (i = 0; i < upto; i++)
		if (x->fds[i] >= 0) {
			close(x->fds[i]);
			x->fds[i] = -1;
		}
}

static int run_op(struct exec *x, size_t k)
{
	const struct lsk_op *op = &x->t->ops[k];
	int err = apply_fixups(x, op), r;

	if (err)
		return lsk_err(-err, "internal: op %zu uses an fd that is not open", k);
	switch (op->cmd) {
	case LSK_CMD_KSYM_ADDR:
		return do_ksym(x, op);
	case LSK_CMD_BTF_ID:
		return do_btf_id(x, op, k);
	case LSK_CMD_USER_INIT: {
		const struct lsk_op_user_init *u = &op->user_init;

		if (x->opts && x->opts->user_init && (size_t)u->input < x->opts->nr_user_init &&
		    x->opts->user_init[u->input])
			memcpy((char *)x->mem[u->dst] + u->dst_off,
			       (const char *)x->opts->user_init[u->input] + u->user_off,
			       u->user_size ?: x->t->chunks[u->dst].size);
		return 0;
	}
	case LSK_CMD_MAP_REUSE:
		return 0;	/* exec_direct creates every map: it looks no pin up */
	case LSK_CMD_SKIP:
		return 0;	/* the caller of run_op decides (lsk_exec_direct) */
	case LSK_CMD_CLOSE:
		if (x->fds[op->close.fd_op] >= 0)
			close(x->fds[op->close.fd_op]);
		x->fds[op->close.fd_op] = -1;
		return 0;
	case LSK_CMD_KCONFIG:
		return lsk_kconfig_fill(x->mem[op->kconfig.descs],
					x->t->chunks[op->kconfig.descs].size /
					sizeof(struct lsk_kcfg_desc),
					x->mem[op->kconfig.dst], x->t->chunks[op->kconfig.dst].size,
					x->opts ? x->opts->kconfig_path : NULL);
	default:
		r = do_bpf(x, op);
		if (r < 0)
			return lsk_err(-r, "%s", strerror(-r));
		if (op->makes_fd)
			x->fds[k] = r;
		return 0;
	}
}

int lsk_exec_direct(const struct lsk_trace *t, const struct lsk_exec_opts *opts, int **fdsp,
		    struct lsk_exec_error *eout)
{
	struct exec x = { .t = t, .opts = opts };
	size_t i, k = 0;
	int err = 0;

	if (eout) {
		eout->op = -1;
		eout->err = 0;
	}
	x.mem = calloc(t->nr_chunks + 1, sizeof(void *));
	x.fds = malloc((t->nr_ops + 1) * sizeof(int));
	if (!x.mem || !x.fds) {
		err = lsk_err(ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < t->nr_ops; i++)
		x.fds[i] = -1;
	for (i = 0; i < t->nr_chunks; i++) {
		x.mem[i] = malloc(t->chunks[i].size ? t->chunks[i].size : 1);
		if (!x.mem[i]) {
			err = lsk_err(ENOMEM, "out of memory");
			goto out;
		}
		memcpy(x.mem[i], t->chunks[i].data, t->chunks[i].size);
	}
	for (k = 0; k < t->nr_ops; k++) {
		if (opts && opts->fail_at == (int)k)
			err = lsk_err(opts->fail_errno ? opts->fail_errno : EIO, "%s (injected)",
				      strerror(opts->fail_errno ? opts->fail_errno : EIO));
		else if (t->ops[k].cmd == LSK_CMD_SKIP && !input_set(opts, t->ops[k].skip.input))
			k = t->ops[k].skip.skip_to - 1;	/* a SEC("?...") program not asked for */
		else
			err = run_op(&x, k);
		if (err) {
			char msg[1024];

			snprintf(msg, sizeof(msg), "%s", lsk_errmsg());
			lsk_err(-err, "op %zu: %s of %s failed: %s", k, lsk_cmd_name(t->ops[k].cmd),
				t->ops[k].what, msg);
			close_all(&x, k + 1);
			if (eout) {
				eout->op = k;
				eout->err = err;
			}
			goto out;
		}
	}
out:
	if (x.mem)
		for (i = 0; i < t->nr_chunks; i++)
			free(x.mem[i]);
	free(x.mem);
	for (i = 0; i < x.nr_mods; i++)
		btf__free(x.mods[i].btf);
	free(x.mods);
	btf__free(x.vmlinux);
	if (x.kallsyms)
		fclose(x.kallsyms);
	if (err) {
		free(x.fds);
		return err;
	}
	*fdsp = x.fds;
	return 0;
}

void lsk_exec_close(const struct lsk_trace *t, int *fds)
{
	size_t i;

	if (!fds)
		return;
	st_ops_unregister(t, fds, t->nr_ops);
	for (i = 0; i < t->nr_ops; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
}
