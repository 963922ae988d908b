# What the tooling tests share. Sourced, not run: sets $top (the checkout)
# and $work (a scratch directory removed on exit), and counts the cases
# that ok/not_ok report; tap_done prints the closing count line and gives
# the exit status.
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; }

# A private copy of the tooling in $work/top, for tests that give it their
# own scenarios, tests or environment.
copy_tooling() {
	mkdir -p "$work/top/scripts"
	cp -r "$top/scripts/." "$work/top/scripts/"
}

tap_done() {
	echo "${1:-}$pass passed, $fail failed, 0 skipped"
	[ "$fail" -eq 0 ]
}
