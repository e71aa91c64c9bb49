import itertools
import random
import re

import numpy as np
import pytest

from crossl.eval.embedding_map import tsne_points
from crossl.experiments.benchmark.answers import answer_blocks, answer_sentence
from crossl.experiments.benchmark.document import Paragraph
from crossl.experiments.benchmark.report import write_benchmark_report
from crossl.experiments.benchmark.summary import summarise_benchmark, write_summary_csv

ALL = ["acc", "gyro"]
VERSIONS = {"crossl": "0.1.0", "torch": "2.13.0"}
_cells = itertools.count()


def common(kind, method, seed, study="main", variant="", **extra):
    return {
        "kind": kind,
        "cell": f"cell-{next(_cells):03d}",
        "study": study,
        "method": method,
        "variant": variant,
        "pretrain_seed": seed,
        "dataset": "hapt",
        "config": {},
        "versions": VERSIONS,
        **extra,
    }


def ev(method, fraction, seed, f1, modalities=ALL, protocol="linear", probe="all-sensors", **kw):
    return common(
        "eval",
        method,
        seed,
        protocol=protocol,
        probe_training=probe,
        features="encoders",
        label_fraction=fraction,
        eval_seed=0,
        modalities=list(modalities),
        all_modalities=ALL,
        accuracy=f1 + 0.02,
        macro_f1=f1,
        balanced_accuracy=f1,
        cohen_kappa=f1 - 0.1,
        per_class_f1={"walk": f1, "sit": f1 - 0.1},
        n_train=10,
        n_test=10,
        hyper={"C": 0.1},
        seconds=2.0,
        **kw,
    )


def pair(method, fraction, a, b, **kw):
    """Two pretraining seeds of one grid point."""
    return [ev(method, fraction, 0, a, **kw), ev(method, fraction, 1, b, **kw)]


MAIN = [
    *pair("crossl", 0.01, 0.90, 0.92),  # 0.910 ± 0.010
    *pair("crossl", 1.0, 0.95, 0.97),  # 0.960 ± 0.010
    *pair("simclr", 0.01, 0.85, 0.89),  # 0.870 ± 0.020
    *pair("simclr", 1.0, 0.93, 0.93),  # 0.930 ± 0.000
    *pair("random-init", 0.01, 0.40, 0.50),
    *pair("random-init", 1.0, 0.60, 0.60),
    *pair("supervised", 0.01, 0.80, 0.84, protocol="finetune"),  # 0.820 ± 0.020
    *pair("supervised", 1.0, 0.94, 0.96, protocol="finetune"),
]
MISSING = [
    *pair("crossl", 1.0, 0.80, 0.82, modalities=["acc"]),  # 0.810: -0.150
    *pair("crossl", 1.0, 0.70, 0.70, modalities=["gyro"]),  # 0.700: -0.260
    *pair("simclr", 1.0, 0.70, 0.72, modalities=["acc"]),  # 0.710: -0.220
    *pair("simclr", 1.0, 0.60, 0.60, modalities=["gyro"]),  # 0.600: -0.330
    *pair("crossl", 1.0, 0.88, 0.88, modalities=["acc"], probe="refit"),  # -0.080
    *pair("simclr", 1.0, 0.80, 0.80, modalities=["acc"], probe="refit"),  # -0.130
]
MASKING = [
    r
    for f in (0.01, 1.0)
    for v, a in (("spatial@0.25", 0.88), ("spatial@0.5", 0.84))
    for r in pair("crossl", f, a, a + 0.02, study="masking", variant=v)
]
PRETRAIN = [
    common(
        "pretrain",
        "crossl",
        0,
        history=[
            {"epoch": float(e), "train_loss": 3.0 - e, "online_macro_f1": 0.5 + 0.1 * e}
            for e in range(3)
        ],
        seconds=100.0,
        windows_per_second=500.0,
        final_loss=1.0,
        train_windows=5000,
    )
]
_rng = np.random.default_rng(0)
EMBEDDING = [
    common(
        "embedding",
        "crossl",
        0,
        features="aggregator",
        points=np.round(_rng.normal(size=(20, 2)), 3).tolist(),
        labels=[0] * 10 + [1] * 10,
        class_names=["walk", "sit"],
    )
]
RECORDS = MAIN + MISSING + MASKING + PRETRAIN + EMBEDDING


def entry(summary, **fields):
    (match,) = [e for e in summary if all(e[k] == v for k, v in fields.items())]
    return match


