#!/usr/bin/env bash
# Benchmark the whole program on a neighbour-table dump against grep.
#
#   bench/neigh.sh [SIZE] [-stats]     # SIZE defaults to 500M
#
# Generates (once) a `date; ip neigh` loop dump of SIZE bytes — one listing a
# second of 200 entries — under bench/out/, then times, in the same run and
# on the same page-cached file:
#   grep -c lladdr FILE                      (the reference)
#   arpforensics analyze --format json FILE  (the program)
# and prints throughput, the ratio, and the program's peak RSS. Budgets
# (issue 3): >= 200 MB/s, peak RSS <= 128 MB.
set -euo pipefail
cd "$(dirname "$0")/.."

size=${1:-500M}
flags=${2:-}
out=bench/out
dump="$out/neigh-$size${flags:+-stats}/host1/arptable"
bin="$out/arpforensics"

go build -o "$bin" ./cmd/arpforensics
if [[ ! -s "$dump" ]]; then
	echo "generating $dump ($size) ..." >&2
	go run ./bench/neighgen -size "$size" $flags -o "$dump"
fi
bytes=$(stat -c %s "$dump")
cat "$dump" >/dev/null # page cache

now() { date +%s.%N; }
mbps() { awk -v b="$bytes" -v s="$1" 'BEGIN { printf "%.0f", b / s / 1e6 }'; }

t0=$(now)
lines=$(grep -c lladdr "$dump")
t1=$(now)
grep_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')

/usr/bin/time -f '%e %M' -o "$out/neigh.time" \
	"$bin" analyze --no-progress --fail-on none --format json "$dump" >"$out/neigh.json"
read -r prog_s rss_kb <"$out/neigh.time"

events=$(grep -o '"events": *[0-9]*' "$out/neigh.json" | head -1 | grep -o '[0-9]*$')
problems=$(grep -c '"message"' "$out/neigh.json" || true)

printf 'input      %s: %d MB, %d entry lines, %s events, %s problem(s)\n' "$dump" $((bytes / 1000000)) "$lines" "$events" "$problems"
printf 'grep -c    %6.2f s  %5s MB/s\n' "$grep_s" "$(mbps "$grep_s")"
printf 'analyze    %6.2f s  %5s MB/s   peak RSS %d MB\n' "$prog_s" "$(mbps "$prog_s")" $((rss_kb / 1024))
awk -v a="$prog_s" -v g="$grep_s" 'BEGIN { printf "ratio      analyze takes %.2fx the time of grep -c\n", a / g }'
awk -v b="$bytes" -v s="$prog_s" -v r="$rss_kb" 'BEGIN {
	ok = (b / s / 1e6 >= 200) && (r / 1024 <= 128)
	printf "budget     >= 200 MB/s, <= 128 MB RSS: %s\n", ok ? "met" : "NOT MET"
}'
