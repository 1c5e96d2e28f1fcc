#!/usr/bin/env python3
"""Ships tuned checkpoints: copies every checkpoint under SRC (a reproduction's run-dir checkpoints/, e.g. table2's
conv winners) into DST (checkpoints/), first removing the checkpoints of DST for the same operator, arch, formats and
stage (shape) that it replaces, whatever their kernel. Prints one line per replacement.

  python3 scripts/dev/install_checkpoints.py RUN_DIR/checkpoints checkpoints
"""
import json, os, shutil, sys


def manifests(root):
    for dirpath, dirs, files in os.walk(root):
        if "manifest.json" in files:
            with open(os.path.join(dirpath, "manifest.json")) as f:
                yield dirpath, json.load(f)


def key(m):
    return (m["operator"], m["arch"], m["weight_format"], m["activation_format"], m["stage"])


def main(src, dst):
    existing = {}
    for d, m in manifests(dst):
        existing.setdefault(key(m), []).append(d)
    n = 0
    for d, m in manifests(src):
        target = os.path.join(dst, m["arch"], m["name"])
        for old in existing.get(key(m), []):
            if os.path.abspath(old) != os.path.abspath(target):
                print(f"replace {os.path.basename(old)} -> {m['name']}")
                shutil.rmtree(old)
        if os.path.exists(target): shutil.rmtree(target)
        shutil.copytree(d, target)
        n += 1
    print(f"installed {n} checkpoints from {src} into {dst}")


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
