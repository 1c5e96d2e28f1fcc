#!/bin/bash
# Runs one batch of device steps per GPU of a multi-GPU machine, all GPUs at once (device time counts the machine,
# not the GPUs). Steps come on stdin as in scripts/device-steps.sh, each line prefixed with its GPU index:
#   GPU NAME TIMEOUT_S COMMAND...
# Each GPU's steps run in order under CUDA_VISIBLE_DEVICES=GPU within STEPS_BUDGET_S; logs go to $LOGS_ROOT/gGPU/,
# archived into $OUT/gpu-logs.tar.gz when OUT is set. Prints every GPU's step summary last. STEPS_SCRIPT names the
# device-steps.sh to use (its folder's parent is where the commands run; default: this repo's), e.g. the unpacked
# distribution's: STEPS_SCRIPT=.dist/ladder-ae-0.1.0/scripts/device-steps.sh.
cd "$(dirname "$0")/../.." || exit 1
root=${LOGS_ROOT:-/tmp/gpu-logs}
mkdir -p "$root"
steps=$(cat)
for g in $(printf '%s\n' "$steps" | awk 'NF && $1 !~ /^#/ {print $1}' | sort -u); do
    printf '%s\n' "$steps" | awk -v g="$g" '$1 == g {$1 = ""; print substr($0, 2)}' > "$root/steps-g$g"
    CUDA_VISIBLE_DEVICES=$g OUT= LOGS="$root/g$g" "${STEPS_SCRIPT:-./scripts/device-steps.sh}" < "$root/steps-g$g" > "$root/summary-g$g.log" 2>&1 &
done
wait
[ -n "${OUT:-}" ] && tar czf "$OUT/gpu-logs.tar.gz" -C "$(dirname "$root")" "$(basename "$root")" 2>/dev/null
for f in "$root"/summary-g*.log; do echo "##### $(basename "$f" .log)"; sed -n '/^=== steps/,$p' "$f"; done
