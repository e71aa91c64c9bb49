import numpy as np
import pytest
import torch

from crossl.cli import main
from crossl.data.container import WindowSet
from crossl.data.normalisation import ChannelStats, normalise
from crossl.deploy import DeployableModel, export_model, verify_export
from crossl.deploy.export import load_exported, presence_subsets
from crossl.errors import CrosslError
from crossl.nn import MultimodalBackbone

SHAPES = {"acc": (3, 64), "gyro": (3, 64), "ppg": (1, 64)}


def _model(aggregator: str = "mlp", features: str = "aggregator") -> DeployableModel:
    torch.manual_seed(0)
    net = MultimodalBackbone(SHAPES, aggregator=aggregator, kernel_sizes=(8, 4, 2))
    g = torch.Generator().manual_seed(1)
    stats = ChannelStats(
        {m: 5 * torch.randn(c, generator=g) for m, (c, _) in SHAPES.items()},
        {m: 0.5 + torch.rand(c, generator=g) for m, (c, _) in SHAPES.items()},
    )
    return DeployableModel(net, stats, features)


def _raw(batch: int, seed: int = 2) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return {m: 3 * torch.randn(batch, c, t, generator=g) for m, (c, t) in SHAPES.items()}


@pytest.mark.parametrize("features", ["aggregator", "encoders"])
def test_the_model_takes_sensor_units_and_matches_the_backbone_on_standardised_windows(features):
    model = _model(features=features)
    raw = _raw(6)
    present = torch.tensor([list(r) for r in presence_subsets(3)][:6])
    stats = ChannelStats(
        {m: model.channel_stats()[i][0].flatten() for i, m in enumerate(SHAPES)},
        {m: model.channel_stats()[i][1].flatten() for i, m in enumerate(SHAPES)},
    )
    ws = normalise(WindowSet(raw, torch.zeros(6).long(), torch.zeros(6).long(), present), stats)
    want = model.backbone.features(ws, features)
    fed = [torch.where(present[:, i, None, None], x, torch.nan) for i, x in enumerate(raw.values())]
    with torch.no_grad():
        got = model(*fed, present)
    assert not torch.isnan(got).any() if features == "aggregator" else True
    finite = ~torch.isnan(got)
    if features == "encoders":  # the absent blocks, and only those, are NaN
        block_nan = torch.isnan(got).reshape(6, 3, -1).all(-1)
        assert torch.equal(block_nan, ~present)
    torch.testing.assert_close(got[finite], want[finite], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    ("aggregator", "features", "fmt", "suffix"),
    [
        ("mlp", "aggregator", "onnx", ".onnx"),
        ("attention", "aggregator", "onnx", ".onnx"),
        ("mlp", "encoders", "onnx", ".onnx"),
        ("mlp", "aggregator", "torchscript", ".pt"),
        ("attention", "encoders", "torchscript", ".pt"),
    ],
)
def test_exported_models_agree_with_pytorch_for_every_set_of_present_sensors(
    tmp_path, aggregator, features, fmt, suffix
):
    model = _model(aggregator, features)
    done = export_model(model, tmp_path / f"model{suffix}", fmt)
    path = done.path
    assert done.difference < 1e-5 and verify_export(model, path, fmt, batch=4) < 1e-5
    run = load_exported(path)
    for batch in (1, 9):  # the batch size is dynamic
        raw = _raw(batch, seed=batch)
        present = torch.ones(batch, 3, dtype=torch.bool)
        got = run(*(x.numpy() for x in raw.values()), present.numpy())
        with torch.no_grad():
            want = model(*raw.values(), present).numpy()
        np.testing.assert_allclose(got, want, atol=1e-5)
    assert [p.name for p in tmp_path.iterdir()] == [f"model{suffix}"]  # no temporary file left


def test_the_check_sees_an_exported_file_that_computes_something_else(tmp_path):
    model = _model()
    path = export_model(model, tmp_path / "model.pt", "torchscript").path
    with torch.no_grad():
        next(model.backbone.aggregator.parameters()).add_(0.5)
    assert verify_export(model, path) > 1e-3


def test_a_file_that_fails_the_check_is_not_kept_and_the_old_one_stays(tmp_path, monkeypatch):
    import crossl.deploy.export as export

    model = _model()
    old = export_model(model, tmp_path / "model.pt", "torchscript").path.read_bytes()
    monkeypatch.setattr(export, "verify_export", lambda *a, **k: 0.5)
    with pytest.raises(CrosslError, match=r"differs from PyTorch by 0\.5"):
        export_model(_model("attention"), tmp_path / "model.pt", "torchscript")
    assert (tmp_path / "model.pt").read_bytes() == old
    assert [p.name for p in tmp_path.iterdir()] == ["model.pt"]


def test_the_format_not_the_suffix_decides_how_the_file_is_checked(tmp_path):
    model = _model()
    for fmt, name in (("onnx", "model.bin"), ("torchscript", "model.onnx")):
        done = export_model(model, tmp_path / name, fmt)
        assert done.difference < 1e-5 and done.format == fmt
    with pytest.raises(CrosslError, match="is a folder"):
        export_model(model, tmp_path, "onnx")


def test_bad_names_are_one_clear_error(tmp_path):
    with pytest.raises(CrosslError, match="did you mean onnx"):
        export_model(_model(), tmp_path / "m", "onx")
    with pytest.raises(CrosslError, match="did you mean encoders"):
        _model(features="encoder")
    with pytest.raises(CrosslError, match="does not exist"):
        load_exported(tmp_path / "none.onnx")


def test_cli_exports_a_pretrained_checkpoint_and_refuses_other_files(tmp_path, capsys):
    assert (
        main(
            [
                "pretrain",
                "--out",
                str(tmp_path / "run"),
                "--no-progress",
                "epochs=1",
                "limit_windows=64",
            ]
        )
        == 0
    )
    ckpt = str(tmp_path / "run" / "last.ckpt")
    capsys.readouterr()
    assert main(["export", "--checkpoint", ckpt, "--out", str(tmp_path / "m.pt")]) == 0
    out = capsys.readouterr().out
    assert "acc [B, 3, 128], gyro [B, 3, 128], present [B, 2]" in out
    assert "features [B, 32] (aggregator)" in out and "all 3 sets of present sensors" in out
    loaded = DeployableModel.from_checkpoint(ckpt)
    assert verify_export(loaded, tmp_path / "m.pt", "torchscript") < 1e-5

    results = str(tmp_path / "run" / "results.json")
    assert main(["export", "--checkpoint", results, "--out", str(tmp_path / "x.onnx")]) == 2
    assert main(["export", "--checkpoint", ckpt, "--out", str(tmp_path / "x.bin")]) == 2
    assert "give --format onnx|torchscript" in capsys.readouterr().err
    assert not (tmp_path / "x.onnx").exists() and not (tmp_path / "x.bin").exists()
