import pytest

from crossl.config import (
    Config,
    config_from_dict,
    load_config,
    override_config,
    preset_for,
)
from crossl.errors import CrosslError
from crossl.shipped import preset_names


def test_presets_load_and_differ_where_documented():
    assert {"crossl", "crossl-paper", "supervised"} <= set(preset_names())
    paper = load_config("crossl-paper")
    assert (paper.batch_size, paper.lr, paper.masking_ratio, paper.weight_l2) == (
        8,
        1e-4,
        0.1,
        1e-4,
    )
    assert (paper.sim_coeff, paper.std_coeff, paper.cov_coeff) == (10, 10, 100)
    assert load_config("supervised").method == "supervised"
    recommended = load_config("crossl")
    assert (recommended.masking_strategy, recommended.aggregator) == ("paired", "attention")
    assert (recommended.batch_size, recommended.lr, recommended.features) == (8, 1e-4, "aggregator")


def test_overrides_of_each_documented_key():
    cfg = load_config(
        "crossl",
        [
            "dataset=hapt-transitions",
            "method=crossl",
            "seed=3",
            "epochs=2",
            "batch_size=16",
            "lr=0.01",
            "masking_strategy=random",
            "masking_ratio=0.5",
            "label_fractions=[0.01,0.1,1.0]",
            "limit_windows=100",
        ],
    )
    assert cfg.dataset == "hapt-transitions" and cfg.seed == 3 and cfg.epochs == 2
    assert cfg.batch_size == 16 and cfg.lr == 0.01 and cfg.masking_strategy == "random"
    assert cfg.masking_ratio == 0.5 and cfg.label_fractions == [0.01, 0.1, 1.0]
    assert cfg.limit_windows == 100


@pytest.mark.parametrize(
    "override, message",
    [
        ("nonsense=1", "Key 'nonsense' not in 'Config'"),
        ("epochs=abc", "could not be converted to Integer"),
        ("dataset=mnist", "dataset='mnist' is not valid"),
        ("method=byol", "method='byol' is not valid"),
        ("masking_strategy=temporal", "time axis"),
        ("masking_ratio=1.0", "must be in \\[0, 1\\)"),
        ("label_fractions=[0.0]", "label_fractions"),
        ("epochs", "not of the form key=value"),
        ("features=pixels", "features='pixels' is not valid"),
        ("aggregator=nope", "aggregator='nope' is not valid: choose one of mlp, mean, attention"),
        ("masking_strategy=exact", "choose one of spatial, random, bernoulli, "),
        (
            "aggregator=atention",
            "choose one of mlp, mean, attention \\(did you mean attention\\?\\)",
        ),
        ("method=simclrr", "\\(did you mean simclr\\?\\)"),
        ("precision=16-mixed", "precision='16-mixed' is not valid: choose one of 32-true, bf16"),
        ("trainer.devices=2", "runs several processes: add trainer.strategy=ddp"),
        ("trainer.num_nodes=0", "trainer.num_nodes=0 must be at least 1"),
        ("trainer.strategy=dp", "trainer.strategy='dp' is not valid: choose one of auto, ddp"),
        ("pretrain_protocol=paper", "pretrain_protocol='paper' is not valid"),
    ],
)
def test_bad_overrides_give_one_clear_message(override, message):
    with pytest.raises(CrosslError, match=message) as info:
        load_config("crossl", [override])
    assert "\n" not in str(info.value)


def test_unknown_preset_and_missing_or_bad_yaml(tmp_path):
    with pytest.raises(CrosslError, match="unknown preset 'nope'"):
        load_config("nope")
    with pytest.raises(CrosslError, match="does not exist"):
        load_config(str(tmp_path / "x.yaml"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("epochs: [unclosed\n")
    with pytest.raises(CrosslError, match="not valid YAML"):
        load_config(str(bad))
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("epoch: 3\n")
    with pytest.raises(CrosslError, match="'epoch'"):
        load_config(str(wrong))


def test_method_override_starts_from_that_methods_preset():
    assert preset_for(["method=simclr", "epochs=2"]) == "simclr"
    assert preset_for(["epochs=2"]) == "crossl" and preset_for(["method=nope"]) == "crossl"
    cfg = load_config(preset_for(["method=simclr"]), ["method=simclr"])
    assert [s.name for s in cfg.augment] == ["magnitude_warp", "blockout", "scaling"]


def test_augmentation_specs_survive_the_round_trip_through_a_checkpoint_dict():
    cfg = load_config(
        "simclr",
        [
            "augment=[{name: rotation}, {name: scaling, params: {sigma: 0.1}}]",
            "augment_per_modality={gyro: [{name: noise, p: 0.5}]}",
        ],
    )
    again = config_from_dict(cfg.to_dict())
    assert again == cfg
    assert again.augment_per_modality["gyro"][0].params == {}
    assert again.augment[1].params == {"sigma": 0.1}
    assert override_config(again, ["epochs=3"]).augment == cfg.augment


def test_round_trip_through_dict_and_override():
    cfg = load_config("crossl", ["epochs=4"])
    again = config_from_dict(cfg.to_dict())
    assert again == cfg and isinstance(again, Config)
    assert override_config(cfg, ["features=encoders"]).features == "encoders"
    assert cfg.features == "aggregator"
    with pytest.raises(CrosslError, match="does not know"):
        config_from_dict({**cfg.to_dict(), "future_key": 1})


def test_a_data_root_is_made_absolute_with_home_expanded(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    cfg = load_config("crossl", ["data.root=~/caches/pamap2"])
    assert cfg.data.root == str(tmp_path / "home" / "caches" / "pamap2")
    monkeypatch.chdir(tmp_path)
    assert load_config("crossl", ["data.root=rel/dir"]).data.root == str(tmp_path / "rel" / "dir")
    assert load_config("crossl").data.root is None


@pytest.mark.parametrize(
    "command",
    [
        ["demo"],
        [
            "benchmark",
            "--config",
            "hapt-quick",
            "overrides=[trainer.devices=2,trainer.strategy=ddp]",
        ],
    ],
    ids=["demo", "benchmark"],
)
def test_workflows_that_pretrain_in_one_process_refuse_several(command, tmp_path, capsys):
    from crossl.cli import main

    out = tmp_path / "out"
    ddp = ["trainer.devices=2", "trainer.strategy=ddp"] if command == ["demo"] else []
    assert main([*command, "--out", str(out), *ddp]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "pretrains in one process" in err and "asks for 2" in err
    assert not out.exists()
