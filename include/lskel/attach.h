/* SPDX-License-Identifier: BSD-2-Clause */
/* lskel runtime, attach: NAME__attach() and NAME__P__attach(), each program the way its SEC
 * says (tracepoints, tracing, iterators, probes, multi-probes, struct_ops links), and
 * detaching. */
#ifndef LSKEL_ATTACH_H
#define LSKEL_ATTACH_H

#include <lskel/core.h>
#include <lskel/probe.h>
#include <lskel/attach_multi.h>
#include <lskel/struct_ops.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Attach one program the way its SEC says; returns a link fd or -errno. */
static inline int lskel_attach_prog(const struct lskel_prog_bind *b, int prog_fd)
{
	union bpf_attr attr;
	struct perf_event_attr pe;
	int pfd, id, fd;

	memset(&attr, 0, sizeof(attr));
	switch (b->attach) {
	case LSKEL_ATTACH_TRACEPOINT:
		id = lskel_tp_id(b->target);
		if (id < 0)
			return id;
		memset(&pe, 0, sizeof(pe));
		pe.type = PERF_TYPE_TRACEPOINT;
		pe.size = sizeof(pe);
		pe.config = id;
		pe.sample_period = 1;
		pe.wakeup_events = 1;
		pfd = syscall(__NR_perf_event_open, &pe, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
		if (pfd < 0)
			return -errno;
		attr.link_create.prog_fd = prog_fd;
		attr.link_create.target_fd = pfd;
		attr.link_create.attach_type = BPF_PERF_EVENT;
		fd = lskel_sys_bpf(BPF_LINK_CREATE, &attr, sizeof(attr));
		id = errno;
		close(pfd);	/* the link holds the perf event */
		return fd < 0 ? -id : fd;
	case LSKEL_ATTACH_RAW_TP:
		attr.raw_tracepoint.name = lskel_ptr(b->target);
		attr.raw_tracepoint.prog_fd = prog_fd;
		fd = lskel_sys_bpf(BPF_RAW_TRACEPOINT_OPEN, &attr, sizeof(attr));
		return fd < 0 ? -errno : fd;
	case LSKEL_ATTACH_TRACING:
		attr.raw_tracepoint.prog_fd = prog_fd;
		fd = lskel_sys_bpf(BPF_RAW_TRACEPOINT_OPEN, &attr, sizeof(attr));
		return fd < 0 ? -errno : fd;
	case LSKEL_ATTACH_KPROBE:
	case LSKEL_ATTACH_KRETPROBE:
	case LSKEL_ATTACH_UPROBE:
	case LSKEL_ATTACH_URETPROBE:
		return lskel_attach_probe(b->attach, b->target, prog_fd);
	case LSKEL_ATTACH_UPROBE_MULTI:
	case LSKEL_ATTACH_URETPROBE_MULTI:
		return lskel_attach_uprobe_multi(b->target, b->attach == LSKEL_ATTACH_URETPROBE_MULTI,
						 prog_fd);
	case LSKEL_ATTACH_KPROBE_MULTI:
	case LSKEL_ATTACH_KRETPROBE_MULTI:
		return lskel_attach_kprobe_multi(b->target, b->attach == LSKEL_ATTACH_KRETPROBE_MULTI,
						 prog_fd);
	case LSKEL_ATTACH_KSYSCALL:
	case LSKEL_ATTACH_KRETSYSCALL:
		return lskel_attach_ksyscall(b->target, b->attach == LSKEL_ATTACH_KRETSYSCALL, prog_fd);
	case LSKEL_ATTACH_USDT:
		return -EOPNOTSUPP;
	case LSKEL_ATTACH_ITER:
		attr.link_create.prog_fd = prog_fd;
		attr.link_create.attach_type = BPF_TRACE_ITER;
		fd = lskel_sys_bpf(BPF_LINK_CREATE, &attr, sizeof(attr));
		return fd < 0 ? -errno : fd;
	default:
		return 0;
	}
}

/* BPF_LINK_CREATE for programs that need a target: returns a link fd or -errno.
 * @target: ifindex (XDP, tcx), cgroup fd, netns fd (sk_lookup, flow dissector) or
 * sockmap/sockhash fd (sk_msg, sk_skb). */
static inline int lskel_link_create(int prog_fd, int target, __u32 attach_type, __u32 flags)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.link_create.prog_fd = prog_fd;
	attr.link_create.target_fd = target;
	attr.link_create.attach_type = attach_type;
	attr.link_create.flags = flags;
	fd = lskel_sys_bpf(BPF_LINK_CREATE, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}

/* A netfilter hook link (pf NFPROTO_IPV4 = 2, hooknum NF_INET_*, priority). */
static inline int lskel_link_netfilter(int prog_fd, __u32 pf, __u32 hooknum, int priority)
{
	union bpf_attr attr;
	__u32 nf[4];
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.link_create.prog_fd = prog_fd;
	attr.link_create.attach_type = LSKEL_BPF_NETFILTER;
	nf[0] = pf;	/* link_create.netfilter: pf, hooknum, priority, flags */
	nf[1] = hooknum;
	memcpy(&nf[2], &priority, 4);
	nf[3] = 0;
	memcpy((char *)&attr.link_create + 16, nf, sizeof(nf));
	fd = lskel_sys_bpf(BPF_LINK_CREATE, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}

/* Store a new link in a skeleton's links.P_fd (replacing one already there). */
static inline int lskel_set_link(struct lskel_ctx *c, int *slot, int fd, const char *prog,
				 const char *what)
{
	if (fd < 0)
		return lskel_fail(c, -1, fd, "attaching program '%s' (%s) failed", prog, what);
	if (*slot >= 0)
		close(*slot);
	*slot = fd;
	return 0;
}

static inline void lskel_detach(const struct lskel_desc *d, void *skel)
{
	char *s = (char *)skel;
	__u32 i;

	if (!d || !skel)
		return;
	for (i = 0; i < d->nr_progs; i++) {
		int *l = (int *)(s + d->progs[i].link_off);

		if (*l >= 0)
			close(*l);
		*l = -1;
	}
	lskel_st_ops_detach(d, skel);
}

/* NAME__P__attach(): attach program @i the way its SEC says and keep the link in
 * links.P_fd; returns the link fd (the one already there if attached), 0 for a program whose
 * target only the caller knows (as bpftool's header: use NAME__P__attach_KIND), or -errno
 * (-ENOENT for a SEC("?...") program that was not loaded). */
static inline int lskel_attach_one(const struct lskel_desc *d, void *skel, __u32 i)
{
	struct lskel_ctx *c = (struct lskel_ctx *)skel;
	const struct lskel_prog_bind *b = &d->progs[i];
	char *s = (char *)skel;
	int *l = (int *)(s + b->link_off), fd;
	int prog_fd = ((struct lskel_prog_desc *)(s + b->fd_off))->prog_fd;

	if (b->attach == LSKEL_ATTACH_NONE)
		return 0;
	if (*l >= 0)
		return *l;
	if (prog_fd < 0)
		return lskel_fail(c, -1, -ENOENT, "attaching program '%s' to '%s' failed: it is "
				  "not loaded", b->name, b->target);
	fd = lskel_attach_prog(b, prog_fd);
	if (fd < 0) {
		lskel_fail(c, -1, fd, "attaching program '%s' to '%s' failed", b->name,
			   b->target);
		return lskel_attach_explain(c, b->attach, fd);
	}
	*l = fd;
	return fd;
}

/* Attach every loaded program whose SEC names its target; all or none. */
static inline int lskel_attach(const struct lskel_desc *d, void *skel)
{
	struct lskel_ctx *c = (struct lskel_ctx *)skel;
	char *s = (char *)skel;
	__u32 i;
	int fd;

	if (!lskel_loaded(d, skel))
		return lskel_fail(c, -1, -EINVAL, "%s: not loaded: call __load before __attach",
				  d->name);
	for (i = 0; i < d->nr_progs; i++) {
		if (((struct lskel_prog_desc *)(s + d->progs[i].fd_off))->prog_fd < 0)
			continue;	/* SEC("?...") left out of the load */
		fd = lskel_attach_one(d, skel, i);
		if (fd < 0) {
			lskel_detach(d, skel);
			return fd;
		}
	}
	if (lskel_st_ops_attach(d, skel)) {
		lskel_detach(d, skel);
		return c->err;
	}
	return 0;
}

#ifdef __cplusplus
}
#endif

#endif
