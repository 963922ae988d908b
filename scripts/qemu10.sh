#!/bin/bash
# A QEMU 10 for the test VM: Debian trixie's qemu-system-x86_64 and OVMF,
# with the trixie glibc, its loader and every shared library the binary
# needs, as one relocatable bundle that runs on this host and, copied into
# the initramfs (QEMU10=yes), inside the test VM against its /dev/kvm.
#
# The packages come through the private apt state of scripts/lib/upstream.sh
# and are unpacked with dpkg-deb -x: nothing is installed. The libraries are
# found by walking the binary's DT_NEEDED entries through the Depends
# closure of its shared library packages (Section libs); only those the
# binary loads go into the bundle. The bundle is made once per pair of
# versions, outside the checkout, and linked as build/qemu10.
#
# Usage: scripts/qemu10.sh
# Output: $SNP_HOST_CACHE/qemu10/<qemu version>_<ovmf version>/ and
#         build/qemu10 -> it:
#           bin/qemu10              the wrapper (POSIX sh): runs the binary
#                                   with the bundle's loader and libraries
#           bin/qemu-system-x86_64  lib/*.so*  lib/ld-linux-x86-64.so.2
#           share/OVMF.fd  share/OVMF.amdsev.fd  share/qemu/ (-L)
#           VERSION                 the Debian versions of the packages
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib/upstream.sh"

# The Debian versions the bundle is pinned to (trixie, not backports: the
# backports carry a newer major release). When a pinned version is no
# longer served, the newest one of trixie is used and a warning says so.
QEMU10_PACKAGES="qemu-system-x86 ovmf"
qemu10_pin() {
	case $1 in
	qemu-system-x86) echo 1:10.0.13+ds-0+deb13u1 ;;
	ovmf) echo 2025.02-8+deb13u1 ;;
	*) return 1 ;;
	esac
}

# The data files of qemu-system-data that an x86 machine loads itself:
# kvmvapic.bin (the TPR patching option ROM of the APIC) and the option
# ROMs of -kernel. The firmware is OVMF (-bios), so neither SeaBIOS nor
# iPXE's ROMs (-nodefaults, no NIC) are needed.
QEMU10_DATA="kvmvapic.bin linuxboot.bin linuxboot_dma.bin multiboot.bin
multiboot_dma.bin pvh.bin"

# The GUID of OVMF's SEV metadata table (edk2: OvmfPkg/ResetVector), as
# stored in the GUIDed table at the end of the image: little-endian.
SEV_METADATA_GUID=666588dc4a989847a75e5585a7bf67cc

cache=$SNP_HOST_CACHE/qemu10
# What a made bundle holds besides the packages' versions: a bundle whose
# .done says otherwise is made again.
recipe="data: ${QEMU10_DATA//$'\n'/ }"
debs=$cache/debs
link=$top/build/qemu10

log() { printf 'qemu10: %s\n' "$*"; }
die() { log "$*" >&2; exit 1; }

# verify DIR: the bundle runs here and its OVMF can launch SEV-SNP guests.
verify() {
	local d=$1 v
	v=$("$d/bin/qemu10" --version 2>&1 | head -n 1) ||
		die "$d/bin/qemu10 --version failed: $v"
	case $v in
	"QEMU emulator version 10."*) ;;
	*) die "$d/bin/qemu10 --version: '$v', not QEMU 10" ;;
	esac
	for f in "$d"/share/OVMF*.fd; do
		tail -c 4096 "$f" | od -An -v -tx1 | tr -d ' \n' | grep -q "$SEV_METADATA_GUID" ||
			die "${f#"$d"/} has no SEV metadata table (GUID dc886566-984a-4798-a75e-5585a7bf67cc)"
	done
	log "$v; OVMF with the SEV metadata table; $(du -sh "$d/" | cut -f1) in ${link#"$top"/}"
}

# The bundle of the pinned versions, if it was made already: no network.
dir=$cache/$(qemu10_pin qemu-system-x86 | sed 's/^[0-9]*://')_$(qemu10_pin ovmf)
cached() {
	[ "$(cat "$dir/.done" 2>/dev/null)" = "$recipe" ] || return 1
	mkdir -p "$top/build"
	ln -sfn "$dir" "$link"
	log "$(tr '\n' ' ' < "$dir/VERSION")(cached in ${dir/#"$HOME"/\~})"
	verify "$link"
}
if cached; then
	exit 0
