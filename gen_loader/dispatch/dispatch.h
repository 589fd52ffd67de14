/* SPDX-License-Identifier: BSD-2-Clause */
/* Generated dispatchers: a text spec (hook, components in order, an action per return code)
 * becomes a root program that runs the components and acts on their return codes. The
 * spec format is documented in README ("Generated dispatchers"). */
#ifndef LSK_DISPATCH_H
#define LSK_DISPATCH_H

#include <stdbool.h>
#include <stdio.h>
#include "obj.h"

struct lsk_plan;

enum lsk_disp_hook { LSK_HOOK_XDP, LSK_HOOK_TC };
enum lsk_disp_mode { LSK_MODE_STATIC, LSK_MODE_TAILCALL, LSK_MODE_FREPLACE };
enum lsk_disp_act { LSK_ACT_CONTINUE, LSK_ACT_RETURN, LSK_ACT_STOP };

/* Tail calls per packet are capped by the kernel at 33; tailcall mode uses two per
 * component (stage, then back to the decision program). */
#define LSK_DISP_TAILCALL_MAX 16
#define LSK_DISP_MAX 256

struct lsk_disp_rule {
	int code;		/* return code of the component */
	enum lsk_disp_act act;
	int verdict;		/* LSK_ACT_RETURN */
	int line;
};

struct lsk_disp_comp {
	char obj[64], prog[64];
	struct lsk_disp_rule *rules;
	size_t nr_rules;
	struct lsk_disp_rule dflt;	/* code unused */
	int line;
};

struct lsk_dispatch {
	char path[256];		/* the spec file, for messages */
	char root[64];		/* object name of the generated root ("root NAME") */
	enum lsk_disp_hook hook;
	enum lsk_disp_mode mode;
	int end_verdict;	/* every component continued */
	struct lsk_disp_comp *comps;
	size_t nr_comps;
};

/* Read and check the spec at @path (mode from the spec, else static). */
int lsk_disp_parse(const char *path, struct lsk_dispatch **dp);
void lsk_disp_free(struct lsk_dispatch *d);
/* Name of verdict @v of hook @h ("XDP_PASS"), NULL when it is none. */
const char *lsk_disp_verdict_name(enum lsk_disp_hook h, int v);
/* "static", "tailcall", "freplace": 0 or -EINVAL. */
int lsk_disp_mode_parse(const char *s, enum lsk_disp_mode *m);
/* Components name existing objects/programs of @objs (by object name). */
int lsk_disp_check(const struct lsk_dispatch *d, struct lsk_obj **objs, size_t n);
/* The root program's C source. */
int lsk_disp_emit_c(const struct lsk_dispatch *d, FILE *f);
/* The root object: C source compiled with clang ($LSKEL_CLANG or "clang") into @out. */
int lsk_disp_build(const struct lsk_dispatch *d, const char *out);
/* What a load of @d with the component objects @paths needs: *objsp = the root (built with
 * lsk_disp_build, read into memory) followed by the @n components, checked against the spec,
 * calls composed. */
int lsk_disp_open(const struct lsk_dispatch *d, char *const *paths, size_t n,
		  struct lsk_obj ***objsp);
/* The directives a load of @d adds to plan @p: in freplace mode, each component replaces
 * its slot function of the root ('replace COMP:PROG = ROOT:ROOT:ROOT_slotN'). */
int lsk_disp_plan(const struct lsk_dispatch *d, struct lsk_plan *p);
/* The resolved spec, for `lskel dump`: which return code goes where. */
void lsk_disp_dump(const struct lsk_dispatch *d, FILE *f);

#endif
