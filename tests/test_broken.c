// SPDX-License-Identifier: BSD-2-Clause
/* Malformed input: hand-made broken objects (mutations of a valid sample, and small objects
 * built for the purpose) each give one clear line naming the file and the place, never a
 * crash. Run under ASan with `make check SAN=1`. */
#include <dirent.h>
#include <elf.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "obj.h"
#include "trace.h"
#include "err.h"
#include "samples.h"

static unsigned char *base;
static size_t base_size;

static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b;
	long sz;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	rewind(f);
	b = malloc(sz);
	if (b && fread(b, 1, sz, f) != (size_t)sz) {
		free(b);
		b = NULL;
	}
	fclose(f);
	*n = sz;
	return b;
}

static int setup(void **state)
{
	(void)state;
	char path[256];

	sample_path(path, sizeof(path), "xdp_tail");
	base = slurp(path, &base_size);
	return base ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(base);
	return 0;
}

static Elf64_Ehdr *eh(unsigned char *b)
{
	return (Elf64_Ehdr *)b;
}

static Elf64_Shdr *shdr(unsigned char *b, int i)
{
	return (Elf64_Shdr *)(b + eh(b)->e_shoff) + i;
}

static int sec_by_name(unsigned char *b, const char *name)
{
	Elf64_Shdr *strs = shdr(b, eh(b)->e_shstrndx);
	int i;

	for (i = 1; i < eh(b)->e_shnum; i++)
		if (!strcmp((char *)b + strs->sh_offset + shdr(b, i)->sh_name, name))
			return i;
	return -1;
}

static int sec_by_type(unsigned char *b, Elf64_Word type)
{
	int i;

	for (i = 1; i < eh(b)->e_shnum; i++)
		if (shdr(b, i)->sh_type == type)
			return i;
	return -1;
}

/* Open @buf/@n (labelled @label) and expect a one-line error mentioning @label and @what. */
static void expect_error(const char *label, unsigned char *buf, size_t n, const char *what)
{
	struct lsk_obj *obj = NULL;
	struct lsk_trace *t = NULL;
	int err;

	lsk_err_clear();
	err = lsk_obj_open_mem(label, buf, n, &obj);
	if (!err) {
		err = lsk_trace_build(&obj, 1, &t);
		lsk_trace_free(t);
		lsk_obj_free(obj);
	}
	if (!err)
		fail_msg("%s: accepted", label);
	if (!strstr(lsk_errmsg(), label))
		fail_msg("%s: message does not name the file: %s", label, lsk_errmsg());
	if (what && !strstr(lsk_errmsg(), what))
		fail_msg("%s: message does not say '%s': %s", label, what, lsk_errmsg());
	if (strchr(lsk_errmsg(), '\n'))
		fail_msg("%s: message spans lines: %s", label, lsk_errmsg());
	print_message("  %-28s -> %s\n", label, lsk_errmsg());
}

static unsigned char *copy(void)
{
	unsigned char *c = malloc(base_size);

	assert_non_null(c);
	memcpy(c, base, base_size);
	return c;
}

#define CASE(label, what, ...) do { \
		unsigned char *b = copy(); \
		size_t n = base_size; \
		__VA_ARGS__; \
		expect_error(label, b, n, what); \
		free(b); \
	} while (0)

static void test_container(void **state)
{
	(void)state;
	CASE("empty.o", "not an ELF", n = 0);
	CASE("ten-bytes.o", "not an ELF", n = 10);
	CASE("bad-magic.o", "not an ELF", b[1] = 'X');
	CASE("elf32.o", "64-bit", b[EI_CLASS] = ELFCLASS32);
	CASE("big-endian.o", "big-endian", b[EI_DATA] = ELFDATA2MSB);
	CASE("x86.o", "EM_BPF", eh(b)->e_machine = EM_X86_64);
	CASE("exec.o", "relocatable", eh(b)->e_type = ET_EXEC);
	CASE("truncated-half.o", NULL, n = base_size / 2);
	CASE("shoff-past-end.o", NULL, eh(b)->e_shoff = base_size + 4096);
	CASE("shstrndx-bad.o", NULL, eh(b)->e_shstrndx = eh(b)->e_shnum + 5);
}

static void test_sections(void **state)
{
	(void)state;
	CASE("xdp-offset-past-end.o", "past end",
	     shdr(b, sec_by_name(b, "xdp"))->sh_offset = base_size + 64);
	CASE("xdp-size-huge.o", "past end", shdr(b, sec_by_name(b, "xdp"))->sh_size = 1 << 30);
	CASE("xdp-size-odd.o", "multiple of 8", shdr(b, sec_by_name(b, "xdp"))->sh_size -= 4);
	CASE("symtab-link-bad.o", "symbol table",
	     shdr(b, sec_by_type(b, SHT_SYMTAB))->sh_link = 0);
	CASE("symtab-entsize.o", "symbol table",
	     shdr(b, sec_by_type(b, SHT_SYMTAB))->sh_entsize = 7);
	CASE("rel-info-bad.o", "does not exist",
	     shdr(b, sec_by_name(b, ".relxdp"))->sh_info = 999);
	CASE("license-no-nul.o", "license", {
		Elf64_Shdr *s = shdr(b, sec_by_name(b, "license"));

		memset(b + s->sh_offset, 'A', s->sh_size);
	});
}

