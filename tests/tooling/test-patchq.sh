#!/bin/bash
# Tests of the patch queue (scripts/tree.sh, scripts/export-patches.sh) on a
# small synthetic base, so that they run in seconds and need no kernel.
#
# Usage: tests/tooling/test-patchq.sh
set -eu

. "$(dirname "$0")/lib.sh"
scripts=$top/scripts
check() { # check DESCRIPTION COMMAND...
	local d=$1
	shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}

export HOME=$work GIT_CONFIG_NOSYSTEM=1
git config --global user.name "Test Author"
git config --global user.email "author@example.org"
git config --global init.defaultBranch master

# A base repository, as scripts/prepare-base.sh makes it.
mkdir -p "$work/src"
for f in a b c; do seq 1 50 | sed "s/^/$f /" > "$work/src/$f.c"; done
git -C "$work/src" init -q
git -C "$work/src" add -A
git -C "$work/src" commit -q -m base
git -C "$work/src" tag base
git clone -q --bare "$work/src" "$work/base.git"
echo "test-base" > "$work/VERSION"

export BASE_REPO=$work/base.git LINUX=$work/linux PATCHES=$work/patches
tree() { "$scripts/tree.sh" > "$work/out" 2>&1; }
export_() { "$scripts/export-patches.sh" > "$work/out" 2>&1; }
commit() { # commit FILE LINE SUBJECT
	sed -i "$2s/\$/ changed/" "$LINUX/$1"
	git -C "$LINUX" commit -q -a -m "$3" -m "Body of: $3"
}

# An empty series gives the bare base.
mkdir -p "$PATCHES"
: > "$PATCHES/series"
check "empty series makes a tree at base" tree
check "tree at base" test "$(git -C "$LINUX" rev-parse HEAD)" = "$(git -C "$LINUX" rev-parse base)"

# Commits become part/slug.patch files.
commit a.c 3 "x86/sev: Add the first thing"
git -C "$LINUX" notes --ref=part add -m x86-host HEAD
commit b.c 5 "KVM: SVM: Do the second thing (with CAPS)"
git -C "$LINUX" notes --ref=part add -m kvm-snp HEAD
git -C "$LINUX" notes --ref=testing add -m "Tested in the test VM." -m "Not run on hardware." HEAD
commit c.c 7 "KVM: SVM: Do the third thing"
check "export succeeds" export_
cat > "$work/expect" <<'X'
x86-host/x86-sev-add-the-first-thing.patch
kvm-snp/kvm-svm-do-the-second-thing-with-caps.patch
kvm-snp/kvm-svm-do-the-third-thing.patch
X
check "series names come from part and subject; a commit without a note joins the part before it" \
	cmp -s "$work/expect" "$PATCHES/series"
check "three patch files" test "$(find "$PATCHES" -name '*.patch' | wc -l)" = 3
check "no commit ID in the patches" \
	sh -c "! grep -h '^From [0-9a-f]\{40\} ' $PATCHES/*/*.patch | grep -qv '^From 0\{40\} '"
check "no git version signature" sh -c "! grep -q '^-- \$' $PATCHES/*/*.patch"
second=$PATCHES/kvm-snp/kvm-svm-do-the-second-thing-with-caps.patch
printf '%s\n' --- "Tested in the test VM." "" "Not run on hardware." "" > "$work/expect"
check "a commit's test note goes right below its patch's --- line" \
	cmp -s "$work/expect" <(sed -n '/^---$/,/^ b.c /p' "$second" | sed '$d')
check "... and not into its changelog" sh -c "! sed '/^---\$/q' '$second' | grep -q 'Tested in'"
check "a patch without a note has its diffstat right below ---" \
	sh -c "grep -A1 -x -- --- '$PATCHES/kvm-snp/kvm-svm-do-the-third-thing.patch' | grep -q '^ c.c '"

cp -r "$PATCHES" "$work/patches.1"
check "tree is up to date right after export" tree
check "... and says so" grep -q "up to date" "$work/out"

