#!/usr/bin/env bash
# TUI benchmark, whole program: on one capture that analyses to about a
# million events, runs `arpforensics analyze` and `arpforensics tui` (in a
# pseudo-terminal, driven by keys) in the same run and compares their peak
# RSS (budget: tui <= 1.5x analyze), and reports how long after start the
# TUI drew its first frame next to how long analyze took in all.
#
# The per-key redraw and first-screen times on a 1 M-event timeline are
# measured in-process on a tcell.SimulationScreen:
#   go test -run XXX -bench . -benchtime 10x ./tui/internal/view/
#
# Usage: bench/tui.sh              (from anywhere in the repository)
# Environment: FRAMES (default 667000, about 1 M events), RUNS (default 3:
# the best wall time and the highest RSS of each command count), KEEP=1 keeps
# the generated capture in bench/out/.
set -euo pipefail
cd "$(dirname "$0")/.."

FRAMES=${FRAMES:-667000}
RUNS=${RUNS:-3}
OUT=bench/out
PCAP=$OUT/tui-$FRAMES.pcap
BIN=$OUT/arpforensics
mkdir -p "$OUT"
for tool in /usr/bin/time script stty; do
	command -v "$tool" >/dev/null || { echo "need $tool" >&2; exit 2; }
done

echo "building..." >&2
go build -o "$BIN" ./cmd/arpforensics
go build -o "$OUT/tuigen" ./bench/tuigen
if [[ ! -s $PCAP ]]; then
	echo "generating $PCAP ($FRAMES frames, deterministic)..." >&2
	"$OUT/tuigen" -o "$PCAP" -frames "$FRAMES"
fi
if [[ ${KEEP:-0} != 1 ]]; then
	trap 'rm -f "$PCAP"' EXIT
fi
cat "$PCAP" >/dev/null # page-cache it

. "$(dirname "$0")/lib.sh"
now() { date +%s.%N; }

EVENTS=$("$BIN" analyze --no-progress --format json "$PCAP" | grep -o '"events": [0-9]*' | tail -n 1 | grep -o '[0-9]*$' || true)
if [[ -z $EVENTS || $EVENTS -eq 0 ]]; then
	echo "analyze found no events in $PCAP" >&2
	exit 2
fi

BEST_A= RSS_A=0 BEST_T= RSS_T=0 KEYS_OK=1

run_analyze() {
	local tf; tf=$(mktemp)
	local t0 t1 status=0
	t0=$(now)
	/usr/bin/time -o "$tf" -f "%M" "$BIN" analyze --no-progress --format json "$PCAP" >/dev/null 2>"$tf.err" || status=$?
	t1=$(now)
	if ((status > 1)); then
		echo "analyze failed (exit $status):" >&2
		cat "$tf.err" >&2
		exit 2
	fi
	local wall rss
	wall=$(calc "$t1 - $t0")
	rss=$(tail -n 1 "$tf")
	rm -f "$tf" "$tf.err"
	printf '  analyze  %7.3f s              %8d KB\n' "$wall" "$rss" >&2
	if [[ -z $BEST_A ]] || (($(calc "$wall < $BEST_A"))); then BEST_A=$wall; fi
	if ((rss > RSS_A)); then RSS_A=$rss; fi
}

# run_tui: starts the TUI in an 80x24 pseudo-terminal, waits for its first
# frame (the header's event count on the terminal), presses keys that move,
# jump, follow, search, mark and open help, then quits.
run_tui() {
	local dir; dir=$(mktemp -d)
	mkfifo "$dir/keys"
	local t0 t1
	t0=$(now)
	TERM=xterm-256color script -qfec "stty rows 24 cols 80; /usr/bin/time -o $dir/rss -f %M $BIN tui --no-progress $PCAP" \
		"$dir/screen" <"$dir/keys" >/dev/null 2>&1 &
	local pid=$!
	exec 3>"$dir/keys"
	local waited=0
	until grep -aq 'events' "$dir/screen" 2>/dev/null; do
		sleep 0.01
		waited=$((waited + 1))
		if ((waited > 30000)) || ! kill -0 "$pid" 2>/dev/null; then
			echo "the TUI drew nothing (see $dir/screen)" >&2
			exit 2
		fi
	done
	t1=$(now)
	local k
	for k in j j j G g f f / 1 0 '\.' 1 '\.' 0 '\.' 7 $'\r' n N m j '?' q F F q; do
		printf '%s' "$k" >&3
		sleep 0.05
	done
	# q until it quits (back out of the jump first).
	for _ in 1 2 3 4 5; do
		kill -0 "$pid" 2>/dev/null || break
		printf q >&3
		sleep 0.2
	done
	exec 3>&-
	wait "$pid" || true
	if [[ ! -s $dir/rss ]]; then
		echo "the TUI did not quit on q (see $dir/screen)" >&2
		KEYS_OK=0
		rm -rf "$dir"
		return
	fi
	local wall rss
	wall=$(calc "$t1 - $t0")
	rss=$(tail -n 1 "$dir/rss")
	grep -aq 'following ip' "$dir/screen" || KEYS_OK=0
	grep -aq 'Help' "$dir/screen" || KEYS_OK=0
	rm -rf "$dir"
	printf '  tui      %7.3f s to 1st frame  %8d KB\n' "$wall" "$rss" >&2
	if [[ -z $BEST_T ]] || (($(calc "$wall < $BEST_T"))); then BEST_T=$wall; fi
	if ((rss > RSS_T)); then RSS_T=$rss; fi
}

echo "capture: $PCAP, $(stat -c %s "$PCAP") bytes, $EVENTS events; $RUNS runs each" >&2
for ((i = 0; i < RUNS; i++)); do
	run_analyze
	run_tui
done

RATIO=$(calc "$RSS_T / $RSS_A")
AFTER=$(calc "$BEST_T - $BEST_A")
echo
printf 'events                          %d\n' "$EVENTS"
printf 'analyze: best wall              %.3f s, peak RSS %d KB\n' "$BEST_A" "$RSS_A"
printf 'tui: start to first frame       %.3f s, peak RSS %d KB\n' "$BEST_T" "$RSS_T"
printf 'first frame after analysis      %.3f s (tui to first frame minus analyze wall; budget 1 s)\n' "$AFTER"
printf 'peak RSS tui / analyze          %.2f (budget 1.5)\n' "$RATIO"
status=0
if (($(calc "$RATIO > 1.5"))); then
	echo "FAIL: the TUI's peak RSS exceeds 1.5x analyze's" >&2
	status=1
fi
if (($(calc "$AFTER > 1.0"))); then
	echo "FAIL: the first frame came more than 1 s after the analysis would have finished" >&2
	status=1
fi
if ((KEYS_OK == 0)); then
	echo "FAIL: the key walk did not show what it should (follow, help)" >&2
	status=1
fi
exit $status
