# How the KVM selftests are built, for build-selftests.sh and
# bisect-check.sh. Sourced, not run; needs ccache.sh first.
#
# make_kvm_selftests SRC OUT HDR [MAKE_ARGS...]
#   SRC  kernel tree, OUT output directory (absolute), HDR the installed
#   uAPI headers of the same tree. Statically linked, so that the binaries
#   run in the busybox initramfs.
make_kvm_selftests() {
	local src=$1 out=$2 hdr=$3
	shift 3
	make -C "$src/tools/testing/selftests/kvm" -j"${JOBS:-$(nproc)}" \
		CC="$top/scripts/lib/cc-split" OUTPUT="$out" KHDR_INCLUDES="-isystem $hdr" \
		EXTRA_CFLAGS="-static" "$@"
}
