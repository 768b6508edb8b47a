#!/usr/bin/env bash
# HTML report benchmark: analyses a generated capture large enough for about
# 100 000 events and times the whole process writing the JSON report alone
# (the reference: same analysis, machine output) and the JSON plus the HTML
# report, in one run. Prints the HTML report's cost and checks its budget:
#   the HTML file <= 3 MB (3 000 000 bytes) for ~100 k events.
#
# Usage: bench/html.sh               (from anywhere in the repository)
# Environment: SIZE (capture bytes, default 3600000000: ~100 k events),
# RUNS (default 3: the best wall time of each command counts, since the
# machine may be shared), KEEP=1 keeps the capture in bench/out/.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE=${SIZE:-3600000000}
RUNS=${RUNS:-3}
OUT=bench/out
PCAP=$OUT/mixed-$SIZE.pcap
mkdir -p "$OUT"
command -v /usr/bin/time >/dev/null || { echo "need /usr/bin/time" >&2; exit 2; }

echo "building..." >&2
go build -o "$OUT/arpforensics" ./cmd/arpforensics
go build -o "$OUT/gencap" ./bench/gencap

if [[ ! -s $PCAP ]]; then
	need=$(( SIZE / 1024 ))
	avail=$(df -Pk "$OUT" | awk 'NR==2 {print $4}')
	if (( avail < need + 1024 * 1024 )); then
		echo "not enough disk in $OUT: need $((need / 1024)) MB plus 1 GB headroom, have $((avail / 1024)) MB" >&2
		exit 2
	fi
	echo "generating $PCAP (deterministic)..." >&2
	"$OUT/gencap" -o "$PCAP" -size "$SIZE"
fi
if [[ ${KEEP:-0} != 1 ]]; then
	trap 'rm -f "$PCAP"' EXIT
fi
cat "$PCAP" >/dev/null # page-cache it

. bench/lib.sh # calc, measure, BEST, RSS (the script runs from the repository root)

AF=$OUT/arpforensics
JSON=$OUT/html-bench.json
HTML=$OUT/html-bench.html
echo "timing $RUNS rounds (page-cached; the best wall time of each counts)..." >&2
for ((i = 1; i <= RUNS; i++)); do
	measure json "$AF" analyze --no-progress --format json -o "$JSON" "$PCAP"
	measure json+html "$AF" analyze --no-progress --format json -o "$JSON" --html "$HTML" "$PCAP"
done

ref=${BEST[json]} ours=${BEST[json+html]}
size=$(stat -c %s "$HTML")
# The data block says how many events the timeline had and the table holds.
total=$(grep -o '"events":{"total":[0-9]*' "$HTML" | grep -o '[0-9]*$')
embedded=$(grep -o '"embedded":[0-9]*' "$HTML" | head -n 1 | grep -o '[0-9]*$')
findings=$(grep -c '<article class="finding' "$HTML" || true)

printf '\ncapture: %s (%d bytes), %d events, %d findings in full; best of %d runs\n' "$PCAP" "$(stat -c %s "$PCAP")" "$total" "$findings" "$RUNS"
printf '%-46s %8.3f s  %6d MB\n' "analyze --format json FILE" "$ref" "$(( RSS[json] / 1024 ))"
printf '%-46s %8.3f s  %6d MB\n' "analyze --format json --html OUT FILE" "$ours" "$(( RSS[json+html] / 1024 ))"
printf '%-46s %8.3f s  (%.2fx the JSON-only run)\n' "cost of the HTML report" "$(calc "$ours - $ref")" "$(calc "$ours / $ref")"
printf '%-46s %8d of %d events\n' "event table" "$embedded" "$total"
if (( size <= 3000000 )); then V=PASS; fail=0; else V=FAIL; fail=1; fi
printf '%-46s %8d bytes   budget <= 3000000   %s\n' "HTML report size" "$size" "$V"
exit $fail
