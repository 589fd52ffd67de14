#!/bin/sh
# Sources for the per-packet dispatcher bench (bench/dispatch_bench.c) in $1: 16 components
# (each counts its runs and checks the packet length against its own bound, so the inline
# version cannot merge the checks), the spec of the first 1, 4 and 16 of them, and for each
# size one hand-written program doing the same work inline.
set -e
dir=$1
mkdir -p "$dir"
i=0
while [ $i -lt 16 ]; do
	cat > "$dir/bcomp_$i.bpf.c" <<EOC
// SPDX-License-Identifier: BSD-2-Clause
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

__u64 runs_$i = 0;

SEC("xdp")
int comp_$i(struct xdp_md *ctx)
{
	runs_$i++;
	return ctx->data_end - ctx->data >= 14 + $i ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
EOC
	i=$((i + 1))
done
for n in 1 4 16; do
	{
		echo "hook xdp"
		i=0
		while [ $i -lt $n ]; do
			printf 'component bcomp_%d:comp_%d\n\ton XDP_PASS continue\n\tdefault stop\n' $i $i
			i=$((i + 1))
		done
	} > "$dir/spec_$n"
	{
		printf '// SPDX-License-Identifier: BSD-2-Clause\n#include "vmlinux.h"\n'
		printf '#include <bpf/bpf_helpers.h>\n\n'
		i=0
		while [ $i -lt $n ]; do
			# a map per counter, as the components have: same data layout
			printf '__u64 runs_%d SEC(".data.r%d") = 0;\n' $i $i
			i=$((i + 1))
		done
		printf '\nSEC("xdp")\nint inline_%d(struct xdp_md *ctx)\n{\n' $n
		i=0
		while [ $i -lt $n ]; do
			printf '\truns_%d++;\n\tif (ctx->data_end - ctx->data < 14 + %d)\n\t\treturn XDP_DROP;\n' $i $i
			i=$((i + 1))
		done
		printf '\treturn XDP_PASS;\n}\n\nchar LICENSE[] SEC("license") = "GPL";\n'
	} > "$dir/inline_$n.bpf.c"
done