def test_summary_means_and_population_stds_over_seeds():
    summary = summarise_benchmark(RECORDS)
    crossl = entry(summary, method="crossl", study="main", label_fraction=0.01, modalities=ALL)
    assert crossl["n"] == 2
    assert crossl["macro_f1_mean"] == pytest.approx(0.91)
    assert crossl["macro_f1_std"] == pytest.approx(0.01)
    assert crossl["accuracy_mean"] == pytest.approx(0.93)
    assert crossl["cohen_kappa_mean"] == pytest.approx(0.81)
    refit = entry(summary, method="simclr", probe_training="refit", modalities=["acc"])
    assert refit["macro_f1_std"] == pytest.approx(0.0)
    assert len(summary) == 18  # 8 main + 6 missing + 4 masking grid points; no pretrain/embedding
    keys = [tuple(tuple(v) if isinstance(v, list) else v for v in e.values()) for e in summary]
    assert keys == sorted(keys)
    assert [e["label_fraction"] for e in summary if e["study"] == "masking"] == [0.01, 1.0] * 2


def test_summary_csv_numbers_and_order_independence(tmp_path):
    first = write_summary_csv(summarise_benchmark(RECORDS), tmp_path / "a.csv")
    shuffled = RECORDS[:]
    random.Random(1).shuffle(shuffled)
    second = write_summary_csv(summarise_benchmark(shuffled), tmp_path / "b.csv")
    assert first.read_bytes() == second.read_bytes()
    lines = first.read_text().splitlines()
    assert lines[0].startswith("study,method,variant,dataset,protocol,probe_training,features,")
    assert (
        "main,crossl,,hapt,linear,all-sensors,encoders,0.0100,acc+gyro,2,"
        "0.9300,0.0100,0.9100,0.0100,0.9100,0.0100,0.8100,0.0100"
    ) in lines


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("benchmark")
    shuffled = RECORDS[:]
    random.Random(0).shuffle(shuffled)
    path = write_benchmark_report(shuffled, out, "crossl benchmark --out DIR", "Benchmark")
    return out, path.read_text()


def test_answer_sentence_is_generated_from_the_numbers(report):
    _, md = report
    assert (
        "With the linear protocol at 1 % labels, crossl (0.910 ± 0.010) is ahead of supervised "
        "(0.820 ± 0.020) by 0.090 and ahead of the best other self-supervised method, "
        "simclr (0.870 ± 0.020), by 0.040."
    ) in md
    assert "| 1 % | crossl | 0.910 ± 0.010 | +0.090 | simclr (0.870 ± 0.020) | +0.040 |" in md
    assert (
        "| 1 % | supervised (finetune) | 0.820 ± 0.020 | – | crossl (0.910 ± 0.010) | -0.090 |"
        in md
    )
    # the fine-tuning protocol (only the baseline here) gets its table and a missing-result note
    assert "With the finetune protocol at 1 % labels, crossl has no result." in md


def test_answer_sentences_say_behind_and_missing():
    blocks = answer_blocks(summarise_benchmark(MAIN), focus="simclr")
    text = [b.text for b in blocks if isinstance(b, Paragraph)]
    assert (
        "With the linear protocol at 1 % labels, simclr (0.870 ± 0.020) is ahead of supervised "
        "(0.820 ± 0.020) by 0.050 and behind the best other self-supervised method, "
        "crossl (0.910 ± 0.010), by 0.040."
    ) in text
    e = {"macro_f1_mean": 0.5, "macro_f1_std": 0.0}
    assert answer_sentence("m", e, None, ("o", e), "knn", 0.1) == (
        "With the knn protocol at 10 % labels, m (0.500 ± 0.000) has no supervised result at this "
        "label fraction to compare with and is level with the best other self-supervised "
        "method, o (0.500 ± 0.000)."
    )


def test_missing_modality_drops(report):
    _, md = report
    assert "| crossl | 0.960 ± 0.010 | 0.810 ± 0.010 (-0.150) | 0.700 ± 0.000 (-0.260) |" in md
    assert "| simclr | 0.930 ± 0.000 | 0.710 ± 0.010 (-0.220) | 0.600 ± 0.000 (-0.330) |" in md
    # refit probes are compared with the all-sensors probe, nothing being absent there
    assert "| crossl | 0.960 ± 0.010 | 0.880 ± 0.000 (-0.080) |" in md
    assert "With only acc present, the largest drop is simclr's (-0.220)" in md