static Elf64_Rel *first_rel(unsigned char *b, const char *sec)
{
	return (Elf64_Rel *)(b + shdr(b, sec_by_name(b, sec))->sh_offset);
}

static void test_relocations(void **state)
{
	(void)state;
	CASE("rel-offset-past-end.o", "outside the code",
	     first_rel(b, ".relxdp")->r_offset = 0x100000);
	CASE("rel-offset-misaligned.o", "outside the code",
	     first_rel(b, ".relxdp")->r_offset += 3);
	CASE("rel-symbol-bad.o", "symbol index",
	     first_rel(b, ".relxdp")->r_info = ELF64_R_INFO(0xfffff, 1));
	CASE("rel-type-bad.o", "relocation type",
	     first_rel(b, ".relxdp")->r_info = ELF64_R_INFO(ELF64_R_SYM(first_rel(b, ".relxdp")->r_info), 77));
	CASE("rel-not-ldimm64.o", "not ld_imm64", {
		Elf64_Rel *r = first_rel(b, ".relxdp");

		r->r_offset += 8;	/* the second half of the ld_imm64 */
	});
	CASE("maps-rel-outside.o", ".rel.maps",
	     first_rel(b, ".rel.maps")->r_offset = 0x10000);
}

static void test_btf(void **state)
{
	(void)state;
	CASE("btf-magic.o", ".BTF", b[shdr(b, sec_by_name(b, ".BTF"))->sh_offset] ^= 0xff);
	CASE("btf-truncated.o", ".BTF", shdr(b, sec_by_name(b, ".BTF"))->sh_size = 20);
	CASE("btf-ext-magic.o", ".BTF.ext",
	     b[shdr(b, sec_by_name(b, ".BTF.ext"))->sh_offset] ^= 0xff);
	CASE("btf-ext-funcinfo-len.o", ".BTF.ext", {
		unsigned char *h = b + shdr(b, sec_by_name(b, ".BTF.ext"))->sh_offset;
		__u32 big = 0x7fffffff;

		memcpy(h + 12, &big, 4);	/* func_info_len */
	});
	CASE("btf-ext-recsize.o", "record size", {
		unsigned char *h = b + shdr(b, sec_by_name(b, ".BTF.ext"))->sh_offset;
		__u32 hdr_len, fi_off, bad = 3;

		memcpy(&hdr_len, h + 4, 4);
		memcpy(&fi_off, h + 8, 4);
		memcpy(h + hdr_len + fi_off, &bad, 4);
	});
	CASE("btf-ext-truncated.o", ".BTF.ext", shdr(b, sec_by_name(b, ".BTF.ext"))->sh_size = 6);
}

static void built_case(const char *file, const char *label, const char *what)
{
	char path[256];
	unsigned char *b;
	size_t n;

	snprintf(path, sizeof(path), "%s/tests/bpf/%s", build_dir(), file);
	b = slurp(path, &n);
	assert_non_null(b);
	expect_error(label, b, n, what);
	free(b);
}

static void test_built_objects(void **state)
{
	(void)state;
	built_case("unknown_sec.bpf.o", "unknown_sec.bpf.o", "unknown SEC");
	built_case("legacy_maps.bpf.o", "legacy_maps.bpf.o", "legacy");
	built_case("missing_target.bpf.o", "missing_target.bpf.o", "attach target");
}

/* Inputs the fuzzer once crashed on (fuzz/regress/obj): each must now be refused cleanly
 * or accepted, never crash (ASan and UBSan watch in SAN builds). */
static void test_fuzz_regressions(void **state)
{
	DIR *d = opendir("fuzz/regress/obj");
	struct dirent *e;
	int n = 0;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[512];
		struct lsk_obj *obj = NULL;
		struct lsk_trace *t = NULL;
		unsigned char *b;
		size_t len;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "fuzz/regress/obj/%s", e->d_name);
		b = slurp(path, &len);
		assert_non_null(b);
		if (!lsk_obj_open_mem(e->d_name, b, len, &obj)) {
			lsk_trace_build(&obj, 1, &t);
			lsk_trace_free(t);
			lsk_obj_free(obj);
		} else if (!strstr(lsk_errmsg(), e->d_name)) {
			fail_msg("%s: message does not name the file: %s", e->d_name, lsk_errmsg());
		}
		free(b);
		n++;
	}
	closedir(d);
	print_message("  %d fuzzer regressions\n", n);
}

static void test_cli_exit_code(void **state)
{
	char path[256], cmd[1024];
	FILE *f;
	int rc;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/broken-cli.o", build_dir());
	f = fopen(path, "wb");
	assert_non_null(f);
	fwrite(base, 1, base_size / 3, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%1$s/bin/lskel dump %2$s > %2$s.out 2> %2$s.err", build_dir(),
		 path);
	rc = system(cmd);
	assert_true(WIFEXITED(rc));
	assert_int_equal(WEXITSTATUS(rc), 1);
	snprintf(cmd, sizeof(cmd), "grep -q '^lskel: %s: section header table' %s.err", path, path);
	rc = system(cmd);
	assert_int_equal(rc, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_container),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_relocations),
		cmocka_unit_test(test_btf),
		cmocka_unit_test(test_built_objects),
		cmocka_unit_test(test_fuzz_regressions),
		cmocka_unit_test(test_cli_exit_code),
	};

	return cmocka_run_group_tests_name("malformed objects", tests, setup, teardown);
}
