// SPDX-License-Identifier: BSD-2-Clause
/* In-memory loader descriptions. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "loader_desc.h"
#include "err.h"

int lsk_loader_desc(const struct lsk_trace *t, const struct lsk_loader *l, struct lskel_desc *d)
{
	__u32 *cmds = calloc(t->nr_ops + 1, sizeof(*cmds));
	const char **what = calloc(t->nr_ops + 1, sizeof(*what));
	struct lskel_kcfg *k = NULL;
	size_t i, j, nk = 0;

	if (!cmds || !what)
		goto nomem;
	for (i = 0; i < t->nr_ops; i++) {
		cmds[i] = t->ops[i].cmd;
		what[i] = t->ops[i].what;
		if (t->ops[i].cmd == LSK_CMD_KCONFIG)
			nk += t->chunks[t->ops[i].name].size / sizeof(struct lsk_kcfg_desc);
	}
	k = calloc(nk + 1, sizeof(*k));
	if (!k)
		goto nomem;
	nk = 0;
	for (i = 0; i < t->nr_ops; i++) {
		const struct lsk_kcfg_desc *kd = t->chunks[t->ops[i].name].data;

		if (t->ops[i].cmd != LSK_CMD_KCONFIG)
			continue;
		for (j = 0; j < t->chunks[t->ops[i].name].size / sizeof(*kd); j++, nk++) {
			k[nk].name = kd[j].name;
			k[nk].type = kd[j].type;
			k[nk].input_off = l->blob->kcfg_input_off[i] + kd[j].off;
			k[nk].size = kd[j].sz;
			k[nk].is_signed = kd[j].is_signed;
			k[nk].is_weak = kd[j].is_weak;
		}
	}
	memset(d, 0, sizeof(*d));
	d->name = t->nr_objs ? t->objs[0].obj->name : "lskel";
	d->insns = l->insns;
	d->insns_sz = l->nr_insns * sizeof(struct bpf_insn);
	d->data = l->blob->data;
	d->data_sz = l->blob->size;
	d->btf = l->btf;
	d->btf_sz = l->btf_size;
	d->func_info = l->func_info;
	d->nr_func_info = l->nr_func_info;
	d->nr_ops = t->nr_ops;
	d->fdtab_off = l->blob->fdtab_off;
	d->inputs_size = l->blob->inputs_size;
	d->nr_inputs = t->nr_inputs;
	d->op_cmd = cmds;
	d->op_what = what;
	d->kcfg = k;
	d->nr_kcfg = nk;
	return 0;
nomem:
	free(cmds);
	free(what);
	free(k);
	return lsk_err(ENOMEM, "out of memory");
}

void lsk_loader_desc_free(struct lskel_desc *d)
{
	free((void *)d->op_cmd);
	free((void *)d->op_what);
	free((void *)d->kcfg);
}
