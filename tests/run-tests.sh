#!/bin/sh
# Runs every test binary from the project root; fails if any test failed.
build=$1
shift
LSK_BUILD=$build
export LSK_BUILD
status=0
for t in "$@"; do
	echo "== $t"
	"$t" || status=1
done
[ $status -eq 0 ] && echo "all test binaries passed" || echo "SOME TESTS FAILED"
exit $status
