#!/bin/sh
# One device call for the GEMM format pairs (branch gemm): GemmGpuTest (every pair vs the double reference),
# then bench gemm at Table 1 / Figure 12 M5 shapes with same-run cuBLAS ratios. Run from the unpacked distribution:
#   sh gemm-formats-run.sh OUTDIR
out=${1:-/tmp/gemm-out}
mkdir -p "$out"
home=$(pwd)
export LADDER_AE_HOME="$home"
java="$home/runtime/bin/java"
cp=$(ls "$home"/tests/lib/*.jar "$home"/lib/*.jar | grep -v junit-platform-console-standalone | tr '\n' ':')
launcher=$(ls "$home"/tests/lib/junit-platform-console-standalone-*.jar | head -n 1)
nvidia-smi --query-gpu=name,clocks.sm,temperature.gpu --format=csv,noheader > "$out/gpu.txt" 2>&1
echo "== GemmGpuTest"
timeout -s QUIT -k 5 "${TEST_S:-85}" "$java" -Djava.awt.headless=true --enable-native-access=ALL-UNNAMED -jar "$launcher" execute \
    --class-path "$home/tests/classes:$cp" --select-class org.ladderae.kernels.GemmGpuTest --include-tag gpu \
    --disable-banner --details=tree > "$out/gemm-gpu-test.log" 2>&1
grep -E "error|tests (successful|failed)|UNWRITTEN|✘" "$out/gemm-gpu-test.log" | tail -70
bench() {  # name, seconds, args...
    name=$1; secs=$2; shift 2
    echo "== bench gemm $*" >> "$out/bench.log"
    timeout -s QUIT -k 5 "$secs" ./ladder-ae bench gemm "$@" >> "$out/bench.log" 2>&1 || echo "(exit $?)" >> "$out/bench.log"
}
bench fp16 40 --weights fp16 --acts fp16 -m 16384 -n 16384 -k 16384
bench int8w 30 --weights int8 --acts int8 -m 16384 -n 16384 -k 16384 --path wgmma
bench e4m3 30 --weights e4m3 --acts e4m3 -m 16384 -n 16384 -k 16384
bench int8m 12 --weights int8 --acts int8 -m 16384 -n 16384 -k 16384 --path mma --no-baseline
bench nf4 30 --weights nf4 --acts fp16 -m 4096 -n 8192 -k 28672
for w in "fp8_e5m2 fp16" "int4 fp16" "int1 int8" "mxfp8 mxfp8"; do
    set -- $w
    bench "$1" 12 --weights "$1" --acts "$2" -m 4096 -n 8192 -k 28672 --no-baseline
done
echo "== bench summary"
grep -E "^== bench|^kernel|^check|^W_|^cuBLAS|FAILED|n/a|exit|Error|error" "$out/bench.log"
