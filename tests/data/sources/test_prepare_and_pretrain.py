"""``crossl datasets prepare`` then ``crossl pretrain dataset=NAME data.root=CACHE`` on small files
written in each dataset's raw format."""

import json

import numpy as np
import pytest
from own_files import walk_sit_spec, write_npz, write_table
from small_raw_datasets import write_pamap2, write_sleepedf, write_wesad
from uci_har_files import har_part, write_uci_har
from uea_files import write_uea_problem
from wesad_files import wesad_subject_data, write_wesad_subject

from crossl.cli import main
from crossl.data.cache.folder import DatasetCache


def pamap2(root):
    write_pamap2(root)
    return root, []


def wesad(root):
    write_wesad(root)
    return root, []


def sleepedf(root):
    write_sleepedf(root)
    return root, []


def ucihar(root):
    return write_uci_har(root, har_part(40, 0), har_part(16, 1)), []


def uea(root):
    rng = np.random.default_rng(0)
    cases = [rng.normal(size=(6, 32)) for _ in range(24)]
    labels = ["a", "b", "c"] * 8
    folder = write_uea_problem(root, "Toy", (cases[:16], labels[:16]), (cases[16:], labels[16:]))
    return folder, ["channels={acc: [0, 1, 2], gyro: [3, 4, 5]}"]


def npz(root):
    rng = np.random.default_rng(0)
    root.mkdir()
    signals = {"a": rng.normal(size=(40, 3, 32)), "b": rng.normal(size=(40, 2, 16))}
    write_npz(root / "w.npz", signals, np.arange(40) % 3, np.arange(40) // 8)
    return root, ["rate_hz=16"]


def table(root):
    root.mkdir()
    n = 200
    for s in range(5):
        t = np.arange(n) / 10.0
        write_table(
            root / f"s{s}.csv",
            {
                "subject": [s] * n,
                "time": t,
                "ax": np.sin(t + s),
                "ay": np.cos(t),
                "az": t % 1.0,
                "activity": ["walk"] * (n // 2) + ["sit"] * (n // 2),
            },
        )
    return root, [f"spec={walk_sit_spec(root.parent / 'spec.yaml', 3.2, 1.6)}"]


@pytest.mark.parametrize("writer", [pamap2, wesad, sleepedf, ucihar, uea, npz, table])
def test_prepare_then_pretrain_from_the_cache(writer, tmp_path, capsys):
    name = writer.__name__
    raw, options = writer(tmp_path / "raw")
    cache = tmp_path / "cache"
    assert (
        main(
            [
                "datasets",
                "prepare",
                name,
                "--raw",
                str(raw),
                "--out",
                str(cache),
                "--no-progress",
                *options,
            ]
        )
        == 0
    )
    assert f"{name}: " in capsys.readouterr().out
    n = len(DatasetCache(cache))
    assert n > 0
    out = tmp_path / "run"
    args = [
        "pretrain",
        "--out",
        str(out),
        "--no-progress",
        f"dataset={name}",
        f"data.root={cache}",
        "epochs=1",
        "batch_size=8",
        "online_probe=false",
    ]
    assert main(args) == 0
    summary = json.loads((out / "results.json").read_text())
    assert summary["config"]["data"]["root"] == str(cache)
    assert (out / "last.ckpt").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["pamap2", "--raw", "{tmp}/nowhere"], "does not exist"),
        (["pamap2", "--raw", "{tmp}", "bogus=1"], "has no option 'bogus'"),
        (["nosuch", "--raw", "{tmp}"], "unknown dataset 'nosuch'"),
        (["pamap2", "--raw", "{tmp}"], "holds none of the files"),
        (["pamap2", "--raw", "{tmp}", "optional"], "not of the form key=value"),
    ],
)
def test_prepare_errors_are_one_line(args, message, tmp_path, capsys):
    argv = ["datasets", "prepare", *(a.format(tmp=tmp_path) for a in args)]
    assert main([*argv, "--out", str(tmp_path / "cache"), "--no-progress"]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
    assert not (tmp_path / "cache").exists()


class _CreatesFile:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return exec, (f"open({str(self.path)!r}, 'w').close()",)


def test_a_hostile_pickle_stops_prepare_before_it_runs_and_leaves_no_cache(tmp_path, capsys):
    write_wesad_subject(tmp_path / "raw", 2, wesad_subject_data(2, (1,) * 12))
    data = wesad_subject_data(3, (1,) * 12)
    data["label"] = _CreatesFile(tmp_path / "pwned")
    write_wesad_subject(tmp_path / "raw", 3, data, python2=False)
    argv = ["datasets", "prepare", "wesad", "--raw", str(tmp_path / "raw")]
    assert main([*argv, "--out", str(tmp_path / "cache"), "--no-progress"]) == 2
    assert "refusing to load" in capsys.readouterr().err
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "cache").exists()
