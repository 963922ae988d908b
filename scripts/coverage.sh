#!/bin/bash
# make coverage: which of the series' own lines the make check scenarios
# execute.
#
# 1. Checks out build/linux's HEAD in build/cov/linux and adds
#    "GCOV_PROFILE_<object>.o := y" to the Makefile of every object built
#    from a C file that the series adds or changes (only those are
#    profiled: the rest of the kernel runs at full speed).
# 2. Builds it with the test config plus configs/coverage (gcov) in
#    build/cov/obj.
# 3. Runs every scenario of make check with that kernel, $VM_JOBS at a
#    time (default: one per CPU). /init writes the gcov counters to the
#    VM's third serial port (build/cov/logs/SCENARIO.gcov).
# 4. gcovr reads each scenario's counters and merges them
#    (build/cov/json/).
# 5. scripts/lib/cov-report.py intersects the result with git blame: a
#    line of the series is one whose last change is a commit of the series.
#    It prints, per part and per file, how many of those lines gcov counts
#    as code and how many of them ran (build/cov/report.txt).
#
# Not part of make check. Needs make selftests and make upstream (the
# scenarios' test binaries). A scenario that fails still gives its counters,
# and the report names it. SCENARIOS="a b" runs only those.
#
# Usage: scripts/coverage.sh
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. "$top/scripts/lib/scenario.sh"
. "$top/scripts/lib/ccache.sh"

linux=$top/build/linux
cov=$top/build/cov
src=$cov/linux
obj=$cov/obj
jobs=${JOBS:-$(nproc)}
VM_JOBS=${VM_JOBS:-$(nproc)}

log() { printf 'coverage: %s\n' "$*"; }
die() { printf 'coverage: %s\n' "$*" >&2; exit 1; }

[ -d "$linux/.git" ] || die "no build/linux: run 'make tree' first"
[ -d build/selftests/kvm ] || die "no selftests: run 'make selftests' first"
command -v gcovr >/dev/null || die "gcovr is not installed: run 'make deps'"

# 1. The tree: a checkout of HEAD (git touches only the files that changed,
# so the build stays incremental), with the base tag and the part notes.
[ -d "$src/.git" ] || git clone -q --no-checkout "$linux" "$src"
git -C "$src" fetch -q -f "$linux" HEAD '+refs/tags/base:refs/tags/base' \
	'+refs/notes/part:refs/notes/part'
git -C "$src" checkout -q -f --detach FETCH_HEAD
head=$(git -C "$src" rev-parse --short HEAD)
log "tree at $head ($(git -C "$src" rev-list --count base..HEAD) patches)"

# The Makefile (or Kbuild file) that builds a C file: the nearest one above
# it. virt/kvm/ has none of its own: arch/x86/kvm/Makefile builds it.
makefile_of() {
	local d
	d=$(dirname "$1")
	case $d in virt/kvm) d=arch/x86/kvm ;; esac
	while [ "$d" != . ]; do
		[ -f "$src/$d/Makefile" ] && { echo "$d/Makefile"; return; }
		[ -f "$src/$d/Kbuild" ] && { echo "$d/Kbuild"; return; }
		d=$(dirname "$d")
	done
	die "no Makefile builds $1"
}

files=$(git -C "$src" diff --name-only --diff-filter=AM base HEAD -- '*.c' |
	grep -v -e '^tools/' -e '^scripts/' -e '^Documentation/' || true)
[ -n "$files" ] || die "the series changes no C file of the kernel"
n=0
for f in $files; do
	mk=$(makefile_of "$f")
	printf '\n# make coverage\nGCOV_PROFILE_%s.o := y\n' \
		"$(basename "$f" .c)" >> "$src/$mk"
	n=$((n + 1))
done
log "$n C files profiled"

# 2. The kernel.
LINUX=$src scripts/make-config.sh coverage "$obj"
start=$(date +%s)
make -s -C "$src" O="$obj" -j"$jobs" CC="ccache gcc" bzImage modules
log "kernel built in $(( $(date +%s) - start ))s"

# 3. The scenarios.
mkdir -p "$cov/logs" "$cov/vm"
scenarios=${SCENARIOS:-$(check_scenarios)}
start=$(date +%s)
for s in $scenarios; do
	while [ "$(jobs -rp | wc -l)" -ge "$VM_JOBS" ]; do
		wait -n || true
	done
	log "vm: $s (started)"
	(
		if OBJ=$obj VM_DIR=$cov/vm LOGS=$cov/logs COVERAGE=1 \
			scripts/vm-test.sh "$s" > "$cov/logs/$s.out" 2>&1; then
			echo ok > "$cov/logs/$s.rc"
		else
			echo FAILED > "$cov/logs/$s.rc"
		fi
	) &
done
wait
log "scenarios ran in $(( $(date +%s) - start ))s"

# 4. The counters, one scenario at a time: gcov finds a .gcda beside its
# .gcno in the object directory.
rm -rf "$cov/json" "$cov/gcda"
mkdir -p "$cov/json" "$cov/gcda"
failed=""
for s in $scenarios; do
	rc=$(cat "$cov/logs/$s.rc" 2>/dev/null || echo FAILED)
	[ "$rc" = ok ] || failed="$failed $s"
	find "$obj" -name '*.gcda' -delete
	if ! base64 -d < "$cov/logs/$s.gcov" 2>/dev/null |
		tar -xz -C "$cov/gcda" 2>/dev/null; then
		log "$s: no counters (the VM did not reach the end of /init)"
		failed="$failed $s(no-counters)"
		continue
	fi
	# The archive holds the build's absolute paths.
	[ -d "$cov/gcda/$obj" ] || die "$s: counters for another object directory"
	cp -r "$cov/gcda/$obj/." "$obj/"
	rm -rf "${cov:?}/gcda/"*
	gcovr -r "$src" --object-directory "$obj" --json \
		-o "$cov/json/$s.json" "$obj"
	log "$s: counters read ($rc)"
done
find "$obj" -name '*.gcda' -delete
ls "$cov"/json/*.json >/dev/null 2>&1 || die "no scenario gave counters"
# shellcheck disable=SC2046
gcovr -r "$src" $(for j in "$cov"/json/*.json; do echo --add-tracefile "$j"; done) \
	--json -o "$cov/all.json"

# 5. The report.
{
	echo "make coverage: tree $head, scenarios: $(echo $scenarios)"
	[ -z "$failed" ] || echo "scenarios that failed under gcov (counters kept where read):$failed"
	python3 scripts/lib/cov-report.py "$src" "$cov/all.json"
} | tee "$cov/report.txt"
log "report in build/cov/report.txt"
