// SPDX-License-Identifier: BSD-2-Clause
/* Parser for .BTF.ext, with every length and offset checked against the section. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <linux/bpf.h>
#include "btf_ext.h"
#include "err.h"

struct ext_hdr {
	__u16 magic;
	__u8 version;
	__u8 flags;
	__u32 hdr_len;
	__u32 func_info_off, func_info_len;
	__u32 line_info_off, line_info_len;
	__u32 core_relo_off, core_relo_len;
};

static int parse_info(const char *path, const char *what, const char *base, size_t size,
		      __u32 off, __u32 len, __u32 min_rec, const struct btf *btf,
		      struct lsk_ext_info *info)
{
	const char *p, *end;

	if (!len)
		return 0;
	if (off > size || len > size - off)
		return lsk_err(EINVAL, "%s: .BTF.ext: %s [%u, +%u) past end of section (%zu)",
			       path, what, off, len, size);
	p = base + off;
	end = p + len;
	if (len < 4)
		return lsk_err(EINVAL, "%s: .BTF.ext: %s too short", path, what);
	memcpy(&info->rec_size, p, 4);
	p += 4;
	if (info->rec_size < min_rec || info->rec_size % 4 || info->rec_size > 1024)
		return lsk_err(EINVAL, "%s: .BTF.ext: %s record size %u invalid", path, what,
			       info->rec_size);
	while (p < end) {
		__u32 name_off, nr;
		struct lsk_ext_sec *s, *ns;
		const char *name;
		void *recs;

		if (end - p < 8)
			return lsk_err(EINVAL, "%s: .BTF.ext: %s: truncated section header at offset "
				       "%zu", path, what, (size_t)(p - base));
		memcpy(&name_off, p, 4);
		memcpy(&nr, p + 4, 4);
		p += 8;
		name = btf__str_by_offset(btf, name_off);
		if (!name || !name[0])
			return lsk_err(EINVAL, "%s: .BTF.ext: %s: bad section name offset %u", path,
				       what, name_off);
		if (!nr || (size_t)(end - p) / info->rec_size < nr)
			return lsk_err(EINVAL, "%s: .BTF.ext: %s: section '%s': %u records do not fit",
				       path, what, name, nr);
		recs = malloc((size_t)nr * info->rec_size);
		ns = realloc(info->secs, (info->nr_secs + 1) * sizeof(*info->secs));
		if (!recs || !ns) {
			free(recs);
			if (ns)
				info->secs = ns;
			return lsk_err(ENOMEM, "%s: out of memory", path);
		}
		info->secs = ns;
		memcpy(recs, p, (size_t)nr * info->rec_size);
		s = &info->secs[info->nr_secs++];
		/* a copy: BTF strings move when the BTF is later extended */
		s->sec_name = strdup(name);
		s->recs = recs;
		if (!s->sec_name)
			return lsk_err(ENOMEM, "%s: out of memory", path);
		s->nr = nr;
		p += (size_t)nr * info->rec_size;
	}
	return 0;
}

int lsk_btf_ext_parse(const char *path, const void *data, size_t size, const struct btf *btf,
		      struct lsk_btf_ext **extp)
{
	struct lsk_btf_ext *ext;
	struct ext_hdr h = {};
	int err;

	if (size < offsetof(struct ext_hdr, core_relo_off))
		return lsk_err(EINVAL, "%s: .BTF.ext: section too short (%zu bytes)", path, size);
	memcpy(&h, data, offsetof(struct ext_hdr, core_relo_off));
	if (h.magic != 0xeB9F)
		return lsk_err(EINVAL, "%s: .BTF.ext: bad magic 0x%x", path, h.magic);
	if (h.version != 1)
		return lsk_err(EINVAL, "%s: .BTF.ext: unsupported version %u", path, h.version);
	if (h.hdr_len < offsetof(struct ext_hdr, core_relo_off) || h.hdr_len > size)
		return lsk_err(EINVAL, "%s: .BTF.ext: header length %u invalid", path, h.hdr_len);
	if (h.hdr_len >= sizeof(h))
		memcpy(&h, data, sizeof(h));
	ext = calloc(1, sizeof(*ext));
	if (!ext)
		return lsk_err(ENOMEM, "%s: out of memory", path);
	{
		const char *base = (const char *)data + h.hdr_len;
		size_t rest = size - h.hdr_len;

		err = parse_info(path, "func_info", base, rest, h.func_info_off, h.func_info_len,
				 sizeof(struct bpf_func_info), btf, &ext->func_info);
		if (!err)
			err = parse_info(path, "line_info", base, rest, h.line_info_off,
					 h.line_info_len, sizeof(struct bpf_line_info), btf,
					 &ext->line_info);
		if (!err && h.hdr_len >= sizeof(h))
			err = parse_info(path, "core_relo", base, rest, h.core_relo_off,
					 h.core_relo_len, sizeof(struct bpf_core_relo), btf,
					 &ext->core_relo);
	}
	if (err) {
		lsk_btf_ext_free(ext);
		return err;
	}
	*extp = ext;
	return 0;
}

static void free_info(struct lsk_ext_info *info)
{
	size_t i;

	for (i = 0; i < info->nr_secs; i++) {
		free((void *)info->secs[i].recs);
		free((void *)info->secs[i].sec_name);
	}
	free(info->secs);
}

void lsk_btf_ext_free(struct lsk_btf_ext *ext)
{
	if (!ext)
		return;
	free_info(&ext->func_info);
	free_info(&ext->line_info);
	free_info(&ext->core_relo);
	free(ext);
}

const struct lsk_ext_sec *lsk_ext_find(const struct lsk_ext_info *info, const char *sec_name)
{
	size_t i;

	for (i = 0; i < info->nr_secs; i++)
		if (!strcmp(info->secs[i].sec_name, sec_name))
			return &info->secs[i];
	return NULL;
}
