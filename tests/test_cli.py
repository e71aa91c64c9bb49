import subprocess
import sys

import pytest

from crossl.cli import main


@pytest.mark.parametrize(
    "command", [[], ["pretrain"], ["evaluate"], ["demo"], ["datasets"], ["datasets", "list"]]
)
def test_help_on_every_command(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([*command, "--help"])
    assert info.value.code == 0
    assert "usage: crossl" in capsys.readouterr().out


def test_datasets_list(capsys):
    assert main(["datasets", "list"]) == 0
    out = capsys.readouterr().out
    names = [line.split()[0] for line in out.splitlines() if line.startswith("  ")]
    assert names == [
        "hapt",
        "hapt-transitions",
        "pamap2",
        "pamap2-hr",
        "wesad",
        "wesad-wrist-chest",
        "sleepedf",
        "ucihar",
        "uea",
        "npz",
        "table",
    ]


def test_datasets_info_names_the_files_and_the_prepare_command(capsys):
    assert main(["datasets", "info", "sleepedf"]) == 0
    out = capsys.readouterr().out
    assert "SC4001E0-PSG.edf" in out and "wake_margin_min=30.0" in out
    assert "crossl datasets prepare sleepedf --raw RAW_DIR --out CACHE_DIR" in out
    assert main(["datasets", "info", "nosuch"]) == 2


@pytest.mark.parametrize(
    "args, message",
    [
        (["pretrain", "--out", "OUT", "dataset=nope"], "dataset='nope' is not valid"),
        (["pretrain", "--out", "OUT", "method=nope"], "method='nope' is not valid"),
        (["pretrain", "--out", "OUT", "bogus_key=1"], "bogus_key"),
        (["pretrain", "--out", "OUT", "epochs=1.5x"], "epochs"),
        (["pretrain", "--out", "OUT", "data.root=/does/not/exist"], "does not exist"),
        (["pretrain", "--config", "missing.yaml", "--out", "OUT"], "does not exist"),
        (["pretrain", "--out", "OUT", "method=simclr", "augment=[]"], "needs augment"),
        (["pretrain", "--out", "OUT", "augment=[{name: nope}]"], "unknown augmentation 'nope'"),
        (["pretrain", "--out", "OUT", "augment=[{name: jitter, p: 2}]"], "p"),
        (["pretrain", "--out", "OUT", "augment_per_modality={gyr: [{name: jitter}]}"], "['gyr']"),
        (["pretrain", "--out", "OUT", "method=mae", "features=aggregator"], "features=encoders"),
        (["pretrain", "--out", "OUT", "aggregator=nope"], "aggregator='nope' is not valid"),
        (["pretrain", "--out", "OUT", "masking_strategy=temporal"], "time axis"),
        (["pretrain", "--out", "OUT", "latent_patches=3"], "does not divide the window of acc"),
        (["evaluate", "--checkpoint", "missing.ckpt", "--out", "OUT"], "does not exist"),
        (["evaluate", "--checkpoint", "BAD", "--out", "OUT"], "unreadable or corrupt"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_no_output(tmp_path, args, message, capsys):
    bad = tmp_path / "bad.ckpt"
    bad.write_bytes(b"\x00garbage")
    out = tmp_path / "out"
    args = [str(out) if a == "OUT" else str(bad) if a == "BAD" else a for a in args]
    assert main(args) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("crossl: error:") and message in lines[0]
    assert not out.exists()


def test_installed_command_exits_2_without_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "crossl.cli", "pretrain", "--out", str(tmp_path / "o"), "x=1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == "crossl: error: config key 'x': Key 'x' not in 'Config'"
