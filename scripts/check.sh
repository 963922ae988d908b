#!/bin/bash
# "make check": the project's test command. Runs every stage in order,
# prints how long each took, and ends with one line
#   N passed, N failed, N skipped
# that sums the tests of every stage and every VM scenario.
#
# Stages: deps, base, tree, tooling tests (patch queue, round trip, VM log
# judge, bisect-check, series check, bench table), series checks
# (checkpatch), config, kernel build, selftests build, mainline's selftests
# build (cached), trixie's QEMU 10 bundle for the VM (cached), bisect-check,
# then one VM run per scenario in tests/scenarios/ (CHECK=yes), the
# upstream-* conformance ones included, $VM_JOBS of them at a time.
#
# A build stage that fails stops the run (nothing after it could run); a
# test stage that fails is counted and the run goes on, so that one run
# shows everything that is wrong. The exit status is 0 only when nothing
# failed.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. "$top/scripts/lib/scenario.sh"

total_start=$(date +%s)
passed=0
failed=0
skipped=0
timings=""

# stage NAME KIND COMMAND...   KIND: build (stop on failure) or test (count)
stage() {
	local name=$1 kind=$2 start rc secs out
	shift 2
	echo "==> $name"
	start=$(date +%s)
	out=$(mktemp)
	"$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	secs=$(( $(date +%s) - start ))
	account "$name" "$kind" "$rc" "$secs" "$out"
}

# The VM scenarios run $VM_JOBS at a time (default: one per CPU; each VM
# is one TCG thread). Their outputs are printed whole, in order, once all
# have ended.
vm_stages() {
	local s names=() dir n i
	dir=$(mktemp -d)
	n=0
	for s in "$@"; do
		while [ "$(jobs -rp | wc -l)" -ge "$VM_JOBS" ]; do
			wait -n || true
		done
		(
			start=$(date +%s)
			scripts/vm-test.sh "$s" > "$dir/$n.out" 2>&1
			echo "$? $(( $(date +%s) - start ))" > "$dir/$n.rc"
		) &
		echo "==> vm: $s (started)"
		names[n]=$s
		n=$((n + 1))
	done
	wait
	for ((i = 0; i < n; i++)); do
		echo "==> vm: ${names[i]}"
		cat "$dir/$i.out"
		# shellcheck disable=SC2046
		account "vm: ${names[i]}" test $(cat "$dir/$i.rc" 2>/dev/null || echo "1 0") "$dir/$i.out"
	done
	rm -rf "$dir"
}

# account NAME KIND RC SECS OUTPUT: the timing line and the counts of a stage
account() {
	local name=$1 kind=$2 rc=$3 secs=$4 out=$5 line
	timings="$timings$(printf '  %-28s %5ss  %s' "$name" "$secs" "$([ "$rc" -eq 0 ] && echo ok || echo FAILED)")"$'\n'
	if [ "$kind" = test ]; then
		# The stage's own closing count line: the last line it printed.
		line=$(tail -n 1 "$out" | grep -E '(^|: )[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' || true)
		if [ -n "$line" ]; then
			set -- $(printf '%s\n' "$line" | grep -oE '[0-9]+ (passed|failed|skipped)' | cut -d' ' -f1)
			passed=$((passed + $1))
			failed=$((failed + $2))
			skipped=$((skipped + $3))
		fi
		# A test stage without its count line, or one that failed without
		# counting a failure, fails.
		if [ -z "$line" ]; then
			echo "==> $name printed no closing count line"
			failed=$((failed + 1))
		elif [ $rc -ne 0 ] && [ "$2" -eq 0 ]; then
			failed=$((failed + 1))
		fi
	fi
	rm -f "$out"
	if [ $rc -ne 0 ] && [ "$kind" = build ]; then
		echo "==> $name failed: stopping"
		failed=$((failed + 1))
		finish
	fi
}

finish() {
	echo
	echo "Stage times:"
	printf '%s' "$timings"
	printf '  %-28s %5ss\n' "total" "$(( $(date +%s) - total_start ))"
	echo
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
	exit
}

stage "deps" build scripts/install-deps.sh
stage "base" build scripts/prepare-base.sh
stage "tree" build scripts/tree.sh
stage "tooling: patch queue" test tests/tooling/test-patchq.sh
stage "tooling: round trip" test tests/tooling/test-roundtrip.sh
stage "tooling: VM log judge" test tests/tooling/test-vm-log.sh
stage "tooling: bisect-check" test tests/tooling/test-bisect.sh
stage "tooling: series check" test tests/tooling/test-series-check.sh
stage "tooling: bench table" test tests/tooling/test-bench.sh
stage "series: checkpatch" test scripts/check-series.sh
stage "config" build scripts/make-config.sh test build/obj
stage "build: kernel" build scripts/build-kernel.sh
stage "build: selftests" build scripts/build-selftests.sh
stage "build: upstream selftests" build scripts/upstream-selftests.sh
stage "build: qemu10" build scripts/qemu10.sh
if [ "${BISECT:-1}" = 1 ]; then
	stage "series: bisect-check" test scripts/bisect-check.sh
fi
VM_JOBS=${VM_JOBS:-$(nproc)}
# The long runs first (the base selftests and mainline's), so that the
# short ones fill the gaps.
long=$(check_scenarios | grep -E '^(base|upstream-.*)$' || true)
# shellcheck disable=SC2046
vm_stages $long $(check_scenarios | grep -v -x -F "$long")
finish
