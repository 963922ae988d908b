#!/bin/bash
# Make build/linux: a git repository of the base with every patch of
# patches/series applied by "git am", one commit per patch.
#
# Usage: scripts/tree.sh          (FORCE=1 discards local work in build/linux)
#
# The tree is rebuilt only when the series changed since the last run, so
# files the series does not touch keep their timestamps and the kernel build
# stays incremental. Commits or edits in build/linux that "make export" has
# not written back are never thrown away silently: the script refuses, and
# FORCE=1 is the way to discard them.
set -eu
. "$(dirname "$0")/lib/patchq.sh"

log() { printf 'tree: %s\n' "$*"; }
die() { printf 'tree: %s\n' "$*" >&2; exit 1; }

git -C "$BASE_REPO" rev-parse -q --verify base >/dev/null ||
	die "no base in $BASE_REPO: run 'make base' first"

for p in $(series_list); do
	[ -f "$PATCHES/$p" ] || die "patches/series lists $p, which does not exist"
	case $p in
	*/*.patch) ;;
	*) die "patches/series: '$p' is not of the form part/name.patch" ;;
	esac
done

if [ ! -d "$LINUX/.git" ]; then
	log "cloning the base into $LINUX"
	git clone -q --no-checkout "$BASE_REPO" "$LINUX"
	qgit config gc.auto 0
	qgit checkout -q -B series base
fi
# "git rebase" and "git commit --amend" carry both kinds of notes along.
qgit config --replace-all notes.rewriteRef "$PART_NOTES"
qgit config --add notes.rewriteRef "$TEST_NOTES"
qgit config notes.rewrite.rebase true
qgit config notes.rewrite.amend true

digest=$(series_digest)
stamp=$(stamp_file)
head=$(qgit rev-parse HEAD)
dirty=$(qgit status --porcelain --untracked-files=no)

if [ -f "$stamp" ]; then
	read -r old_digest old_head < "$stamp"
	if [ "$old_digest" = "$digest" ] && [ "$old_head" = "$head" ] &&
	   [ -z "$dirty" ]; then
		log "up to date ($(series_list | wc -l) patches)"
		exit 0
	fi
	if [ "${FORCE:-0}" != 1 ]; then
		[ "$old_head" = "$head" ] ||
			die "$LINUX has commits that are not in patches/: run 'make export' first, or 'make tree FORCE=1' to discard them"
		[ -z "$dirty" ] ||
			die "$LINUX has uncommitted changes: commit and 'make export' them, or 'make tree FORCE=1' to discard them"
	fi
elif [ "$head" != "$(qgit rev-parse base)" ] || [ -n "$dirty" ]; then
	[ "${FORCE:-0}" = 1 ] ||
		die "$LINUX is not a tree this script made: 'make tree FORCE=1' resets it"
fi

qgit am --abort >/dev/null 2>&1 || true
# The base cache may have been made anew (another Debian version) since
# this tree was cloned: take its base.
qgit fetch -q -f "$BASE_REPO" +refs/tags/base:refs/tags/base
qgit checkout -q -f -B series base
qgit notes --ref "$PART_NOTES" prune >/dev/null 2>&1 || true
qgit notes --ref "$TEST_NOTES" prune >/dev/null 2>&1 || true

n=0
for p in $(series_list); do
	# No three-way merge and no fuzz: a patch applies exactly or the tree
	# stops at it.
	if ! out=$(qgit am --quiet --no-3way --committer-date-is-author-date \
			"$PATCHES/$p" 2>&1); then
		qgit am --abort >/dev/null 2>&1 || true
		printf '%s\n' "$out" >&2
		die "patches/$p does not apply"
	fi
	qgit notes --ref "$PART_NOTES" add -f -m "${p%%/*}" HEAD 2>/dev/null
	# "git am" may make a commit that exists already, with an old note.
	below=$(patch_below_cut "$PATCHES/$p")
	if [ -n "$below" ]; then
		printf '%s\n' "$below" | qgit notes --ref "$TEST_NOTES" add -f -F - HEAD
	else
		qgit notes --ref "$TEST_NOTES" remove --ignore-missing HEAD 2>/dev/null
	fi
	n=$((n + 1))
done

echo "$digest $(qgit rev-parse HEAD)" > "$stamp"
log "applied $n patches on $(cat "$(dirname "$BASE_REPO")/VERSION" 2>/dev/null || echo base)"
