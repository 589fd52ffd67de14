// SPDX-License-Identifier: BSD-2-Clause
/* libxdp's dispatcher with two of Debian's xdpfilt programs in its slots, loaded as libxdp
 * loads them: as freplace (BPF_PROG_TYPE_EXT) programs of the dispatcher's prog0 and prog1
 * (lskel gen --replace). Slot 0 drops everything, slot 1 passes everything; the config
 * decides whether a verdict ends the chain. A kernel that refuses EXT loads gets a SKIP line
 * with the reason; any other failure is an error.
 *   xdp_dispatcher_slots PIN_ROOT */
#include <stdio.h>
#include <string.h>
#include "xdp_dispatcher_slots.lskel.h"

struct dispatcher_config {	/* libxdp 1.3's struct xdp_dispatcher_config */
	__u8 magic, dispatcher_version, num_progs_enabled, is_xdp_frags;
	__u32 chain_call_actions[10];
	__u32 run_prios[10];
	__u32 program_flags[10];
};

static int run(const char *pins, __u8 num, __u32 chain0, __u32 chain1)
{
	static struct dispatcher_config conf;
	unsigned char pkt[64] = { 0 };
	struct xdp_dispatcher_slots *s;
	union bpf_attr attr;
	int err;

	memset(&conf, 0, sizeof(conf));
	conf.magic = 236;
	conf.dispatcher_version = 2;
	conf.num_progs_enabled = num;
	conf.chain_call_actions[0] = chain0;
	conf.chain_call_actions[1] = chain1;
	s = xdp_dispatcher_slots__open();
	if (!s)
		return 1;
	s->ctx.pin_root_path = pins;
	s->xdp_dispatcher.maps.rodata.initial_value = (__u64)(unsigned long)&conf;
	err = xdp_dispatcher_slots__load(s);
	if (err) {
		int refused = s->ctx.err == -EPERM &&
			      strstr(s->ctx.errmsg, "PROG_LOAD of program 'xdpfilt_dny_all'");

		printf("%s%s\n", refused ? "SKIP: this kernel refuses BPF_PROG_TYPE_EXT (freplace) "
		       "loads: " : "LOAD FAIL ", s->ctx.errmsg);
		xdp_dispatcher_slots__destroy(s);
		return refused ? 2 : 1;
	}
	err = xdp_dispatcher_slots__attach(s);
	if (err) {
		printf("ATTACH FAIL %d %s\n", err, s->ctx.errmsg);
		xdp_dispatcher_slots__destroy(s);
		return 1;
	}
	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = s->xdp_dispatcher.progs.xdp_dispatcher.prog_fd;
	attr.test.data_in = (__u64)(unsigned long)pkt;
	attr.test.data_size_in = sizeof(pkt);
	attr.test.repeat = 1;
	err = lskel_sys_bpf(BPF_PROG_TEST_RUN, &attr, sizeof(attr));
	printf("CONF %u %#x %#x -> RETVAL %u\n", num, chain0, chain1, err ? ~0u : attr.test.retval);
	xdp_dispatcher_slots__destroy(s);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	const __u32 drop = 1u << 1, retval = 1u << 31;
	int rc;

	if (argc != 2)
		return 1;
	rc = run(argv[1], 1, retval, 0);	/* slot 0 drops and ends the chain */
	if (rc)
		return rc == 2 ? 0 : 1;
	return run(argv[1], 2, drop | retval, retval);	/* drop chains on: slot 1 passes */
}
