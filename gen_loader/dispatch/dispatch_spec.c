// SPDX-License-Identifier: BSD-2-Clause
/* Reading and checking a dispatcher spec (dispatch.h):
 *
 *   hook xdp|tc                   required, first
 *   mode static|tailcall|freplace optional (default static; --mode overrides)
 *   root NAME                     object name of the generated root (default dispatcher)
 *   end VERDICT                   when every component continued (default: pass verdict)
 *   component OBJ:PROG            components in order; rules follow, one per line:
 *     on CODE continue | on CODE return VERDICT | on CODE stop
 *     default continue | default return VERDICT | default stop   (default: continue)
 *
 * CODE is a number or a verdict name of the hook; VERDICT must be a verdict of the hook.
 * `stop` ends the chain with the component's own return code. '#' starts a comment. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "dispatch.h"
#include "err.h"

struct verdict_name {
	const char *name;
	int val;
};

static const struct verdict_name xdp_verdicts[] = {
	{ "XDP_ABORTED", 0 }, { "XDP_DROP", 1 }, { "XDP_PASS", 2 }, { "XDP_TX", 3 },
	{ "XDP_REDIRECT", 4 }, { NULL, 0 }
};
static const struct verdict_name tc_verdicts[] = {
	{ "TC_ACT_UNSPEC", -1 }, { "TC_ACT_OK", 0 }, { "TC_ACT_RECLASSIFY", 1 },
	{ "TC_ACT_SHOT", 2 }, { "TC_ACT_PIPE", 3 }, { "TC_ACT_STOLEN", 4 },
	{ "TC_ACT_QUEUED", 5 }, { "TC_ACT_REPEAT", 6 }, { "TC_ACT_REDIRECT", 7 }, { NULL, 0 }
};

static const struct verdict_name *verdicts(enum lsk_disp_hook h)
{
	return h == LSK_HOOK_XDP ? xdp_verdicts : tc_verdicts;
}

const char *lsk_disp_verdict_name(enum lsk_disp_hook h, int v)
{
	const struct verdict_name *n;

	for (n = verdicts(h); n->name; n++)
		if (n->val == v)
			return n->name;
	return NULL;
}

static int parse_int(const char *s, int *v)
{
	char *end;
	long l;

	errno = 0;
	l = strtol(s, &end, 0);
	if (errno || end == s || *end || l < -2147483647L - 1 || l > 2147483647L)
		return -EINVAL;
	*v = (int)l;
	return 0;
}

/* A number or a verdict name of @h; @verdict: must be a verdict of the hook. */
static int value_of(const struct lsk_dispatch *d, int line, const char *s, bool verdict,
		    int *v)
{
	const struct verdict_name *n;

	for (n = verdicts(d->hook); n->name; n++)
		if (!strcmp(n->name, s)) {
			*v = n->val;
			return 0;
		}
	for (n = verdicts(d->hook == LSK_HOOK_XDP ? LSK_HOOK_TC : LSK_HOOK_XDP); n->name; n++)
		if (!strcmp(n->name, s))
			return lsk_err(EINVAL, "%s:%d: '%s' is not a verdict of hook %s", d->path,
				       line, s, d->hook == LSK_HOOK_XDP ? "xdp" : "tc");
	if (parse_int(s, v))
		return lsk_err(EINVAL, "%s:%d: '%s' is neither a number nor a verdict of hook %s",
			       d->path, line, s, d->hook == LSK_HOOK_XDP ? "xdp" : "tc");
	if (verdict && !lsk_disp_verdict_name(d->hook, *v))
		return lsk_err(EINVAL, "%s:%d: %d is not a verdict of hook %s (%s)", d->path, line,
			       *v, d->hook == LSK_HOOK_XDP ? "xdp" : "tc",
			       d->hook == LSK_HOOK_XDP ? "0..4" : "-1..7");
	return 0;
}

int lsk_disp_mode_parse(const char *s, enum lsk_disp_mode *m)
{
	if (!strcmp(s, "static"))
		*m = LSK_MODE_STATIC;
	else if (!strcmp(s, "tailcall"))
		*m = LSK_MODE_TAILCALL;
	else if (!strcmp(s, "freplace"))
		*m = LSK_MODE_FREPLACE;
	else
		return -EINVAL;
	return 0;
}

/* "continue" | "stop" | "return VERDICT" at @w[0..] */
static int action(const struct lsk_dispatch *d, int line, char **w, int nw,
		  struct lsk_disp_rule *r)
{
	r->line = line;
	if (nw == 1 && !strcmp(w[0], "continue")) {
		r->act = LSK_ACT_CONTINUE;
		return 0;
	}
	if (nw == 1 && !strcmp(w[0], "stop")) {
		r->act = LSK_ACT_STOP;
		return 0;
	}
	if (nw == 2 && !strcmp(w[0], "return")) {
		r->act = LSK_ACT_RETURN;
		return value_of(d, line, w[1], true, &r->verdict);
	}
	return lsk_err(EINVAL, "%s:%d: expected an action: continue, stop or return VERDICT",
		       d->path, line);
}

