import pytest
import torch
from omegaconf import OmegaConf

from crossl.augment import AugmentSpec, Pipeline, accepted_params
from crossl.errors import CrosslError


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def positive(batch: int = 8) -> torch.Tensor:
    return torch.rand(batch, 3, 16, generator=gen(9)) + 1


def test_empty_pipeline_and_p_zero_are_identity():
    x = positive()
    assert not Pipeline([]) and Pipeline([]) is not None
    assert torch.equal(Pipeline([])(x, gen(0)), x)
    pipe = Pipeline([AugmentSpec("jitter", p=0.0), AugmentSpec("rotation", p=0)])
    assert torch.equal(pipe(x, gen(0)), x)


def test_p_one_always_applies():
    x = positive(500)
    y = Pipeline([AugmentSpec("sign_flip", p=1.0)])(x, gen(0))
    assert torch.equal(y, -x)


def test_p_half_applies_to_about_half_the_samples():
    x = positive(4000)
    y = Pipeline([AugmentSpec("sign_flip", p=0.5)])(x, gen(0))
    flipped = (y < 0).all(dim=(1, 2))
    kept = (y == x).all(dim=(1, 2))
    assert torch.equal(flipped, ~kept)
    assert flipped.float().mean().item() == pytest.approx(0.5, abs=0.03)


def test_steps_apply_in_order():
    x = torch.arange(1.0, 7.0).reshape(1, 1, 6)
    pipe = Pipeline(
        [AugmentSpec("time_reversal"), AugmentSpec("blockout", params={"fraction": 0.5})]
    )
    y = pipe(x, gen(0))
    assert (y == 0).sum() == 3
    nonzero = y[y != 0]
    assert (nonzero.diff() < 0).all(), "reversed first, then blocked out"


def test_same_seed_same_result():
    pipe = Pipeline([AugmentSpec("jitter", p=0.5), AugmentSpec("time_warp", p=0.7)])
    x = positive(32)
    assert torch.equal(pipe(x, gen(4)), pipe(x, gen(4)))
    assert not torch.equal(pipe(x, gen(4)), pipe(x, gen(5)))


def test_accepts_mappings_and_omegaconf_nodes():
    cfg = OmegaConf.create({"augment": [{"name": "jitter", "p": 0.8, "params": {"sigma": 0.05}}]})
    pipe = Pipeline(cfg.augment)
    assert pipe.steps == (AugmentSpec("jitter", 0.8, {"sigma": 0.05}),)
    structured = OmegaConf.structured(AugmentSpec("scaling", 0.5, {"sigma": 0.2}))
    assert Pipeline([structured]).steps == (AugmentSpec("scaling", 0.5, {"sigma": 0.2}),)


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (AugmentSpec("jiter"), r"unknown augmentation 'jiter': choose from \[.*'jitter'"),
        (AugmentSpec("jitter", params={"std": 1}), r"no parameter 'std': it accepts \['sigma'\]"),
        (
            AugmentSpec("rotation", params={"matrices": 1}),
            r"no parameter 'matrices': it accepts \[\]",
        ),
        (AugmentSpec("jitter", p=1.5), r"p=1.5 must be a probability"),
        (AugmentSpec("jitter", p=-0.1), r"p=-0.1 must be a probability"),
        (AugmentSpec("jitter", p="high"), r"must be a probability"),
        (
            AugmentSpec("blockout", params={"fraction": 1.2}),
            r"fraction=1.2 must be a number in \(0, 1\)",
        ),
        (AugmentSpec("permutation", params={"segments": 0}), r"segments=0 must be an integer >= 1"),
        (AugmentSpec("time_warp", params={"knots": 2.5}), r"knots=2.5 must be an integer"),
        (AugmentSpec("jitter", params={"sigma": -1}), r"sigma=-1 must be a number >= 0"),
        (AugmentSpec("crop_and_resize", params={"min_scale": 0}), r"min_scale=0 must be"),
        (AugmentSpec("random_smoothing", params={"max_width": 0}), r"max_width=0 must be"),
        ({"name": "jitter", "prob": 0.5}, r"unknown keys \['prob'\]"),
        ({"p": 0.5}, r"has no name"),
    ],
)
def test_validation_errors_are_clear(step, message):
    with pytest.raises(CrosslError, match=message):
        Pipeline([step])


def test_rejects_a_single_step_instead_of_a_list():
    with pytest.raises(CrosslError, match="list of steps"):
        Pipeline(AugmentSpec("jitter"))


def test_rejects_non_batched_input():
    with pytest.raises(CrosslError, match=r"\[batch, channels, time\]"):
        Pipeline([AugmentSpec("jitter")])(torch.zeros(3, 16), gen(0))


def test_accepted_params_lists_defaults():
    assert accepted_params("crop_and_resize") == {"min_scale": 0.5}
    assert accepted_params("sign_flip") == {}
