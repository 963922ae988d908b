#!/bin/bash
# Build mainline's kernel (Debian's linux-source-7.3, unmodified) with the
# test kernel's config fragments, for the side-by-side benchmark (make
# bench). It is never part of make check.
#
# The config is x86_64 defconfig plus configs/test/*.config, as for our
# test kernel. Options that 7.3 does not know (our series' own, and a few
# that mainline dropped) are listed and left out; every other option a
# fragment asks for must stick, as in make-config.sh.
#
# The source comes from the same private apt state as upstream-selftests.sh
# and is unpacked once under the cache; the object tree is cached too, so
# that a fresh clone on this machine does not rebuild it.
#
# Usage: scripts/build-mainline.sh [TREE]     TREE: 7.3 (default)
# Output: $SNP_HOST_CACHE/mainline/<version>/obj (bzImage, kvm-amd.ko)
#         build/mainline-<tree> -> that directory
#         build/logs/mainline-<tree>.log
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib/ccache.sh"
. "$top/scripts/lib/upstream.sh"
. "$top/scripts/lib/config.sh"

log() { printf 'mainline: %s\n' "$*"; }
die() { printf 'mainline: %s\n' "$*" >&2; exit 1; }

tree=${1:-7.3}
pin=$(upstream_pin "$tree") || die "unknown tree '$tree'"
pkg=linux-source-$tree
dir=$SNP_HOST_CACHE/mainline/$pin
src=$dir/src/$pkg
obj=$dir/obj
blog=$top/build/logs/mainline-$tree.log
jobs=${JOBS:-$(nproc)}

mkdir -p "$top/build/logs"

# The source tree, unpacked once.
if [ ! -f "$src/.unpacked" ]; then
	debs=$UPSTREAM_CACHE/debs
	deb=$debs/${pkg}_${pin//:/%3a}_all.deb
	if [ ! -f "$deb" ]; then
		upstream_apt_update
		mkdir -p "$debs"
		log "downloading $pkg $pin"
		(cd "$debs" && upstream_apt_get download "$pkg=$pin")
	fi
	[ -f "$deb" ] || die "no $deb after the download"
	rm -rf "$dir/src"
	mkdir -p "$dir/src"
	log "unpacking $pkg $pin"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -C "$dir/src" -x --strip-components=3 \
			"./usr/src/$pkg.tar.xz"
	tar -C "$dir/src" -xf "$dir/src/$pkg.tar.xz"
	rm -f "$dir/src/$pkg.tar.xz"
	touch "$src/.unpacked"
fi

# Options that mainline renamed: old name, new name.
renames="PAGE_TABLE_ISOLATION:MITIGATION_PAGE_TABLE_ISOLATION"

# The config: defconfig + our fragments, minus what 7.3 does not know.
work=$dir/config
rm -rf "$work"
mkdir -p "$work" "$obj"
frag=$work/fragments.config
known=$work/known
# Every symbol 7.3's Kconfig files declare.
grep -rhoE '^[[:space:]]*(menu)?config[[:space:]]+[A-Za-z0-9_]+' \
	--include='Kconfig*' "$src" | awk '{print "CONFIG_" $2}' | sort -u > "$known"
: > "$frag"
dropped=""
for f in "$top"/configs/test/*.config; do
	while IFS= read -r line; do
		sym=$(printf '%s\n' "$line" |
		      sed -nE 's/^(# )?(CONFIG_[A-Za-z0-9_]+)[= ].*/\2/p')
		[ -n "$sym" ] || continue
		for r in $renames; do
			if [ "$sym" = "CONFIG_${r%%:*}" ]; then
				line=${line/$sym/CONFIG_${r#*:}}
				sym=CONFIG_${r#*:}
			fi
		done
		if grep -qx "$sym" "$known"; then
			printf '%s\n' "$line" >> "$frag"
		else
			dropped="$dropped ${sym#CONFIG_}"
		fi
	done < "$f"
done
[ -z "$dropped" ] || log "not in $tree, left out:$dropped"
# 7.3's own KUnit tests include one that oopses on purpose (kunit_fault).
# An oops turns lockdep off for the rest of the boot, which would make
# mainline's figures those of a kernel without lockdep, and the test VM's
# judge fails a run with an oops. Our 6.1 has no such test.
echo "# CONFIG_KUNIT_FAULT_TEST is not set" >> "$frag"

make -s -C "$src" O="$work" defconfig >/dev/null
(cd "$src" && scripts/kconfig/merge_config.sh -m -O "$work" \
	"$work/.config" "$frag") > "$work/merge.log"
make -s -C "$src" O="$work" olddefconfig >/dev/null
# Options that 7.3 knows but that did not stick. Two are expected: SLUB is
# the only allocator in 7.3, and x86 has lazy preemption there, which
# leaves out PREEMPT_VOLUNTARY (7.3 takes its default, PREEMPT_LAZY, with
# PREEMPT_DYNAMIC as in our config).
bad=$(config_unstuck "$work/.config" "$frag" |
      sed -E 's/^[^:]*: (CONFIG_[A-Za-z0-9_]+).*/\1/')
expected=" CONFIG_SLUB CONFIG_PREEMPT_VOLUNTARY "
for k in $bad; do
	case $expected in
	*" $k "*) log "$k: not selectable in $tree, its default is kept" ;;
	*) die "$k did not stick in $tree's config (see $work/merge.log)" ;;
	esac
done
if ! cmp -s "$work/.config" "$obj/.config"; then
	cp "$work/.config" "$obj/.config"
fi

log "building $pkg $pin (log: build/logs/mainline-$tree.log)"
start=$(date +%s)
if ! make -s -C "$src" O="$obj" -j"$jobs" CC="ccache gcc" bzImage modules \
		> "$blog" 2>&1; then
	grep -E 'error|Error' "$blog" | head -30 >&2
	die "$pkg does not build, see $blog"
fi
[ -f "$obj/arch/x86/kvm/kvm-amd.ko" ] || die "no kvm-amd.ko in $obj"
ln -sfn "$obj" "$top/build/mainline-$tree"
log "$pkg $pin built in $(( $(date +%s) - start ))s: build/mainline-$tree"
