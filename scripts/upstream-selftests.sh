#!/bin/bash
# Build mainline's own KVM selftests, unmodified, from Debian's upstream
# kernel source packages, for the conformance scenarios (upstream-*.conf).
#
# The packages come from trixie and trixie-backports through a private apt
# state: the host's apt sources and its installed packages are never
# touched. Each tree is built once, statically, against its own uAPI
# headers; the binaries are cached outside the checkout so that a fresh
# clone on the same machine reuses them.
#
# Usage: scripts/upstream-selftests.sh [TREE...]    TREE: 6.12, 7.3 (default: both)
# Output: $SNP_HOST_CACHE/upstream/<package version>/kvm/<test>
#         build/upstream/<tree> -> that directory
#         build/logs/upstream-<tree>.log
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib/ccache.sh"
. "$top/scripts/lib/selftests.sh"
. "$top/scripts/lib/upstream.sh"

log() { printf 'upstream: %s\n' "$*"; }

trees=${*:-$UPSTREAM_TREES}
mkdir -p "$top/build/logs" "$top/build/upstream"

for tree in $trees; do
	pin=$(upstream_pin "$tree") || { log "unknown tree '$tree'"; exit 1; }
	pkg=linux-source-$tree
	dir=$(upstream_dir "$tree")
	if [ -f "$dir/kvm/.done" ]; then
		log "$pkg $(cat "$dir/VERSION"): cached"
		ln -sfn "$dir/kvm" "$top/build/upstream/$tree"
		continue
	fi

	upstream_apt_update
	version=$pin
	if ! upstream_apt_cache madison "$pkg" | awk '{print $3}' | grep -qx "$pin"; then
		version=$(upstream_apt_cache madison "$pkg" | awk 'NR==1 {print $3}')
		[ -n "$version" ] || { log "Debian serves no $pkg"; exit 1; }
		log "WARNING: $pkg $pin is no longer served; using $version." \
			"Update the pin in scripts/lib/upstream.sh."
		dir=$(upstream_dir "$tree" "$version")
	fi

	debs=$UPSTREAM_CACHE/debs
	mkdir -p "$debs"
	deb=$debs/${pkg}_${version//:/%3a}_all.deb
	if [ ! -f "$deb" ]; then
		log "downloading $pkg $version"
		(cd "$debs" && upstream_apt_get download "$pkg=$version")
	fi
	[ -f "$deb" ] || { log "no $deb after the download"; exit 1; }

	work=$dir/work
	rm -rf "$dir"
	mkdir -p "$work"
	log "unpacking $pkg $version"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -C "$work" -x "./usr/src/linux-source-$tree.tar.xz"
	tar -C "$work" -xf "$work/usr/src/linux-source-$tree.tar.xz"
	src=$work/linux-source-$tree

	tlog=$top/build/logs/upstream-$tree.log
	log "building the KVM selftests of $pkg $version (log: build/logs/upstream-$tree.log)"
	if ! { make -C "$src" -s O="$work/obj" headers &&
	       make_kvm_selftests "$src" "$dir/kvm" "$work/obj/usr/include"; } > "$tlog" 2>&1; then
		grep -E 'error|Error' "$tlog" | head -30 >&2
		log "$pkg: the KVM selftests do not build, see $tlog"
		exit 1
	fi
	find "$dir/kvm" \( -name '*.o' -o -name '*.d' -o -name '*.a' \) -delete
	rm -rf "$work"
	echo "$version" > "$dir/VERSION"
	touch "$dir/kvm/.done"
	ln -sfn "$dir/kvm" "$top/build/upstream/$tree"
	log "$pkg $version: $(find "$dir/kvm" -type f -perm -u+x | wc -l) KVM selftests"
done