# Round trip from scratch: tree then export reproduces patches/ exactly.
rm -rf "$LINUX"
check "tree from scratch applies the series" tree
check "three commits on base" test "$(git -C "$LINUX" rev-list --count base..HEAD)" = 3
check "tree keeps the text below --- as the commit's test note" \
	test "$(git -C "$LINUX" notes --ref=testing show HEAD~1)" = "$(printf 'Tested in the test VM.\n\nNot run on hardware.')"
check "... and gives no note to a patch without one" \
	sh -c "! git -C '$LINUX' notes --ref=testing show HEAD >/dev/null 2>&1"
first=$(git -C "$LINUX" rev-parse HEAD)
check "export from a fresh tree" export_
check "tree -> export reproduces patches/ byte for byte" diff -r "$work/patches.1" "$PATCHES"
rm -rf "$LINUX"
tree
check "applying twice gives the same commit IDs" test "$(git -C "$LINUX" rev-parse HEAD)" = "$first"

# A test note deleted from the patch file stays deleted, though "git am"
# makes the same commit, which still has its old note, again.
cp "$second" "$work/second.keep"
awk '/^---$/ { print; cut = 1; next } cut == 1 && !/^ b.c / { next } { cut = 2; print }' \
	"$work/second.keep" > "$second"
check "tree after a test note was deleted from its patch" tree
check "... leaves the commit without a note" \
	sh -c "! git -C '$LINUX' notes --ref=testing show HEAD~1 >/dev/null 2>&1"
cp "$work/second.keep" "$second"
tree

# Inserting a patch in the middle renames nothing else.
git -C "$LINUX" checkout -q --detach HEAD~2
commit a.c 20 "x86/sev: Insert a patch"
git -C "$LINUX" rebase -q --onto HEAD series~2 series
check "export after an insertion" export_
check "the other patch files are unchanged" sh -c "for f in \$(cd '$work/patches.1' && find . -name '*.patch'); do cmp -s '$work/patches.1/'\$f '$PATCHES/'\$f || exit 1; done"
check "the new patch is in place in the series" \
	test "$(sed -n 2p "$PATCHES/series")" = "x86-host/x86-sev-insert-a-patch.patch"

# A dirty tree or unexported commits are never thrown away silently.
echo junk >> "$LINUX/a.c"
check "tree refuses to discard uncommitted changes" sh -c "! '$scripts/tree.sh' > '$work/out' 2>&1"
check "... and says why" grep -q "has uncommitted changes" "$work/out"
git -C "$LINUX" checkout -q -- a.c
commit b.c 30 "KVM: SVM: Not exported yet"
check "tree refuses to discard unexported commits" sh -c "! '$scripts/tree.sh' > '$work/out' 2>&1"
check "... and says why" grep -q "commits that are not in patches/" "$work/out"
check "FORCE=1 discards them" env FORCE=1 "$scripts/tree.sh" >/dev/null
check "... back at the series" test "$(git -C "$LINUX" rev-list --count base..HEAD)" = 4

# A patch that does not apply stops the tree with the patch's name.
sed -i 's/^-\(b 5\)$/-\1 nonsense/' "$PATCHES/kvm-snp/kvm-svm-do-the-second-thing-with-caps.patch"
check "a broken patch stops the tree" sh -c "! '$scripts/tree.sh' > '$work/out' 2>&1"
check "... naming the patch" grep -q "patches/kvm-snp/kvm-svm-do-the-second-thing-with-caps.patch does not apply" "$work/out"

# A series entry without a file is an error, not skipped.
cp -r "$work/patches.1/." "$PATCHES/"
echo "base/missing.patch" >> "$PATCHES/series"
check "a missing patch file is an error" sh -c "! FORCE=1 '$scripts/tree.sh' > '$work/out' 2>&1"
check "... naming it" grep -q "base/missing.patch" "$work/out"

tap_done
