// SPDX-License-Identifier: BSD-2-Clause
/* The table of known SEC() names. Order matters: the first match wins. */
#include <string.h>
#include <linux/bpf.h>
#include <lskel/runtime.h>
#include "obj.h"
#include "sec_def.h"

#ifndef BPF_TRACE_KPROBE_MULTI
#define BPF_TRACE_KPROBE_MULTI 42
#endif
#define BPF_TRACE_UPROBE_MULTI_NR 48
#define BPF_NETFILTER_NR 45
#define BPF_PROG_TYPE_NETFILTER_NR 32
#define BPF_TCX_INGRESS_NR 46
#define BPF_TCX_EGRESS_NR 47
#define BPF_NETKIT_PRIMARY_NR 50
#define BPF_NETKIT_PEER_NR 51

#define P LSK_SEC_PREFIX
#define S LSK_SEC_SLEEPABLE
#define B LSK_SEC_ATTACH_BTF
#define F LSK_SEC_XDP_FRAGS

static const struct lsk_sec_def defs[] = {
	{ "socket", BPF_PROG_TYPE_SOCKET_FILTER, 0, 0 },
	{ "sk_reuseport/migrate", BPF_PROG_TYPE_SK_REUSEPORT,
	  BPF_SK_REUSEPORT_SELECT_OR_MIGRATE, 0 },
	{ "sk_reuseport", BPF_PROG_TYPE_SK_REUSEPORT, BPF_SK_REUSEPORT_SELECT, 0 },
	{ "kprobe", BPF_PROG_TYPE_KPROBE, 0, P },
	{ "uprobe", BPF_PROG_TYPE_KPROBE, 0, P },
	{ "uprobe.s", BPF_PROG_TYPE_KPROBE, 0, P | S },
	{ "kretprobe", BPF_PROG_TYPE_KPROBE, 0, P },
	{ "uretprobe", BPF_PROG_TYPE_KPROBE, 0, P },
	{ "uretprobe.s", BPF_PROG_TYPE_KPROBE, 0, P | S },
	{ "kprobe.multi", BPF_PROG_TYPE_KPROBE, BPF_TRACE_KPROBE_MULTI, P },
	{ "kretprobe.multi", BPF_PROG_TYPE_KPROBE, BPF_TRACE_KPROBE_MULTI, P },
	{ "uprobe.multi", BPF_PROG_TYPE_KPROBE, BPF_TRACE_UPROBE_MULTI_NR, P },
	{ "uretprobe.multi", BPF_PROG_TYPE_KPROBE, BPF_TRACE_UPROBE_MULTI_NR, P },
	{ "uprobe.multi.s", BPF_PROG_TYPE_KPROBE, BPF_TRACE_UPROBE_MULTI_NR, P | S },
	{ "uretprobe.multi.s", BPF_PROG_TYPE_KPROBE, BPF_TRACE_UPROBE_MULTI_NR, P | S },
	{ "ksyscall", BPF_PROG_TYPE_KPROBE, 0, P },
	{ "kretsyscall", BPF_PROG_TYPE_KPROBE, 0, P },
	{ "usdt", BPF_PROG_TYPE_KPROBE, 0, P },
	{ "usdt.s", BPF_PROG_TYPE_KPROBE, 0, P | S },
	{ "tc/ingress", BPF_PROG_TYPE_SCHED_CLS, BPF_TCX_INGRESS_NR, 0 },
	{ "tc/egress", BPF_PROG_TYPE_SCHED_CLS, BPF_TCX_EGRESS_NR, 0 },
	{ "tcx/ingress", BPF_PROG_TYPE_SCHED_CLS, BPF_TCX_INGRESS_NR, 0 },
	{ "tcx/egress", BPF_PROG_TYPE_SCHED_CLS, BPF_TCX_EGRESS_NR, 0 },
	{ "tc", BPF_PROG_TYPE_SCHED_CLS, 0, P },
	{ "classifier", BPF_PROG_TYPE_SCHED_CLS, 0, P },
	{ "action", BPF_PROG_TYPE_SCHED_ACT, 0, P },
	{ "netkit/primary", BPF_PROG_TYPE_SCHED_CLS, BPF_NETKIT_PRIMARY_NR, 0 },
	{ "netkit/peer", BPF_PROG_TYPE_SCHED_CLS, BPF_NETKIT_PEER_NR, 0 },
	{ "tracepoint", BPF_PROG_TYPE_TRACEPOINT, 0, P },
	{ "tp", BPF_PROG_TYPE_TRACEPOINT, 0, P },
	{ "raw_tracepoint", BPF_PROG_TYPE_RAW_TRACEPOINT, 0, P },
	{ "raw_tp", BPF_PROG_TYPE_RAW_TRACEPOINT, 0, P },
	{ "raw_tracepoint.w", BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, 0, P },
	{ "raw_tp.w", BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, 0, P },
	{ "tp_btf", BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, P | B },
	{ "fentry", BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, P | B },
	{ "fmod_ret", BPF_PROG_TYPE_TRACING, BPF_MODIFY_RETURN, P | B },
	{ "fexit", BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT, P | B },
	{ "fentry.s", BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, P | B | S },
	{ "fmod_ret.s", BPF_PROG_TYPE_TRACING, BPF_MODIFY_RETURN, P | B | S },
	{ "fexit.s", BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT, P | B | S },
	{ "freplace", BPF_PROG_TYPE_EXT, 0, P | B },
	{ "lsm", BPF_PROG_TYPE_LSM, BPF_LSM_MAC, P | B },
	{ "lsm.s", BPF_PROG_TYPE_LSM, BPF_LSM_MAC, P | B | S },
	{ "lsm_cgroup", BPF_PROG_TYPE_LSM, BPF_LSM_CGROUP, P | B },
	{ "iter", BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER, P | B },
	{ "iter.s", BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER, P | B | S },
	{ "syscall", BPF_PROG_TYPE_SYSCALL, 0, S },
	{ "xdp.frags/devmap", BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP, F },
	{ "xdp/devmap", BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP, 0 },
	{ "xdp.frags/cpumap", BPF_PROG_TYPE_XDP, BPF_XDP_CPUMAP, F },
	{ "xdp/cpumap", BPF_PROG_TYPE_XDP, BPF_XDP_CPUMAP, 0 },
	{ "xdp.frags", BPF_PROG_TYPE_XDP, BPF_XDP, F },
	{ "xdp", BPF_PROG_TYPE_XDP, BPF_XDP, 0 },
	{ "perf_event", BPF_PROG_TYPE_PERF_EVENT, 0, 0 },
	{ "lwt_in", BPF_PROG_TYPE_LWT_IN, 0, 0 },
	{ "lwt_out", BPF_PROG_TYPE_LWT_OUT, 0, 0 },
	{ "lwt_xmit", BPF_PROG_TYPE_LWT_XMIT, 0, 0 },
	{ "lwt_seg6local", BPF_PROG_TYPE_LWT_SEG6LOCAL, 0, 0 },
	{ "sockops", BPF_PROG_TYPE_SOCK_OPS, BPF_CGROUP_SOCK_OPS, 0 },
	{ "sk_skb/stream_parser", BPF_PROG_TYPE_SK_SKB, BPF_SK_SKB_STREAM_PARSER, 0 },
	{ "sk_skb/stream_verdict", BPF_PROG_TYPE_SK_SKB, BPF_SK_SKB_STREAM_VERDICT, 0 },
	{ "sk_skb", BPF_PROG_TYPE_SK_SKB, 0, 0 },
	{ "sk_msg", BPF_PROG_TYPE_SK_MSG, BPF_SK_MSG_VERDICT, 0 },
	{ "lirc_mode2", BPF_PROG_TYPE_LIRC_MODE2, BPF_LIRC_MODE2, 0 },
	{ "flow_dissector", BPF_PROG_TYPE_FLOW_DISSECTOR, BPF_FLOW_DISSECTOR, 0 },
	{ "cgroup_skb/ingress", BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS, 0 },
	{ "cgroup_skb/egress", BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS, 0 },
	{ "cgroup/skb", BPF_PROG_TYPE_CGROUP_SKB, 0, 0 },
	{ "cgroup/sock_create", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE, 0 },
	{ "cgroup/sock_release", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_RELEASE, 0 },
	{ "cgroup/sock", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE, 0 },
	{ "cgroup/post_bind4", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET4_POST_BIND, 0 },
	{ "cgroup/post_bind6", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET6_POST_BIND, 0 },
	{ "cgroup/bind4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_BIND, 0 },
	{ "cgroup/bind6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_BIND, 0 },
	{ "cgroup/connect4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT, 0 },
	{ "cgroup/connect6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_CONNECT, 0 },
	{ "cgroup/sendmsg4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_SENDMSG, 0 },
	{ "cgroup/sendmsg6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_SENDMSG, 0 },
	{ "cgroup/recvmsg4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_RECVMSG, 0 },
	{ "cgroup/recvmsg6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_RECVMSG, 0 },
	{ "cgroup/getpeername4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_GETPEERNAME, 0 },
	{ "cgroup/getpeername6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_GETPEERNAME, 0 },
	{ "cgroup/getsockname4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_GETSOCKNAME, 0 },
	{ "cgroup/getsockname6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_GETSOCKNAME, 0 },
	{ "cgroup/sysctl", BPF_PROG_TYPE_CGROUP_SYSCTL, BPF_CGROUP_SYSCTL, 0 },
	{ "cgroup/getsockopt", BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_GETSOCKOPT, 0 },
	{ "cgroup/setsockopt", BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_SETSOCKOPT, 0 },
	{ "cgroup/dev", BPF_PROG_TYPE_CGROUP_DEVICE, BPF_CGROUP_DEVICE, 0 },
	{ "struct_ops", BPF_PROG_TYPE_STRUCT_OPS, 0, P },
	{ "struct_ops.s", BPF_PROG_TYPE_STRUCT_OPS, 0, P | S },
	{ "sk_lookup", BPF_PROG_TYPE_SK_LOOKUP, BPF_SK_LOOKUP, 0 },
	{ "netfilter", BPF_PROG_TYPE_NETFILTER_NR, BPF_NETFILTER_NR, 0 },
};

static bool matches(const struct lsk_sec_def *d, const char *name)
{
	size_t n = strlen(d->sec);

	if (!(d->flags & LSK_SEC_PREFIX))
		return !strcmp(d->sec, name);
	return !strncmp(d->sec, name, n) && (name[n] == '\0' || name[n] == '/');
}

const struct lsk_sec_def *lsk_sec_def_find(const char *sec_name)
{
	size_t i;

	for (i = 0; i < sizeof(defs) / sizeof(defs[0]); i++)
		if (matches(&defs[i], sec_name))
			return &defs[i];
	return NULL;
}

const char *lsk_sec_def_target(const struct lsk_sec_def *def, const char *sec_name)
{
	size_t n = strlen(def->sec);

	if (!(def->flags & LSK_SEC_PREFIX) || sec_name[n] != '/')
		return "";
	return sec_name + n + 1;
}

static const char *const prog_types[] = {
	"unspec", "socket_filter", "kprobe", "sched_cls", "sched_act", "tracepoint", "xdp",
	"perf_event", "cgroup_skb", "cgroup_sock", "lwt_in", "lwt_out", "lwt_xmit", "sock_ops",
	"sk_skb", "cgroup_device", "sk_msg", "raw_tracepoint", "cgroup_sock_addr",
	"lwt_seg6local", "lirc_mode2", "sk_reuseport", "flow_dissector", "cgroup_sysctl",
	"raw_tracepoint_writable", "cgroup_sockopt", "tracing", "struct_ops", "ext", "lsm",
	"sk_lookup", "syscall", "netfilter",
};

static const char *const map_types[] = {
	"unspec", "hash", "array", "prog_array", "perf_event_array", "percpu_hash",
	"percpu_array", "stack_trace", "cgroup_array", "lru_hash", "lru_percpu_hash", "lpm_trie",
	"array_of_maps", "hash_of_maps", "devmap", "sockmap", "cpumap", "xskmap", "sockhash",
	"cgroup_storage", "reuseport_sockarray", "percpu_cgroup_storage", "queue", "stack",
	"sk_storage", "devmap_hash", "struct_ops", "ringbuf", "inode_storage", "task_storage",
	"bloom_filter", "user_ringbuf", "cgrp_storage", "arena",
};

const char *lsk_prog_type_name(__u32 type)
{
	return type < sizeof(prog_types) / sizeof(prog_types[0]) ? prog_types[type] : "unknown";
}

const char *lsk_map_type_name(__u32 type)
{
	return type < sizeof(map_types) / sizeof(map_types[0]) ? map_types[type] : "unknown";
}

static bool sec_is(const char *sec, const char *prefix)
{
	size_t n = strlen(prefix);

	sec += *sec == '?';	/* SEC("?kprobe/...") */
	return !strncmp(sec, prefix, n) && sec[n] == '/';
}

/* uprobe.multi/PATH:GLOB, kprobe.multi/GLOB (and their return and sleepable forms). */
static unsigned int multi_kind(const char *sec, const char *t)
{
	if (sec_is(sec, "uprobe.multi") || sec_is(sec, "uprobe.multi.s"))
		return strchr(t, ':') ? LSKEL_ATTACH_UPROBE_MULTI : LSKEL_ATTACH_NONE;
	if (sec_is(sec, "uretprobe.multi") || sec_is(sec, "uretprobe.multi.s"))
		return strchr(t, ':') ? LSKEL_ATTACH_URETPROBE_MULTI : LSKEL_ATTACH_NONE;
	if (sec_is(sec, "kprobe.multi"))
		return LSKEL_ATTACH_KPROBE_MULTI;
	if (sec_is(sec, "kretprobe.multi"))
		return LSKEL_ATTACH_KRETPROBE_MULTI;
	return LSKEL_ATTACH_NONE;
}

unsigned int lsk_prog_attach_kind(const struct lsk_prog *p)
{
	const char *t = p->attach_target;

	switch (p->type) {
	case BPF_PROG_TYPE_TRACEPOINT:
		return strchr(t, '/') ? LSKEL_ATTACH_TRACEPOINT : LSKEL_ATTACH_NONE;
	case BPF_PROG_TYPE_RAW_TRACEPOINT:
	case BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE:
		return t[0] ? LSKEL_ATTACH_RAW_TP : LSKEL_ATTACH_NONE;
	case BPF_PROG_TYPE_TRACING:
		return p->expected_attach_type == BPF_TRACE_ITER ? LSKEL_ATTACH_ITER :
		       LSKEL_ATTACH_TRACING;
	case BPF_PROG_TYPE_LSM:
	case BPF_PROG_TYPE_EXT:
		return LSKEL_ATTACH_TRACING;
	case BPF_PROG_TYPE_KPROBE:
		if (t[0] && p->expected_attach_type)
			return multi_kind(p->sec_name, t);
		if (!t[0] || p->expected_attach_type)
			return LSKEL_ATTACH_NONE;
		if (sec_is(p->sec_name, "usdt") || sec_is(p->sec_name, "usdt.s"))
			return LSKEL_ATTACH_USDT;	/* refused at attach, not skipped */
		if (sec_is(p->sec_name, "ksyscall"))
			return LSKEL_ATTACH_KSYSCALL;
		if (sec_is(p->sec_name, "kretsyscall"))
			return LSKEL_ATTACH_KRETSYSCALL;
		if (sec_is(p->sec_name, "kprobe"))
			return LSKEL_ATTACH_KPROBE;
		if (sec_is(p->sec_name, "kretprobe"))
			return LSKEL_ATTACH_KRETPROBE;
		if ((sec_is(p->sec_name, "uprobe") || sec_is(p->sec_name, "uprobe.s")) &&
		    strchr(t, ':'))
			return LSKEL_ATTACH_UPROBE;
		if ((sec_is(p->sec_name, "uretprobe") || sec_is(p->sec_name, "uretprobe.s")) &&
		    strchr(t, ':'))
			return LSKEL_ATTACH_URETPROBE;
		return LSKEL_ATTACH_NONE;
	default:
		return LSKEL_ATTACH_NONE;
	}
}
