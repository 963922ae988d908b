#!/bin/bash
# Build the objects the x86-host and psp-aspt parts touch with configs
# that turn one of their dependencies off: AMD_MEM_ENCRYPT=n,
# KVM_AMD_SEV=n, AMD_IOMMU=n, and CRYPTO_DEV_SP_PSP=n (which also turns
# off the ASPT PSP, X86_AMD_PSP_ASPT, and the simulated PSP).
# Each variant is the test config with that option disabled, in its own
# object directory, built object by object (no link: the point is the
# #ifdefs and stubs of the headers, not a bootable kernel).
#
# Usage: scripts/build-variants.sh [VARIANT...]   (default: all four)
# Input:  build/linux (make tree), build/obj/.config (make config)
# Output: build/obj-variant-<option>/, and one line per variant:
#         "ok VARIANT" or "FAIL VARIANT (see LOG)"; exits 1 on a failure.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib/ccache.sh"
src=$top/build/linux
jobs=${JOBS:-$(nproc)}
variants=${*:-AMD_MEM_ENCRYPT KVM_AMD_SEV AMD_IOMMU CRYPTO_DEV_SP_PSP}
# Every directory with a file the x86-host and psp-aspt parts change
dirs="arch/x86/virt/ arch/x86/coco/ arch/x86/mm/ arch/x86/kernel/ drivers/iommu/amd/ drivers/crypto/ccp/"

[ -f "$top/build/obj/.config" ] || { echo "variants: no config: run 'make config'" >&2; exit 1; }

failed=0
for v in $variants; do
	obj=$top/build/obj-variant-$v
	log=$top/build/logs/variant-$v.log
	mkdir -p "$obj" "$top/build/logs"
	cp "$top/build/obj/.config" "$obj/.config"
	"$src/scripts/config" --file "$obj/.config" --disable "$v"
	if ! make -s -C "$src" O="$obj" olddefconfig > "$log" 2>&1 ||
	   grep -q "^CONFIG_$v=" "$obj/.config"; then
		echo "FAIL $v=n (the option did not stay off; see ${log#"$top"/})"
		failed=1
		continue
	fi
	# shellcheck disable=SC2086
	if make -s -C "$src" O="$obj" -j"$jobs" CC="ccache gcc" $dirs >> "$log" 2>&1; then
		echo "ok   $v=n"
	else
		echo "FAIL $v=n (see ${log#"$top"/})"
		failed=1
	fi
done
[ "$failed" -eq 0 ]
