// SPDX-License-Identifier: BSD-2-Clause
/* `lskel verify`: a signed skeleton header or container checked offline against a
 * certificate (signature, exclusive-map hash, blob hash). */
#include <stdio.h>
#include "cli.h"
#include "verify.h"

static void usage_verify(FILE *f)
{
	fprintf(f,
		"usage: lskel verify --cert CERT.pem FILE\n"
		"\n"
		"Checks a signed skeleton header (NAME.lskel.h) or container (NAME.lskel) offline:\n"
		"the PKCS#7 signature over the loader instructions against the certificate, the\n"
		"exclusive-map hash against those instructions, and the blob hash the loader\n"
		"checks against the blob shipped with it. Prints each; exits 0 when all match.\n");
}

int cmd_verify(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "cert", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *cert = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "c:h", lo, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (cli_opt_once("--cert", optarg, &cert))
				return cli_fail();
			break;
		case 'h': usage_verify(stdout); return 0;
		default: usage_verify(stderr); return 2;
		}
	}
	if (!cert || argc - optind != 1) {
		usage_verify(stderr);
		return 2;
	}
	if (cli_check_input(cert, "certificate") || cli_check_input(argv[optind], "file") ||
	    lsk_verify_file(argv[optind], cert, stdout))
		return cli_fail();
	return 0;
}
