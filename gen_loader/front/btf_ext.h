/* SPDX-License-Identifier: BSD-2-Clause */
/* .BTF.ext: func_info, line_info and CO-RE relocation records per ELF section. */
#ifndef LSK_BTF_EXT_H
#define LSK_BTF_EXT_H

#include <stddef.h>
#include <linux/types.h>

struct btf;

/* Records of one kind for one section; insn_off fields are bytes into the section. */
struct lsk_ext_sec {
	const char *sec_name;
	const void *recs;	/* rec_size bytes each, copied and aligned */
	size_t nr;
};

struct lsk_ext_info {
	__u32 rec_size;
	struct lsk_ext_sec *secs;
	size_t nr_secs;
};

struct lsk_btf_ext {
	struct lsk_ext_info func_info, line_info, core_relo;
};

/* Parse and validate a .BTF.ext section (strings resolved against @btf). */
int lsk_btf_ext_parse(const char *path, const void *data, size_t size, const struct btf *btf,
		      struct lsk_btf_ext **extp);
void lsk_btf_ext_free(struct lsk_btf_ext *ext);
/* Records for section @sec_name, NULL when none. */
const struct lsk_ext_sec *lsk_ext_find(const struct lsk_ext_info *info, const char *sec_name);

#endif
