#!/usr/bin/env bash
# Database-file benchmark: times the whole arpforensics process analysing a
# generated ~500 MB OVN Southbound history (standalone OVSDB file: logical
# flows, port bindings, MAC bindings, chassis nb_cfg; see bench/ovsdbgen)
# against reference tools on the same file, in one run, and checks the
# budgets: >= 300 MB/s page-cached, peak RSS <= 256 MB. References:
# `sha1sum FILE` (hashing every byte once, as checking the records does)
# and `ovsdb-tool show-log FILE` (OVS's own reader of the same records).
#
# Usage: bench/ovsdb.sh            (from anywhere in the repository)
# Environment: SIZE (default 500M), RUNS (default 3: the best wall time of
# each command counts, since the machine may be shared), KEEP=1 keeps the
# generated file in bench/out/ for the next run.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

SIZE=${SIZE:-500M}
RUNS=${RUNS:-3}
OUT=bench/out
DB=$OUT/ovnsb-$SIZE.db
SCHEMA=/usr/share/ovn/ovn-sb.ovsschema
mkdir -p "$OUT"
for tool in /usr/bin/time sha1sum ovsdb-tool; do
	command -v "$tool" >/dev/null || { echo "need $tool (apt-get install openvswitch-common)" >&2; exit 2; }
done
[[ -r $SCHEMA ]] || { echo "need $SCHEMA (apt-get install ovn-common)" >&2; exit 2; }

echo "building..." >&2
go build -o "$OUT/arpforensics" ./cmd/arpforensics
go build -o "$OUT/genovsdb" ./bench/ovsdbgen/cmd/genovsdb
if [[ ! -s $DB ]]; then
	echo "generating $DB (deterministic)..." >&2
	"$OUT/genovsdb" -size "$SIZE" -schema "$SCHEMA" -o "$DB"
fi
if [[ ${KEEP:-0} != 1 ]]; then
	trap 'rm -f "$DB"' EXIT
fi
BYTES=$(stat -c %s "$DB")
cat "$DB" >/dev/null # page-cache it

AF=$OUT/arpforensics
echo "timing $RUNS rounds (page-cached; the best wall time of each counts)..." >&2
for ((i = 1; i <= RUNS; i++)); do
	measure sha1sum sha1sum "$DB"
	measure show-log ovsdb-tool show-log "$DB"
	measure arpforensics "$AF" analyze --no-progress --format json "$DB"
done

ours=${BEST[arpforensics]}
mbs=$(calc "$BYTES / $ours / 1e6")
fail=0
printf '\nfile: %s (%d bytes), best of %d runs; load: %s\n' "$DB" "$BYTES" "$RUNS" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-40s %8.3f s  (%.0f MB/s)\n' "sha1sum FILE" "${BEST[sha1sum]}" "$(calc "$BYTES / ${BEST[sha1sum]} / 1e6")"
printf '%-40s %8.3f s  (%.0f MB/s)\n' "ovsdb-tool show-log FILE" "${BEST[show-log]}" "$(calc "$BYTES / ${BEST[show-log]} / 1e6")"
printf '%-40s %8.3f s  (%.0f MB/s)  %.2f x sha1sum, %.2f x show-log\n' "arpforensics analyze --format json FILE" "$ours" "$mbs" \
	"$(calc "$ours / ${BEST[sha1sum]}")" "$(calc "$ours / ${BEST[show-log]}")"
V=PASS; if (( ! $(calc "$mbs >= 300") )); then V=FAIL; fail=1; fi
printf '%-40s %8.0f MB/s   budget >= 300   %s\n' "throughput, page-cached" "$mbs" "$V"
rss_kb=${RSS[arpforensics]}
V=PASS; if (( rss_kb > 256 * 1024 )); then V=FAIL; fail=1; fi
printf '%-40s %8d MB     budget <= 256   %s\n' "peak RSS, max over runs" "$(( rss_kb / 1024 ))" "$V"
exit $fail
