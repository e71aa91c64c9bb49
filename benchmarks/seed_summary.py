"""Tables over several ``crossl evaluate`` results (e.g. one per pretraining seed): macro-F1 mean ±
population std over every run of each (model, probe protocol, features, label fraction, modalities).

    .venv/bin/python benchmarks/seed_summary.py docs/results/crossl-preset/*/results.json \\
        --out docs/results/crossl-preset/summary.md
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from crossl.experiments.report import label_efficiency_table, missing_modality_table
from crossl.experiments.summary import summarise
from crossl.io import write_text


def tagged_rows(paths: list[Path]) -> list[dict]:
    """Every evaluation row of the files, the model named with its probe protocol when that is
    not crossl's own, and with its pretraining data when that was the authors' (the labelled
    windows of the training and validation users)."""
    rows = []
    for path in paths:
        doc = json.loads(path.read_text())
        pretraining = doc["config"].get("pretrain_protocol", "crossl")
        for row in doc["evaluations"]:
            protocol = row.get("probe_protocol", "crossl")
            suffix = "" if protocol == "crossl" else f" [{protocol} protocol]"
            if pretraining != "crossl" and row["model"] != "random-init":
                suffix += f" [{pretraining} pretraining]"
            rows.append(row | {"model": row["model"] + suffix})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+", type=Path, help="results.json of crossl evaluate")
    parser.add_argument("--out", type=Path, required=True, help="the Markdown file to write")
    args = parser.parse_args()
    summary = summarise(tagged_rows(args.results))
    files = "\n".join(f"- `{p}`" for p in args.results)
    text = f"""macro-F1 on the test users, mean ± population std over pretraining × label seeds

{label_efficiency_table(summary)}

missing modalities at test time (macro-F1, 100 % labels, mean ± std over pretraining seeds)

{missing_modality_table(summary)}

from:

{files}
"""
    write_text(args.out, text)
    print(text)


if __name__ == "__main__":
    main()
