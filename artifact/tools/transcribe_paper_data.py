#!/usr/bin/env python3
"""Transcribes the shared paper data (shared/paper/*.json, distilled from microsoft/BitBLAS
branch osdi24_ladder_artifact) into ladder-ae's own paper-data format (artifact/paper-data/).

Why a script: the transcription must be repeatable and reviewable. Every number is copied, never
edited; what changes is the shape: each logged data set (the paper's numbers, the authors' own
V100 runs, the A100 originals) becomes one entry of "datasets" with an id a user can pass to
--dataset and the device its numbers were really measured on.

Usage: python3 artifact/tools/transcribe_paper_data.py [SHARED_PAPER_DIR] [OUT_DIR]
"""
import hashlib
import json
import pathlib
import sys

EXPERIMENTS = ["figure9", "figure11", "figure12", "figure13", "figure14", "table1", "table2"]

# id in shared/ -> (our dataset id, device the numbers were measured on)
OTHER_DATASETS = {
    "v100_reproduce_result": ("v100-reproduce", "V100"),
    "a100_paper_result": ("a100-paper", "A100"),
    "a100_reproduced": ("a100-reproduce", "A100"),
    "readme_table": ("readme-table", "A100"),
}

# Device of the top-level ("paper") numbers, from each file's device_of_numbers and EXPERIMENTS.md §0.
PAPER_DEVICE = {
    "figure9": "V100",
    "figure11": "A100",   # V100 folder's copy of the A100 data, partly zeroed
    "figure12": "A100",
    "figure13": "A100",
    "figure14": "A100",
    "table1": "per panel",  # V100, A100 and MI250 panels, each carrying its own device
    "table2": "A100",
}

PANEL_KEYS = ["id", "title", "workload", "device", "setting", "x", "x_plain", "plotted_x",
              "x_settings", "x_shapes", "x_formats", "peak_tflops_used", "provenance"]
SERIES_KEYS = ["name", "plain_name", "system", "weight_format", "activation_format", "stage",
               "values", "null_reason", "raw"]


def copy_keys(obj, keys):
    unknown = set(obj) - set(keys) - {"series"}
    if unknown:
        raise SystemExit(f"unexpected keys {sorted(unknown)} in {obj.get('id') or obj.get('name')}")
    return {k: obj[k] for k in keys if k in obj}


def panels(src):
    out = []
    for p in src:
        panel = copy_keys(p, PANEL_KEYS)
        panel["series"] = [copy_keys(s, SERIES_KEYS) for s in p["series"]]
        out.append(panel)
    return out


def transcribe(shared_dir: pathlib.Path, name: str) -> dict:
    path = shared_dir / f"{name}.json"
    raw = path.read_bytes()
    d = json.loads(raw)
    datasets = [{
        "id": "paper",
        "label": f"paper numbers ({d['device_of_numbers']})",
        "device": PAPER_DEVICE[name],
        "device_note": d["device_of_numbers"],
        "source": d["source"],
        "provenance": d["provenance"],
        "panels": panels(d["panels"]),
    }]
    for o in d.get("other_datasets", []):
        our_id, device = OTHER_DATASETS[o["id"]]
        datasets.append({
            "id": our_id,
            "label": o["label"],
            "device": device,
            "device_note": o["label"],
            "source": o["source"],
            "provenance": o["provenance"],
            "panels": panels(o["panels"]),
        })
    out = {
        "schema": "ladder-ae/paper-data/v1",
        "experiment": d["experiment"],
        "paper_figure": d["paper_figure"],
        "title": d["title"],
        "artifact_folder_device": d["device"],
        "metric": d["metric"],
        "unit": d["unit"],
        "lower_is_better": d["lower_is_better"],
        "layout": d["plot"],
        "transcribed_from": {
            "file": f"shared/paper/{name}.json",
            "sha256": hashlib.sha256(raw).hexdigest(),
            "by": "artifact/tools/transcribe_paper_data.py",
            "upstream": "microsoft/BitBLAS, branch osdi24_ladder_artifact, commit "
                        "8dc7a39263d28735d19c9f361b9558fa5e2b0d4e (see EXPERIMENTS.md)",
        },
        "datasets": datasets,
    }
    if "raw_measurements" in d:
        out["raw_measurements"] = d["raw_measurements"]
    return out


def main():
    here = pathlib.Path(__file__).resolve().parent
    shared_dir = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else here.parents[2] / "shared" / "paper"
    out_dir = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else here.parent / "paper-data"
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in EXPERIMENTS:
        text = json.dumps(transcribe(shared_dir, name), indent=1, ensure_ascii=False) + "\n"
        (out_dir / f"{name}.json").write_text(text, encoding="utf-8")
        print(f"wrote {out_dir / (name + '.json')}")
    (out_dir / "EXPERIMENTS.md").write_bytes((shared_dir / "EXPERIMENTS.md").read_bytes())


if __name__ == "__main__":
    main()
