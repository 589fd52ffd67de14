#!/bin/sh
# Runs every test binary from the project root; fails if any test failed.
# Each binary runs in a private mount namespace with a fresh bpffs on /sys/fs/bpf, so pins a
# test makes (or leaves after a failure) never reach the machine's /sys/fs/bpf.
# LSK_NO_NS=1 runs them in the caller's namespace instead.
build=$1
shift
LSK_BUILD=$build
export LSK_BUILD
status=0
null_gone=
ns=
# whether a private mount namespace can be made; why not, when it cannot, for the note at the end
if [ -n "$LSK_NO_NS" ]; then
	why="LSK_NO_NS is set"
elif [ "$(id -u)" != 0 ]; then
	why="not root"
elif why=$(unshare -m --propagation private true 2>&1); then
	ns=1
fi
for t in "$@"; do
	echo "== $t"
	if [ -n "$ns" ]; then
		unshare -m --propagation private \
			sh -c 'mount -t bpf -o mode=0700 bpf /sys/fs/bpf &&
				LSK_PRIVATE_BPFFS=1 exec "$0"' "$t" ||
			status=1
	else
		"$t" || status=1
	fi
	if [ -z "$null_gone" ] && [ ! -c /dev/null ]; then
		null_gone=$t
		status=1
	fi
done
if [ -n "$null_gone" ]; then
	echo "/dev/null is no longer a character device (first seen after $null_gone)"
fi
[ -z "$ns" ] && echo "note: tests ran in this mount namespace (${why:-unshare failed})"
[ $status -eq 0 ] && echo "all test binaries passed" || echo "SOME TESTS FAILED"
exit $status
