# Shared by the bench/*.sh scripts: source it, don't run it.

# calc EXPR: floating-point arithmetic and comparisons (1/0) through awk.
calc() { awk "BEGIN { print ($1) }"; }

# measure NAME CMD...: runs CMD with stdout to /dev/null and records its wall
# time (s) and peak RSS (KB); BEST[NAME] keeps the fastest run and RSS[NAME]
# the largest peak. Exit status 1 is fine (findings); others stop the script.
declare -A BEST RSS
measure() {
	local name=$1; shift
	local tf; tf=$(mktemp)
	local t0 t1 status=0
	t0=$(date +%s.%N)
	/usr/bin/time -o "$tf" -f "%M" "$@" >/dev/null 2>"$tf.err" || status=$?
	t1=$(date +%s.%N)
	if (( status > 1 )); then
		echo "$name failed (exit $status):" >&2
		cat "$tf.err" >&2
		exit 2
	fi
	local wall rss
	wall=$(calc "$t1 - $t0")
	rss=$(tail -n 1 "$tf")
	rm -f "$tf" "$tf.err"
	if [[ -z ${BEST[$name]:-} ]] || (( $(calc "$wall < ${BEST[$name]}") )); then
		BEST[$name]=$wall
	fi
	if [[ -z ${RSS[$name]:-} ]] || (( rss > ${RSS[$name]} )); then
		RSS[$name]=$rss
	fi
	printf '  %-18s %7.3f s  %7d KB\n' "$name" "$wall" "$rss" >&2
}
