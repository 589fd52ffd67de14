// SPDX-License-Identifier: BSD-2-Clause
/* Loader failure injection shared by the skeleton and chain tests. */
/* kconfig-using skeletons (core_read) read /proc/config.gz through the runtime here too */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "inject.h"
#include "kstate.h"

int desc_failing_at(const struct lskel_desc *base, __u32 k, struct lskel_desc *d, char **blob)
{
	struct lskel_blob_hdr h;
	struct lskel_step *st;
	__u32 i;

	*d = *base;
	*blob = (char *)malloc(base->data_sz);
	assert_non_null(*blob);
	memcpy(*blob, base->data, base->data_sz);
	memcpy(&h, *blob, sizeof(h));
	st = (struct lskel_step *)(*blob + h.steps_off);
	d->data = *blob;
	for (i = 0; i < h.nr_steps; i++)
		if (st[i].op == k) {
			st[i].kind = 0;
			return 1;
		}
	return 0;
}

int desc_kernel_failing_at(const struct lskel_desc *base, __u32 k, struct lskel_desc *d,
			   char **blob)
{
	static const char nosym[] = "Znx";	/* short enough for any name slot */
	struct lskel_blob_hdr h;
	struct lskel_step *st;
	__u32 i;

	*d = *base;
	*blob = (char *)malloc(base->data_sz);
	assert_non_null(*blob);
	memcpy(*blob, base->data, base->data_sz);
	memcpy(&h, *blob, sizeof(h));
	st = (struct lskel_step *)(*blob + h.steps_off);
	d->data = *blob;
	for (i = 0; i < h.nr_steps; i++) {
		if (st[i].op != k)
			continue;
		switch (st[i].kind) {
		case LSKEL_STEP_BPF:
			st[i].a = 0xffff;	/* a command the kernel does not know: EINVAL */
			return -1;
		case LSKEL_STEP_REUSE:
			st[i].b = h.fdtab_off;	/* map id 0xffffffff: no such map, ENOENT */
			return -1;
		case LSKEL_STEP_KSYM:
		case LSKEL_STEP_BTF_ID:
			if (st[i].size < sizeof(nosym))
				return 0;
			memcpy(*blob + st[i].a, nosym, sizeof(nosym));
			st[i].size = sizeof(nosym);
			st[i].flags &= ~LSKEL_STEP_WEAK;
			if (st[i].kind == LSKEL_STEP_BTF_ID && (st[i].flags & LSKEL_STEP_BTF_AGAIN)) {
				/* a reused result: make it look the missing name up itself */
				st[i].flags &= ~LSKEL_STEP_BTF_AGAIN;
				st[i].c = 12;	/* BTF_KIND_FUNC */
				st[i].d = 0;
			}
			return -1;
		default:
			break;
		}
	}
	return 0;
}

const char *inject_pin_root;

/* Op @k's steps lie in the range a MAP_REUSE step skips when its map is pinned already. */
static int op_skippable(const struct lskel_desc *base, __u32 k)
{
	struct lskel_blob_hdr h;
	const struct lskel_step *st;
	__u32 i, j;

	memcpy(&h, base->data, sizeof(h));
	st = (const struct lskel_step *)((const char *)base->data + h.steps_off);
	for (i = 0; i < h.nr_steps; i++) {
		if (st[i].kind != LSKEL_STEP_REUSE)
			continue;
		for (j = i + 1; j < st[i].d && j < h.nr_steps; j++)
			if (st[j].op == k)
				return 1;
	}
	return 0;
}

static unsigned int every_op(const struct lskel_desc *base, size_t skel_size, int kernel)
{
	unsigned int tested = 0;
	__u32 k;

	for (k = 0; k < base->nr_ops; k++) {
		struct id_set before[4] = {};
		struct lskel_desc d;
		struct lskel_ctx *c;
		char *blob, want[64], left[512];
		int fds0 = count_fds(), err;
		void *s;

		if (!(kernel ? desc_kernel_failing_at(base, k, &d, &blob) :
			       desc_failing_at(base, k, &d, &blob))) {
			free(blob);
			continue;
		}
		assert_int_equal(ids_snapshot(before), 0);
		s = calloc(1, skel_size);
		assert_non_null(s);
		c = (struct lskel_ctx *)s;
		c->pin_root_path = inject_pin_root;
		assert_int_equal(lskel_open(&d, s), 0);
		err = lskel_load(&d, s);
		if (!err && inject_pin_root && op_skippable(base, k)) {
			lskel_destroy(&d, s);	/* a reused pinned map: the op never ran */
			ids_free(before);
			free(blob);
			continue;
		}
		if (kernel)
			assert_true(err < 0);
		else
			assert_int_equal(err, -EINVAL);
		assert_int_equal(c->failed_op, (int)k);
		snprintf(want, sizeof(want), "op %u: ", k);
		if (strncmp(c->errmsg, want, strlen(want)) || !strstr(c->errmsg, base->op_what[k]))
			fail_msg("op %u: message does not name the op: %s", k, c->errmsg);
		lskel_destroy(&d, s);
		if (ids_wait_gone(before, left, sizeof(left)))
			fail_msg("failure at op %u leaked: %s", k, left);
		assert_int_equal(count_fds(), fds0);
		ids_free(before);
		free(blob);
		tested++;
	}
	print_message("  %s failure at %u of %u ops\n", kernel ? "kernel-side" : "loader-side",
		      tested, base->nr_ops);
	return tested;
}

unsigned int kernel_fail_every_op(const struct lskel_desc *base, size_t skel_size)
{
	return every_op(base, skel_size, 1);
}

unsigned int inject_every_op(const struct lskel_desc *base, size_t skel_size)
{
	return every_op(base, skel_size, 0);
}
