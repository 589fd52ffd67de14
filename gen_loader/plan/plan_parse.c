// SPDX-License-Identifier: BSD-2-Clause
/* The chain manifest's text (a --chain file, or one --slot/--value/--target/--replace on the
 * command line) parsed into the load plan's typed directives: the only place that reads
 * that text. A line is whitespace-separated words: 'KEYWORD A B = C' or 'separate-maps'. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "err.h"
#include "plan.h"

#define MAX_WORDS 6

struct words {
	char *w[MAX_WORDS];
	int n;			/* MAX_WORDS means "more than fit" */
	char buf[1024];
};

static void split_words(const char *text, struct words *ws)
{
	char *p = ws->buf, *save;

	snprintf(ws->buf, sizeof(ws->buf), "%s", text);
	ws->n = 0;
	for (p = strtok_r(p, " \t\r\n", &save); p && ws->n < MAX_WORDS;
	     p = strtok_r(NULL, " \t\r\n", &save))
		ws->w[ws->n++] = p;
}

/* An unsigned number (0x hex, 0 octal, decimal); no '-': strtoull reads "-1" as 2^64 - 1. */
static int parse_u64(const char *s, __u64 *v)
{
	char *end;

	if (*s == '-')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || end == s || *end ? -EINVAL : 0;
}

/* The line has the shape 'KW A [B] = C' with @nargs words before '='. */
static bool shaped(const struct words *ws, int nargs)
{
	return ws->n == nargs + 3 && !strcmp(ws->w[nargs + 1], "=");
}

static int parse_slot(const struct words *ws, struct lsk_directive *d, const char *where)
{
	int err;

	d->kind = LSK_DIR_SLOT;
	if (!shaped(ws, 2) || parse_u64(ws->w[2], &d->slot.index))
		return lsk_err(EINVAL, "%sexpected 'slot [OBJ:]MAP INDEX = OBJ:NAME'", where);
	err = lsk_plan_ref_parse(ws->w[1], &d->slot.map);
	return err ?: lsk_plan_ref_parse(ws->w[4], &d->slot.to);
}

static int parse_value(const struct words *ws, struct lsk_directive *d, const char *where)
{
	d->kind = LSK_DIR_VALUE;
	if (!shaped(ws, 2) || parse_u64(ws->w[2], &d->value.key) ||
	    parse_u64(ws->w[4], &d->value.value))
		return lsk_err(EINVAL, "%sexpected 'value [OBJ:]MAP KEY = NUMBER'", where);
	return lsk_plan_ref_parse(ws->w[1], &d->value.map);
}

/* 'target A:P = B:Q' and 'replace A:P = B:Q:FUNC' (FUNC after the last ':'). */
static int parse_freplace(const struct words *ws, struct lsk_directive *d, const char *where)
{
	bool replace = !strcmp(ws->w[0], "replace");
	char *t = ws->n > 3 ? ws->w[3] : NULL, *func = t ? strrchr(t, ':') : NULL;
	int err;

	d->kind = replace ? LSK_DIR_REPLACE : LSK_DIR_TARGET;
	if (!shaped(ws, 1))
		return lsk_err(EINVAL, "%sexpected '%s'", where, replace ?
			       "replace OBJ:PROG = OBJ:PROG:FUNC" : "target OBJ:PROG = OBJ:PROG");
	if (replace) {
		if (!func || func == t || strchr(t, ':') == func || !func[1])
			return lsk_err(EINVAL, "%s'%s': the target is OBJ:PROG:FUNC", where, t);
		*func++ = '\0';
		d->fr.func = strdup(func);
		if (!d->fr.func)
			return lsk_err(ENOMEM, "out of memory");
	}
	err = lsk_plan_ref_parse(ws->w[1], &d->fr.prog);
	return err ?: lsk_plan_ref_parse(t, &d->fr.target);
}

int lsk_plan_parse_line(struct lsk_plan *p, const char *text, const char *file, int line)
{
	struct lsk_directive d = { .file = file, .line = line, .text = (char *)text };
	struct words ws;
	char where[1200];
	int err;

	split_words(text, &ws);
	if (file && line)
		snprintf(where, sizeof(where), "%s:%d: ", file, line);
	else
		snprintf(where, sizeof(where), "'%s': ", text);
	if (!ws.n)
		return lsk_err(EINVAL, "%san empty directive", where);
	if (!strcmp(ws.w[0], "separate-maps")) {
		if (ws.n != 1)
			return lsk_err(EINVAL, "%s'separate-maps' takes nothing after it", where);
		p->separate_maps = true;
		return 0;
	}
	if (!strcmp(ws.w[0], "slot"))
		err = parse_slot(&ws, &d, where);
	else if (!strcmp(ws.w[0], "value"))
		err = parse_value(&ws, &d, where);
	else if (!strcmp(ws.w[0], "target") || !strcmp(ws.w[0], "replace"))
		err = parse_freplace(&ws, &d, where);
	else
		return lsk_err(EINVAL, "%sunknown directive '%s' (slot, value, target, replace, "
			       "separate-maps)", where, ws.w[0]);
	if (file)
		d.text = NULL;	/* named by file and line */
	err = err ?: lsk_plan_add(p, &d);
	d.text = NULL;		/* the caller's */
	lsk_directive_release(&d);
	return err;
}

int lsk_plan_parse_file(struct lsk_plan *p, const char *path)
{
	char line[1024];
	FILE *f = fopen(path, "r");
	int no = 0, err = 0;

	if (!f)
		return lsk_err(errno, "%s: %s", path, strerror(errno));
	while (!err && fgets(line, sizeof(line), f)) {
		char *q = line, *hash = strchr(line, '#');

		no++;
		if (!strchr(line, '\n') && !feof(f)) {
			err = lsk_err(EINVAL, "%s:%d: longer than %zu characters", path, no,
				      sizeof(line) - 2);
			break;
		}
		if (hash)
			*hash = '\0';
		while (*q == ' ' || *q == '\t')
			q++;
		q[strcspn(q, "\r\n")] = '\0';
		if (*q)
			err = lsk_plan_parse_line(p, q, path, no);
	}
	fclose(f);
	return err;
}
