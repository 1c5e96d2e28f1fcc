#!/bin/bash
# Runs a batch of ladder-ae steps on a GPU machine within one wall-clock budget, from the unpacked
# distribution. Steps come on stdin, one per line: NAME TIMEOUT_S COMMAND...
#   ./scripts/device-steps.sh <<'EOF'
#   check 200 ./scripts/gpu-check.sh
#   gemm 90 ./ladder-ae bench gemm --weights fp16 --acts fp16 -m 16384 -n 16384 -k 16384
#   EOF
# A step whose timeout no longer fits in what is left of STEPS_BUDGET_S (default 560) is skipped,
# not started, so the batch always ends inside the caller's limit. Each step's output goes to
# $LOGS/NAME.log; the last lines printed are one status line per step. With OUT set, the logs and
# any results/ are archived into $OUT (the device tool brings back at most 8 files).
cd "$(dirname "$0")/.." || exit 1
budget=${STEPS_BUDGET_S:-560}
logs=${LOGS:-${OUT:-/tmp}/step-logs}
mkdir -p "$logs"
start=$(date +%s)
summary=()
while read -r name limit cmd; do
    [ -z "$name" ] && continue
    case $name in \#*) continue ;; esac
    now=$(date +%s); left=$((budget - (now - start)))
    if [ "$limit" -gt "$left" ]; then
        summary+=("$(printf '%-16s SKIPPED (needs %ss, %ss left)' "$name" "$limit" "$left")")
        continue
    fi
    echo "=== $name (limit ${limit}s): $cmd"
    t0=$(date +%s)
    timeout -s QUIT -k 10 "$limit" bash -c "$cmd" > "$logs/$name.log" 2>&1
    rc=$?
    t1=$(date +%s)
    tail -n 25 "$logs/$name.log"
    status=ok; [ $rc -ne 0 ] && status="FAILED rc=$rc"; [ $rc -eq 124 ] || [ $rc -eq 137 ] && status="TIMEOUT"
    summary+=("$(printf '%-16s %-12s %4ss' "$name" "$status" "$((t1 - t0))")")
done
if [ -n "${OUT:-}" ]; then
    tar czf "$OUT/step-logs.tar.gz" -C "$(dirname "$logs")" "$(basename "$logs")" 2>/dev/null
    [ -d "${RESULTS_DIR:-/tmp/r}" ] && tar czf "$OUT/results.tar.gz" -C "${RESULTS_DIR:-/tmp/r}" . 2>/dev/null
    rm -rf "$logs"
fi
echo
echo "=== steps (total $(( $(date +%s) - start ))s of ${budget}s)"
printf '%s\n' "${summary[@]}"
