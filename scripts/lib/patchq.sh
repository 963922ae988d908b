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
