#!/usr/bin/env bash
# Runs every experiment, as the original artifact's run_all scripts did:
#   artifact/run_all.sh              draw all seven results from the paper's logged numbers
#   artifact/run_all.sh --reproduce  measure them on this machine's GPU
# Exits non-zero when any experiment failed; prints where the results are.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=${LADDER_AE_OUT:-$here/results}
if [ ! -x "$here/runtime/bin/java" ] && ! ls "$here"/target/ladder-ae-*.jar >/dev/null 2>&1; then
  (cd "$here" && mvn -q -B package -DskipTests) || { echo "run_all: build failed" >&2; exit 1; }
fi
"$here/ladder-ae" all --out "$out" "$@"
status=$?
echo "run_all: results under $out (exit $status)"
exit $status
