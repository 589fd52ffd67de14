// SPDX-License-Identifier: BSD-2-Clause
/* Corpus driver, compiled once per real-world object with -DSKEL=ident -DSKEL_HDR="x.lskel.h":
 * loads the object through its generated skeleton (open, then load) and, when that worked,
 * through libbpf, and compares the kernel state of both. Prints one verdict line:
 *   LSKEL FAIL <err> <errmsg>
 *   LSKEL OK <nr differences>     followed by the differences, one per line
 * driver OBJ [SKEL_PIN_ROOT LIBBPF_PIN_ROOT] */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include SKEL_HDR
#include "kstate.h"

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define DESC CAT(SKEL, __desc)

static int skel_kstate(struct SKEL *s, const struct lskel_desc *d, struct kstate *ks)
{
	static const char *mn[1024], *pn[1024];
	static int mf[1024], pf[1024];
	__u32 i;

	for (i = 0; i < d->nr_maps && i < 1024; i++) {
		mn[i] = d->maps[i].name;
		mf[i] = ((struct lskel_map_desc *)((char *)s + d->maps[i].fd_off))->map_fd;
	}
	for (i = 0; i < d->nr_progs && i < 1024; i++) {
		pn[i] = d->progs[i].name;
		pf[i] = ((struct lskel_prog_desc *)((char *)s + d->progs[i].fd_off))->prog_fd;
	}
	return kstate_collect(ks, mn, mf, i < 1024 ? d->nr_maps : 1024, pn, pf,
			      d->nr_progs < 1024 ? d->nr_progs : 1024);
}

int main(int argc, char **argv)
{
	struct libbpf_load_opts lo = { .pin_root = argc > 3 ? argv[3] : NULL };
	struct kstate ours = {}, ref = {};
	static char report[1 << 16];
	struct SKEL *s;
	int err, lerr = 0, n;

	if (argc < 2)
		return 2;
	s = CAT(SKEL, __open)();
	if (!s) {
		printf("LSKEL FAIL -12 open failed\n");
		return 0;
	}
	if (argc > 2)
		s->ctx.pin_root_path = argv[2];
	err = CAT(SKEL, __load)(s);
	if (err) {
		printf("LSKEL FAIL %d %s\n", s->ctx.err, s->ctx.errmsg);
		CAT(SKEL, __destroy)(s);
		return 0;
	}
	for (n = 0; argc > 2 && n < (int)DESC.nr_pins; n++) {	/* pinned by name, here */
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", argv[2], DESC.pins[n].name);
		if (access(path, F_OK)) {
			printf("LSKEL FAIL 0 map '%s' declared LIBBPF_PIN_BY_NAME is not pinned at %s\n",
			       DESC.pins[n].name, path);
			return 0;
		}
	}
	if (skel_kstate(s, &DESC, &ours)) {
		printf("LSKEL FAIL 0 cannot read the skeleton's kernel state\n");
		return 1;
	}
	if (kstate_from_libbpf_ex(argv[1], &lo, &ref, &lerr) || lerr) {
		printf("LSKEL OK 1\nlibbpf failed to load it here: %d\n", lerr);
		return 0;
	}
	n = kstate_diff(&ours, "skeleton", &ref, "libbpf", report, sizeof(report));
	printf("LSKEL OK %d\n%s", n, n ? report : "");
	kstate_free(&ours);
	kstate_free(&ref);
	CAT(SKEL, __destroy)(s);
	return 0;
}
