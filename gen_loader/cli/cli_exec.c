// SPDX-License-Identifier: BSD-2-Clause
/* `lskel exec`: a load plan's trace replayed with bpf() from user space (the reference
 * executor), what was created listed with its kernel ids, then everything closed. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <bpf/bpf.h>
#include "cli.h"
#include "err.h"
#include "exec_direct.h"
#include "plan_open.h"

static void usage_exec(FILE *f)
{
	fprintf(f,
		"usage: lskel exec [--fail-at N] [--kconfig FILE] OBJ...\n"
		"\n"
		"Loads the objects by replaying their trace with bpf() from user space (the\n"
		"reference executor), prints every map and program created with its kernel id,\n"
		"then closes them all. On failure prints the failing operation, the object and\n"
		"program or map it belongs to, the errno and the verifier log, and exits 1;\n"
		"nothing stays loaded.\n"
		"\n"
		"  --fail-at N     inject a failure at operation N (testing cleanup)\n"
		"  --kconfig FILE  kernel config for .kconfig externs (default: as the runtime,\n"
		"                  $LSKEL_KCONFIG_PATH, /boot/config-$(uname -r), /proc/config.gz)\n"
		"\n" CHAIN_HELP);
}

static void print_created(const struct lsk_trace *t, const int *fds)
{
	size_t i, j;

	for (i = 0; i < t->nr_objs; i++) {
		const struct lsk_trace_obj *to = &t->objs[i];

		printf("object %s:\n", to->obj->name);
		for (j = 0; j < to->obj->nr_maps; j++) {
			struct bpf_map_info info = {};
			__u32 len = sizeof(info);

			bpf_obj_get_info_by_fd(fds[to->map_op[j]], &info, &len);
			printf("  map  %-24s id %-6u %s key %u value %u max_entries %u\n",
			       to->obj->maps[j].name, info.id, info.name, info.key_size,
			       info.value_size, info.max_entries);
		}
		for (j = 0; j < to->obj->nr_progs; j++) {
			struct bpf_prog_info info = {};
			__u32 len = sizeof(info);

			if (to->prog_op[j] < 0)
				continue;
			bpf_obj_get_info_by_fd(fds[to->prog_op[j]], &info, &len);
			printf("  prog %-24s id %-6u %s, %u xlated bytes\n", to->obj->progs[j].name,
			       info.id, to->obj->progs[j].sec_name, info.xlated_prog_len);
		}
	}
}

/* The cause is at the end of a verifier log; BTF logs list every type before it. */
static void print_log(const char *log)
{
	size_t len = strlen(log);
	const char *tail = log;

	if (!len)
		return;
	if (len > 8192) {
		tail = strchr(log + len - 8192, '\n');
		tail = tail ? tail + 1 : log + len - 8192;
		fprintf(stderr, "verifier log (last 8 KiB of %zu bytes):\n", len);
	} else {
		fprintf(stderr, "verifier log:\n");
	}
	fprintf(stderr, "%s\n", tail);
}

/* The options into @cp and @o: 0 to go on, -1 when --help was answered (exit 0), or the
 * exit status of a usage error or bad option. */
static int parse_exec(int argc, char **argv, struct cli_plan *cp, struct lsk_exec_opts *o)
{
	static const struct option lo[] = {
		{ "fail-at", required_argument, NULL, 'f' },
		{ "kconfig", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		CHAIN_LONG_OPTS,
		{}
	};
	const char *fail_at = NULL;
	unsigned long n;
	int c;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (cli_opt_once("--fail-at", optarg, &fail_at) ||
			    cli_opt_uint("--fail-at", optarg, INT_MAX, &n))
				return cli_fail();
			o->fail_at = (int)n;
			break;
		case 'k':
			if (cli_opt_once("--kconfig", optarg, &o->kconfig_path) ||
			    cli_check_input(optarg, "--kconfig file"))
				return cli_fail();
			break;
		case 'h': usage_exec(stdout); return -1;
		case CLI_CHAIN_FIRST ... CLI_CHAIN_LAST:
			if (cli_chain_opt(cp, c, optarg))
				return cli_fail();
			break;
		default: usage_exec(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage_exec(stderr);
		return 2;
	}
	return 0;
}

int cmd_exec(int argc, char **argv)
{
	static char log[1 << 20];
	struct lsk_exec_opts opts = { .fail_at = -1, .log_buf = log, .log_size = sizeof(log) };
	struct lsk_exec_error e;
	struct cli_plan cp = {};
	struct lsk_load ld = {};
	int rc, err, *fds = NULL;

	rc = parse_exec(argc, argv, &cp, &opts);
	if (rc)
		goto out;
	err = cli_plan_finish(&cp, argv + optind, argc - optind);
	err = err ?: lsk_plan_open(&cp.plan, &ld);
	if (!err && opts.fail_at >= 0 && (size_t)opts.fail_at >= ld.trace->nr_ops)
		err = lsk_err(ERANGE, "--fail-at %d: the trace has %zu operations, numbered "
			      "from 0", opts.fail_at, ld.trace->nr_ops);
	if (err) {
		rc = cli_fail();
		goto out;
	}
	err = lsk_exec_direct(ld.trace, &opts, &fds, &e);
	if (err) {
		rc = cli_fail();
		print_log(log);
		goto out;
	}
	if (opts.fail_at >= 0) {	/* the op was skipped over: nothing failed there */
		lsk_exec_close(ld.trace, fds);
		lsk_err(EINVAL, "--fail-at %d: operation %d was not run (a SEC(\"?...\") program "
			"left out): no failure injected, everything closed", opts.fail_at,
			opts.fail_at);
		rc = cli_fail();
		goto out;
	}
	printf("loaded %zu operations\n", ld.trace->nr_ops);
	print_created(ld.trace, fds);
	lsk_exec_close(ld.trace, fds);
out:
	lsk_load_free(&ld);
	cli_plan_free(&cp);
	return rc < 0 ? 0 : rc;
}
