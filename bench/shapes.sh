#!/usr/bin/env bash
# Shapes benchmark (issue 10, bounded memory at any scale): times the whole
# arpforensics process on inputs that do not fold well, each at 1x, 2x and
# 4x a base size, against a reference tool on the same page-cached file in
# the same run, and checks the budgets:
#   peak RSS <= 256 MB at every size, RSS growth from 1x to 4x <= 1.2x,
#   busy <= 2x tcpdump, mixed <= 1.2x tcpdump, txnlog <= 2.5x grep,
#   .pcap.gz <= zcat.
#
# Shapes (SHAPES, comma-separated; default all):
#   mixed, busy, synflood            captures from bench/gencap -shape ...,
#                                    against `tcpdump -nn -r FILE arp`
#   arpstorm                         likewise, against `tcpdump -nn -r FILE
#                                    -w - arp`: printing, tcpdump keeps every
#                                    address it shows in a 4096-bucket chained
#                                    table, so with millions of distinct
#                                    senders its time grows with their square
#                                    (99 s for 33 MB); -w copies the frames
#                                    its filter passes without naming them
#   gz                               the .pcap.gz of GZSHAPE (default mixed),
#                                    against `zcat FILE`
#   neigh                            an `ip -ts monitor neigh` flood of
#                                    NEIGH_ENTRIES (default 200000) IPs from
#                                    bench/neighgen -monitor, against
#                                    `grep -c lladdr FILE | cat`
#   neighscan                        the `ip -ts monitor neigh` stream of an
#                                    address scan (bench/neighgen -scan):
#                                    every entry new, so per-entry state
#                                    must be bounded; against
#                                    `grep -c FAILED FILE | cat`
#   txnlog                           a neutron-server log from gentxnlog
#                                    -entities ENTITIES (default 1000000),
#                                    against `grep -c 'Running txn' FILE | cat`
# (grep's output goes to a pipe: GNU grep stops at the first match when its
# output is /dev/null.)
#
# Usage: bench/shapes.sh            (from anywhere in the repository)
# Environment: BASE (bytes, K/M/G suffixes, default 256M), SHAPES, RUNS
# (default 1; with more the best wall time and the largest RSS count),
# KEEP=1 keeps the generated files in bench/out/shapes/ for the next run
# (otherwise each is removed once measured, and all at exit).
set -euo pipefail
cd "$(dirname "$0")/.."

BASE=${BASE:-256M}
SHAPES=${SHAPES:-mixed,busy,arpstorm,synflood,gz,neigh,neighscan,txnlog}
RUNS=${RUNS:-1}
GZSHAPE=${GZSHAPE:-mixed}
NEIGH_ENTRIES=${NEIGH_ENTRIES:-200000}
ENTITIES=${ENTITIES:-1000000}
KEEP=${KEEP:-0}
OUT=bench/out/shapes
BIN=$OUT/bin
MULTS=(1 2 4)

# bytes N[KMG]: N with a power-of-1024 suffix, as the generators read it.
bytes() {
	case $1 in
	*K) echo $((${1%K} << 10)) ;;
	*M) echo $((${1%M} << 20)) ;;
	*G) echo $((${1%G} << 30)) ;;
	*[!0-9]* | '') echo "BASE=$1: want a number of bytes with an optional K, M or G" >&2; exit 2 ;;
	*) echo "$1" ;;
	esac
}
base=$(bytes "$BASE")

IFS=, read -r -a shapes <<<"$SHAPES"
for s in "${shapes[@]}"; do
	case $s in
	mixed | busy | arpstorm | synflood | gz | neigh | neighscan | txnlog) ;;
	*) echo "unknown shape $s (want mixed, busy, arpstorm, synflood, gz, neigh, neighscan, txnlog)" >&2; exit 2 ;;
	esac
done
case $GZSHAPE in mixed | busy | arpstorm | synflood) ;; *) echo "GZSHAPE=$GZSHAPE is not a capture shape" >&2; exit 2 ;; esac

