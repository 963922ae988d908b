#!/bin/bash
# The real series round trip: build/linux, as "make tree" made it from
# patches/, exports back to exactly patches/ (every patch file and the
# series, byte for byte).
#
# Usage: tests/tooling/test-roundtrip.sh   (after "make tree")
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
LINUX=$top/build/linux
stamp=$LINUX/.git/patchq-stamp
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$top/scripts/tree.sh" >/dev/null
cp "$stamp" "$tmp/stamp"
PATCHES=$tmp/patches "$top/scripts/export-patches.sh" >/dev/null
cp "$tmp/stamp" "$stamp"

files() { (cd "$1" && find . \( -name '*.patch' -o -name series \) -type f | sort); }
same=yes
diff <(files "$top/patches") <(files "$tmp/patches") > "$tmp/diff" || same=no
for f in $(files "$top/patches"); do
	[ -f "$tmp/patches/$f" ] || continue
	diff -u "$top/patches/$f" "$tmp/patches/$f" >> "$tmp/diff" || same=no
done
if [ $same = yes ]; then
	echo "  ok      tree -> export reproduces patches/ ($(wc -l < "$top/patches/series") patches)"
	echo "roundtrip: 1 passed, 0 failed, 0 skipped"
else
	head -40 "$tmp/diff" | sed 's/^/      /'
	echo "  not ok  tree -> export differs from patches/"
	echo "roundtrip: 0 passed, 1 failed, 0 skipped"
	exit 1
fi