def test_tables_figures_and_self_contained_html(report):
    out, md = report
    assert "crossl benchmark --out DIR" in md and "Versions: crossl 0.1.0, torch 2.13.0." in md
    assert "Grid: 36 evaluation results, 1 pretraining, 1 embedding map;" in md
    # 36 evaluations × 2 s + 100 s pretraining; the embedding record has no time
    assert "Compute: 172.0 s (0.05 h) in total: 100.0 s pretrain, 72.0 s eval." in md
    assert "| crossl | 0.910 ± 0.010 (2) | 0.960 ± 0.010 (2) |" in md  # label efficiency
    assert "| spatial | 0.25 | 0.890 ± 0.010 (2) | 0.890 ± 0.010 (2) |" in md  # masking
    assert "| main | crossl |  | hapt | 0 | 100.0 | 500 | 1.0000 | 0.700 |" in md
    assert "| method | walk | sit |" in md and "| crossl | 0.960 ± 0.010 | 0.860 ± 0.010 |" in md
    pngs = ["missing_modalities", "label_efficiency", "masking", "pretraining", "embeddings"]
    for name in pngs:
        assert (out / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"({name}.png)" in md
    html = (out / "report.html").read_text()
    links = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert len(links) == len(pngs) and all(u.startswith("data:image/png;base64,") for u in links)
    assert "<table>" in html and "0.910 ± 0.010" in html
    assert (out / "summary.csv").exists()


def test_main_study_only_leaves_out_empty_sections(tmp_path):
    linear = [r for r in MAIN if r["protocol"] == "linear"]
    md = write_benchmark_report(linear, tmp_path, "crossl benchmark", "A & B <x>").read_text()
    assert "## Answers" in md and "## Label efficiency" in md
    for absent in ("Masking", "t-SNE", "sensor is missing", "Pretraining", "Transfer"):
        assert absent not in md
    assert "no supervised result" in md
    assert sorted(p.name for p in tmp_path.glob("*.png")) == ["label_efficiency.png"]
    html = (tmp_path / "report.html").read_text()
    assert "<title>A &amp; B &lt;x&gt;</title>" in html
    headings = re.findall(r"^#+ .*$", md, flags=re.M)
    for heading in headings:  # every heading has content before the next one of its level
        level = heading.split()[0]
        following = md.split(heading + "\n", 1)[1].lstrip()
        assert not following.startswith(level + " ")


def test_compute_time_counts_each_cell_once(tmp_path):
    a, b = pair("crossl", 1.0, 0.9, 0.9)
    c = a | {"modalities": ["acc"]}  # one job's result for another test subset: same cell, time
    md = write_benchmark_report([a, b, c], tmp_path, "c", "t").read_text()
    assert "Grid: 3 evaluation results" in md and "Compute: 4.0 s" in md


def test_tsne_points_are_seeded_and_subsampled():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 1, (40, 6)), rng.normal(5, 1, (40, 6))])
    y = np.repeat([0, 1], 40)
    a = tsne_points(x, y, seed=3, max_points=50)
    assert a == tsne_points(x, y, seed=3, max_points=50)
    points, labels = a
    assert len(points) == len(labels) == 50 and set(labels) == {0, 1}
    assert all(round(v, 3) == v for p in points for v in p)
    assert tsne_points(x, y, seed=4, max_points=50) != a
    with pytest.raises(ValueError, match="one label per row"):
        tsne_points(x, y[:-1], seed=0)


def test_masking_study_with_a_sensor_absent_gets_its_own_figure(tmp_path):
    absent = [
        r
        for v, a in (("spatial@0.25", 0.6), ("spatial@0.5", 0.7), ("paired@0.5", 0.8))
        for probe in ("all-sensors", "refit")
        for r in pair("crossl", 1.0, a, a + 0.02, study="masking", variant=v, modalities=["acc"])
        if r.update(probe_training=probe) is None
    ]
    write_benchmark_report(MASKING + absent, tmp_path, "crossl benchmark --out DIR", "t")
    md = (tmp_path / "report.md").read_text()
    assert "(masking_missing.png)" in md
    assert (tmp_path / "masking_missing.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # the all-sensor masking table is unchanged by the absent-sensor records
    assert "| spatial | 0.25 | 0.890 ± 0.010 (2) | 0.890 ± 0.010 (2) |" in md
