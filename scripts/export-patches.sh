#!/bin/bash
# Write the commits of build/linux (base..HEAD) back to
# patches/<part>/<subject-slug>.patch and patches/series.
#
# Usage: scripts/export-patches.sh
#
# A commit's part is its note in refs/notes/part ("make tree" sets it for
# every applied patch; "git rebase" and "git commit --amend" carry it). A
# new commit without a note joins the part of the commit before it. To put
# a commit in another part:  git notes --ref=part add -f -m PART COMMIT
#
# File names come from the subject alone, so inserting or reordering
# patches renames nothing else. The output depends only on the commits:
# no commit IDs, no git version signature, fixed abbreviation length.
set -eu
. "$(dirname "$0")/lib/patchq.sh"

log() { printf 'export: %s\n' "$*"; }
die() { printf 'export: %s\n' "$*" >&2; exit 1; }

[ -d "$LINUX/.git" ] || die "no tree at $LINUX: run 'make tree' first"
[ -z "$(qgit status --porcelain --untracked-files=no)" ] ||
	die "$LINUX has uncommitted changes: commit them first"
qgit rev-parse -q --verify base >/dev/null || die "$LINUX has no base tag"
[ "$(qgit merge-base base HEAD)" = "$(qgit rev-parse base)" ] ||
	die "HEAD of $LINUX does not descend from base"

slugify() {
	local LC_ALL=C
	# Lower case, runs of anything but [a-z0-9] become one '-', at most
	# 64 characters, cut at a word boundary.
	printf '%s' "$1" | tr '[:upper:]' '[:lower:]' |
		sed -e 's/[^a-z0-9]\{1,\}/-/g' -e 's/^-//' -e 's/-$//' |
		awk '{ s = $0; if (length(s) > 64) { s = substr(s, 1, 64);
		       sub(/-[^-]*$/, "", s) } print s }'
}

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
: > "$out/series"

part=""
for c in $(qgit rev-list --reverse base..HEAD); do
	note=$(qgit notes --ref "$PART_NOTES" show "$c" 2>/dev/null || true)
	if [ -n "$note" ]; then
		part=$note
	elif [ -z "$part" ]; then
		die "commit $(qgit log -1 --format='%h ("%s")' "$c") has no part: git notes --ref=part add -m PART $c"
	fi
	case $part in
	*[!a-z0-9-]*|"") die "bad part name '$part' on commit $c" ;;
	esac

	slug=$(slugify "$(qgit log -1 --format=%s "$c")")
	[ -n "$slug" ] || die "commit $c has an empty subject"
	name=$part/$slug.patch
	i=2
	while grep -qxF "$name" "$out/series"; do
		name=$part/$slug-$i.patch
		i=$((i + 1))
	done

	mkdir -p "$out/$part"
	qgit notes --ref "$TEST_NOTES" show "$c" > "$out/below" 2>/dev/null || : > "$out/below"
	qgit -c core.abbrev=12 -c diff.algorithm=myers -c diff.renames=true \
		format-patch -1 --stdout --zero-commit --no-signature \
		--no-numbered --subject-prefix=PATCH --abbrev=12 "$c" |
		patch_insert_below_cut "$out/below" > "$out/$name"
	echo "$name" >> "$out/series"
	[ -n "$note" ] || qgit notes --ref "$PART_NOTES" add -f -m "$part" "$c" 2>/dev/null
done

mkdir -p "$PATCHES"
# Remove patch files that are no longer in the series; write a file only
# when its content changed, so untouched patches keep their timestamps.
find "$PATCHES" -name '*.patch' -type f | while read -r f; do
	rel=${f#"$PATCHES"/}
	grep -qxF "$rel" "$out/series" || { rm -f "$f"; log "removed $rel"; }
done
while read -r name; do
	if ! cmp -s "$out/$name" "$PATCHES/$name"; then
		mkdir -p "$PATCHES/$(dirname "$name")"
		cp "$out/$name" "$PATCHES/$name"
		log "wrote $name"
	fi
done < "$out/series"
cmp -s "$out/series" "$PATCHES/series" || cp "$out/series" "$PATCHES/series"

# The tree now matches patches/: "make tree" has nothing to redo.
echo "$(series_digest) $(qgit rev-parse HEAD)" > "$(stamp_file)"
log "$(wc -l < "$out/series") patches in patches/series"
