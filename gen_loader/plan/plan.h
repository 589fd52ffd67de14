/* SPDX-License-Identifier: BSD-2-Clause */
/* The load plan: what one load is made of, as typed data. The object files, the chain's
 * directives (slots, map values, freplace targets and replacements), whether same-named maps
 * stay apart, the dispatcher to generate, the objects linked dynamically and the signing
 * choice. The CLI's parser, the dispatcher generator and the tests all build one; chain.c
 * resolves it against the opened objects, plan_open.c runs it (open -> resolve -> trace). */
#ifndef LSK_PLAN_H
#define LSK_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct lsk_dispatch;

/* "[OBJ:]NAME" of a map or program: @obj NULL when the name is unique in the chain. */
struct lsk_plan_ref {
	char *obj;
	char *name;
};

enum lsk_dir_kind {
	LSK_DIR_SLOT,		/* slot INDEX of a prog array / map-in-map <- program or map */
	LSK_DIR_VALUE,		/* KEY of an array or hash map <- a number */
	LSK_DIR_TARGET,		/* an freplace program's target program, where several fit */
	LSK_DIR_REPLACE,	/* an ordinary program loaded as freplace of FUNC of a program */
};

/* 'slot [OBJ:]MAP INDEX = [OBJ:]PROG|MAP' */
struct lsk_dir_slot {
	struct lsk_plan_ref map;
	__u64 index;		/* checked against max_entries when resolved */
	struct lsk_plan_ref to;
};

/* 'value [OBJ:]MAP KEY = NUMBER' */
struct lsk_dir_value {
	struct lsk_plan_ref map;
	__u64 key;
	__u64 value;
};

/* 'target [OBJ:]PROG = [OBJ:]PROG' and 'replace [OBJ:]PROG = [OBJ:]PROG:FUNC' */
struct lsk_dir_freplace {
	struct lsk_plan_ref prog;
	struct lsk_plan_ref target;
	char *func;		/* replace only */
};

/* One directive and where it came from (messages name it). */
struct lsk_directive {
	enum lsk_dir_kind kind;
	union {
		struct lsk_dir_slot slot;
		struct lsk_dir_value value;
		struct lsk_dir_freplace fr;	/* LSK_DIR_TARGET, LSK_DIR_REPLACE */
	};
	const char *file;	/* manifest file, or NULL */
	int line;		/* its line in @file */
	char *text;		/* as written on the command line, or NULL */
};

struct lsk_plan {
	char **paths;			/* object files, in the order given (not owned) */
	size_t nr_paths;
	char **dynamic;			/* --dynamic OBJ: object name or path as given */
	size_t nr_dynamic;
	struct lsk_dispatch *disp;	/* a root generated and loaded first (not owned) */
	bool separate_maps;		/* same-named maps of different objects stay apart */
	struct lsk_directive *dirs;
	size_t nr_dirs;
	bool sign;			/* a signed loader, with this key and certificate */
	const char *sign_key, *sign_cert;
};

/* Free what the plan owns (directives, the dynamic list); the plan is zeroed. */
void lsk_plan_free(struct lsk_plan *p);
/* Append a copy of @d (strings duplicated); -ENOMEM with a message on failure. */
int lsk_plan_add(struct lsk_plan *p, const struct lsk_directive *d);
/* Free the strings @d holds (references, function, text), not @d itself. */
void lsk_directive_release(struct lsk_directive *d);
/* Append --dynamic @obj (the string is not copied). */
int lsk_plan_add_dynamic(struct lsk_plan *p, char *obj);
/* "file:3: " or "'replace a:b = c:d:f': " for messages about @d, into @buf. */
const char *lsk_plan_where(const struct lsk_directive *d, char *buf, size_t n);
/* A "[OBJ:]NAME" string split into a reference (the strings are copies). */
int lsk_plan_ref_parse(const char *s, struct lsk_plan_ref *r);

/* One manifest line (see README, "Chained loads") parsed into @p: a directive, or
 * 'separate-maps'; @file/@line (or @file NULL: the line came from the command line) name it
 * in messages. Blank lines and '#' comments are the caller's to drop. */
int lsk_plan_parse_line(struct lsk_plan *p, const char *text, const char *file, int line);
/* Every line of the manifest file @path, '#' comments and blank lines dropped. */
int lsk_plan_parse_file(struct lsk_plan *p, const char *path);

#endif
