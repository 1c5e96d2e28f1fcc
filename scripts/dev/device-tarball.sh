#!/bin/sh
# Repacks the distribution tarball for the GPU machine's 64 MiB carry limit (working tree included):
# xz instead of gzip (-4.5 MB) and without checkpoints/, which the working tree on the device already
# holds (link them in after unpacking). Not a release artefact: reviewers get target/*.tar.gz.
#   scripts/dev/device-tarball.sh [target/ladder-ae-*.tar.gz] -> .dist/ladder-ae-device.tar.xz
# On the device:  python3 -c 'import tarfile; tarfile.open(".dist/ladder-ae-device.tar.xz").extractall(".dist")'
#                 ln -s "$PWD/checkpoints" .dist/ladder-ae-0.1.0/checkpoints
set -e
src=${1:-$(ls target/ladder-ae-*-linux-x86_64.tar.gz | head -n 1)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -C "$tmp" -xzf "$src"
rm -rf "$tmp"/ladder-ae-*/checkpoints
mkdir -p .dist
rm -f .dist/ladder-ae-*.tar.gz
tar -C "$tmp" -cf - . | xz -T0 -6 > .dist/ladder-ae-device.tar.xz
ls -la .dist/ladder-ae-device.tar.xz