fi

upstream_apt_update

# version PACKAGE: the pinned version, or trixie's newest
declare -A want
for p in $QEMU10_PACKAGES; do
	pin=$(qemu10_pin "$p")
	served=$(upstream_apt_cache madison "$p" | grep -v -- '-backports/' | awk '{print $3}')
	if printf '%s\n' "$served" | grep -qxF -- "$pin"; then
		want[$p]=$pin
	else
		want[$p]=$(printf '%s\n' "$served" | head -n 1)
		[ -n "${want[$p]}" ] || die "trixie serves no $p"
		log "WARNING: $p $pin is no longer served; using ${want[$p]}." \
			"Update the pin in scripts/qemu10.sh."
	fi
done
dir=$cache/${want[qemu-system-x86]#*:}_${want[ovmf]}
if cached; then
	exit 0
fi

# fields PACKAGE[=VERSION]...: "name version arch section" of each
fields() {
	upstream_apt_cache show --no-all-versions "$@" | awk '
		/^Package:/ {p = $2} /^Version:/ {v = $2}
		/^Architecture:/ {a = $2} /^Section:/ {s = $2}
		/^$/ && p != "" {print p, v, a, s; p = ""}
		END {if (p != "") print p, v, a, s}'
}

# The shared library packages the binary can need: the Depends closure of
# qemu-system-x86 through packages of Section libs. Alternatives are all
# taken; the DT_NEEDED walk below picks the libraries that are used.
declare -A seen
list=$(fields "qemu-system-x86=${want[qemu-system-x86]}" "ovmf=${want[ovmf]}" |
	awk '{print $1, $2, $3, "main"}')
next=$(upstream_apt_cache depends --no-recommends --no-suggests --no-conflicts \
	--no-breaks --no-replaces --no-enhances "qemu-system-x86=${want[qemu-system-x86]}" |
	sed -n 's/^ *|\{0,1\}Depends: \([^<].*\)/\1/p')
while [ -n "$next" ]; do
	# shellcheck disable=SC2046,SC2086
	libs=$(fields $(printf '%s\n' $next | sort -u) | awk '$4 ~ /(^|\/)(old)?libs$/')
	next=""
	while read -r p v a _; do
		if [ -z "$p" ] || [ -n "${seen[$p]:-}" ]; then
			continue
		fi
		seen[$p]=1
		list="$list"$'\n'"$p $v $a libs"
		next="$next $p"
	done <<< "$libs"
	[ -n "$next" ] || break
	# shellcheck disable=SC2086
	next=$(upstream_apt_cache depends --no-recommends --no-suggests --no-conflicts \
		--no-breaks --no-replaces --no-enhances $next |
		sed -n 's/^ *|\{0,1\}Depends: \([^<].*\)/\1/p' | sort -u)
done

# Download what the package cache lacks.
mkdir -p "$debs"
files=""
fetch=""
while read -r p v a _; do
	f=$debs/${p}_${v//:/%3a}_$a.deb
	files="$files $f"
	[ -f "$f" ] || fetch="$fetch $p=$v"
done <<< "$list"
if [ -n "$fetch" ]; then
	# shellcheck disable=SC2086
	log "downloading $(printf '%s\n' $fetch | wc -l) packages"
	# shellcheck disable=SC2086
	(cd "$debs" && upstream_apt_get download $fetch >/dev/null)
fi
for f in $files; do
	[ -f "$f" ] || die "no $f after the download"
done

# Unpack each package into a directory of its own, so that each library
# is known by the package it comes from.
work=$cache/work
rm -rf "$work" "$dir"
mkdir -p "$work"
while read -r p v a _; do
	dpkg-deb -x "$debs/${p}_${v//:/%3a}_$a.deb" "$work/$p"
done <<< "$list"
qemu=$work/qemu-system-x86/usr/bin/qemu-system-x86_64
[ -x "$qemu" ] || die "qemu-system-x86 has no usr/bin/qemu-system-x86_64"

mkdir -p "$dir/bin" "$dir/lib" "$dir/share/qemu"
cp "$qemu" "$dir/bin/"

# The libraries: DT_NEEDED of the binary, then of each library, found in
# the library directories of the unpacked packages. A symbolic link that
# leaves the package (to the host's files) does not count.
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'; }
todo=$(needed "$qemu")
declare -A have from
missing=""
while [ -n "$todo" ]; do
	more=""
	for so in $todo; do
		[ -z "${have[$so]:-}" ] || continue
		have[$so]=1
		src=""
		while read -r p _; do
			for d in usr/lib/x86_64-linux-gnu lib/x86_64-linux-gnu usr/lib lib; do
				f=$work/$p/$d/$so
				if [ -e "$f" ] && [[ $(readlink -f "$f") == "$work/$p/"* ]]; then
					src=$f
					from[$p]=1
					break 2
				fi
			done
		done <<< "$(awk '$4 == "libs"' <<< "$list")"
		if [ -z "$src" ]; then
			missing="$missing $so"
			continue
		fi
		cp -L "$src" "$dir/lib/$so"
		more="$more $(needed "$dir/lib/$so" | tr '\n' ' ')"
	done
	todo=$more
done
[ -z "$missing" ] || die "no package of the Depends closure has:$missing"
[ -f "$dir/lib/ld-linux-x86-64.so.2" ] || die "the trixie loader ld-linux-x86-64.so.2 is not in the bundle"
chmod 755 "$dir/lib/ld-linux-x86-64.so.2"

# OVMF: the single-file images that -bios takes for SEV-SNP guests.
for f in OVMF.fd OVMF.amdsev.fd; do
	if [ -f "$work/ovmf/usr/share/ovmf/$f" ]; then
		cp -L "$work/ovmf/usr/share/ovmf/$f" "$dir/share/"
	fi
done
[ -f "$dir/share/OVMF.fd" ] || die "ovmf ${want[ovmf]} has no usr/share/ovmf/OVMF.fd"

# The option ROMs QEMU loads by itself, from qemu-system-data.
if [ -n "$QEMU10_DATA" ]; then
	p="qemu-system-data"
	read -r _ v a _ <<< "$(fields "$p=${want[qemu-system-x86]}")"
	[ -n "$v" ] || die "no $p ${want[qemu-system-x86]}"
	f=$debs/${p}_${v//:/%3a}_$a.deb
	if [ ! -f "$f" ]; then
		log "downloading $p $v"
		(cd "$debs" && upstream_apt_get download "$p=$v" >/dev/null)
	fi
	[ -f "$f" ] || die "no $f after the download"
	dpkg-deb -x "$f" "$work/$p"
	for r in $QEMU10_DATA; do
		cp -L "$work/$p/usr/share/qemu/$r" "$dir/share/qemu/" ||
			die "$p $v has no usr/share/qemu/$r"
	done
	list="$list"$'\n'"$p $v $a data"
fi

cat > "$dir/bin/qemu10" <<'EOT'
#!/bin/sh
# QEMU 10 from Debian trixie, with the bundle's own loader, libraries and
# data files (made by scripts/qemu10.sh). Relocatable: every path is
# relative to this script's own place, a symbolic link to it followed.
self=$(readlink -f "$0" 2>/dev/null) || self=$0
dir=$(cd "$(dirname "$self")/.." && pwd)
exec "$dir/lib/ld-linux-x86-64.so.2" --library-path "$dir/lib" \
	"$dir/bin/qemu-system-x86_64" -L "$dir/share/qemu" "$@"
EOT
chmod 755 "$dir/bin/qemu10" "$dir/bin/qemu-system-x86_64"

# VERSION: the packages of the bundle; PACKAGES: those and the library
# packages its libraries come from.
awk '$4 != "libs" {print $1, $2}' <<< "$list" > "$dir/VERSION"
while read -r p v _ s; do
	if [ "$s" != libs ] || [ -n "${from[$p]:-}" ]; then
		echo "$p $v"
	fi
done <<< "$list" > "$dir/PACKAGES"
rm -rf "$work"
echo "$recipe" > "$dir/.done"
mkdir -p "$top/build"
ln -sfn "$dir" "$link"
log "$(tr '\n' ' ' < "$dir/VERSION")"
verify "$link"
