// SPDX-License-Identifier: BSD-2-Clause
/* Two congestion controls sharing programs, both registered by the load (plain .struct_ops):
 * a failure after the first registration must undo it. */
#include "cc_common.h"

SEC(".struct_ops")
struct tcp_congestion_ops lsk_cc_a = {
	.init = (void *)cc_init,
	.ssthresh = (void *)cc_ssthresh,
	.cong_avoid = (void *)cc_cong_avoid,
	.undo_cwnd = (void *)cc_undo_cwnd,
	.name = "lsk_cc_a",
};

SEC(".struct_ops")
struct tcp_congestion_ops lsk_cc_b = {
	.ssthresh = (void *)cc_ssthresh,
	.cong_avoid = (void *)cc_cong_avoid,
	.undo_cwnd = (void *)cc_undo_cwnd,
	.name = "lsk_cc_b",
};
