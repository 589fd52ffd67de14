// SPDX-License-Identifier: BSD-2-Clause
/* `lskel link`: objects linked statically (libbpf's linker) into one standard BPF ELF,
 * after lskel's own checks of their extern functions. */
#include <stdio.h>
#include "cli.h"
#include "link_objs.h"
#include "safe_io.h"

static void usage_link(FILE *f)
{
	fprintf(f,
		"usage: lskel link -o OUT.o OBJ...\n"
		"\n"
		"Links BPF objects statically (libbpf's linker) into one standard BPF ELF that\n"
		"libbpf, bpftool and lskel load: extern functions of one object resolve to the\n"
		"global functions another defines. Checked first, naming objects and function:\n"
		"a function defined twice, a declaration whose prototype differs from the\n"
		"definition (the first differing parameter). 'lskel gen/dump/exec' link callers\n"
		"with the objects that define their extern functions on their own.\n");
}

int cmd_link(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *out = NULL;
	struct lsk_out o = {};
	int c, err;

	while ((c = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (cli_opt_once("--output", optarg, &out))
				return cli_fail();
			break;
		case 'h': usage_link(stdout); return 0;
		default: usage_link(stderr); return 2;
		}
	}
	if (!out || argc - optind < 1) {
		usage_link(stderr);
		return 2;
	}
	err = cli_check_inputs(argv + optind, argc - optind, "object");
	err = err ?: cli_check_output(out, (const char *const *)argv + optind, argc - optind);
	err = err ?: lsk_link_check(argv + optind, argc - optind);
	err = err ?: lsk_out_open(&o, out);
	if (!err) {
		lsk_out_by_name(&o);
		err = lsk_link_files((const char *const *)argv + optind, argc - optind, o.tmp);
	}
	err = err ?: lsk_out_commit(&o);
	if (err) {
		lsk_out_abort(&o);
		return cli_fail();
	}
	return 0;
}
