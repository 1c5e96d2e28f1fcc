#!/bin/sh
# The one command for the GPU machine, run from the unpacked distribution (no JDK, no Maven needed):
#   tar xzf ladder-ae-*-linux-x86_64.tar.gz && cd ladder-ae-*/ && ./scripts/gpu-check.sh
# Runs doctor, selftest and the gpu-tagged test suite, then prints a short summary last.
# Exit status: 0 when selftest and the GPU tests pass.
cd "$(dirname "$0")/.." || exit 1
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
# testfeed streams one line per test; a hung test gets a thread dump (SIGQUIT) and is then killed.
timeout -s QUIT -k 10 "${GPU_TESTS_TIMEOUT_S:-540}" \
"$java" -Djava.awt.headless=true --enable-native-access=ALL-UNNAMED -jar "$launcher" execute \
    --class-path "$home/tests/classes:$cp" --scan-class-path "$home/tests/classes" --include-tag gpu \
    --config=junit.jupiter.execution.timeout.default=120s \
    --disable-banner --details=testfeed --reports-dir "$logs/junit" 2>&1 | tee "$logs/gpu-tests.log"
tests_ok=0
grep -Eq "^\[ +0 tests failed +\]" "$logs/gpu-tests.log" && grep -Eq "^\[ +[1-9][0-9]* tests successful +\]" "$logs/gpu-tests.log" && tests_ok=1

echo "== GEMV benchmark (Figure 12 M0/M3, Figure 14 M0-M3 shapes; each kernel checked before it is timed)"
timeout -s QUIT -k 10 "${BENCH_TIMEOUT_S:-180}" ./ladder-ae bench gemv --figures 2>&1 | tee "$logs/bench-gemv.log"

echo
echo "== summary"
grep -E "^\[(ok|missing|warn)\] +(GPU|CUDA driver|GPU 0|copy bandwidth|headless charts|kernel builds)" "$logs/doctor.log" | sed 's/^/doctor: /'
grep -E "^(selftest on|copy bandwidth|kernel |vector_add|gemv|selftest (PASSED|FAILED)|ladder-ae:)" "$logs/selftest.log" | sed 's/^/selftest: /'
grep -E "^(GEMV on|copy bandwidth|point|fig1[24]|M=16)" "$logs/bench-gemv.log" | sed 's/^/bench: /'
grep -E "^(all [0-9]+ checkpoints passed|ladder-ae:)" "$logs/checkpoints.log" | sed 's/^/checkpoints (no nvcc): /'
echo "charts: figure9 drawn: $([ "$charts_ok" = 1 ] && echo yes || echo NO)"
grep -E "tests (successful|failed|skipped|aborted)" "$logs/gpu-tests.log" | tr -s ' ' | sed 's/^/gpu tests: /'
if [ "$selftest_ok" = 1 ] && [ "$tests_ok" = 1 ] && [ "$charts_ok" = 1 ] && [ "$checkpoints_ok" = 1 ]; then echo "GPU CHECK PASSED"; exit 0; fi
echo "GPU CHECK FAILED (selftest ok=$selftest_ok, charts ok=$charts_ok, checkpoints ok=$checkpoints_ok, gpu tests ok=$tests_ok; logs in $logs)"
exit 1
