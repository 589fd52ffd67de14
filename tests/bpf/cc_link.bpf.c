// SPDX-License-Identifier: BSD-2-Clause
/* Congestion control registered by a BPF link in __attach (.struct_ops.link). */
#include "cc_common.h"

SEC(".struct_ops.link")
struct tcp_congestion_ops lsk_cc_link = {
	.init = (void *)cc_init,
	.ssthresh = (void *)cc_ssthresh,
	.cong_avoid = (void *)cc_cong_avoid,
	.undo_cwnd = (void *)cc_undo_cwnd,
	.name = "lsk_cc_link",
};
