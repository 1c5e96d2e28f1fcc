#!/bin/sh
# Runs chosen GPU test classes from the unpacked distribution (no JDK, no Maven), e.g.
#   ./scripts/gpu-tests.sh org.ladderae.executor.LayerExecutorGpuTest org.ladderae.kernels.GemvGpuTest
# (scripts/gpu-check.sh runs them all). Prints one line per test and the JUnit summary; exit 0 when all pass.
cd "$(dirname "$0")/.." || exit 1
home=$(pwd)
export LADDER_AE_HOME="$home"
java="$home/runtime/bin/java"
[ -x "$java" ] || java=${JAVA_HOME:+$JAVA_HOME/bin/}java
[ $# -gt 0 ] || { echo "usage: $0 TEST_CLASS..." >&2; exit 2; }
cp=$(ls "$home"/tests/lib/*.jar "$home"/lib/*.jar | grep -v junit-platform-console-standalone | tr '\n' ':')
launcher=$(ls "$home"/tests/lib/junit-platform-console-standalone-*.jar | head -n 1)
# A private java.io.tmpdir (JCuda unpacks its JNI library there under a fixed name: concurrent runs must not share it).
jvm_tmp=$(mktemp -d "${TMPDIR:-/tmp}/ladder-ae-jvm.XXXXXX") || exit 1
trap 'rm -rf "$jvm_tmp"' EXIT
selectors=""
for c in "$@"; do selectors="$selectors --select-class $c"; done
# shellcheck disable=SC2086
timeout -s QUIT -k 10 "${GPU_TESTS_TIMEOUT_S:-540}" \
"$java" -Djava.awt.headless=true --enable-native-access=ALL-UNNAMED -Djava.io.tmpdir="$jvm_tmp" -jar "$launcher" execute \
    --class-path "$home/tests/classes:$cp" $selectors --include-tag gpu \
    --config=junit.jupiter.execution.timeout.default=120s --disable-banner --details=tree 2>&1
