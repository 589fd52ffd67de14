// SPDX-License-Identifier: BSD-2-Clause
/* Kernel state snapshots for the differential harness and the leak checks. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kstate.h"
#include "exec_direct.h"
#include "err.h"

static int map_index_by_id(const struct kstate *ks, __u32 id)
{
	size_t i;

	for (i = 0; i < ks->nr_maps; i++)
		if (ks->maps[i].info.id == id)
			return i;
	return -1;
}

static const char *name_of_prog_id(const struct kstate *ks, __u32 id)
{
	size_t i;

	for (i = 0; i < ks->nr_progs; i++)
		if (ks->progs[i].info.id == id)
			return ks->progs[i].name;
	return "?";
}

static void collect_slots(struct kstate *ks, struct ks_map *m, int fd)
{
	__u32 i, t = m->info.type;

	if (t != BPF_MAP_TYPE_PROG_ARRAY && t != BPF_MAP_TYPE_ARRAY_OF_MAPS &&
	    t != BPF_MAP_TYPE_HASH_OF_MAPS)
		return;
	for (i = 0; i < m->info.max_entries && i < 64; i++) {
		__u32 id = 0;

		if (bpf_map_lookup_elem(fd, &i, &id))
			continue;
		if (t == BPF_MAP_TYPE_PROG_ARRAY) {
			snprintf(m->slots[i], sizeof(m->slots[i]), "prog %s",
				 name_of_prog_id(ks, id));
		} else {
			int mi = map_index_by_id(ks, id);

			snprintf(m->slots[i], sizeof(m->slots[i]), "map %s",
				 mi >= 0 ? ks->maps[mi].name : "?");
		}
		m->nr_slots = i + 1;
	}
}

static int normalise(struct kstate *ks, struct ks_prog *p)
{
	size_t i;

	for (i = 0; i < p->nr_insns; i++) {
		struct bpf_insn *in = &p->xlated[i];

		/* a module kfunc's off is the fd_array index of its module's BTF: which slot
		 * holds that fd is each loader's choice (libbpf's 1, lskel's its fd table's) */
		if (in->code == (BPF_JMP | BPF_CALL) && in->src_reg == BPF_PSEUDO_KFUNC_CALL &&
		    in->off)
			in->off = 1;
		if (in->code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		if (in->src_reg == BPF_PSEUDO_MAP_FD || in->src_reg == BPF_PSEUDO_MAP_VALUE)
			in->imm = map_index_by_id(ks, in->imm);
		i++;
	}
	return 0;
}

int kstate_collect(struct kstate *ks, const char **map_names, const int *map_fds, size_t nm,
		   const char **prog_names, const int *prog_fds, size_t np)
{
	size_t i;

	memset(ks, 0, sizeof(*ks));
	ks->maps = calloc(nm + 1, sizeof(*ks->maps));
	ks->progs = calloc(np + 1, sizeof(*ks->progs));
	if (!ks->maps || !ks->progs)
		return -ENOMEM;
	ks->nr_maps = nm;
	ks->nr_progs = np;
	for (i = 0; i < nm; i++) {
		struct ks_map *m = &ks->maps[i];
		__u32 len = sizeof(m->info), zero = 0;

		snprintf(m->name, sizeof(m->name), "%s", map_names[i]);
		if (bpf_obj_get_info_by_fd(map_fds[i], &m->info, &len))
			return -errno;
		if (m->info.type == BPF_MAP_TYPE_ARRAY && m->info.max_entries == 1) {
			m->value = calloc(1, m->info.value_size);
			if (!m->value || bpf_map_lookup_elem(map_fds[i], &zero, m->value))
				return -errno;
		}
	}
	for (i = 0; i < np; i++) {
		struct ks_prog *p = &ks->progs[i];
		__u32 len = sizeof(p->info), xl;

		snprintf(p->name, sizeof(p->name), "%s", prog_names[i]);
		if (bpf_obj_get_info_by_fd(prog_fds[i], &p->info, &len))
			return -errno;
		xl = p->info.xlated_prog_len;
		p->nr_map_ids = p->info.nr_map_ids;
		memset(&p->info, 0, sizeof(p->info));
		p->xlated = calloc(1, xl + 8);
		if (!p->xlated)
			return -ENOMEM;
		p->info.xlated_prog_len = xl;
		p->info.xlated_prog_insns = (__u64)(unsigned long)p->xlated;
		p->info.nr_map_ids = p->nr_map_ids < 32 ? p->nr_map_ids : 32;
		p->map_ids = calloc(32, sizeof(__u32));
		if (!p->map_ids)
			return -ENOMEM;
		p->info.map_ids = (__u64)(unsigned long)p->map_ids;
		len = sizeof(p->info);
		if (bpf_obj_get_info_by_fd(prog_fds[i], &p->info, &len))
			return -errno;
		p->nr_insns = xl / sizeof(struct bpf_insn);
	}
	for (i = 0; i < np; i++) {
		struct ks_prog *p = &ks->progs[i];
		size_t j;

		normalise(ks, p);
		for (j = 0; j < p->nr_map_ids && j < 32; j++) {
			int mi = map_index_by_id(ks, p->map_ids[j]);

			snprintf(p->used[j], sizeof(p->used[j]), "%s", mi >= 0 ? ks->maps[mi].name : "?");
		}
	}
	for (i = 0; i < nm; i++)
		collect_slots(ks, &ks->maps[i], map_fds[i]);
	return 0;
}

