import importlib.util

import pytest

from crossl.config import load_config
from crossl.errors import CrosslError
from crossl.experiments.pretrain import pretrain

TINY = ["epochs=1", "limit_windows=64", "online_probe=false"]


def test_only_the_chosen_loggers_write(tmp_path):
    pretrain(load_config("crossl", [*TINY, "loggers=[csv]"]), tmp_path / "csv", progress=False)
    assert list((tmp_path / "csv").rglob("metrics.csv"))
    assert not list((tmp_path / "csv").rglob("events.out.tfevents*"))
    pretrain(load_config("crossl", [*TINY, "loggers=[]"]), tmp_path / "none", progress=False)
    assert not (tmp_path / "none" / "logs").exists()
    assert (tmp_path / "none" / "last.ckpt").is_file()


def test_an_unknown_or_missing_logger_is_one_clear_error(tmp_path, monkeypatch):
    with pytest.raises(CrosslError, match="did you mean tensorboard"):
        load_config("crossl", ["loggers=[tensorbord]"])
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "mlflow" else real(name, *a)
    )
    cfg = load_config("crossl", [*TINY, "loggers=[csv,mlflow]"])
    with pytest.raises(CrosslError, match=r"pip install 'crossl\[mlflow\]'"):
        pretrain(cfg, tmp_path / "run", progress=False)
    assert not (tmp_path / "run").exists()
