#!/bin/bash
# Make a kernel .config: a starting config plus the fragments of one
# configs/ folder, merged with the kernel's merge_config.sh. Every option a
# fragment asks for must be in the result: one that did not stick (a typo,
# an unmet dependency) is an error, not a warning.
#
# Usage: scripts/make-config.sh test OBJDIR
#          x86_64 defconfig + configs/test/*.config
#        scripts/make-config.sh deb OBJDIR
#          Debian's amd64 config (linux-config-6.1) + configs/deb/*.config
#        scripts/make-config.sh coverage OBJDIR
#          the test config + configs/coverage/*.config (gcov, make coverage)
#
# OBJDIR/.config is replaced only when the result differs, so that an
# unchanged config does not trigger a rebuild.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib/config.sh"
kind=$1
obj=$(realpath -m "$2")
src=${LINUX:-$top/build/linux}
work=$top/build/config-$kind

log() { printf 'config: %s\n' "$*"; }
die() { printf 'config: %s\n' "$*" >&2; exit 1; }

frags=$(ls "$top/configs/$kind"/*.config 2>/dev/null) ||
	die "no fragments in configs/$kind"
if [ "$kind" = coverage ]; then
	frags="$(ls "$top/configs/test"/*.config) $frags"
fi
[ -f "$src/Makefile" ] || die "no kernel tree at $src: run 'make tree' first"

mkdir -p "$work" "$obj"
case $kind in
test|coverage)
	make -s -C "$src" O="$work" defconfig >/dev/null
	;;
deb)
	debcfg=/usr/src/linux-config-6.1/config.amd64_none_amd64.xz
	[ -f "$debcfg" ] || die "$debcfg missing: run 'make deps'"
	xzcat "$debcfg" > "$work/.config"
	;;
*)
	die "unknown config kind '$kind'"
	;;
esac

# shellcheck disable=SC2086
(cd "$src" && scripts/kconfig/merge_config.sh -m -O "$work" \
	"$work/.config" $frags) > "$work/merge.log"
make -s -C "$src" O="$work" olddefconfig >/dev/null

# Check that every requested value stuck.
# shellcheck disable=SC2086
bad=$(config_unstuck "$work/.config" $frags | sed "s|$top/||")
if [ -n "$bad" ]; then
	printf '%s\n' "$bad" >&2
	die "options above did not stick"
fi

if cmp -s "$work/.config" "$obj/.config"; then
	log "$kind config unchanged"
else
	cp "$work/.config" "$obj/.config"
	log "$kind config written to ${obj#"$top"/}/.config"
fi
