#!/bin/bash
# Install what the build and the test VM need, and the pinned Debian
# linux-source-6.1 package that the series applies to.
#
# Usage: scripts/install-deps.sh
# Needs root (apt-get). Safe to run again: it only installs what is missing.
set -eu

# The Debian version of linux-source-6.1 the series is developed against.
# If Debian no longer serves it, the newest served version is taken and a
# warning says so.
PIN_VERSION=${PIN_VERSION:-6.1.192-2}

# python3-ply and python3-git are for checkpatch's SPDX license check.
# gcovr reads the counters of make coverage.
PKGS="build-essential bc bison flex libelf-dev libssl-dev dwarves kmod cpio
rsync ccache python3 python3-ply python3-git perl git xz-utils zstd openssl
qemu-system-x86 busybox-static gcovr
dpkg-dev debhelper fakeroot
linux-config-6.1"

log() { printf 'install-deps: %s\n' "$*"; }

as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo -n "$@"
	else
		log "need root for: $*"
		exit 1
	fi
}

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done

want_src="linux-source-6.1=$PIN_VERSION"
have_src=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || true)

if [ -z "$missing" ] && [ "$have_src" = "$PIN_VERSION" ]; then
	log "all dependencies present (linux-source-6.1 $have_src)"
	exit 0
fi

export DEBIAN_FRONTEND=noninteractive
as_root apt-get update -q

if [ "$have_src" != "$PIN_VERSION" ]; then
	if apt-cache madison linux-source-6.1 | awk '{print $3}' |
	   grep -qx "$PIN_VERSION"; then
		missing="$missing $want_src"
	else
		newest=$(apt-cache madison linux-source-6.1 | awk 'NR==1 {print $3}')
		if [ -z "$newest" ]; then
			log "Debian serves no linux-source-6.1 package"
			exit 1
		fi
		if [ "$have_src" != "$newest" ]; then
			log "WARNING: pinned linux-source-6.1 $PIN_VERSION is no longer served; using the newest, $newest"
			missing="$missing linux-source-6.1=$newest"
		else
			log "WARNING: pinned linux-source-6.1 $PIN_VERSION is no longer served; keeping installed $have_src"
		fi
	fi
fi

log "installing:$missing"
# shellcheck disable=SC2086
as_root apt-get install -y -q --no-install-recommends --allow-downgrades $missing
