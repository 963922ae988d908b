#!/bin/bash
# Tests of scripts/check-series.sh's checkpatch verdict cache, on a copy of
# one patch of the series: a clean patch is checked once and then taken
# from the cache; a changed patch is checked again; a patch with a
# complaint is never cached.
#
# Usage: tests/tooling/test-series-check.sh   (after "make tree": it runs
#        the tree's checkpatch.pl)
set -eu

. "$(dirname "$0")/lib.sh"

# A private copy of the tooling, with an empty allow-list and a series of
# one patch.
copy_tooling
mkdir -p "$work/top/tests" "$work/patches/base"
: > "$work/top/tests/checkpatch-allow.txt"
p=base/kvm-x86-include-linux-stddef-h-in-the-uapi-asm-kvm-h.patch
cp "$top/patches/$p" "$work/patches/$p"
echo "$p" > "$work/patches/series"
export PATCHES=$work/patches CHECKPATCH_CACHE=$work/cache
export LINUX=${LINUX:-$top/build/linux} BASE_REPO=${BASE_REPO:-$top/build/base/linux.git}

# A failed case shows what check-series printed.
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; sed 's/^/#   /' "$work/out"; }
run() { rc=0; "$work/top/scripts/check-series.sh" > "$work/out" 2>&1 || rc=$?; }
has() { grep -q -E -- "$1" "$work/out"; }

run
if [ $rc -eq 0 ] && has '^series: 1 passed, 0 failed' && ! has 'from the cache'; then
	ok "a clean patch passes, checked by checkpatch"
else
	not_ok "a clean patch passes, checked by checkpatch"
fi
run
if [ $rc -eq 0 ] && has '^series: 1 clean checkpatch verdicts from the cache' &&
   has '^series: 1 passed, 0 failed'; then
	ok "the unchanged patch comes from the cache"
else
	not_ok "the unchanged patch comes from the cache"
fi

# A changelog line over 75 columns: checkpatch --strict complains.
sed -i '0,/^$/s//\nThis line of the changelog is much longer than the seventy-five columns that checkpatch allows.\n/' \
	"$work/patches/$p"
run
if [ $rc -ne 0 ] && has 'COMMIT_LOG_LONG_LINE' && has '^series: 0 passed, 1 failed' &&
   ! has 'from the cache'; then
	ok "a changed patch is checked again, and its complaint fails it"
else
	not_ok "a changed patch is checked again, and its complaint fails it"
fi
run
if [ $rc -ne 0 ] && has '^series: 0 passed, 1 failed' && ! has 'from the cache'; then
	ok "a patch with a complaint is not cached"
else
	not_ok "a patch with a complaint is not cached"
fi

cp "$top/patches/$p" "$work/patches/$p"
echo "$p TYPO_SPELLING why not" > "$work/top/tests/checkpatch-allow.txt"
run
if [ $rc -eq 0 ] && ! has 'from the cache'; then
	ok "the patch's allow-list lines are part of its key"
else
	not_ok "the patch's allow-list lines are part of its key"
fi

tap_done "tooling: "
