# Shared settings of the patch-queue scripts (tree.sh, export-patches.sh).
# Sourced, not run.
#
# Overridable for the tooling's own tests:
#   BASE_REPO  repository holding the base commit, tagged "base"
#   LINUX      the patched tree that "make tree" produces
#   PATCHES    the patch folder, with "series" in it

top=$(cd "$(dirname "$0")/.." && pwd)
BASE_REPO=${BASE_REPO:-$top/build/base/linux.git}
LINUX=${LINUX:-$top/build/linux}
PATCHES=${PATCHES:-$top/patches}

# The notes ref that remembers which part of the series a commit belongs to.
PART_NOTES=refs/notes/part

# The notes ref that holds a patch's notes below its "---" line (how it was
# tested, what it was not tested on): "git am" drops that text from the
# commit, so "make tree" keeps it here and the export puts it back.
TEST_NOTES=refs/notes/testing

# Print the text between a patch file's "---" line and its diffstat (or
# its first diff, without a diffstat), without the blank lines around it.
patch_below_cut() {
	awk '
		!body { if ($0 == "") body = 1; next }
		!cut { if ($0 == "---") cut = 1; next }
		/^ [^ ].* \| +([0-9]+|Bin)/ || /^ [0-9]+ files? changed/ || /^diff --git / { exit }
		{ lines[++n] = $0 }
		END {
			first = 1; while (first <= n && lines[first] == "") first++
			while (n >= first && lines[n] == "") n--
			for (i = first; i <= n; i++) print lines[i]
		}' "$1"
}

# Copy a format-patch file from stdin to stdout with the text of file $1,
# if it is not empty, and a blank line after the "---" line.
patch_insert_below_cut() {
	awk -v notes="$1" '
		!body { if ($0 == "") body = 1; print; next }
		!done && $0 == "---" {
			print
			n = 0
			while ((getline l < notes) > 0) { print l; n++ }
			if (n) print ""
			done = 1
			next
		}
		{ print }'
}

# Run git in $LINUX without the user's or the system's configuration, so
# that what format-patch writes and the commit IDs that "git am" makes do
# not depend on who runs the script.
qgit() {
	HOME=/nonexistent XDG_CONFIG_HOME=/nonexistent GIT_CONFIG_NOSYSTEM=1 \
	GIT_COMMITTER_NAME="patch queue" GIT_COMMITTER_EMAIL="patchq@localhost" \
	GIT_AUTHOR_NAME="patch queue" EMAIL="patchq@localhost" \
		git -C "$LINUX" "$@"
}

# The patches listed in $PATCHES/series, one "part/name.patch" per line.
# Blank lines and lines starting with '#' are ignored.
series_list() {
	[ -f "$PATCHES/series" ] || return 0
	sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$PATCHES/series"
}

# A digest of everything "make tree" applies: the base commit and the
# series with the contents of its patches.
series_digest() {
	{
		git -C "$BASE_REPO" rev-parse base
		series_list | while read -r p; do
			echo "$p"
			cat "$PATCHES/$p"
		done
	} | sha256sum | cut -d' ' -f1
}

stamp_file() { echo "$LINUX/.git/patchq-stamp"; }
