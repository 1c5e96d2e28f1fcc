#!/usr/bin/env bash
# Builds target/ladder-ae-<version>-linux-x86_64.tar.gz: a self-contained distribution that runs where
# no JDK is installed (the GPU machine). Called by `mvn -Pdist package -DskipTests` after the jar,
# target/lib and target/test-lib exist; runnable by hand the same way for debugging.
#
# Runtime: jlink of the modules jdeps finds. Default JDK is Temurin 25, because its libfontmanager
# bundles freetype (and harfbuzz), while Debian's OpenJDK 17 links the system libfreetype, harfbuzz,
# glib, ... that a bare GPU image may lack. The app is compiled with --release 17, so either works;
# set JLINK_JDK to choose another JDK.
set -euo pipefail
version=${1:?usage: build-dist.sh VERSION}
cd "$(dirname "$0")/.."
root=$(pwd)
name=ladder-ae-$version
stage=target/dist/$name
tarball=target/$name-linux-x86_64.tar.gz

jdk=${JLINK_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
[ -x "$jdk/bin/jlink" ] || jdk=${JAVA_HOME:?set JLINK_JDK or JAVA_HOME to a JDK with jlink}
jar=target/$name.jar
[ -f "$jar" ] || { echo "build-dist: $jar missing: run mvn package first" >&2; exit 1; }

rm -rf target/dist "$tarball"
mkdir -p "$stage/lib" "$stage/tests/lib" "$stage/kernels" "$stage/scripts"

cp "$jar" target/lib/*.jar "$stage/lib/"
# JNA (TMA descriptors through libcuda) carries its native dispatcher for ~25 platforms; this tarball is
# Linux x86-64 only, so the others go (1.7 MB of a tarball that must travel in 64 MiB with the tree).
for jna in "$stage"/lib/jna-*.jar; do
    [ -f "$jna" ] || continue
    others=$(unzip -Z1 "$jna" | grep -E '^com/sun/jna/[^/]+/.+' | grep -v '^com/sun/jna/linux-x86-64/' | grep -v '\.class$' || true)
    [ -n "$others" ] && zip -q -d "$jna" $others
done
# JCuda's natives jar carries NVRTC, the PTX compiler and the runtime API bindings too (24 MB of its
# 33): the project uses only the driver API, so the distribution keeps only libJCudaDriver.
natives=$(ls "$stage"/lib/jcuda-natives-*.jar)
rm -rf target/dist-natives && mkdir -p target/dist-natives
(cd target/dist-natives && unzip -q "$root/$natives" && find . -name '*.so' ! -name 'libJCudaDriver-*' -delete \
    && rm -f "$root/$natives" && zip -q -r -9 "$root/$natives" .)

# Modules: what jdeps finds in the app and its libraries (and the test launcher, which runs there too),
# plus modules libraries use reflectively (jdk.unsupported: pdfbox unmaps files through sun.misc.Unsafe).
app_jars=("$jar" target/lib/*.jar)
test_jars=(target/test-lib/*.jar)
modules=$("$jdk/bin/jdeps" --ignore-missing-deps --print-module-deps --multi-release 17 \
    --class-path "$(IFS=:; echo "${app_jars[*]}:${test_jars[*]}")" "${app_jars[@]}" "${test_jars[@]}" 2>/dev/null | tail -n 1)
modules="$modules,jdk.zipfs,jdk.crypto.ec,jdk.unsupported"
echo "build-dist: jlink modules: $modules"
java_feature=$("$jdk/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
if [ "${java_feature%%.*}" -ge 21 ]; then compress=zip-9; else compress=2; fi
# Native debug symbols are most of libjvm.so's size.
strip_native=
command -v objcopy >/dev/null 2>&1 && strip_native="--strip-native-debug-symbols=objcopy=$(command -v objcopy)"
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
    $strip_native --compress="$compress" --output "$stage/runtime"

# jlink leaves libjvm's symbol table (Temurin: 30 MB); the JVM needs only its dynamic symbols.
command -v strip >/dev/null 2>&1 && strip --strip-unneeded "$stage/runtime/lib/server/libjvm.so"

# Fonts inside the runtime: headless charts need a font even where the system has none.
if [ -d /usr/share/fonts/truetype/dejavu ]; then
    mkdir -p "$stage/runtime/lib/fonts"
    cp /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf \
       /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf "$stage/runtime/lib/fonts/"
    # A machine with fontconfig but no fonts fails with "Fontconfig head is null" (seen on the GPU
    # machine); the launcher points FONTCONFIG_FILE here: the system's config plus these fonts.
    cat > "$stage/runtime/lib/fonts/fonts.conf" <<'CONF'
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir prefix="relative">.</dir>
</fontconfig>
CONF
fi
# fontconfig: the JDK dlopens libfontconfig.so.1 for fonts; without it (the GPU machine's image) every
# chart fails with "Fontconfig head is null". Bundle it with its dependencies; the launcher puts this
# directory on LD_LIBRARY_PATH only where the system has no libfontconfig.so.1.
# (awk reads to the end: an early exit would SIGPIPE ldconfig and fail the script under pipefail.)
fc=$(ldconfig -p 2>/dev/null | awk '!f && /libfontconfig\.so\.1 .*x86-64/ {f = $NF} END {print f}')
if [ -n "$fc" ]; then
    mkdir -p "$stage/runtime/lib/fontconfig"
    for lib in "$fc" $(ldd "$fc" | awk '/=> \// {print $3}' | grep -v -E '/(libc|libm|libdl|libpthread|librt)\.so'); do
        cp -L "$lib" "$stage/runtime/lib/fontconfig/$(basename "$lib")"
    done
    echo "build-dist: bundled fontconfig: $(ls "$stage/runtime/lib/fontconfig" | tr '\n' ' ')"
fi
# Non-glibc libraries the runtime's AWT links that are not bundled (none with Temurin; several with Debian's 17).
missing=$(ldd "$stage/runtime/lib/libfontmanager.so" | awk '/=> \/(usr\/)?lib/ {print $3}' \
    | grep -v -E '/(libc|libm|libdl|libpthread|librt|libgcc_s|libstdc\+\+)\.so' || true)
for lib in $missing; do cp -L "$lib" "$stage/runtime/lib/"; echo "build-dist: bundled $lib"; done

# Kernel sources, and cubins prebuilt for the usual GPUs so kernels load where nvcc is absent.
cp -r src/main/resources/kernels/. "$stage/kernels/"
if command -v nvcc >/dev/null 2>&1; then
    for arch in sm_90a sm_80; do
        LADDER_AE_CACHE="$root/$stage/kernels/prebuilt" ./ladder-ae selftest --build-only "$arch"
    done
else
    echo "build-dist: no nvcc here: the distribution ships kernel sources only" >&2
fi

# GPU test suite, runnable without Maven (scripts/gpu-check.sh): test classes, AssertJ and JUnit's
# console launcher (AssertJ's byte-buddy is left out: only soft assertions need it, 9 MB).
cp -r target/test-classes "$stage/tests/classes"
cp target/test-lib/*.jar "$stage/tests/lib/"

cp ladder-ae README.md LICENSE "$stage/"
cp scripts/*.sh "$stage/scripts/"
cp -r scripts/quickstart "$stage/scripts/quickstart"   # the quick start's export script runs on the GPU machine
cp -r checkpoints "$stage/checkpoints"
find "$stage" -name __pycache__ -type d -prune -exec rm -rf {} +
chmod +x "$stage/ladder-ae" "$stage"/scripts/*.sh

tar -C target/dist -czf "$tarball" "$name"
size=$(stat -c %s "$tarball")
echo "build-dist: $tarball ($((size / 1024 / 1024)) MiB)"
if [ "$size" -ge $((60 * 1024 * 1024)) ]; then echo "build-dist: tarball is over 60 MB" >&2; exit 1; fi
