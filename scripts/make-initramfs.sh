#!/bin/bash
# Make the test VM's initramfs for one scenario, with the kernel's own
# usr/gen_init_cpio: busybox-static, the runner (tests/vm/), the scenario
# settings, the statically linked selftests the scenario lists, and with
# QEMU10=yes the QEMU 10 bundle of scripts/qemu10.sh.
#
# Usage: scripts/make-initramfs.sh SCENARIO
# Output: build/vm/SCENARIO/initramfs.cpio
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib/scenario.sh"
load_scenario "$1"

die() { printf 'initramfs: %s\n' "$*" >&2; exit 1; }

obj=${OBJ:-$top/build/obj}
kst=$top/build/selftests/kvm
# A conformance scenario runs mainline's selftests instead of the series'.
if [ -n "$UPSTREAM" ]; then
	kst=$top/build/upstream/$UPSTREAM
	[ -d "$kst/" ] || die "no upstream $UPSTREAM selftests: run scripts/upstream-selftests.sh"
fi
out=${VM_DIR:-$top/build/vm}/$SCENARIO
gen=$obj/usr/gen_init_cpio
busybox=/bin/busybox
# Debian trixie's QEMU 10 and OVMF, for running guests inside the VM
qemu10=$top/build/qemu10
if [ "$QEMU10" = yes ]; then
	[ -x "$qemu10/bin/qemu10" ] || die "no QEMU 10 bundle in build/qemu10: run scripts/qemu10.sh (make qemu10)"
elif [ -n "$QEMU10" ]; then
	die "QEMU10='$QEMU10': yes or empty"
fi
[ -x "$gen" ] || die "no $gen: run 'make build' first"
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' ||
	die "busybox-static is not installed: run 'make deps'"

mkdir -p "$out"
list=$out/cpio.list
{
	for d in /bin /sbin /usr /usr/bin /usr/sbin /dev /proc /sys /tmp /etc /tests; do
		echo "dir $d 755 0 0"
	done
	echo "nod /dev/console 600 0 0 c 5 1"
	echo "nod /dev/null 666 0 0 c 1 3"
	echo "file /bin/busybox $busybox 755 0 0"
	for a in $("$busybox" --list-full); do
		[ "/$a" = /bin/busybox ] || echo "slink /$a /bin/busybox 777 0 0"
	done
	echo "file /init $top/tests/vm/init 755 0 0"
	echo "file /report.sh $top/tests/vm/report.sh 755 0 0"
	echo "file /etc/scenario $out/scenario 644 0 0"
	echo "file /etc/tests.list $out/tests.list 644 0 0"
	# kvm_amd is a module (configs/test/10-snp-host.config); /init loads it
	if [ -f "$obj/arch/x86/kvm/kvm-amd.ko" ]; then
		echo "dir /lib 755 0 0"
		echo "dir /lib/modules 755 0 0"
		echo "file /lib/modules/kvm-amd.ko $obj/arch/x86/kvm/kvm-amd.ko 644 0 0"
	fi
	# The SNP platform status client and the VM types KVM offers, for
	# the readiness report
	for t in snp-status kvm-vm-types; do
		if [ -x "$top/build/tests/tools/$t" ]; then
			echo "file /usr/bin/$t $top/build/tests/tools/$t 755 0 0"
		fi
	done
	# The QEMU 10 bundle, its layout kept, and /usr/bin/qemu10 (the
	# wrapper follows the link to find the bundle)
	if [ "$QEMU10" = yes ]; then
		echo "dir /opt 755 0 0"
		echo "dir /opt/qemu10 755 0 0"
		(cd "$qemu10/" && find . -mindepth 1 ! -name .done | LC_ALL=C sort) | while read -r f; do
			f=${f#./}
			if [ -d "$qemu10/$f" ]; then
				echo "dir /opt/qemu10/$f 755 0 0"
			elif [ -x "$qemu10/$f" ]; then
				echo "file /opt/qemu10/$f $qemu10/$f 755 0 0"
			else
				echo "file /opt/qemu10/$f $qemu10/$f 644 0 0"
			fi
		done
		echo "slink /usr/bin/qemu10 /opt/qemu10/bin/qemu10 777 0 0"
	fi
} > "$list"

printf 'SCENARIO=%q\nMODE=%q\nTEST_TIMEOUT=%q\nKVM_AMD=%q\nCOVERAGE=%q\n' \
	"$SCENARIO" "$MODE" "$TEST_TIMEOUT" "$KVM_AMD" "${COVERAGE:-0}" > "$out/scenario"

: > "$out/tests.list"
if [ -n "$TESTS" ]; then
	sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$top/$TESTS" > "$out/tests.list"
	dirs=""
	while read -r name _; do
		# A KVM selftest, else one of the project's test programs (built
		# into build/tests/), else an executable script of tests/ as it is
		bin=$kst/$name
		if [ ! -x "$bin" ] && [ -z "$UPSTREAM" ]; then
			bin=$top/build/tests/$name
			[ -x "$bin" ] || [ ! -x "$top/tests/$name" ] || bin=$top/tests/$name
		fi
		[ -x "$bin" ] || die "$TESTS lists $name, which was not built ($kst/$name or $bin)"
		d=$(dirname "$name")
		case " $dirs " in *" $d "*) ;; *)
			[ "$d" = . ] || echo "dir /tests/$d 755 0 0" >> "$list"
			dirs="$dirs $d" ;;
		esac
		echo "file /tests/$name $bin 755 0 0" >> "$list"
	done < "$out/tests.list"
fi

"$gen" "$list" > "$out/initramfs.cpio.new"
mv "$out/initramfs.cpio.new" "$out/initramfs.cpio"
echo "initramfs: $SCENARIO: $(wc -l < "$out/tests.list") selftests, $(du -h "$out/initramfs.cpio" | cut -f1)"