void kstate_free(struct kstate *ks)
{
	size_t i;

	for (i = 0; i < ks->nr_maps; i++)
		free(ks->maps[i].value);
	for (i = 0; i < ks->nr_progs; i++) {
		free(ks->progs[i].xlated);
		free(ks->progs[i].map_ids);
	}
	free(ks->maps);
	free(ks->progs);
	memset(ks, 0, sizeof(*ks));
}

#define ADD(...) do { \
		if (pos < size) \
			pos += snprintf(report + pos, size - pos, __VA_ARGS__); \
		n++; \
	} while (0)

static bool holds(const struct ks_prog *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nr_map_ids && i < 32; i++)
		if (!strcmp(p->used[i], name))
			return true;
	return false;
}

/* The maps each program holds. One normalisation: libbpf binds its object's .rodata map to
 * every program (BPF_PROG_BIND_MAP, so that tools find metadata there) even when the code
 * does not use it; lskel does not, so such a .rodata held only on libbpf's side is no
 * difference. Every other map must be held on both sides. */
static void used_maps_diff(const struct ks_prog *x, const char *an, const struct ks_prog *y,
			   const char *bn, char *report, size_t size, size_t *posp, int *np)
{
	size_t i, pos = *posp;
	int n = *np;

	for (i = 0; i < x->nr_map_ids && i < 32; i++)
		if (!holds(y, x->used[i]))
			ADD("program '%s': holds map '%s' in %s only\n", x->name, x->used[i], an);
	for (i = 0; i < y->nr_map_ids && i < 32; i++) {
		size_t len = strlen(y->used[i]);

		if (holds(x, y->used[i]))
			continue;
		if (len > 7 && !strcmp(y->used[i] + len - 7, ".rodata"))
			continue;	/* libbpf's bind of .rodata, see above */
		ADD("program '%s': holds map '%s' in %s only\n", y->name, y->used[i], bn);
	}
	*posp = pos;
	*np = n;
}

