#!/bin/bash
# Series checks that need no build: every file in patches/ is in the series
# (and the other way round), each part's patches are contiguous in the
# series, the parts are those that patches/README.md lists, in the same
# order (it is the one list of parts; its rows marked "planned" have no
# patches yet), and every patch passes checkpatch.pl --strict with no
# ERROR, WARNING or CHECK.
#
# A checkpatch complaint that is genuinely wrong for a patch goes into
# tests/checkpatch-allow.txt as "PATCH TYPE reason...", PATCH relative to
# patches/ and TYPE as checkpatch --show-types prints it.
#
# A clean checkpatch verdict is cached in $CHECKPATCH_CACHE (default
# ~/.cache/snp-host/checkpatch), keyed by the patch, its allow-list lines,
# checkpatch.pl and its data files, the base commit and this script, so
# that an unchanged patch is not checked again.
#
# Usage: scripts/check-series.sh
# Prints one "ok"/"not ok" line per patch and a closing count line.
set -eu
. "$(dirname "$0")/lib/patchq.sh"

allow=$top/tests/checkpatch-allow.txt
checkpatch=$LINUX/scripts/checkpatch.pl
[ -x "$checkpatch" ] || { echo "series: no $checkpatch: run 'make tree'" >&2; exit 1; }

cache=${CHECKPATCH_CACHE:-$HOME/.cache/snp-host/checkpatch}
mkdir -p "$cache"
tool_key=$({
	cat "$0" "$checkpatch" "$LINUX/scripts/spelling.txt" \
		"$LINUX/scripts/const_structs.checkpatch"
	git -C "$BASE_REPO" rev-parse base
} | sha256sum | cut -c1-64)

pass=0
fail=0
cached=0
ok() { pass=$((pass + 1)); echo "  ok      $*"; }
not_ok() { fail=$((fail + 1)); echo "  not ok  $*"; }

listed=$(series_list)

# The parts, in the order the series has them; a part that comes back
# after another one began is not contiguous.
parts=""
prev=""
for p in $listed; do
	part=${p%%/*}
	[ "$part" = "$prev" ] && continue
	case " $parts " in
	*" $part "*) not_ok "$p: part '$part' is not contiguous in patches/series" ;;
	*) parts="${parts:+$parts }$part" ;;
	esac
	prev=$part
done
documented=$(sed -n 's/^| `\([a-z0-9-]*\)` |.*/\1/p' "$PATCHES/README.md" 2>/dev/null |
	while read -r part; do
		grep -q "^| \`$part\` | planned" "$PATCHES/README.md" || echo "$part"
	done | tr '\n' ' ' | sed 's/ $//')
if [ "$documented" = "$parts" ]; then
	ok "parts in series order, as patches/README.md lists them: $parts"
else
	not_ok "patches/README.md lists the parts '$documented', the series has '$parts'"
fi
for d in "$PATCHES"/*/; do
	ls "$d"*.patch >/dev/null 2>&1 || continue
	d=$(basename "$d")
	case " $parts " in *" $d "*) ;; *) not_ok "patches/$d/ is not a part of the series" ;; esac
done

for f in $(cd "$PATCHES" && find . -name '*.patch' | sed 's|^\./||' | sort); do
	printf '%s\n' "$listed" | grep -qxF "$f" || not_ok "$f is not in patches/series"
done

# Allow-list entries must name a patch of the series and give a reason.
if [ -f "$allow" ]; then
	while read -r p t reason; do
		case $p in ''|'#'*) continue ;; esac
		printf '%s\n' "$listed" | grep -qxF "$p" ||
			not_ok "checkpatch-allow.txt: $p is not in the series"
		[ -n "$reason" ] || not_ok "checkpatch-allow.txt: $p $t has no reason"
	done < "$allow"
fi

for p in $listed; do
	[ -f "$PATCHES/$p" ] || { not_ok "$p: listed in the series, but no such file"; continue; }
	key=$({
		echo "$tool_key $p"
		cat "$PATCHES/$p"
		[ ! -f "$allow" ] || grep -E "^$p[[:space:]]" "$allow" || true
	} | sha256sum | cut -c1-64)
	if [ -f "$cache/$key" ]; then
		ok "$p"
		cached=$((cached + 1))
		continue
	fi
	rc=0
	raw=$(cd "$LINUX" && ./scripts/checkpatch.pl --strict --terse --show-types \
		--no-summary "$PATCHES/$p" 2>&1) || rc=$?
	issues=$(printf '%s\n' "$raw" | grep -E ': (ERROR|WARNING|CHECK):' || true)
	# checkpatch exits 1 when it found something. Any other failure, or a
	# failure with nothing found, means it did not check the patch.
	if [ $rc -ne 0 ] && { [ $rc -ne 1 ] || [ -z "$issues" ]; }; then
		not_ok "$p: checkpatch did not run (exit $rc)"
		printf '%s\n' "$raw" | head -5 | sed 's/^/    /'
		continue
	fi
	left=""
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		type=$(printf '%s\n' "$line" | sed -E 's/.*: (ERROR|WARNING|CHECK):([A-Z0-9_]+):.*/\2/')
		if [ -f "$allow" ] && grep -qE "^$p[[:space:]]+$type[[:space:]]" "$allow"; then
			continue
		fi
		left="$left    ${line#"$PATCHES"/}"$'\n'
	done <<< "$issues"
	if [ -z "$left" ]; then
		ok "$p"
		touch "$cache/$key"
	else
		not_ok "$p: checkpatch --strict"
		printf '%s' "$left"
	fi
done

[ "$cached" -eq 0 ] || echo "series: $cached clean checkpatch verdicts from the cache (${cache/#"$HOME"/\~})"
echo "series: $pass passed, $fail failed, 0 skipped"
[ "$fail" -eq 0 ]
