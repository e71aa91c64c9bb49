from crossl.experiments.report import (
    label_efficiency_table,
    missing_modality_table,
    write_report,
)
from crossl.experiments.summary import summarise


def row(model, fraction, seed, f1, modalities=("acc", "gyro"), protocol="linear"):
    return {
        "model": model,
        "protocol": protocol,
        "features": "encoders",
        "label_fraction": fraction,
        "seed": seed,
        "modalities": list(modalities),
        "accuracy": f1,
        "macro_f1": f1,
        "n_train": 1,
        "n_test": 1,
    }


ROWS = [
    row("crossl", 0.01, 0, 0.80),
    row("crossl", 0.01, 1, 0.90),
    row("crossl", 1.0, 0, 0.95),
    row("crossl", 1.0, 0, 0.70, ("acc",)),
    row("crossl", 1.0, 0, 0.60, ("gyro",)),
    row("crossl", 1.0, 0, 0.95, protocol="linear-refit"),
    row("crossl", 1.0, 0, 0.80, ("acc",), protocol="linear-refit"),
    row("crossl", 1.0, 0, 0.94, protocol="linear-dropout"),
    row("crossl", 1.0, 0, 0.85, ("gyro",), protocol="linear-dropout"),
    row("supervised", 0.01, 0, 0.50, protocol="end-to-end"),
    row("supervised", 1.0, 0, 0.93, protocol="end-to-end"),
]


def test_tables_show_mean_and_std_over_seeds():
    summary = summarise(ROWS)
    table = label_efficiency_table(summary)
    assert "| crossl (encoders) | 0.850 ± 0.050 | 0.950 |" in table
    assert "| supervised | 0.500 | 0.930 |" in table
    missing = missing_modality_table(summary)
    assert "| crossl (encoders) | 0.950 | 0.700 | 0.600 |" in missing
    assert "| crossl (encoders, probe refit) | 0.950 | 0.800 | – |" in missing
    assert "| crossl (encoders, probe with drop-out) | 0.940 | – | 0.850 |" in missing
    assert "| supervised | 0.930 | – | – |" in missing
    assert "refit" not in table and "drop-out" not in table


def test_report_and_plots_are_written(tmp_path):
    doc = {
        "method": "crossl",
        "dataset": "hapt",
        "crossl_version": "0",
        "seed": 0,
        "config": {"batch_size": 8, "masking_strategy": "spatial", "masking_ratio": 0.1},
        "pretrain": {
            "epochs": 1,
            "train_windows": 10,
            "seconds": 1.0,
            "windows_per_second": 10.0,
            "final_loss": 1.0,
        },
        "evaluations": ROWS,
    }
    path = write_report(doc, tmp_path, "crossl demo")
    text = path.read_text()
    assert "0.850 ± 0.050" in text and "![label efficiency](label_efficiency.png)" in text
    for png in ("label_efficiency.png", "missing_modalities.png"):
        assert (tmp_path / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
