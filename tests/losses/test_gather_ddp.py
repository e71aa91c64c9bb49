"""Two gloo processes, each with half the batch and gathering on, train like one with all of it."""

from collections.abc import Callable
from pathlib import Path

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import Tensor, nn

from crossl.losses import (
    barlow_twins_loss,
    cocoa_loss,
    cross_modal_infonce_loss,
    gather,
    nt_xent_loss,
    rank,
    vicreg_loss,
    world_size,
)

WORLD = 2
BATCH, MODALITIES, FEATURES, DIM = 8, 3, 5, 4
# shard 0 (rows 0-3) and shard 1 (rows 4-7) differ in which modalities are present; row 5 has one
PRESENT = torch.tensor(
    [[1, 1, 1], [1, 0, 1], [1, 1, 0], [0, 1, 1], [1, 1, 1], [1, 0, 0], [1, 1, 1], [0, 1, 1]],
    dtype=torch.bool,
)


def _model() -> nn.ModuleDict:
    torch.manual_seed(0)
    return nn.ModuleDict(
        {"encoder": nn.Linear(FEATURES, DIM), "projector": nn.Linear(2 * DIM, DIM)}
    ).double()


def _batch() -> dict[str, Tensor]:
    g = torch.Generator().manual_seed(1)
    keep_a = torch.rand(BATCH, generator=g) > 0.5
    return {
        "x_a": torch.randn(BATCH, FEATURES, generator=g, dtype=torch.float64),
        "x_b": torch.randn(BATCH, FEATURES, generator=g, dtype=torch.float64),
        "x": torch.randn(BATCH, MODALITIES, FEATURES, generator=g, dtype=torch.float64),
        "present": PRESENT,
        # CroSSL views: each keeps one of the first two modalities, the other is zeroed
        "keep": torch.stack([keep_a, ~keep_a], dim=1),
    }


def _views(model: nn.ModuleDict, b: dict[str, Tensor]) -> tuple[Tensor, Tensor]:
    return model["encoder"](b["x_a"]), model["encoder"](b["x_b"])


def _nt_xent(model, b, gathered):
    return nt_xent_loss(*_views(model, b), 0.5, gather_distributed=gathered)


def _vicreg(model, b, gathered):
    return vicreg_loss(*_views(model, b), gather_distributed=gathered)


def _barlow_twins(model, b, gathered):
    return barlow_twins_loss(*_views(model, b), 0.1, gather_distributed=gathered)


def _cocoa(model, b, gathered):
    return cocoa_loss(model["encoder"](b["x"]), b["present"], 0.5, 0.5, gathered)


def _cross_modal_infonce(model, b, gathered):
    return cross_modal_infonce_loss(model["encoder"](b["x"]), b["present"], 0.5, gathered)


def _crossl(model, b, gathered):
    """CroSSL: one encoder output, two views hiding different modalities, flattened, projected."""
    h = model["encoder"](b["x"][:, :2])  # [B, 2, D]
    views = [model["projector"]((h * k[:, :, None]).flatten(1)) for k in (b["keep"], ~b["keep"])]
    return vicreg_loss(views[0], views[1], gather_distributed=gathered)


CASES: dict[str, Callable[[nn.ModuleDict, dict[str, Tensor], bool], Tensor]] = {
    "nt_xent": _nt_xent,
    "vicreg": _vicreg,
    "barlow_twins": _barlow_twins,
    "cocoa": _cocoa,
    "cross_modal_infonce": _cross_modal_infonce,
    "crossl_vicreg": _crossl,
}


def _gradient(name: str, batch: dict[str, Tensor], gathered: bool) -> Tensor:
    model = _model()
    CASES[name](model, batch, gathered).backward()
    grads = [torch.zeros_like(p) if p.grad is None else p.grad for p in model.parameters()]
    return torch.cat([g.flatten() for g in grads])


def _worker(rank_: int, init_file: str, out: str) -> None:
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank_, world_size=WORLD)
    try:
        shard = {k: v.chunk(WORLD)[rank_] for k, v in _batch().items()}
        results: dict[str, Tensor] = {"ranks": torch.tensor([rank(), world_size()])}
        for name in CASES:
            for gathered in (True, False):
                grad = _gradient(name, shard, gathered)
                dist.all_reduce(grad)  # what DDP does: average the parameter gradients
                results[f"{name}/{gathered}"] = grad / WORLD
        x = torch.arange(6.0, dtype=torch.float64).reshape(3, 2) + 10 * rank_
        x.requires_grad_()
        y = gather(x)
        results["gathered"] = y.detach()
        (y * torch.arange(12.0, dtype=torch.float64).reshape(6, 2) * (rank_ + 1)).sum().backward()
        results["gather_grad"] = x.grad
        torch.save(results, Path(out) / f"rank{rank_}.pt")
    finally:
        dist.destroy_process_group()


def test_sharded_gathered_gradients_equal_whole_batch_gradients(tmp_path):
    mp.spawn(_worker, args=(str(tmp_path / "init"), str(tmp_path)), nprocs=WORLD, join=True)
    results = [torch.load(tmp_path / f"rank{r}.pt") for r in range(WORLD)]
    for r, res in enumerate(results):
        assert res["ranks"].tolist() == [r, WORLD]
    batch = _batch()
    for name in CASES:
        whole = _gradient(name, batch, gathered=False)
        assert whole.abs().sum() > 0
        for res in results:
            assert torch.allclose(res[f"{name}/True"], whole, rtol=1e-9, atol=1e-12), name
            assert not torch.allclose(res[f"{name}/False"], whole, rtol=1e-3), name

    # gather: rank order forward; backward sums every process's gradient for this rank's rows
    expected = torch.cat([torch.arange(6.0).reshape(3, 2) + 10 * r for r in range(WORLD)])
    weights = torch.arange(12.0, dtype=torch.float64).reshape(6, 2)
    for r, res in enumerate(results):
        assert torch.equal(res["gathered"], expected.double())
        assert torch.equal(res["gather_grad"], 3 * weights[3 * r : 3 * r + 3])


def test_helpers_without_a_process_group():
    x = torch.randn(3, 2, requires_grad=True)
    assert gather(x) is x
    assert world_size() == 1 and rank() == 0
