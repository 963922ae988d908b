#!/bin/bash
# Build installable Debian packages of the patched kernel with the kernel's
# own "make bindeb-pkg", on Debian's amd64 config (linux-config-6.1) plus
# configs/deb/*.config.
#
# Usage: scripts/build-deb.sh
#        DEB_CONFIG=test scripts/build-deb.sh   (packages the small test
#        config instead: minutes, to check the packaging path itself)
# Output: build/deb/linux-image-*.deb, linux-headers-*.deb, linux-libc-dev*.deb
#
# Slow: Debian's config builds thousands of modules (hours on 2 cores).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib/ccache.sh"
kind=${DEB_CONFIG:-deb}
obj=$top/build/deb-obj/$kind
out=$top/build/deb

"$top/scripts/make-config.sh" "$kind" "$obj"
rm -f "$(dirname "$obj")"/*.deb
version=$(cat "$top/build/base/VERSION")
make -C "$top/build/linux" O="$obj" -j"${JOBS:-$(nproc)}" CC="ccache gcc" \
	KDEB_PKGVERSION="$version+snp$(git -C "$top/build/linux" rev-list --count base..HEAD)" \
	bindeb-pkg
rm -rf "$out"
mkdir -p "$out"
mv "$(dirname "$obj")"/*.deb "$out"/
# bindeb-pkg also leaves a .buildinfo and a .changes next to the packages.
rm -f "$(dirname "$obj")"/*.buildinfo "$(dirname "$obj")"/*.changes
ls -l "$out"
