#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The stage check of gen_loader (make layout, run by make check): fails on an include or link
# cycle between its files and on an edge from a stage to a later one.
#
# usage: scripts/check-layout.sh SRCDIR OBJDIR   (gen_loader build/obj: objects built first)
#
# The graph is computed, not listed, over files: foo.c or foo.h depends on bar.h when it
# #includes "bar.h" (an include cycle is a loop of headers), and foo.c depends on bar.c when
# foo.o leaves a symbol undefined that bar.o defines (nm; a link cycle is a loop of objects,
# usually a helper in the wrong file). Every folder of SRCDIR is a stage; STAGES orders them,
# earliest first, and a file may depend only on files of its own stage or of earlier ones.
set -eu

# The stage order, declared once (README "Layout" explains what flows between them).
# sign comes before loader: the loader compiler hashes and signs the program it emits.
STAGES="util front plan dispatch trace sign loader emit cli"

# Known exceptions, one per line: "FROM TO reason" with FROM and TO as stage/file.
# An exception edge is left out of the cycle and stage checks and printed on every run; the
# check fails once an exception is no longer needed (the edge is gone or closes no cycle and
# goes up no stage), so each line goes away with its fix. None is needed now.
EXCEPTIONS='
'

die() {
	echo "check-layout: $*" >&2
	exit 1
}

[ $# -eq 2 ] || die "usage: $0 SRCDIR OBJDIR"
src=$1
obj=$2
[ -d "$src" ] || die "$src: no such directory"
[ -d "$obj" ] || die "$obj: no such directory (build the objects first)"
[ -n "$(command -v nm)" ] || die "nm not found (binutils)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# Every source is in a declared stage folder; nothing sits at the top or in an unknown folder.
for f in "$src"/*; do
	b=${f##*/}
	if [ -d "$f" ]; then
		case " $STAGES " in
		*" $b "*) ;;
		*) die "$f: folder is not a stage (declared: $STAGES)" ;;
		esac
	else
		case $b in
		*.c | *.h) die "$f: source outside a stage folder (move it into one of: $STAGES)" ;;
		esac
	fi
done
for f in "$src"/*/*/*; do
	[ -e "$f" ] || continue
	die "$f: stage folders are flat (no sub-folders)"
done

# Files: stage/name per source; header names must be unique (every stage is on -I).
: > "$tmp/files"
for f in "$src"/*/*.c "$src"/*/*.h; do
	[ -e "$f" ] || continue
	rel=${f#"$src"/}
	echo "$rel" >> "$tmp/files"
done
dup=$(sed -n 's|.*/||p' "$tmp/files" | sort | uniq -d | head -n 1)
[ -z "$dup" ] || die "two sources named $dup: includes by bare name would pick one silently"

# Include edges: "FROM TO evidence".
: > "$tmp/edges"
while read -r rel; do
	grep -o '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]*"' "$src/$rel" |
		sed 's/.*"\(.*\)"/\1/' | while read -r inc; do
		to=$(awk -v n="$inc" '{ b = $0; sub(/.*\//, "", b) } b == n { print; exit }' \
			"$tmp/files")
		[ -n "$to" ] || continue	# not a gen_loader header (include/lskel/...)
		[ "$to" = "$rel" ] || echo "$rel $to includes $inc"
	done >> "$tmp/edges"
done < "$tmp/files"

# Symbol edges from the objects: who defines what (strong definitions), who needs what.
: > "$tmp/defs"
: > "$tmp/uses"
for c in $(grep '\.c$' "$tmp/files"); do
	o="$obj/${c%.c}.o"
	[ -f "$o" ] || die "$o: no object for $src/$c (build it first)"
	nm -g --defined-only "$o" | awk -v u="$c" 'NF == 3 && $2 ~ /^[BDGRST]$/ { print $3, u }' >> "$tmp/defs"
	nm -u "$o" | awk -v u="$c" '{ print $NF, u }' >> "$tmp/uses"
done
dup=$(cut -d' ' -f1 "$tmp/defs" | sort | uniq -d | head -n 1)
[ -z "$dup" ] || die "symbol $dup is defined by two objects: $(grep "^$dup " "$tmp/defs" |
	cut -d' ' -f2 | tr '\n' ' ')"
awk 'NR == FNR { def[$1] = $2; next }
     ($1 in def) && def[$1] != $2 { print $2, def[$1], "uses " $1 "()" }' \
	"$tmp/defs" "$tmp/uses" >> "$tmp/edges"

