#!/bin/sh
# The one command for the GPU machine, run from the unpacked distribution (no JDK, no Maven needed):
#   tar xzf ladder-ae-*-linux-x86_64.tar.gz && cd ladder-ae-*/ && ./scripts/gpu-check.sh
# Runs doctor, selftest and the gpu-tagged test suite, then prints a short summary last.
# Exit status: 0 when selftest and the GPU tests pass.
cd "$(dirname "$0")/.." || exit 1
case ${GPU_CHECK_GPUS:-64} in
    ''|*[!0-9]*|0) echo "gpu-check: GPU_CHECK_GPUS must be a whole number of GPUs >= 1, not '$GPU_CHECK_GPUS'" >&2; exit 2 ;;
esac
home=$(pwd)
export LADDER_AE_HOME="$home"
[ -z "${FONTCONFIG_FILE:-}" ] && [ -f "$home/runtime/lib/fonts/fonts.conf" ] && export FONTCONFIG_FILE="$home/runtime/lib/fonts/fonts.conf"
logs=${GPU_CHECK_LOGS:-$home/gpu-check-logs}
mkdir -p "$logs"
java="$home/runtime/bin/java"
[ -x "$java" ] || java=${JAVA_HOME:+$JAVA_HOME/bin/}java

echo "== doctor"
./ladder-ae doctor 2>&1 | tee "$logs/doctor.log"

echo "== selftest"
./ladder-ae selftest 2>&1 | tee "$logs/selftest.log"
selftest_ok=0
grep -q "^selftest PASSED" "$logs/selftest.log" && selftest_ok=1

charts_dir=${TMPDIR:-/tmp}/ladder-ae-gpu-check-charts
echo "== charts (figure9 from paper data, headless PNG + PDF)"
./ladder-ae figure9 --out "$charts_dir" 2>&1 | tee "$logs/charts.log"
charts_ok=0
ls "$charts_dir"/figure9/*/*.png >/dev/null 2>&1 && charts_ok=1

echo "== shipped checkpoints, run from their binaries with nvcc removed from PATH"
no_nvcc_path=$(echo "$PATH" | tr ':' '\n' | while read -r d; do [ -n "$d" ] && [ ! -x "$d/nvcc" ] && printf '%s:' "$d"; done)
PATH="${no_nvcc_path%:}" ./ladder-ae checkpoints check 2>&1 | tee "$logs/checkpoints.log"
checkpoints_ok=0
grep -q "^all [0-9]* checkpoints passed" "$logs/checkpoints.log" && checkpoints_ok=1

echo "== GPU test suite"
cp=$(ls "$home"/tests/lib/*.jar "$home"/lib/*.jar | grep -v junit-platform-console-standalone | tr '\n' ':')
launcher=$(ls "$home"/tests/lib/junit-platform-console-standalone-*.jar | head -n 1)
# A private java.io.tmpdir (JCuda unpacks its JNI library there under a fixed name: concurrent runs must not share it).
jvm_tmp=$(mktemp -d "${TMPDIR:-/tmp}/ladder-ae-jvm.XXXXXX") || exit 1
trap 'rm -rf "$jvm_tmp"' EXIT
# GPUs to spread the test classes over: CUDA_VISIBLE_DEVICES's list, else every GPU nvidia-smi lists (GPU_CHECK_GPUS=N
# caps it; 1 runs everything on the first). Each GPU runs its share of the classes in a JVM of its own, heaviest first.
if [ -n "${CUDA_VISIBLE_DEVICES:-}" ]; then gpus=$(echo "$CUDA_VISIBLE_DEVICES" | tr ',' ' ')
else gpus=$(nvidia-smi -L 2>/dev/null | sed -n 's/^GPU \([0-9]*\):.*/\1/p' | tr '\n' ' '); fi
[ -z "$gpus" ] && gpus=0
gpus=$(echo $gpus | tr ' ' '\n' | head -n "${GPU_CHECK_GPUS:-64}" | tr '\n' ' ')
# The GPU-tagged test classes are the *GpuTest ones (the project's naming rule; RunnersWithoutGpuTest is a CPU test).
classes=$(cd "$home/tests/classes" && find . -name '*GpuTest.class' ! -name '*WithoutGpuTest.class' | sed 's|^\./||; s|\.class$||; s|/|.|g' | sort)
# Seconds each class's tests took on an H200 in session 6's final check (JUnit's per-test times summed, so the kernel
# builds of each class's set-up are not in them); unknown classes count 5. Only the balance depends on these: greedy,
# heaviest class to the least-loaded GPU.
plan=$(for c in $classes; do
    case $c in
        *.GemmGpuTest) w=166 ;; *.CnnExecutorGpuTest) w=155 ;; *.EncoderTorchGpuTest) w=61 ;; *.ShippedCheckpointsGpuTest) w=41 ;;
        *.ConvGpuTest) w=28 ;; *.LayerExecutorGpuTest) w=21 ;; *.GemvGpuTest) w=20 ;; *.EncoderExecutorGpuTest) w=12 ;;
        *.IntegerLinearGpuTest) w=10 ;; *.GemmVariantsGpuTest) w=8 ;; *.GemmTuningGpuTest) w=7 ;; *.GemmSkinnyTmaGpuTest) w=7 ;;
        *) w=5 ;;
    esac
    echo "$w $c"
