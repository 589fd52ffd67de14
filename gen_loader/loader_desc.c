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
	struct lsk_kcfg_entry *ke = NULL;
	struct lskel_pin *p = NULL;
	int np, i, nk = lsk_kcfg_list(t, l->blob, &ke);

	if (nk < 0 || !cmds || !what || !(k = calloc(nk + 1, sizeof(*k))))
		goto nomem;
	for (i = 0; i < (int)t->nr_ops; i++) {
		cmds[i] = t->ops[i].cmd;
		what[i] = t->ops[i].what;
	}
	for (i = 0; i < nk; i++) {
		k[i].name = ke[i].d->name;
		k[i].type = ke[i].d->type;
		k[i].input_off = ke[i].input_off;
		k[i].size = ke[i].d->sz;
		k[i].is_signed = ke[i].d->is_signed;
		k[i].is_weak = ke[i].d->is_weak;
	}
	free(ke);
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
	np = lsk_pin_list(t, &p);
	if (np < 0) {
		lsk_loader_desc_free(d);
		return np;
	}
	d->pins = p;
	d->nr_pins = np;
	if (l->is_signed) {
		d->excl_hash = l->excl_hash;
		d->sig = l->sig;
		d->sig_sz = l->sig_len;
	}
	return 0;
nomem:
	free(cmds);
	free(what);
	free(k);
	free(ke);
	return lsk_err(ENOMEM, "out of memory");
}

void lsk_loader_desc_free(struct lskel_desc *d)
{
	free((void *)d->op_cmd);
	free((void *)d->op_what);
	free((void *)d->kcfg);
	free((void *)d->pins);
}
