#!/usr/bin/env bash
# tcpdump-text benchmark: renders the benchmark capture (bench/gencap) with
# the real `tcpdump -e -nn`, then times the whole arpforensics process
# analysing that text against `wc -l` over the same file (one pass over the
# bytes doing the least work; GNU grep would stop at its first match with
# its output on /dev/null), in one run, and prints the
# throughput, the ratio and the peak RSS. Text has no budget of its own;
# this keeps it honest.
#
# Usage: bench/text.sh               (from anywhere in the repository)
# Environment: SIZE (capture bytes to render, default 500000000), RUNS
# (default 3; the best wall time of each command counts), KEEP=1 keeps the
# generated files in bench/out/.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE=${SIZE:-500000000}
RUNS=${RUNS:-3}
OUT=bench/out
PCAP=$OUT/text-src-$SIZE.pcap
TEXT=$OUT/text-$SIZE.txt
mkdir -p "$OUT"

if ! command -v tcpdump >/dev/null; then
	echo "installing tcpdump (renders the text)..." >&2
	apt-get install -y tcpdump >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y tcpdump >/dev/null; }
fi
command -v /usr/bin/time >/dev/null || { echo "need /usr/bin/time" >&2; exit 2; }

echo "building..." >&2
go build -o "$OUT/arpforensics" ./cmd/arpforensics
go build -o "$OUT/gencap" ./bench/gencap

if [[ ! -s $TEXT ]]; then
	need=$(( SIZE * 2 / 1024 ))
	avail=$(df -Pk "$OUT" | awk 'NR==2 {print $4}')
	if (( avail < need + 1024 * 1024 )); then
		echo "not enough disk in $OUT: need $((need / 1024)) MB plus 1 GB headroom, have $((avail / 1024)) MB" >&2
		exit 2
	fi
	echo "generating $PCAP and rendering $TEXT with tcpdump -e -nn..." >&2
	"$OUT/gencap" -o "$PCAP" -size "$SIZE"
	TZ=UTC tcpdump -e -nn -r "$PCAP" >"$TEXT" 2>/dev/null
	rm -f "$PCAP"
fi
if [[ ${KEEP:-0} != 1 ]]; then
	trap 'rm -f "$TEXT"' EXIT
fi

BYTES=$(stat -c %s "$TEXT")
LINES=$(wc -l <"$TEXT")
cat "$TEXT" >/dev/null # page-cache it

. "$(dirname "$0")/lib.sh"

AF=$OUT/arpforensics
echo "timing $RUNS rounds (page-cached; the best wall time of each counts)..." >&2
for ((i = 1; i <= RUNS; i++)); do
	measure wc wc -l "$TEXT"
	measure arpforensics "$AF" analyze --no-progress --format json "$TEXT"
done

ours=${BEST[arpforensics]} ref=${BEST[wc]}
printf '\ntext: %s (%d bytes, %d lines), best of %d runs\n' "$TEXT" "$BYTES" "$LINES" "$RUNS"
printf '%-44s %8.3f s\n' "wc -l FILE" "$ref"
printf '%-44s %8.3f s   %7.1f MB/s\n' "arpforensics analyze --format json FILE" "$ours" "$(calc "$BYTES / $ours / 1e6")"
printf '%-44s %8.2f x\n' "time / wc's" "$(calc "$ours / $ref")"
printf '%-44s %8d MB\n' "peak RSS, max over runs" "$(( RSS[arpforensics] / 1024 ))"
