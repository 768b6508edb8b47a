#!/usr/bin/env bash
# Times `arpforensics analyze` on a generated CI log tree — FILES files of
# mixed kinds (captures, tcpdump text, neighbour dumps, neutron-server logs,
# irrelevant logs), half of them gzipped, spread over logs/<node>/ — with
# every core and with --workers 1, in the same run, and prints the speed-up.
# Budget (issue 5): at least 1.6× faster than one worker on the 2-core machine.
#
#   bench/tree.sh                 # ~2 GB of content in 200 files
#   SIZE=200000000 bench/tree.sh  # a quick run
#   KEEP=1 keeps the tree in bench/out/tree for the next run; RUNS sets rounds.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE=${SIZE:-2000000000}
FILES=${FILES:-200}
RUNS=${RUNS:-3}
OUT=bench/out
TREE=$OUT/tree-$SIZE-$FILES
mkdir -p "$OUT"

if ! command -v tcpdump >/dev/null; then
	echo "installing tcpdump (renders the text captures)..." >&2
	apt-get install -y tcpdump >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y tcpdump >/dev/null; }
fi
command -v /usr/bin/time >/dev/null || { echo "need /usr/bin/time" >&2; exit 2; }

echo "building..." >&2
go build -o "$OUT/arpforensics" ./cmd/arpforensics
go build -o "$OUT/gencap" ./bench/gencap
go build -o "$OUT/neighgen" ./bench/neighgen
go build -o "$OUT/gentxnlog" ./bench/txnloggen/cmd/gentxnlog

# One file of content: kind k (0 pcap, 1 tcpdump text, 2 neigh, 3 txnlog,
# 4 irrelevant), seed s, size per file; odd seeds are gzipped.
make_file() {
	local k=$1 s=$2 per=$3 node=$4
	local dir=$TREE/logs/node-$node
	mkdir -p "$dir"
	local f
	case $k in
	0) f=$dir/capture-$s.pcap; "$OUT/gencap" -o "$f" -size "$per" -seed "$s" ;;
	1) f=$dir/tcpdump-$s.txt
	   "$OUT/gencap" -o "$f.src" -size "$((per * 4 / 10))" -seed "$s" # the text is ~2.5× the capture
	   TZ=UTC tcpdump -e -nn -r "$f.src" 2>/dev/null | head -c "$per" >"$f"
	   rm -f "$f.src" ;;
	2) f=$dir/arptable-$s.txt; "$OUT/neighgen" -o "$f" -size "$per" -seed "$s" -stats ;;
	3) f=$dir/neutron-server-$s.log; "$OUT/gentxnlog" -o "$f" -size "$per" -seed "$s" ;;
	4) f=$dir/syslog-$s.txt
	   awk -v n="$per" -v s="$s" 'BEGIN { srand(s); while (b < n) { l = sprintf("Sep 18 17:%02d:%02d node kernel: [%d.%06d] audit: type=1400 apparmor=\"DENIED\" operation=\"open\" pid=%d\n", int(b/1e6)%60, int(b/1e4)%60, b/1e3, b%1e6, int(rand()*65535)); printf "%s", l; b += length(l) } }' >"$f" ;;
	esac
	if (( s % 2 == 1 )); then
		gzip -6 "$f"
	fi
}
export -f make_file
export OUT TREE

if [[ ! -d $TREE ]]; then
	need=$(( SIZE * 2 / 1024 ))
	avail=$(df -Pk "$OUT" | awk 'NR==2 {print $4}')
	if (( avail < need + 1024 * 1024 )); then
		echo "not enough disk in $OUT: need $((need / 1024)) MB plus 1 GB headroom" >&2
		exit 2
	fi
	per=$(( SIZE / FILES ))
	echo "generating $FILES files of ~$((per / 1000000)) MB in $TREE (deterministic; half gzipped)..." >&2
	for ((i = 0; i < FILES; i++)); do
		echo "$((i % 5)) $((i + 1)) $per $((i % 10))"
	done | xargs -P "$(nproc)" -n 4 bash -c 'make_file "$@"' _
fi
if [[ ${KEEP:-0} != 1 ]]; then
	trap 'rm -rf "$TREE"' EXIT
fi

. "$(dirname "$0")/lib.sh"
ONDISK=$(du -sb "$TREE" | cut -f1)
CONTENT=$( (find "$TREE" -type f ! -name '*.gz' -printf '%s\n'; find "$TREE" -name '*.gz' -exec sh -c 'gzip -l "$1" | awk "NR==2 {print \$2}"' _ {} \;) | awk '{s += $1} END {print s}')
NFILES=$(find "$TREE" -type f | wc -l)
cat $(find "$TREE" -type f) >/dev/null # page-cache the tree

AF=$OUT/arpforensics
echo "timing $RUNS rounds (page-cached; the best wall time of each counts)..." >&2
for ((i = 1; i <= RUNS; i++)); do
	measure one-worker "$AF" analyze --no-progress --workers 1 --format json "$TREE"
	measure all-cores "$AF" analyze --no-progress --format json "$TREE"
done
one=${BEST[one-worker]} all=${BEST[all-cores]}
speedup=$(calc "$one / $all")
printf '\ntree: %s, %d files, %.0f MB on disk, %.0f MB of content; %d cores; best of %d runs\n' \
	"$TREE" "$NFILES" "$(calc "$ONDISK / 1e6")" "$(calc "$CONTENT / 1e6")" "$(nproc)" "$RUNS"
printf '%-28s %8.3f s  %8.0f MB/s  %6d MB peak\n' "analyze --workers 1" "$one" "$(calc "$CONTENT / $one / 1e6")" "$(( RSS[one-worker] / 1024 ))"
printf '%-28s %8.3f s  %8.0f MB/s  %6d MB peak\n' "analyze (every core)" "$all" "$(calc "$CONTENT / $all / 1e6")" "$(( RSS[all-cores] / 1024 ))"
if (( $(calc "$speedup >= 1.6") )); then v=PASS; else v=FAIL; fi
printf '%-28s %8.2f x  (budget >= 1.6)  %s\n' "speed-up" "$speedup" "$v"
[[ $v == PASS ]]
