// SPDX-License-Identifier: BSD-2-Clause
/* libxdp's dispatcher (Debian's xdp-dispatcher.o) through its generated skeleton, configured as
 * libxdp configures it: the struct xdp_dispatcher_config in its static .rodata is given as the
 * map's initial value between open and load. With no component attached every slot function
 * returns XDP_DISPATCHER_RETVAL (31); the config decides whether that chains on, so the
 * verdict shows the config reached the kernel. Prints one line per config:
 *   CONF num_progs chain0 chain1 -> RETVAL r RODATA same|differs */
#include <stdio.h>
#include <string.h>
#include "xdp_dispatcher.lskel.h"

/* Layout of libxdp 1.3's struct xdp_dispatcher_config (its BTF in the object). */
struct dispatcher_config {
	__u8 magic, dispatcher_version, num_progs_enabled, is_xdp_frags;
	__u32 chain_call_actions[10];
	__u32 run_prios[10];
	__u32 program_flags[10];
};

static int run(__u8 num, __u32 chain0, __u32 chain1)
{
	static struct dispatcher_config conf, back;
	unsigned char pkt[64] = { 0 };
	struct xdp_dispatcher *s;
	union bpf_attr attr;
	__u32 key = 0;
	int err;

	memset(&conf, 0, sizeof(conf));
	conf.magic = 236;		/* XDP_DISPATCHER_MAGIC */
	conf.dispatcher_version = 2;	/* XDP_DISPATCHER_VERSION */
	conf.num_progs_enabled = num;
	conf.chain_call_actions[0] = chain0;
	conf.chain_call_actions[1] = chain1;
	conf.run_prios[0] = conf.run_prios[1] = 50;
	s = xdp_dispatcher__open();
	if (!s)
		return -1;
	s->maps.rodata.initial_value = (__u64)(unsigned long)&conf;	/* as libxdp does */
	err = xdp_dispatcher__load(s);
	if (err) {
		printf("LOAD FAIL %s\n", s->ctx.errmsg);
		xdp_dispatcher__destroy(s);
		return -1;
	}
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = s->maps.rodata.map_fd;
	attr.key = (__u64)(unsigned long)&key;
	attr.value = (__u64)(unsigned long)&back;
	err = lskel_sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr, sizeof(attr));
	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = s->progs.xdp_dispatcher.prog_fd;
	attr.test.data_in = (__u64)(unsigned long)pkt;
	attr.test.data_size_in = sizeof(pkt);
	attr.test.repeat = 1;
	if (lskel_sys_bpf(BPF_PROG_TEST_RUN, &attr, sizeof(attr))) {
		printf("TEST_RUN FAIL\n");
		xdp_dispatcher__destroy(s);
		return -1;
	}
	printf("CONF %u %#x %#x -> RETVAL %u RODATA %s\n", num, chain0, chain1, attr.test.retval,
	       !err && !memcmp(&conf, &back, sizeof(conf)) ? "same" : "differs");
	xdp_dispatcher__destroy(s);
	return 0;
}

int main(void)
{
	const __u32 pass = 1u << 2, retval = 1u << 31;

	if (run(0, 0, 0) || run(2, retval, 0) || run(2, retval | pass, retval | pass) ||
	    run(1, pass, 0))
		return 1;
	return 0;
}
