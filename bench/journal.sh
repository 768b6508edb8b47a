#!/usr/bin/env bash
# Journal benchmark: the whole arpforensics process analysing a generated
# devstack.journal.xz (`journalctl -o export`, 1 GiB uncompressed by
# default: neutron-server's DEBUG log with its transactions as
# devstack@q-svc.service among sudo, ovs-vswitchd and br-ex tcpdump units)
# against `xz -dc F > /dev/null` on the same file, in one run. Budget: xz
# decompression speed (ratio printed), peak RSS <= 256 MB.
#
# Usage: bench/journal.sh           (from anywhere in the repository)
# Environment: SIZE (uncompressed bytes, default 1073741824), RUNS (default
# 3: the best wall time counts), KEEP=1 keeps the journal in bench/out/.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

SIZE=${SIZE:-1073741824}
RUNS=${RUNS:-3}
OUT=bench/out
J=$OUT/devstack-$SIZE.journal.xz
mkdir -p "$OUT"
for tool in /usr/bin/time xz; do
	command -v "$tool" >/dev/null || { echo "need $tool" >&2; exit 2; }
done
echo "building..." >&2
go build -o "$OUT/arpforensics" ./cmd/arpforensics
go build -o "$OUT/journalgen" ./bench/journalgen
if [[ ! -s $J ]]; then
	echo "generating $J (deterministic; xz -3 -T2)..." >&2
	"$OUT/journalgen" -size "$SIZE" | xz -3 -T2 > "$J.tmp"
	mv "$J.tmp" "$J"
fi
if [[ ${KEEP:-0} != 1 ]]; then
	trap 'rm -f "$J"' EXIT
fi
cat "$J" >/dev/null # page-cache it
COMPRESSED=$(stat -c %s "$J")

echo "load: $(uptime)" >&2
for ((i = 0; i < RUNS; i++)); do
	measure xz-dc xz -dc "$J"
	measure arpforensics "$OUT/arpforensics" analyze --no-progress --format json "$J"
done
ratio=$(calc "${BEST[arpforensics]} / ${BEST[xz-dc]}")
mbps=$(calc "$SIZE / 1048576 / ${BEST[arpforensics]}")
printf 'journal %d MB (%d MB as xz): arpforensics %.2f s (%.0f MB/s uncompressed), xz -dc %.2f s: ratio %.2f; peak RSS %d MB (xz %d MB)\n' \
	$((SIZE / 1048576)) $((COMPRESSED / 1048576)) "${BEST[arpforensics]}" "$mbps" "${BEST[xz-dc]}" "$ratio" $((RSS[arpforensics] / 1024)) $((RSS[xz-dc] / 1024))
if (( RSS[arpforensics] > 256 * 1024 )); then
	echo "over budget: peak RSS ${RSS[arpforensics]} KB > 256 MB" >&2
	exit 1
fi
