/* SPDX-License-Identifier: BSD-2-Clause */
/* lskel runtime, LIBBPF_PIN_BY_NAME maps: find a pinned map to reuse before the load, pin
 * the maps this load made after it, undo those pins when the load is given up. */
#ifndef LSKEL_PIN_H
#define LSKEL_PIN_H

#include <lskel/core.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The max_entries the caller set for the map in fd-table @slot (maps.M.max_entries, an
 * input of its MAP_CREATE), else @max. */
static inline __u32 lskel_caller_max(const struct lskel_desc *d, const __u64 *inputs, __u32 slot,
				     __u32 max)
{
	__u32 i;

	for (i = 0; d->maps && i < d->nr_maps; i++)
		if (d->maps[i].slot == slot && d->maps[i].max_input != ~0u &&
		    inputs[d->maps[i].max_input])
			return (__u32)inputs[d->maps[i].max_input];
	return max;
}

static inline void lskel_pin_path(const struct lskel_ctx *c, const struct lskel_pin *p,
				  char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s", c->pin_root_path ? c->pin_root_path : "/sys/fs/bpf", p->name);
}

/* lskel-run defines it: maps this load pins go to PIN_ROOT/NAME + suffix, renamed into place
 * when its whole deployment is made (a killed run leaves names the next run removes). */
#ifndef LSKEL_PIN_TMP_SUFFIX
#define LSKEL_PIN_TMP_SUFFIX ""
#endif

/* Before the load: the id of each pinned map into its input slot (0: none pinned). A pin
 * whose map differs from the definition fails the load, as with libbpf. */
static inline int lskel_pins_find(const struct lskel_desc *d, __u64 *inputs, struct lskel_ctx *c)
{
	char path[4096];
	__u32 i;

	for (i = 0; i < d->nr_pins; i++) {
		const struct lskel_pin *p = &d->pins[i];
		struct bpf_map_info info;
		union bpf_attr attr;
		__u32 max = p->max_entries;
		int fd, err;

		lskel_pin_path(c, p, path, sizeof(path));
		memset(&attr, 0, sizeof(attr));
		attr.pathname = lskel_ptr(path);
		fd = lskel_sys_bpf(BPF_OBJ_GET, &attr, sizeof(attr));
		if (fd < 0 && errno == ENOENT) {
			inputs[p->input] = 0;
			continue;
		}
		if (fd < 0) {
			err = -errno;
			c->failed_op = p->op;
			c->err = err;
			snprintf(c->errmsg, sizeof(c->errmsg), "map '%.64s': cannot open its pin %.300s:"
				 " %s", p->name, path, strerror(-err));
			return err;
		}
		err = lskel_obj_info(fd, &info, sizeof(info));
		close(fd);
		if (!max)
			max = (__u32)lskel_possible_cpus();
		max = lskel_caller_max(d, inputs, p->slot, max);
		if (!err && (info.type != p->type || info.key_size != p->key_size ||
			     info.value_size != p->value_size || info.max_entries != max ||
			     info.map_flags != p->map_flags || info.map_extra != p->map_extra))
			err = -EINVAL;
		if (err) {
			c->failed_op = p->op;
			c->err = err;
			snprintf(c->errmsg, sizeof(c->errmsg), "map '%.64s': the map pinned at %.300s "
				 "differs from its definition (type %u/%u, key %u/%u, value %u/%u, "
				 "max_entries %u/%u, flags 0x%x/0x%x; pinned/defined)", p->name, path,
				 info.type, p->type, info.key_size, p->key_size, info.value_size,
				 p->value_size, info.max_entries, max, info.map_flags, p->map_flags);
			return err;
		}
		inputs[p->input] = info.id;
	}
	return 0;
}

/* Remove the pins this load made (a load that fails after the loader ran leaves none). */
static inline void lskel_pins_undo(const struct lskel_desc *d, struct lskel_ctx *c)
{
	char path[4096];
	__u32 i;

	for (i = 0; c->pins_made && i < d->nr_pins; i++) {
		if (!c->pins_made[i])
			continue;
		lskel_pin_path(c, &d->pins[i], path, sizeof(path));
		strncat(path, LSKEL_PIN_TMP_SUFFIX, sizeof(path) - strlen(path) - 1);
		unlink(path);
	}
	free(c->pins_made);
	c->pins_made = NULL;
}

/* After the load: pin each map the loader created (not reused). On failure removes the pins
 * this load made. */
static inline int lskel_pins_make(const struct lskel_desc *d, const __u64 *inputs,
				  const int *fds, struct lskel_ctx *c)
{
	char path[4096];
	__u32 i;

	free(c->pins_made);
	c->pins_made = (unsigned char *)calloc(d->nr_pins, 1);
	if (!c->pins_made)
		return lskel_fail(c, -1, -ENOMEM, "%s: out of memory", d->name);
	for (i = 0; i < d->nr_pins; i++) {
		const struct lskel_pin *p = &d->pins[i];
		union bpf_attr attr;
		int err;

		if (inputs[p->input])
			continue;
		lskel_pin_path(c, p, path, sizeof(path));
#ifdef LSKEL_PIN_RACE_HOOK
		LSKEL_PIN_RACE_HOOK(path);	/* tests: another loader pins here first */
#endif
		strncat(path, LSKEL_PIN_TMP_SUFFIX, sizeof(path) - strlen(path) - 1);
		memset(&attr, 0, sizeof(attr));
		attr.pathname = lskel_ptr(path);
		attr.bpf_fd = (__u32)fds[p->slot];
		if (!lskel_sys_bpf(BPF_OBJ_PIN, &attr, sizeof(attr))) {
			c->pins_made[i] = 1;
			continue;
		}
		err = -errno;
		if (err == -EEXIST) {
			/* pinned since lskel_pins_find: a retry reuses it; the pins this load made
			 * stay, other loaders may have found them already */
			free(c->pins_made);
			c->pins_made = NULL;
		} else {
			lskel_pins_undo(d, c);
		}
		c->failed_op = p->op;
		c->err = err;
		snprintf(c->errmsg, sizeof(c->errmsg), "map '%.64s': cannot pin it at %.300s: %s",
			 p->name, path, strerror(-err));
		return err;
	}
	return 0;
}

#ifdef __cplusplus
}
#endif

#endif
