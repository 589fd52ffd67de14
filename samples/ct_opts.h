/* SPDX-License-Identifier: BSD-2-Clause */
/* The options of the conntrack kfuncs (bpf_xdp_ct_lookup...) in the 12-byte layout every
 * kernel with them accepts (opts__sz = 12), declared without CO-RE. vmlinux.h's struct
 * bpf_ct_opts is the newer kernel's (ct_zone_id, ct_zone_dir, reserved[1]) and carries
 * preserve_access_index: initialising it relocates stores to fields 6.1 lacks, which libbpf
 * and lskel alike poison into a call of an invalid function, and 6.1's verifier refuses the
 * program ("invalid func unknown#195896080") after ten instructions. */
#ifndef LSK_CT_OPTS_H
#define LSK_CT_OPTS_H

struct ct_opts12 {
	__s32 netns_id;
	__s32 error;
	__u8 l4proto;
	__u8 dir;
	__u8 reserved[2];
};

#define CT_OPTS_SZ sizeof(struct ct_opts12)

#endif
