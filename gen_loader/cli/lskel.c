// SPDX-License-Identifier: BSD-2-Clause
/* The lskel command line's main: the verb picks one cli_*.c function (cli.h). */
#include <stdio.h>
#include <string.h>
#include "cli.h"

#define LSKEL_VERSION "0.1.0"

static void usage_main(FILE *f)
{
	fprintf(f,
		"usage: lskel VERB [OPTIONS] OBJ...\n"
		"\n"
		"Turns compiled BPF ELF objects into a recorded trace of bpf() operations.\n"
		"\n"
		"verbs:\n"
		"  gen    generate a light skeleton NAME.lskel.h (loader program + data blob)\n"
		"  dump   print the object model and the recorded trace\n"
		"  exec   replay the trace with bpf() from user space and list what was created\n"
		"  verify check a signed skeleton or container against a certificate\n"
		"  link   link objects statically into one BPF ELF (extern functions resolved)\n"
		"  dispatcher  generate a dispatcher root object from a spec\n"
		"  help   this text; 'lskel VERB --help' describes one verb\n"
		"  version\n");
}

static const struct {
	const char *verb;
	int (*run)(int argc, char **argv);
} verbs[] = {
	{ "dump", cmd_dump },
	{ "gen", cmd_gen },
	{ "exec", cmd_exec },
	{ "verify", cmd_verify },
	{ "link", cmd_link },
	{ "dispatcher", cmd_dispatcher },
};

int main(int argc, char **argv)
{
	size_t i;

	while (argc > 2 && (!strcmp(argv[1], "-L") || !strcmp(argv[1], "--use-loader"))) {
		/* bpftool's global -L: light skeletons are all lskel makes */
		argv++;
		argc--;
	}
	if (argc < 2) {
		usage_main(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage_main(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("lskel %s\n", LSKEL_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(argv[1], verbs[i].verb))
			return verbs[i].run(argc - 1, argv + 1);
	fprintf(stderr, "lskel: unknown verb '%s'\n", argv[1]);
	usage_main(stderr);
	return 2;
}