for tool in /usr/bin/time tcpdump zcat grep; do
	command -v "$tool" >/dev/null || { echo "need $tool" >&2; exit 2; }
done

echo "machine at start: $(nproc) CPUs; $(uptime)"

mkdir -p "$BIN"
echo "building..." >&2
go build -o "$BIN/arpforensics" ./cmd/arpforensics
go build -o "$BIN/gencap" ./bench/gencap
go build -o "$BIN/neighgen" ./bench/neighgen
go build -o "$BIN/gentxnlog" ./bench/txnloggen/cmd/gentxnlog

GENERATED=()
cleanup() {
	if [[ $KEEP != 1 && ${#GENERATED[@]} -gt 0 ]]; then
		rm -rf "${GENERATED[@]}"
	fi
}
trap cleanup EXIT

# room BYTES: stop unless BYTES plus 1 GB of headroom are free in $OUT.
room() {
	local need=$(($1 / 1024)) avail
	avail=$(df -Pk "$OUT" | awk 'NR==2 {print $4}')
	if ((avail < need + 1024 * 1024)); then
		echo "not enough disk in $OUT: need $((need / 1024)) MB plus 1 GB headroom, have $((avail / 1024)) MB" >&2
		exit 2
	fi
}

# input SHAPE SIZE: generates (unless kept from an earlier run) the file
# SHAPE at SIZE bytes is measured on, and sets F to its path.
input() {
	local shape=$1 size=$2
	case $shape in
	gz)
		F=$OUT/$GZSHAPE-$size.pcap.gz
		local pcap=$OUT/$GZSHAPE-$size.pcap
		if [[ ! -s $F ]]; then
			room $((size * 2))
			echo "generating $F ..." >&2
			"$BIN/gencap" -shape "$GZSHAPE" -size "$size" -o "$pcap" -gz "$F" 2>&1 | sed 's/^/  /' >&2
			GENERATED+=("$pcap")
		fi
		;;
	neigh | neighscan)
		local dir=$OUT/$shape-$size
		F=$dir/host1/neigh-monitor.log
		if [[ ! -s $F ]]; then
			room "$size"
			echo "generating $F ..." >&2
			if [[ $shape == neigh ]]; then
				"$BIN/neighgen" -monitor -entries "$NEIGH_ENTRIES" -size "$size" -o "$F"
			else
				"$BIN/neighgen" -scan -size "$size" -o "$F"
			fi
		fi
		GENERATED+=("$dir")
		return
		;;
	txnlog)
		F=$OUT/neutron-server-$ENTITIES-$size.log
		if [[ ! -s $F ]]; then
			room "$size"
			echo "generating $F ..." >&2
			"$BIN/gentxnlog" -size "$size" -entities "$ENTITIES" -o "$F" 2>&1 | sed 's/^/  /' >&2
		fi
		;;
	*)
		F=$OUT/$shape-$size.pcap
		if [[ ! -s $F ]]; then
			room "$size"
			echo "generating $F ..." >&2
			"$BIN/gencap" -shape "$shape" -size "$size" -o "$F" 2>&1 | sed 's/^/  /' >&2
		fi
		;;
	esac
	GENERATED+=("$F")
}

. "$(dirname "$0")/lib.sh"

