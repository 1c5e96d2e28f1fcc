#!/bin/sh
# Repacks the distribution tarball for the GPU machine's 64 MiB carry limit (working tree included):
# xz instead of gzip, without checkpoints/ (the working tree on the device already holds them: link them in
# after unpacking), and with the runtime re-linked uncompressed (jlink --compress=zip-0): xz then packs the
# module image far better than the zip-9 image of the release (35.5 -> 21.0 MB). Not a release artefact:
# reviewers get target/*.tar.gz.
#   scripts/dev/device-tarball.sh [target/ladder-ae-*.tar.gz] -> .dist/ladder-ae-device.tar.xz
# On the device:  python3 -c 'import tarfile; tarfile.open(".dist/ladder-ae-device.tar.xz").extractall(".dist")'
#                 ln -s "$PWD/checkpoints" .dist/ladder-ae-0.1.0/checkpoints
set -e
src=${1:-$(ls target/ladder-ae-*-linux-x86_64.tar.gz | head -n 1)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -C "$tmp" -xzf "$src"
rm -rf "$tmp"/ladder-ae-*/checkpoints
rt=$(echo "$tmp"/ladder-ae-*/runtime)
jdk=${JLINK_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
modules=$(sed -n 's/^MODULES="\(.*\)"/\1/p' "$rt/release" | tr ' ' ',')
fonts=$(mktemp -d)
cp -a "$rt/lib/fonts" "$rt/lib/fontconfig" "$fonts"/ 2>/dev/null || true
rm -rf "$rt"
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=zip-0 --output "$rt"
strip --strip-unneeded "$rt/lib/server/libjvm.so"
cp -a "$fonts"/* "$rt/lib/" 2>/dev/null || true
rm -rf "$fonts"
mkdir -p .dist
rm -f .dist/ladder-ae-*.tar.gz
tar -C "$tmp" -cf - . | xz -T0 -6 > .dist/ladder-ae-device.tar.xz
ls -la .dist/ladder-ae-device.tar.xz