int kstate_diff(const struct kstate *a, const char *an, const struct kstate *b, const char *bn,
		char *report, size_t size)
{
	size_t i, j, pos = 0;
	int n = 0;

	report[0] = '\0';
	if (a->nr_maps != b->nr_maps)
		ADD("map count: %s %zu, %s %zu\n", an, a->nr_maps, bn, b->nr_maps);
	for (i = 0; i < a->nr_maps; i++) {
		const struct ks_map *x = &a->maps[i], *y = NULL;

		for (j = 0; j < b->nr_maps; j++)
			if (!strcmp(b->maps[j].name, x->name))
				y = &b->maps[j];
		if (!y) {
			ADD("map '%s': only in %s\n", x->name, an);
			continue;
		}
#define CMPM(f) if (x->info.f != y->info.f) \
		ADD("map '%s': " #f " %s %u, %s %u\n", x->name, an, (unsigned)x->info.f, bn, \
		    (unsigned)y->info.f)
		CMPM(type); CMPM(key_size); CMPM(value_size); CMPM(max_entries); CMPM(map_flags);
		CMPM(btf_key_type_id); CMPM(btf_value_type_id); CMPM(map_extra);
		if (!!x->info.btf_id != !!y->info.btf_id)
			ADD("map '%s': BTF %s %s, %s %s\n", x->name, an, x->info.btf_id ? "yes" : "no",
			    bn, y->info.btf_id ? "yes" : "no");
		if (strcmp(x->info.name, y->info.name))
			ADD("map '%s': kernel name %s '%s', %s '%s'\n", x->name, an, x->info.name, bn,
			    y->info.name);
		if (x->value && y->value && x->info.value_size == y->info.value_size &&
		    memcmp(x->value, y->value, x->info.value_size))
			ADD("map '%s': global data differs\n", x->name);
		for (j = 0; j < 64; j++)
			if (strcmp(x->slots[j], y->slots[j]))
				ADD("map '%s': slot %zu %s '%s', %s '%s'\n", x->name, j, an,
				    x->slots[j], bn, y->slots[j]);
	}
	if (a->nr_progs != b->nr_progs)
		ADD("program count: %s %zu, %s %zu\n", an, a->nr_progs, bn, b->nr_progs);
	for (i = 0; i < a->nr_progs; i++) {
		const struct ks_prog *x = &a->progs[i], *y = NULL;

		for (j = 0; j < b->nr_progs; j++)
			if (!strcmp(b->progs[j].name, x->name))
				y = &b->progs[j];
		if (!y) {
			ADD("program '%s': only in %s\n", x->name, an);
			continue;
		}
#define CMPP(f) if (x->info.f != y->info.f) \
		ADD("program '%s': " #f " %s %u, %s %u\n", x->name, an, (unsigned)x->info.f, bn, \
		    (unsigned)y->info.f)
		CMPP(type); CMPP(xlated_prog_len); CMPP(gpl_compatible); CMPP(nr_func_info);
		CMPP(nr_line_info); CMPP(attach_btf_id);
		used_maps_diff(x, an, y, bn, report, size, &pos, &n);
		if (!!x->info.btf_id != !!y->info.btf_id)
			ADD("program '%s': BTF %s %s, %s %s\n", x->name, an,
			    x->info.btf_id ? "yes" : "no", bn, y->info.btf_id ? "yes" : "no");
		if (strcmp(x->info.name, y->info.name))
			ADD("program '%s': kernel name %s '%s', %s '%s'\n", x->name, an, x->info.name,
			    bn, y->info.name);
		for (j = 0; j < x->nr_insns && j < y->nr_insns; j++) {
			if (memcmp(&x->xlated[j], &y->xlated[j], sizeof(struct bpf_insn))) {
				const struct bpf_insn *p = &x->xlated[j], *q = &y->xlated[j];

				ADD("program '%s': insn %zu: %s %02x %x %x %d %d, %s %02x %x %x %d %d\n",
				    x->name, j, an, p->code, p->dst_reg, p->src_reg, p->off, p->imm,
				    bn, q->code, q->dst_reg, q->src_reg, q->off, q->imm);
				break;	/* the first difference says enough */
			}
		}
	}
	return n;
}

static int silent(enum libbpf_print_level l, const char *fmt, va_list ap)
{
	(void)l;
	(void)fmt;
	(void)ap;
	return 0;
}

static char *lb_log;
static size_t lb_log_size, lb_log_len;

static int capture(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	int n;

	if (level == LIBBPF_DEBUG || !lb_log || lb_log_len + 1 >= lb_log_size)
		return 0;
	n = vsnprintf(lb_log + lb_log_len, lb_log_size - lb_log_len, fmt, ap);
	if (n > 0)
		lb_log_len += (size_t)n < lb_log_size - lb_log_len ? (size_t)n :
			      lb_log_size - lb_log_len - 1;
	return 0;
}

int kstate_from_libbpf_ex(const char *path, struct libbpf_load_opts *o, struct kstate *ks,
			  int *lerr)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = o ? o->pin_root : NULL);
	const char *mn[256], *pn[256];
	int mf[256], pf[256], err;
	size_t nm = 0, np = 0;
	struct bpf_object *obj;
	struct bpf_program *p;
	struct bpf_map *m;

	lb_log = o ? o->log : NULL;
	lb_log_size = o ? o->log_size : 0;
	lb_log_len = 0;
	if (lb_log && lb_log_size)
		lb_log[0] = 0;
	libbpf_set_print(lb_log ? capture : silent);
	obj = bpf_object__open_file(path, &oo);
	if (!obj) {
		*lerr = -errno;
		if (o)
			o->open_failed = true;
		goto out;
	}
	*lerr = bpf_object__load(obj);
	if (*lerr || !ks) {
		bpf_object__close(obj);
		goto out;
	}
	bpf_object__for_each_map(m, obj) {
		if (nm == 256)
			break;
		mn[nm] = bpf_map__name(m);
		mf[nm++] = bpf_map__fd(m);
	}
	bpf_object__for_each_program(p, obj) {
		if (np == 256)
			break;
		pn[np] = bpf_program__name(p);
		pf[np++] = bpf_program__fd(p);
	}
	err = kstate_collect(ks, mn, mf, nm, pn, pf, np);
	bpf_object__close(obj);
	libbpf_set_print(silent);
	lb_log = NULL;
	return err;
