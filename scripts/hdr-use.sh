#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A translation unit that includes HEADER and takes the address of every function it defines
# (`static inline` at the start of a line), so the compiler builds each one as a user's program
# would: a header that only compiles while its functions go unused hides the warnings that
# inlining brings (gcc -O3's maybe-uninitialized stopped every generated header's __attach).
#
# usage: scripts/hdr-use.sh HEADER INCLUDE-NAME   (the TU on stdout; it says #include
#                                                   "INCLUDE-NAME")
set -eu

[ $# -eq 2 ] || { echo "usage: $0 HEADER INCLUDE-NAME" >&2; exit 2; }
printf '#include "%s"\n' "$2"
names=$(sed -n 's/^static inline [^(]*[ *]\([A-Za-z_][A-Za-z_0-9]*\)(.*/\1/p' "$1" | LC_ALL=C sort -u)
[ -n "$names" ] || exit 0	# no function here (ABI structs only): the include is the check
printf 'extern void (*const lsk_used[])(void);\nvoid (*const lsk_used[])(void) = {\n'
for n in $names; do
	printf '\t(void (*)(void))%s,\n' "$n"
done
printf '};\n'
