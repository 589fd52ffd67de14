#!/bin/sh
# corpus-objects.sh DIR EXTRACT: prints the paths of Debian's real BPF objects for `make bench`:
# libxdp1's, and those embedded in libbpf-tools' executables (extracted into DIR with the
# EXTRACT tool, tests/corpus/extract.c). Symlinked tools are the same object: listed once.
set -e
dir=$1
extract=$2
mkdir -p "$dir"
dpkg-query -L libxdp1 | grep '/bpf/.*\.o$' | while read -r f; do [ -f "$f" ] && echo "$f"; done
dpkg-query -L libbpf-tools | grep 'bin/' | while read -r f; do
	[ -f "$f" ] && [ ! -L "$f" ] || continue
	# a tool without an embedded object says so: kept in DIR/extract.err
	"$extract" "$f" "$dir/$(basename "$f")" 2>> "$dir/extract.err" || true
done
