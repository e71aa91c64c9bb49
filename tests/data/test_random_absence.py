import math

import pytest
import torch

from crossl.data.container import WindowSet
from crossl.errors import CrosslError

NAMES = ("acc", "gyro", "ecg")


def windows(n: int, present: torch.Tensor | None = None) -> WindowSet:
    """Random windows of three modalities; absent ones hold zeros, as the container expects."""
    g = torch.Generator().manual_seed(0)
    ws = WindowSet(
        {name: torch.randn(n, 2, 5, generator=g) + 3 for name in NAMES},
        labels=torch.arange(n) % 4,
        subjects=torch.arange(n) // 10,
        present=present,
    )
    return ws.with_present(list(NAMES))


def some_absent(n: int) -> torch.Tensor:
    """Modality j of window i is absent when (i + j) % 4 == 0: some windows lack one, none all."""
    i, j = torch.arange(n)[:, None], torch.arange(len(NAMES))[None, :]
    return (i + j) % 4 != 0


def draw(ws: WindowSet, p: float, seed: int) -> WindowSet:
    return ws.with_random_absence(p, torch.Generator().manual_seed(seed))


def test_p_zero_is_the_identity():
    ws = windows(40, some_absent(40))
    same = draw(ws, 0.0, 0)
    assert torch.equal(same.present, ws.present)
    for name in NAMES:
        assert torch.equal(same.modalities[name], ws.modalities[name])
    assert torch.equal(same.labels, ws.labels) and torch.equal(same.subjects, ws.subjects)


def test_a_window_never_loses_every_modality_and_absent_ones_stay_absent():
    present = some_absent(3000)
    present[:50] = False  # windows with no sensor at all stay that way
    present[50:100] = torch.tensor([False, True, False])  # a single present sensor always stays
    ws = windows(3000, present)
    for seed in range(20):
        out = draw(ws, 0.9, seed).present
        assert out[100:].any(dim=1).all()
        assert not out[:50].any()
        assert torch.equal(out[50:100], present[50:100])
        assert not (out & ~present).any()


@pytest.mark.parametrize("p", [0.2, 0.7])
def test_each_modality_is_dropped_at_the_expected_rate(p):
    # Each of M = 3 present modalities goes with probability p; when all three would go (p^3),
    # one of them, chosen uniformly, stays: the rate per modality is p - p^3 / 3 (0.1973 at
    # p = 0.2, 0.5857 at p = 0.7). Over n windows the observed rate has standard error
    # sqrt(r (1 - r) / n) <= 0.0035 at n = 20000; a correct implementation falls outside
    # 5 standard errors with probability < 1e-6, while at p = 0.7 a rescue that always kept the
    # first modality would be off by p^3 * 2/3 ≈ 0.23 for it.
    n = 20000
    rate = p - p**3 / 3
    tolerance = 5 * math.sqrt(rate * (1 - rate) / n)
    dropped = ~draw(windows(n), p, 0).present
    for j in range(3):
        assert abs(dropped[:, j].float().mean().item() - rate) < tolerance


def test_rescued_modality_is_chosen_uniformly_among_the_present_ones():
    # p = 0.99: almost every window is rescued; with acc absent, gyro and ecg each survive
    # about half the time (standard error 0.005 at n = 10000; 5 of them allowed).
    n = 10000
    present = torch.tensor([False, True, True]).expand(n, 3).clone()
    out = draw(windows(n, present), 0.99, 1).present
    assert not out[:, 0].any()
    assert abs(out[:, 1].float().mean().item() - 0.5) < 0.03
    assert abs(out[:, 2].float().mean().item() - 0.5) < 0.03


def test_same_generator_seed_same_draw_other_seed_other_draw():
    ws = windows(200, some_absent(200))
    assert torch.equal(draw(ws, 0.5, 3).present, draw(ws, 0.5, 3).present)
    assert not torch.equal(draw(ws, 0.5, 3).present, draw(ws, 0.5, 4).present)


def test_data_of_dropped_modalities_are_zeroed_and_the_rest_untouched():
    ws = windows(300)
    out = draw(ws, 0.5, 0)
    assert not out.present.all()
    for j, name in enumerate(NAMES):
        kept = out.present[:, j]
        assert torch.count_nonzero(out.modalities[name][~kept]) == 0
        assert torch.equal(out.modalities[name][kept], ws.modalities[name][kept])
    assert torch.equal(ws.present, torch.ones(300, 3, dtype=torch.bool))  # the input is unchanged


@pytest.mark.parametrize("p", [1.0, -0.1, 1.5])
def test_probability_outside_zero_one_is_refused(p):
    with pytest.raises(CrosslError, match=r"must be in \[0, 1\)"):
        draw(windows(4), p, 0)
