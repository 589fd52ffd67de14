// SPDX-License-Identifier: BSD-2-Clause
/* Congestion control registered by the map update (plain .struct_ops). */
#include "cc_common.h"

SEC(".struct_ops")
struct tcp_congestion_ops lsk_cc = {
	.init = (void *)cc_init,
	.ssthresh = (void *)cc_ssthresh,
	.cong_avoid = (void *)cc_cong_avoid,
	.undo_cwnd = (void *)cc_undo_cwnd,
	.name = "lsk_cc",
};