out:
	libbpf_set_print(silent);
	lb_log = NULL;
	return 0;
}

int kstate_from_libbpf(const char *path, struct kstate *ks, int *lerr)
{
	return kstate_from_libbpf_ex(path, NULL, ks, lerr);
}

int kstate_from_trace(const struct lsk_trace *t, struct kstate *ks)
{
	const char **mn = NULL, **pn = NULL;
	int *mf = NULL, *pf = NULL, *fds = NULL, err;
	size_t i, j, nm = 0, np = 0;
	struct lsk_exec_opts opts = { .fail_at = -1 };

	err = lsk_exec_direct(t, &opts, &fds, NULL);
	if (err)
		return err;
	for (i = 0; i < t->nr_objs; i++) {
		nm += t->objs[i].obj->nr_maps;
		np += t->objs[i].obj->nr_progs;
	}
	mn = calloc(nm + 1, sizeof(*mn));
	pn = calloc(np + 1, sizeof(*pn));
	mf = calloc(nm + 1, sizeof(*mf));
	pf = calloc(np + 1, sizeof(*pf));
	if (!mn || !pn || !mf || !pf) {
		err = -ENOMEM;
		goto out;
	}
	nm = np = 0;
	for (i = 0; i < t->nr_objs; i++) {
		const struct lsk_trace_obj *to = &t->objs[i];

		for (j = 0; j < to->obj->nr_maps; j++) {
			const struct lsk_map *m = &to->obj->maps[j];

			/* libbpf names global data maps by their kernel name */
			mn[nm] = m->kind == LSK_MAP_USER ? m->name : m->kname;
			mf[nm++] = fds[to->map_op[j]];
		}
		for (j = 0; j < to->obj->nr_progs; j++) {
			if (to->prog_op[j] < 0)
				continue;
			pn[np] = to->obj->progs[j].name;
			pf[np++] = fds[to->prog_op[j]];
		}
	}
	err = kstate_collect(ks, mn, mf, nm, pn, pf, np);
out:
	lsk_exec_close(t, fds);
	free(mn);
	free(pn);
	free(mf);
	free(pf);
	return err;
}

static int ids_of(int kind, struct id_set *s)
{
	__u32 id = 0;

	s->ids = NULL;
	s->nr = 0;
	for (;;) {
		int r;
		__u32 *n;

		switch (kind) {
		case 0: r = bpf_prog_get_next_id(id, &id); break;
		case 1: r = bpf_map_get_next_id(id, &id); break;
		case 2: r = bpf_btf_get_next_id(id, &id); break;
		default: r = bpf_link_get_next_id(id, &id); break;
		}
		if (r)
			return errno == ENOENT ? 0 : -errno;
		n = realloc(s->ids, (s->nr + 1) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		s->ids = n;
		s->ids[s->nr++] = id;
	}
}

int ids_snapshot(struct id_set sets[4])
{
	int k, err;

	for (k = 0; k < 4; k++) {
		err = ids_of(k, &sets[k]);
		if (err)
			return err;
	}
	return 0;
}

size_t ids_new(const struct id_set before[4], const struct id_set after[4], char *what, size_t n)
{
	static const char *const kinds[] = { "prog", "map", "btf", "link" };
	size_t total = 0, pos = 0, i, j;
	int k;

	if (n)
		what[0] = '\0';
	for (k = 0; k < 4; k++)
		for (i = 0; i < after[k].nr; i++) {
			for (j = 0; j < before[k].nr; j++)
				if (before[k].ids[j] == after[k].ids[i])
					break;
			if (j < before[k].nr)
				continue;
			total++;
			if (pos < n)
				pos += snprintf(what + pos, n - pos, "%s %u ", kinds[k], after[k].ids[i]);
		}
	return total;
}

void ids_free(struct id_set sets[4])
{
	int k;

	for (k = 0; k < 4; k++) {
		free(sets[k].ids);
		sets[k].ids = NULL;
		sets[k].nr = 0;
	}
}

int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own fd */
}

size_t ids_wait_gone(const struct id_set before[4], char *what, size_t n)
{
	size_t left = 0;
	int i;

	for (i = 0; i < 300; i++) {
		struct id_set now[4] = {};

		if (ids_snapshot(now)) {
			ids_free(now);
			return (size_t)-1;
		}
		left = ids_new(before, now, what, n);
		ids_free(now);
		if (!left)
			return 0;
		usleep(10000);
	}
	return left;
}
