#!/bin/bash
# Build the patched test kernel out of tree, with ccache.
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

make -s -C "$src" O="$obj" -j"$jobs" CC="ccache gcc" bzImage modules
make -s -C "$src" O="$obj" headers_install INSTALL_HDR_PATH="$obj/usr"
echo "build: $(cat "$obj/include/config/kernel.release") in build/obj/arch/x86/boot/bzImage"
