/* SPDX-License-Identifier: BSD-2-Clause */
/* Helpers newer libbpf headers provide and Debian 12's libbpf 1.1 does not. */
#ifndef LSKEL_COMPAT_BPF_H
#define LSKEL_COMPAT_BPF_H

#ifndef bpf_ksym_exists
/* True when the weak ksym/kfunc @sym was found in the running kernel at load time. */
#define bpf_ksym_exists(sym) ({ _Static_assert(!__builtin_constant_p(!!sym), \
				#sym " should be marked as __weak"); !!sym; })
#endif

#endif
