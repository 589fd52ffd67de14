#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Tests write only inside their own temporary directory (make check runs this: make no-devnull).
# Fails, naming file and line, where the test suite writes to the null device: the C tests and
# their shell snippets, the test scripts (tests/run-tests.sh, tests/vm/*), the make recipes
# (Makefile, mk/*.mk), scripts/ and .ci/. A write is a redirection to it (>, >>, 2>, &>, >&),
# an output option naming it (-o, -out, --output, --log-file, of= of dd, tee) or a C open of it
# for writing. Reading from it (a < redirection) is no write and passes.
#
# usage: scripts/check-no-devnull.sh [FILE...]   (default: every text file of the places above,
#                                                 the golden dumps left out: they are data)
set -eu

if [ $# -eq 0 ]; then
	set -- $(find tests mk scripts .ci -type f ! -path 'tests/golden/*' | LC_ALL=C sort) Makefile
fi

# The device's path is spelt with a bracket so that this file does not match itself.
dev='/dev/nul[l]'
s='[[:space:]]'
re=">(>|\\||&)?$s*$dev"					# > >> >| >& 2> &>
re="$re|(^|[^[:alnum:]_])-(o|out|-output|-log-file)($s*|=)$dev"	# -o FILE -out FILE --output=FILE
re="$re|of=$dev|tee($s+-[[:alpha:]]+)*$s+$dev"			# dd of=FILE, tee FILE
re="$re|f(re)?open$s*\\($s*\"$dev\"$s*,$s*\"[wa]"			# C, for writing
re="$re|open$s*\\($s*\"$dev\"$s*,[^)]*O_(WRONLY|RDWR)"

bad=$(grep -nHIE -e "$re" -- "$@" || true)
if [ -n "$bad" ]; then
	printf '%s\n' "$bad" |
		sed 's/^\([^:]*:[0-9]*\):[[:space:]]*\(.*\)$/\1: writes to \/dev\/null: \2/' >&2
	echo "check-no-devnull: tests write only inside their own temporary directory: write to a" \
		"file there, or check the exit status without output" >&2
	exit 1
fi
echo "check-no-devnull: $# files, no write to /dev/null"
