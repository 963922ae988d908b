#!/bin/bash
# Unpack Debian's linux-source-6.1 once and turn it into a git repository
# with a single "base" commit. Everything else (make tree, bisect-check)
# clones from it. The repository is made once per package version in
# $BASE_CACHE (default ~/.cache/snp-host/base/VERSION), outside the
# checkout, so that a fresh clone on the same machine does not unpack and
# commit the whole tree again; build/base links to it. The commit is
# reproducible (fixed author, committer and dates), so a cached one is the
# same commit that unpacking again would make.
#
# Usage: scripts/prepare-base.sh
# Output: build/base -> the cache, holding linux.git (bare, tag "base")
#         and VERSION
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
link=$top/build/base
tarball=/usr/src/linux-source-6.1.tar.xz

log() { printf 'base: %s\n' "$*"; }

version=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || true)
if [ -z "$version" ] || [ ! -f "$tarball" ]; then
	log "linux-source-6.1 is not installed: run 'make deps' first"
	exit 1
fi

cache=${BASE_CACHE:-$HOME/.cache/snp-host/base}/$version
shown=${cache/#"$HOME"/\~}
mkdir -p "$top/build"
# An older build/base was a directory of its own.
[ -L "$link" ] || rm -rf "$link"
if [ -f "$cache/VERSION" ] && [ "$(cat "$cache/VERSION")" = "$version" ] &&
   git -C "$cache/linux.git" rev-parse -q --verify base >/dev/null; then
	ln -sfn "$cache" "$link"
	log "linux-source-6.1 $version (cached in $shown)"
	exit 0
fi

log "unpacking linux-source-6.1 $version"
rm -rf "$cache"
mkdir -p "$cache"
tmp=$cache/unpack
mkdir -p "$tmp"
tar -C "$tmp" -xf "$tarball"
src=$tmp/linux-source-6.1

# Without the user's or the system's git configuration (signing, line ends).
export HOME=/nonexistent XDG_CONFIG_HOME=/nonexistent GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME="Debian linux-source-6.1" GIT_AUTHOR_EMAIL="debian-kernel@lists.debian.org"
export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME" GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"
export GIT_AUTHOR_DATE="2000-01-01T00:00:00Z" GIT_COMMITTER_DATE="2000-01-01T00:00:00Z"

git -C "$src" init -q -b master
git -C "$src" config gc.auto 0
# The tarball ships its own .gitignore files; add everything regardless.
git -C "$src" add -A -f .
git -C "$src" commit -q -m "Debian linux-source-6.1 $version"
git -C "$src" tag base
# Keep only the repository: clones check the files out when they need them.
mv "$src/.git" "$cache/linux.git"
git -C "$cache/linux.git" config core.bare true
rm -rf "$tmp"

echo "$version" > "$cache/VERSION"
ln -sfn "$cache" "$link"
log "linux-source-6.1 $version cached in $shown/linux.git (build/base)"
