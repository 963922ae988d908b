#!/bin/bash
# The table of make bench (scripts/bench.sh): for each figure of the
# guest_memfd benchmark, the best boot of our kernel and of mainline, the
# ratio of the two (ours/mainline), and the value of each boot. The best
# boot, not the mean: the test VM shares this machine, and interference
# only ever makes a boot slower.
#
# Usage: scripts/bench-table.sh DIR ROUNDS
#        DIR holds {ours,mainline}-N/gmem-bench.log for N = 1..ROUNDS, the
#        runner's logs, in which the benchmark printed "NAME: VALUE pages/s".
# Exit status 1 when a log is missing or a figure is not in every log.
set -euo pipefail

dir=$1
rounds=$2
logs=()
for r in $(seq "$rounds"); do
	for k in ours mainline; do
		f=$dir/$k-$r/gmem-bench.log
		[ -f "$f" ] || { echo "bench: no $f" >&2; exit 1; }
		logs+=("$f")
	done
done

awk -v rounds="$rounds" '
	FNR == 1 {
		n = split(FILENAME, p, "/"); kr = p[n - 1]
		k = kr; sub(/-[0-9]+$/, "", k)
	}
	/^   \| [a-z -]+: [0-9.]+ pages\/s$/ {
		line = substr($0, 6); i = index(line, ":")
		name = substr(line, 1, i - 1)
		val = substr(line, i + 2); sub(/ pages\/s$/, "", val)
		if (!(name in seen)) { seen[name] = 1; names[++nn] = name }
		if (!((k, name) in best) || val + 0 > best[k, name]) best[k, name] = val + 0
		cnt[k, name]++
		vals[k, name] = vals[k, name] (vals[k, name] == "" ? "" : " ") val
	}
	END {
		if (!nn) { print "bench: no figures in the logs" > "/dev/stderr"; exit 1 }
		printf "guest_memfd_perf, pages/s, best of %d boot(s) per kernel\n", rounds
		printf "%-22s %10s %13s %6s   %s\n", "figure", "ours", "mainline 7.3",
		       "ratio", "per boot: ours | mainline"
		bad = 0
		for (j = 1; j <= nn; j++) {
			name = names[j]
			if (cnt["ours", name] != rounds || cnt["mainline", name] != rounds) {
				printf "bench: \"%s\" is not in every log\n", name > "/dev/stderr"
				bad = 1
				continue
			}
			o = best["ours", name]; m = best["mainline", name]
			printf "%-22s %10.0f %13.0f %6.2f   %s | %s\n", name, o, m,
			       m ? o / m : 0, vals["ours", name], vals["mainline", name]
		}
		exit bad
	}
' "${logs[@]}"
