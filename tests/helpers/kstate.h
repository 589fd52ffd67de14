/* SPDX-License-Identifier: BSD-2-Clause */
/* Test helpers: snapshots of kernel state made by a load, and their comparison. */
#ifndef LSK_TEST_KSTATE_H
#define LSK_TEST_KSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/bpf.h>
#include "obj.h"
#include "trace.h"

/* What the kernel holds for one map or program, normalised to compare across loads. */
struct ks_map {
	char name[64];
	struct bpf_map_info info;
	void *value;		/* value of key 0 for single-entry arrays (global data) */
	char slots[64][80];	/* prog-array / map-in-map slot -> program or map name */
	int nr_slots;
};

struct ks_prog {
	char name[64];
	struct bpf_prog_info info;
	struct bpf_insn *xlated;	/* map ids replaced by the map's index in the set */
	__u32 *map_ids;
	size_t nr_insns;
	size_t nr_map_ids;
	char used[32][64];	/* names of the maps the program holds (used_maps) */
};

struct kstate {
	struct ks_map *maps;
	size_t nr_maps;
	struct ks_prog *progs;
	size_t nr_progs;
};

/* Snapshot maps/progs given as parallel name/fd arrays. */
int kstate_collect(struct kstate *ks, const char **map_names, const int *map_fds, size_t nm,
		   const char **prog_names, const int *prog_fds, size_t np);
void kstate_free(struct kstate *ks);
/* Compare; writes a line per difference into @report; returns the number of differences. */
int kstate_diff(const struct kstate *a, const char *an, const struct kstate *b, const char *bn,
		char *report, size_t size);

/* Load @path with libbpf's bpf_object__load and snapshot; *err gets its error (0 = loaded). */
int kstate_from_libbpf(const char *path, struct kstate *ks, int *err);
/* The same with libbpf options: a pin root for LIBBPF_PIN_BY_NAME maps, and a buffer that
 * gets libbpf's warnings and errors (which name the failing program or map). A NULL @ks
 * only records the outcome. */
struct libbpf_load_opts {
	const char *pin_root;
	char *log;
	size_t log_size;
	bool open_failed;	/* out: bpf_object__open refused the file (before any load) */
};
int kstate_from_libbpf_ex(const char *path, struct libbpf_load_opts *o, struct kstate *ks,
			  int *lerr);
/* Load @t with exec_direct and snapshot every object's maps and programs. */
int kstate_from_trace(const struct lsk_trace *t, struct kstate *ks);

/* Ids of every prog, map, btf and link in the system (leak checks). */
struct id_set {
	__u32 *ids;
	size_t nr;
};
int ids_snapshot(struct id_set sets[4]);
/* Number of ids in @after that were not in @before, over the four kinds. */
size_t ids_new(const struct id_set before[4], const struct id_set after[4], char *what, size_t n);
void ids_free(struct id_set sets[4]);
/* Open file descriptors of this process. */
int count_fds(void);



/* Wait (up to ~3 s: the kernel frees programs and their maps after an RCU grace period)
 * until no prog/map/btf/link id exists that was not in @before; returns how many remain and
 * names them in @what. */
size_t ids_wait_gone(const struct id_set before[4], char *what, size_t n);
#endif
