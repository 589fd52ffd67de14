// SPDX-License-Identifier: BSD-2-Clause
/* vm-libbpf-load OBJ...: opens and loads each object with libbpf (1.1 on Debian bookworm) as
 * it is and prints one line per object, "OBJ ok" or "OBJ fail REASON"; the libbpf column of
 * tests/vm/matrix on both kernels. Exits 0 unless an argument cannot be handled at all. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

int main(int argc, char **argv)
{
	int i;

	libbpf_set_print(quiet);
	for (i = 1; i < argc; i++) {
		struct bpf_object *o = bpf_object__open_file(argv[i], NULL);
		int err = o ? bpf_object__load(o) : -errno;

		if (err)
			printf("%s fail %s\n", argv[i], strerror(err < 0 ? -err : err));
		else
			printf("%s ok\n", argv[i]);
		bpf_object__close(o);
	}
	return argc > 1 ? 0 : 2;
}