done | sort -rn | awk -v gpus="$gpus" 'BEGIN { n = split(gpus, g, " "); for (i = 1; i <= n; i++) load[i] = 0 }
    { best = 1; for (i = 2; i <= n; i++) if (load[i] < load[best]) best = i; load[best] += $1; print g[best], $2 }')
for g in $gpus; do
    selectors=$(echo "$plan" | awk -v g="$g" '$1 == g { printf " --select-class %s", $2 }')
    [ -z "$selectors" ] && continue
    echo "GPU $g:$(echo "$selectors" | sed 's/ --select-class org\.ladderae\./ /g')"
    # testfeed streams one line per test; a hung test gets a thread dump (SIGQUIT) and is then killed.
    # shellcheck disable=SC2086
    CUDA_VISIBLE_DEVICES=$g timeout -s QUIT -k 10 "${GPU_TESTS_TIMEOUT_S:-540}" \
    "$java" -Djava.awt.headless=true --enable-native-access=ALL-UNNAMED -Djava.io.tmpdir="$jvm_tmp" -jar "$launcher" execute \
        --class-path "$home/tests/classes:$cp" $selectors --include-tag gpu \
        --config=junit.jupiter.execution.timeout.default=120s \
        --disable-banner --details=testfeed --reports-dir "$logs/junit-gpu$g" > "$logs/gpu-tests-gpu$g.log" 2>&1 &
done
wait
cat "$logs"/gpu-tests-gpu*.log > "$logs/gpu-tests.log"
# The sums over the GPUs' JVMs; each JVM must have reported (a killed one prints no summary).
count() { grep -Eh "^\[ +[0-9]+ tests $1 +\]" "$logs"/gpu-tests-gpu*.log | awk '{ s += $2 } END { print s + 0 }'; }
reported=$(grep -Elc "^\[ +[0-9]+ tests successful +\]" "$logs"/gpu-tests-gpu*.log | wc -l)
jvms=$(ls "$logs"/gpu-tests-gpu*.log | wc -l)
tests_ok=0
[ "$(count failed)" = 0 ] && [ "$(count successful)" -gt 0 ] && [ "$reported" = "$jvms" ] && tests_ok=1
echo "== GEMV benchmark (Figure 12 M0/M3, Figure 14 M0-M3 shapes; each kernel checked before it is timed)"
timeout -s QUIT -k 10 "${BENCH_TIMEOUT_S:-180}" ./ladder-ae bench gemv --figures 2>&1 | tee "$logs/bench-gemv.log"

echo
echo "== summary"
grep -E "^\[(ok|missing|warn)\] +(GPU|CUDA driver|GPU 0|copy bandwidth|headless charts|kernel builds)" "$logs/doctor.log" | sed 's/^/doctor: /'
grep -E "^(selftest on|copy bandwidth|kernel |vector_add|gemv|selftest (PASSED|FAILED)|ladder-ae:)" "$logs/selftest.log" | sed 's/^/selftest: /'
grep -E "^(GEMV on|copy bandwidth|point|fig1[24]|M=16)" "$logs/bench-gemv.log" | sed 's/^/bench: /'
grep -E "^(all [0-9]+ checkpoints passed|ladder-ae:)" "$logs/checkpoints.log" | sed 's/^/checkpoints (no nvcc): /'
echo "charts: figure9 drawn: $([ "$charts_ok" = 1 ] && echo yes || echo NO)"
echo "gpu tests: $(count successful) successful, $(count failed) failed, $(count skipped) skipped, $(count aborted) aborted ($reported of $jvms JVMs reported, GPUs $gpus)"
if [ "$selftest_ok" = 1 ] && [ "$tests_ok" = 1 ] && [ "$charts_ok" = 1 ] && [ "$checkpoints_ok" = 1 ]; then echo "GPU CHECK PASSED"; exit 0; fi
echo "GPU CHECK FAILED (selftest ok=$selftest_ok, charts ok=$charts_ok, checkpoints ok=$checkpoints_ok, gpu tests ok=$tests_ok; logs in $logs)"
exit 1