AF=$BIN/arpforensics
declare -A REF_NAME=(
	[mixed]="tcpdump -nn -r F arp" [busy]="tcpdump -nn -r F arp" [arpstorm]="tcpdump -nn -r F -w - arp"
	[synflood]="tcpdump -nn -r F arp" [gz]="zcat F" [neigh]="grep -c lladdr F | cat"
	[neighscan]="grep -c FAILED F | cat"
	[txnlog]="grep -c 'Running txn' F | cat"
)
declare -A FILEBYTES
for s in "${shapes[@]}"; do
	for m in "${MULTS[@]}"; do
		size=$((base * m))
		input "$s" "$size"
		FILEBYTES[$s-$m]=$(stat -c %s "$F")
		cat "$F" >/dev/null # page-cache it
		echo "$s x$m: $F ($((FILEBYTES[$s-$m] / 1000000)) MB), $RUNS run(s)" >&2
		for ((i = 1; i <= RUNS; i++)); do
			case $s in
			gz) measure "$s-$m-ref" zcat "$F" ;;
			neigh) measure "$s-$m-ref" sh -c 'grep -c lladdr "$1" | cat' sh "$F" ;;
			neighscan) measure "$s-$m-ref" sh -c 'grep -c FAILED "$1" | cat' sh "$F" ;;
			txnlog) measure "$s-$m-ref" sh -c 'grep -c "Running txn" "$1" | cat' sh "$F" ;;
			arpstorm) measure "$s-$m-ref" tcpdump -nn -r "$F" -w - arp ;;
			*) measure "$s-$m-ref" tcpdump -nn -r "$F" arp ;;
			esac
			measure "$s-$m-ours" "$AF" analyze --no-progress --format json "$F"
		done
		if [[ $KEEP != 1 ]]; then
			rm -rf "${GENERATED[@]}"
			GENERATED=()
		fi
	done
done

echo
echo "arpforensics analyze --no-progress --format json FILE vs the reference, BASE=$BASE, best of $RUNS run(s)"
printf '%-9s %5s %9s %8s %9s %8s %7s %8s %7s  %s\n' shape size "file MB" "ours s" "MB/s" "ref s" ratio "RSS MB" growth reference
for s in "${shapes[@]}"; do
	for m in "${MULTS[@]}"; do
		ours=${BEST[$s-$m-ours]} ref=${BEST[$s-$m-ref]}
		growth=-
		if ((m == ${MULTS[-1]})); then
			growth=$(calc "${RSS[$s-$m-ours]} / ${RSS[$s-1-ours]}")
			growth=$(printf '%.2fx' "$growth")
		fi
		printf '%-9s %4dx %9d %8.3f %9.0f %8.3f %6.2fx %8d %7s  %s\n' "$s" "$m" \
			$((FILEBYTES[$s-$m] / 1000000)) "$ours" "$(calc "${FILEBYTES[$s-$m]} / $ours / 1e6")" "$ref" \
			"$(calc "$ours / $ref")" $((RSS[$s-$m-ours] / 1024)) "$growth" "${REF_NAME[$s]}"
	done
done

echo
fail=0
# verdict OK(1/0) TEXT: prints a PASS or FAIL line.
verdict() {
	local v=PASS
	if (($1 == 0)); then v=FAIL; fail=1; fi
	printf '%s  %s\n' "$v" "$2"
}
declare -A RATIO_BUDGET=([busy]=2 [mixed]=1.2 [txnlog]=2.5 [gz]=1)
for s in "${shapes[@]}"; do
	maxrss=0 maxratio=0
	for m in "${MULTS[@]}"; do
		if ((RSS[$s-$m-ours] > maxrss)); then maxrss=${RSS[$s-$m-ours]}; fi
		r=$(calc "${BEST[$s-$m-ours]} / ${BEST[$s-$m-ref]}")
		if (($(calc "$r > $maxratio"))); then maxratio=$r; fi
	done
	verdict $((maxrss <= 256 * 1024)) "$(printf '%-9s peak RSS %d MB, the most at any size (budget <= 256 MB)' "$s" $((maxrss / 1024)))"
	g=$(calc "${RSS[$s-${MULTS[-1]}-ours]} / ${RSS[$s-1-ours]}")
	verdict "$(calc "$g <= 1.2")" "$(printf '%-9s RSS growth 1x -> 4x %.2fx (budget <= 1.2x)' "$s" "$g")"
	if [[ -n ${RATIO_BUDGET[$s]:-} ]]; then
		verdict "$(calc "$maxratio <= ${RATIO_BUDGET[$s]}")" \
			"$(printf '%-9s time / %s %.2fx at worst (budget <= %sx)' "$s" "${REF_NAME[$s]%% *}" "$maxratio" "${RATIO_BUDGET[$s]}")"
	fi
done

echo
echo "machine at end: $(nproc) CPUs; $(uptime)"
exit $fail
