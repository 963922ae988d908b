#!/bin/bash
# Tests of scripts/check-series.sh, on copies of one patch of the series:
# the checkpatch verdict cache (a clean patch is checked once and then
# taken from the cache; a changed patch is checked again; a patch with a
# complaint is never cached), and the list of parts (contiguous in the
# series, and as patches/README.md lists them, "planned" rows aside).
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
readme() { printf '| part | what |\n|---|---|\n' > "$work/patches/README.md"
	   for r in "$@"; do printf '| `%s` | %s |\n' "${r%%:*}" "${r#*:}"; done >> "$work/patches/README.md"; }
readme "base:fixes" "kvm-snp:planned: later"
export PATCHES=$work/patches CHECKPATCH_CACHE=$work/cache
export LINUX=${LINUX:-$top/build/linux} BASE_REPO=${BASE_REPO:-$top/build/base/linux.git}

# A failed case shows what check-series printed.
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; sed 's/^/#   /' "$work/out"; }
run() { rc=0; "$work/top/scripts/check-series.sh" > "$work/out" 2>&1 || rc=$?; }
has() { grep -q -E -- "$1" "$work/out"; }

run
if [ $rc -eq 0 ] && has '^series: 2 passed, 0 failed' && ! has 'from the cache'; then
	ok "a clean patch passes, checked by checkpatch"
else
	not_ok "a clean patch passes, checked by checkpatch"
fi
run
if [ $rc -eq 0 ] && has '^series: 1 clean checkpatch verdicts from the cache' &&
   has '^series: 2 passed, 0 failed'; then
	ok "the unchanged patch comes from the cache"
else
	not_ok "the unchanged patch comes from the cache"
fi

# A changelog line over 75 columns: checkpatch --strict complains.
sed -i '0,/^$/s//\nThis line of the changelog is much longer than the seventy-five columns that checkpatch allows.\n/' \
	"$work/patches/$p"
run
if [ $rc -ne 0 ] && has 'COMMIT_LOG_LONG_LINE' && has '^series: 1 passed, 1 failed' &&
   ! has 'from the cache'; then
	ok "a changed patch is checked again, and its complaint fails it"
else
	not_ok "a changed patch is checked again, and its complaint fails it"
fi
run
if [ $rc -ne 0 ] && has '^series: 1 passed, 1 failed' && ! has 'from the cache'; then
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

# Three parts' worth of copies: base, x, then base again.
mkdir -p "$work/patches/x"
cp "$work/patches/$p" "$work/patches/x/q.patch"
cp "$work/patches/$p" "$work/patches/base/r.patch"
printf '%s\n' "$p" x/q.patch base/r.patch > "$work/patches/series"
readme "base:fixes" "x:more"
run
if [ $rc -ne 0 ] && has "base/r.patch: part 'base' is not contiguous"; then
	ok "a part that is not contiguous in the series fails"
else
	not_ok "a part that is not contiguous in the series fails"
fi

printf '%s\n' "$p" base/r.patch x/q.patch > "$work/patches/series"
run
if [ $rc -eq 0 ] && has "ok +parts in series order, as patches/README.md lists them: base x"; then
	ok "contiguous parts in patches/README.md's order pass"
else
	not_ok "contiguous parts in patches/README.md's order pass"
fi

readme "x:more" "base:fixes"
run
if [ $rc -ne 0 ] && has "patches/README.md lists the parts 'x base', the series has 'base x'"; then
	ok "parts in another order than patches/README.md's fail"
else
	not_ok "parts in another order than patches/README.md's fail"
fi

readme "base:fixes"
run
if [ $rc -ne 0 ] && has "patches/README.md lists the parts 'base', the series has 'base x'"; then
	ok "a part that patches/README.md does not list fails"
else
	not_ok "a part that patches/README.md does not list fails"
fi

tap_done "tooling: "
