#!/bin/bash
# Build the patched test kernel out of tree, with ccache.
#
# A finished build of a clean tree is kept in $KERNEL_CACHE (default
# ~/.cache/snp-host/kernel; the newest $KERNEL_CACHE_KEEP=2), keyed by the
# tree, the config, the toolchain and this script. A fresh clone that
# builds the same series with the same config unpacks it instead of
# compiling (with ccache, a full build of ccache hits still takes minutes:
# objtool, the links, modpost). A tree with uncommitted changes is always
# built by make, and never cached.
#
# Usage: scripts/build-kernel.sh
# Input:  build/linux (make tree), build/obj/.config (make config)
# Output: build/obj/arch/x86/boot/bzImage, its modules (kvm-amd.ko),
#         build/obj/usr/include (uAPI headers for the selftests),
#         build/obj/usr/gen_init_cpio
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib/ccache.sh"
src=$top/build/linux
obj=$top/build/obj
jobs=${JOBS:-$(nproc)}

[ -f "$obj/.config" ] || { echo "build: no config: run 'make config'" >&2; exit 1; }

cache=${KERNEL_CACHE:-$HOME/.cache/snp-host/kernel}
key=""
if [ -z "$(git -C "$src" status --porcelain)" ]; then
	key=$({
		cat "$0" "$top/scripts/lib/ccache.sh" "$obj/.config"
		git -C "$src" rev-parse 'HEAD^{tree}'
		gcc --version | head -n 1
		ld --version | head -n 1
		make --version | head -n 1
	} | sha256sum | cut -c1-64)
fi

if [ -n "$key" ] && [ "$(cat "$obj/.build-key" 2>/dev/null)" = "$key" ] &&
   [ -f "$obj/arch/x86/boot/bzImage" ]; then
	echo "build: up to date (same tree and config as the last build)"
elif [ -n "$key" ] && [ -f "$cache/$key.tar.zst" ]; then
	# Unpacked with the current time, so that the objects are newer than
	# the sources of this checkout and a later change rebuilds only what
	# it touches.
	find "$obj" -mindepth 1 -delete
	zstd -dc -q "$cache/$key.tar.zst" | tar -C "$obj" -x -m -f -
	echo "$key" > "$obj/.build-key"
	echo "build: unpacked from the kernel cache (${cache/#"$HOME"/\~})"
else
	rm -f "$obj/.build-key"
	make -s -C "$src" O="$obj" -j"$jobs" CC="ccache gcc" bzImage modules
	make -s -C "$src" O="$obj" headers_install INSTALL_HDR_PATH="$obj/usr"
	if [ -n "$key" ]; then
		mkdir -p "$cache"
		tar -C "$obj" -c -f - . | zstd -1 -q -T0 > "$cache/$key.tar.zst.tmp"
		mv "$cache/$key.tar.zst.tmp" "$cache/$key.tar.zst"
		echo "$key" > "$obj/.build-key"
		# Keep the newest few.
		ls -t "$cache"/*.tar.zst | tail -n +$((${KERNEL_CACHE_KEEP:-2} + 1)) |
			xargs -r rm -f
	fi
fi
echo "build: $(cat "$obj/include/config/kernel.release") in build/obj/arch/x86/boot/bzImage"
