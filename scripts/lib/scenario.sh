# Load a test VM scenario from tests/scenarios/NAME.conf. Sourced, not run.
# Sets the variables documented in tests/scenarios/README.md, with defaults.
load_scenario() {
	local name=$1 f=$top/tests/scenarios/$1.conf
	[ -f "$f" ] || { echo "no scenario '$name' ($f)" >&2; return 1; }
	DESCRIPTION="" MODE=tests TESTS="" CMDLINE="" QEMU_ARGS="" KUNIT=ignore
	TEST_TIMEOUT=300 VM_TIMEOUT=1500 CHECK=yes MEM=4G SMP=2 CPU=EPYC-Milan
	EXPECT_LOG="" REJECT_LOG="" ASPT="" KVM_AMD=load UPSTREAM="" QEMU10="" MEASURE=""
	# shellcheck disable=SC1090
	. "$f"
	SCENARIO=$name
}

# The list of scenarios that "make check" runs: all but those that say
# CHECK=no. One that does not even load is listed too, so that its run
# fails loudly instead of the scenario dropping out.
check_scenarios() {
	local f
	for f in "$top"/tests/scenarios/*.conf; do
		# shellcheck disable=SC1090
		if (CHECK=yes; . "$f" >/dev/null 2>&1 && [ "$CHECK" = no ]); then
			continue
		fi
		basename "$f" .conf
	done
	return 0
}