static bool ident(const char *s)
{
	if (!*s || isdigit((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

/* object names are file names: letters, digits, '_', '-', '.' */
static bool obj_name_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_-.", s[i]))
			return false;
	return n > 0;
}

static int add_comp(struct lsk_dispatch *d, int line, const char *ref)
{
	const char *colon = strchr(ref, ':');
	struct lsk_disp_comp *nc, *c;

	if (!colon || colon == ref || !colon[1] || strchr(colon + 1, ':') ||
	    colon - ref >= 64 || strlen(colon + 1) >= 64 || !ident(colon + 1) ||
	    !obj_name_ok(ref, colon - ref))
		return lsk_err(EINVAL, "%s:%d: '%s': a component is OBJECT:PROGRAM (a program "
			       "name is a C identifier)", d->path, line, ref);
	if (d->nr_comps >= LSK_DISP_MAX)
		return lsk_err(E2BIG, "%s:%d: more than %d components", d->path, line,
			       LSK_DISP_MAX);
	nc = realloc(d->comps, (d->nr_comps + 1) * sizeof(*nc));
	if (!nc)
		return lsk_err(ENOMEM, "out of memory");
	d->comps = nc;
	c = &nc[d->nr_comps++];
	memset(c, 0, sizeof(*c));
	memcpy(c->obj, ref, colon - ref);
	strcpy(c->prog, colon + 1);
	c->dflt.act = LSK_ACT_CONTINUE;
	c->dflt.line = c->line = line;
	return 0;
}

static int add_rule(struct lsk_dispatch *d, int line, char **w, int nw)
{
	struct lsk_disp_comp *c = d->nr_comps ? &d->comps[d->nr_comps - 1] : NULL;
	struct lsk_disp_rule r = {}, *nr;
	size_t i;
	int err;

	if (!c)
		return lsk_err(EINVAL, "%s:%d: '%s' before any 'component'", d->path, line, w[0]);
	if (!strcmp(w[0], "default"))
		return action(d, line, w + 1, nw - 1, &c->dflt);
	if (nw < 3)
		return lsk_err(EINVAL, "%s:%d: expected 'on CODE ACTION'", d->path, line);
	err = value_of(d, line, w[1], false, &r.code);
	err = err ?: action(d, line, w + 2, nw - 2, &r);
	if (err)
		return err;
	for (i = 0; i < c->nr_rules; i++)
		if (c->rules[i].code == r.code)
			return lsk_err(EINVAL, "%s:%d: return code %d of '%s:%s' has a rule already "
				       "(line %d)", d->path, line, r.code, c->obj, c->prog,
				       c->rules[i].line);
	nr = realloc(c->rules, (c->nr_rules + 1) * sizeof(*nr));
	if (!nr)
		return lsk_err(ENOMEM, "out of memory");
	c->rules = nr;
	nr[c->nr_rules++] = r;
	return 0;
}

static int line_of(struct lsk_dispatch *d, int line, char *buf, bool *have_hook)
{
	char *w[8], *save = NULL, *t;
	int nw = 0;

	t = strchr(buf, '#');
	if (t)
		*t = '\0';
	for (t = strtok_r(buf, " \t\r\n", &save); t && nw < 8; t = strtok_r(NULL, " \t\r\n", &save))
		w[nw++] = t;
	if (!nw)
		return 0;
	if (t)
		return lsk_err(EINVAL, "%s:%d: too many words", d->path, line);
	if (!strcmp(w[0], "hook")) {
		if (*have_hook || nw != 2 || (strcmp(w[1], "xdp") && strcmp(w[1], "tc")))
			return lsk_err(EINVAL, "%s:%d: expected one 'hook xdp' or 'hook tc', first",
				       d->path, line);
		d->hook = !strcmp(w[1], "xdp") ? LSK_HOOK_XDP : LSK_HOOK_TC;
		d->end_verdict = d->hook == LSK_HOOK_XDP ? 2 : 0;	/* XDP_PASS, TC_ACT_OK */
		*have_hook = true;
		return 0;
	}
	if (!*have_hook)
		return lsk_err(EINVAL, "%s:%d: the spec starts with 'hook xdp' or 'hook tc'",
			       d->path, line);
	if (!strcmp(w[0], "mode")) {
		if (nw != 2 || lsk_disp_mode_parse(w[1], &d->mode))
			return lsk_err(EINVAL, "%s:%d: mode is static, tailcall or freplace",
				       d->path, line);
		return 0;
	}
	if (!strcmp(w[0], "root")) {
		if (nw != 2 || !ident(w[1]) || strlen(w[1]) >= sizeof(d->root))
			return lsk_err(EINVAL, "%s:%d: expected 'root NAME' (a C identifier)",
				       d->path, line);
		strcpy(d->root, w[1]);
		return 0;
	}
	if (!strcmp(w[0], "end")) {
		if (nw != 2)
			return lsk_err(EINVAL, "%s:%d: expected 'end VERDICT'", d->path, line);
		return value_of(d, line, w[1], true, &d->end_verdict);
	}
	if (!strcmp(w[0], "component")) {
		if (nw != 2)
			return lsk_err(EINVAL, "%s:%d: expected 'component OBJECT:PROGRAM'", d->path,
				       line);
		return add_comp(d, line, w[1]);
	}
	if (!strcmp(w[0], "on") || !strcmp(w[0], "default"))
		return add_rule(d, line, w, nw);
	return lsk_err(EINVAL, "%s:%d: unknown directive '%s' (hook, mode, root, end, component, "
		       "on, default)", d->path, line, w[0]);
}

int lsk_disp_parse(const char *path, struct lsk_dispatch **dp)
{
	struct lsk_dispatch *d = calloc(1, sizeof(*d));
	FILE *f = fopen(path, "r");
	bool have_hook = false;
	char buf[1024];
	int line = 0, err = 0;

	if (!d || !f) {
		err = lsk_err(d ? errno : ENOMEM, "%s: %s", path, strerror(d ? errno : ENOMEM));
		goto out;
	}
	snprintf(d->path, sizeof(d->path), "%s", path);
	strcpy(d->root, "dispatcher");
	while (!err && fgets(buf, sizeof(buf), f)) {
		line++;
		if (!strchr(buf, '\n') && !feof(f))
			err = lsk_err(EINVAL, "%s:%d: line longer than %zu bytes", path, line,
				      sizeof(buf) - 2);
		else
			err = line_of(d, line, buf, &have_hook);
	}
	if (!err && !have_hook)
		err = lsk_err(EINVAL, "%s: no 'hook' line", path);
	if (!err && !d->nr_comps)
		err = lsk_err(EINVAL, "%s: no component", path);
out:
	if (f)
		fclose(f);
	if (err) {
		lsk_disp_free(d);
		return err;
	}
	*dp = d;
	return 0;
}

void lsk_disp_free(struct lsk_dispatch *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->nr_comps; i++)
		free(d->comps[i].rules);
	free(d->comps);
	free(d);
}

int lsk_disp_check(const struct lsk_dispatch *d, struct lsk_obj **objs, size_t n)
{
	size_t i, j, k;

	if (d->mode == LSK_MODE_TAILCALL && d->nr_comps > LSK_DISP_TAILCALL_MAX)
		return lsk_err(E2BIG, "%s: %zu components: tailcall mode runs at most %d (two tail "
			       "calls each, the kernel allows 33 per packet)", d->path, d->nr_comps,
			       LSK_DISP_TAILCALL_MAX);
	for (i = 0; i < d->nr_comps; i++) {
		const struct lsk_disp_comp *c = &d->comps[i];
		__u32 want = d->hook == LSK_HOOK_XDP ? BPF_PROG_TYPE_XDP : BPF_PROG_TYPE_SCHED_CLS;

		for (j = 0; j < n && strcmp(objs[j]->name, c->obj); j++)
			;
		if (j == n)
			return lsk_err(ENOENT, "%s:%d: component '%s:%s': no object '%s' among the "
				       "objects given", d->path, c->line, c->obj, c->prog, c->obj);
		for (k = 0; k < objs[j]->nr_progs; k++)
			if (!objs[j]->progs[k].is_subprog && !strcmp(objs[j]->progs[k].name, c->prog))
				break;
		if (k == objs[j]->nr_progs)
			return lsk_err(ENOENT, "%s:%d: component '%s:%s': object '%s' has no program "
				       "'%s'", d->path, c->line, c->obj, c->prog, c->obj, c->prog);
		if (objs[j]->progs[k].type != want)
			return lsk_err(EINVAL, "%s:%d: component '%s:%s' is not a%s program",
				       d->path, c->line, c->obj, c->prog,
				       d->hook == LSK_HOOK_XDP ? "n xdp" : " tc");
		for (k = 0; k < i; k++)
			if (!strcmp(d->comps[k].prog, c->prog) && strcmp(d->comps[k].obj, c->obj))
				return lsk_err(EINVAL, "%s:%d: components '%s:%s' and '%s:%s' have one "
					       "program name: the root calls components by name",
					       d->path, c->line, d->comps[k].obj, d->comps[k].prog,
					       c->obj, c->prog);
	}
	return 0;
}