printf '%s\n' "$EXCEPTIONS" | awk 'NF { print }' > "$tmp/except"

awk -v stages="$STAGES" -v nfiles="$(wc -l < "$tmp/files")" '
function stage_of(u) { return rank[substr(u, 1, index(u, "/") - 1)] }
FILENAME == ARGV[1] {
	exc[$1 " " $2] = $0
	next
}
{
	e = $1 " " $2
	node[$1] = 1
	node[$2] = 1
	ev = $3
	for (i = 4; i <= NF; i++)
		ev = ev " " $i
	if (e in why) {
		why[e] = why[e] ", " ev
	} else {
		why[e] = ev
		nedges++
	}
}
END {
	ns = split(stages, st, " ")
	for (i = 1; i <= ns; i++)
		rank[st[i]] = i
	order = st[1]
	for (i = 2; i <= ns; i++)
		order = order " < " st[i]
	printf("layout: %d stages (%s), %d files, %d dependencies\n", ns, order, nfiles, nedges)

	# reachability without the exception edges (Floyd-Warshall over at most ~100 nodes)
	n = 0
	for (u in node)
		id[++n] = u
	for (e in why) {
		if (e in exc)
			continue
		split(e, p, " ")
		reach[p[1], p[2]] = 1
	}
	for (k = 1; k <= n; k++)
		for (i = 1; i <= n; i++) {
			if (!((id[i], id[k]) in reach))
				continue
			for (j = 1; j <= n; j++)
				if ((id[k], id[j]) in reach)
					reach[id[i], id[j]] = 1
		}
	fail = 0

	# cycles: strongly connected groups of more than one file (include edges lead to headers
	# only, link edges join sources only, so a group is all headers or all sources)
	for (i = 1; i <= n; i++) {
		a = id[i]
		if (a in seen)
			continue
		members = a
		for (j = 1; j <= n; j++) {
			b = id[j]
			if (b != a && ((a, b) in reach) && ((b, a) in reach)) {
				members = members " " b
				seen[b] = 1
			}
		}
		seen[a] = 1
		if (members == a)
			continue
		fail = 1
		printf("FAIL layout: %s cycle between %s\n", a ~ /\.h$/ ? "include" : "link", members)
		m = split(members, mem, " ")
		for (x = 1; x <= m; x++)
			for (y = 1; y <= m; y++) {
				e = mem[x] " " mem[y]
				if ((e in why) && !(e in exc))
					printf("    %s -> %s: %s\n", mem[x], mem[y], why[e])
			}
	}

	# stage order: no file depends on a later stage
	for (e in why) {
		if (e in exc)
			continue
		split(e, p, " ")
		if (stage_of(p[1]) < stage_of(p[2])) {
			fail = 1
			printf("FAIL layout: %s -> %s goes up a stage (%s comes before %s): %s\n",
			       p[1], p[2], substr(p[1], 1, index(p[1], "/") - 1),
			       substr(p[2], 1, index(p[2], "/") - 1), why[e])
		}
	}

	# known exceptions: printed every run, refused once no longer needed
	for (e in exc) {
		split(e, p, " ")
		if (!(e in why)) {
			fail = 1
			printf("FAIL layout: exception %s -> %s is stale: no such dependency now " \
			       "(remove it from scripts/check-layout.sh)\n", p[1], p[2])
			continue
		}
		cyc = (p[2], p[1]) in reach
		up = stage_of(p[1]) < stage_of(p[2])
		if (!cyc && !up) {
			fail = 1
			printf("FAIL layout: exception %s -> %s is stale: it closes no cycle and " \
			       "goes up no stage (remove it from scripts/check-layout.sh)\n", p[1], p[2])
			continue
		}
		r = exc[e]
		sub(/^[^ ]+ [^ ]+ /, "", r)
		kind = !cyc ? "upward edge" : p[1] ~ /\.h$/ ? "include cycle" : "link cycle"
		printf("layout: KNOWN %s %s -> %s (%s): %s\n", kind, p[1], p[2], why[e], r)
		if ((p[2] " " p[1]) in why)
			printf("    the other way: %s -> %s (%s)\n", p[2], p[1], why[p[2] " " p[1]])
	}
	if (!fail)
		print "layout: no cycle, no upward edge"
	exit fail
}' "$tmp/except" "$tmp/edges"
