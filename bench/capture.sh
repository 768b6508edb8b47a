#!/usr/bin/env bash
# Capture benchmark: times the whole arpforensics process analysing a ~2 GB
# mixed capture against tcpdump filtering the same file for ARP, and the
# .pcap.gz of it against zcat, in one run, and checks the budgets:
#   >= 2 GB/s page-cached, <= 1.7x tcpdump's time, peak RSS <= 256 MB,
#   .pcap.gz no slower than zcat.
#
# Usage: bench/capture.sh            (from anywhere in the repository)
# Environment: SIZE (bytes, default 2000000000), RUNS (default 3: the best
# wall time of each command counts, since the machine may be shared),
# KEEP=1 keeps the generated files in bench/out/ for the next run.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE=${SIZE:-2000000000}
RUNS=${RUNS:-3}
OUT=bench/out
PCAP=$OUT/mixed-$SIZE.pcap
GZ=$PCAP.gz
mkdir -p "$OUT"

if ! command -v tcpdump >/dev/null; then
	echo "installing tcpdump (the reference)..." >&2
	apt-get install -y tcpdump >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y tcpdump >/dev/null; }
fi
for tool in /usr/bin/time zcat; do
	command -v "$tool" >/dev/null || { echo "need $tool" >&2; exit 2; }
done

echo "building..." >&2
go build -o "$OUT/arpforensics" ./cmd/arpforensics
go build -o "$OUT/gencap" ./bench/gencap

if [[ ! -s $PCAP || ! -s $GZ ]]; then
	need=$(( SIZE * 17 / 10 / 1024 ))
	avail=$(df -Pk "$OUT" | awk 'NR==2 {print $4}')
	if (( avail < need + 1024 * 1024 )); then
		echo "not enough disk in $OUT: need $((need / 1024)) MB plus 1 GB headroom, have $((avail / 1024)) MB" >&2
		exit 2
	fi
	echo "generating $PCAP and $GZ (deterministic)..." >&2
	"$OUT/gencap" -o "$PCAP" -gz "$GZ" -size "$SIZE"
fi
if [[ ${KEEP:-0} != 1 ]]; then
	trap 'rm -f "$PCAP" "$GZ"' EXIT
fi

BYTES=$(stat -c %s "$PCAP")
GZBYTES=$(stat -c %s "$GZ")
cat "$PCAP" "$GZ" >/dev/null # page-cache both

. "$(dirname "$0")/lib.sh"

AF=$OUT/arpforensics
echo "timing $RUNS rounds (page-cached; the best wall time of each counts)..." >&2
for ((i = 1; i <= RUNS; i++)); do
	measure tcpdump tcpdump -nn -r "$PCAP" arp
	measure arpforensics "$AF" analyze --no-progress --format json "$PCAP"
	measure zcat zcat "$GZ"
	measure arpforensics-gz "$AF" analyze --no-progress --format json "$GZ"
done

ours=${BEST[arpforensics]} ref=${BEST[tcpdump]} gz=${BEST[arpforensics-gz]} zc=${BEST[zcat]}
rss_kb=$(( RSS[arpforensics] > RSS[arpforensics-gz] ? RSS[arpforensics] : RSS[arpforensics-gz] ))
gbs=$(calc "$BYTES / $ours / 1e9")
ratio=$(calc "$ours / $ref")
gzratio=$(calc "$gz / $zc")
fail=0
verdict() { # verdict OK(1/0)
	if (( $1 )); then V=PASS; else V=FAIL; fail=1; fi
}
printf '\ncapture: %s (%d bytes; gzip %d bytes), best of %d runs\n' "$PCAP" "$BYTES" "$GZBYTES" "$RUNS"
printf '%-44s %8.3f s\n' "tcpdump -nn -r FILE arp" "$ref"
printf '%-44s %8.3f s\n' "arpforensics analyze --format json FILE" "$ours"
printf '%-44s %8.3f s\n' "zcat FILE.gz" "$zc"
printf '%-44s %8.3f s\n' "arpforensics analyze --format json FILE.gz" "$gz"
verdict "$(calc "$gbs >= 2")"
printf '%-44s %8.2f GB/s   budget >= 2     %s\n' "throughput, page-cached" "$gbs" "$V"
verdict "$(calc "$ratio <= 1.7")"
printf '%-44s %8.2f x      budget <= 1.7   %s\n' "time / tcpdump's" "$ratio" "$V"
verdict "$(( rss_kb <= 256 * 1024 ))"
printf '%-44s %8d MB     budget <= 256   %s\n' "peak RSS, max over runs" "$(( rss_kb / 1024 ))" "$V"
verdict "$(calc "$gzratio <= 1")"
printf '%-44s %8.2f x      budget <= 1     %s\n' ".pcap.gz time / zcat's" "$gzratio" "$V"
exit $fail
