/* SPDX-License-Identifier: BSD-2-Clause */
/* lskel runtime, single-target probes: tracefs event ids, and kprobes and uprobes as perf
 * events of the kprobe/uprobe PMUs linked to a program. */
#ifndef LSKEL_PROBE_H
#define LSKEL_PROBE_H

#include <lskel/core.h>
#include <lskel/elf.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Read a tracefs event id ("category/name"). */
static inline int lskel_tp_id(const char *target)
{
	static const char *const roots[] = { "/sys/kernel/tracing/events",
					     "/sys/kernel/debug/tracing/events" };
	char path[512], buf[32];
	int i, fd, n;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s/id", roots[i], target);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			return -EINVAL;
		buf[n] = '\0';
		return lskel_dec(buf);
	}
	return -ENOENT;
}

/* A small unsigned number from a sysfs file ("8\n", "config:0\n" -> 0 after @skip chars). */
static inline int lskel_read_num(const char *path, size_t skip)
{
	char buf[64];
	int fd = open(path, O_RDONLY), n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= (int)skip)
		return -EINVAL;
	buf[n] = '\0';
	return lskel_dec(buf + skip);
}

/* Open perf event @pe (a kprobe or uprobe) and link @prog_fd to it with BPF cookie @cookie:
 * the link fd (it holds the event) or -errno. */
static inline int lskel_perf_link(struct perf_event_attr *pe, int prog_fd, __u64 cookie)
{
	union bpf_attr attr;
	int pfd, fd, e;

	pfd = syscall(__NR_perf_event_open, pe, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0)
		return -errno;
	memset(&attr, 0, sizeof(attr));
	attr.link_create.prog_fd = prog_fd;
	attr.link_create.target_fd = pfd;
	attr.link_create.attach_type = BPF_PERF_EVENT;
	attr.link_create.perf_event.bpf_cookie = cookie;
	fd = lskel_sys_bpf(BPF_LINK_CREATE, &attr, sizeof(attr));
	e = errno;
	close(pfd);	/* the link holds the perf event */
	return fd < 0 ? -e : fd;
}

/* kprobe/uprobe perf event ("FUNC[+OFF]" or "PATH:FUNC[+OFF]") linked to @prog_fd. */
static inline int lskel_attach_probe(__u32 kind, const char *target, int prog_fd)
{
	int user = kind == LSKEL_ATTACH_UPROBE || kind == LSKEL_ATTACH_URETPROBE;
	int ret = kind == LSKEL_ATTACH_KRETPROBE || kind == LSKEL_ATTACH_URETPROBE;
	const char *pmu = user ? "/sys/bus/event_source/devices/uprobe" :
				 "/sys/bus/event_source/devices/kprobe";
	char path[256], file[512], func[256], *plus;
	struct perf_event_attr pe;
	long off = 0;
	int type, bit = 0;
	const char *colon = user ? strrchr(target, ':') : NULL;

	if (user && (!colon || colon == target || (size_t)(colon - target) >= sizeof(file)))
		return -EINVAL;
	snprintf(func, sizeof(func), "%s", colon ? colon + 1 : target);
	plus = strchr(func, '+');
	if (plus) {
		long long v = 0;

		*plus = '\0';
		if (!lskel_parse_ll(plus + 1, &v))
			return -EINVAL;
		off = (long)v;
	}
	snprintf(path, sizeof(path), "%s/type", pmu);
	type = lskel_read_num(path, 0);
	if (type < 0)
		return type;
	if (ret) {
		snprintf(path, sizeof(path), "%s/format/retprobe", pmu);
		bit = lskel_read_num(path, 7);	/* "config:N" */
		if (bit < 0)
			return bit;
	}
	memset(&pe, 0, sizeof(pe));
	pe.size = sizeof(pe);
	pe.type = type;
	pe.config = ret ? 1ULL << bit : 0;
	if (user) {
		long at;

		memcpy(file, target, colon - target);
		file[colon - target] = '\0';
		at = func[0] ? lskel_elf_func_off(file, func) : 0;
		if (at < 0)
			return (int)at;
		pe.config1 = lskel_ptr(file);	/* uprobe_path */
		pe.config2 = (__u64)(at + off);	/* probe_offset */
	} else {
		pe.config1 = lskel_ptr(func);	/* kprobe_func */
		pe.config2 = (__u64)off;
	}
	return lskel_perf_link(&pe, prog_fd, 0);
}

#ifdef __cplusplus
}
#endif

#endif
