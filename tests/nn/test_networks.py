import pytest
import torch

from crossl.data.container import WindowSet
from crossl.errors import CrosslError
from crossl.nn.aggregator import MLPAggregator, build_aggregator
from crossl.nn.backbone import MultimodalBackbone
from crossl.nn.tcn import TCNEncoder


def n_params(module):
    return sum(p.numel() for p in module.parameters())


def test_tcn_parameter_count_matches_the_authors_encoder():
    for c in (1, 3, 6):
        assert n_params(TCNEncoder(c)) == 576 * c + 55_968


def test_tcn_same_padding_keeps_length_and_pooling():
    enc = TCNEncoder(3, pool=False).eval()
    x = torch.randn(2, 3, 100)
    h = enc(x)
    assert h.shape == (2, 96, 100)
    enc.pool = True
    torch.testing.assert_close(enc(x), h.mean(-1))


def reference_block(block, x):
    """The block as a plain [B, C, T] composition of its own modules: Conv1d with 'same'
    padding, LayerNorm over channels, PReLU, Dropout."""
    h = block.conv(x)
    h = block.norm(h.transpose(1, 2)).transpose(1, 2)
    return block.drop(block.act(h))


@pytest.mark.parametrize("length", [128, 37])
def test_channels_last_encoder_computes_the_conv1d_composition(length):
    torch.manual_seed(0)
    enc = TCNEncoder(3).eval()
    for block in enc.blocks:  # non-trivial norms and slopes
        torch.nn.init.normal_(block.norm.weight, 1.0, 0.2)
        torch.nn.init.normal_(block.norm.bias, 0.0, 0.2)
        torch.nn.init.uniform_(block.act.weight, 0.0, 0.5)
    x = torch.randn(4, 3, length)
    h = x
    for block in enc.blocks:
        h = reference_block(block, h)
    expected = h.mean(-1)
    torch.testing.assert_close(enc(x), expected, rtol=1e-5, atol=1e-6)
    grads = torch.autograd.grad(enc(x).square().sum(), list(enc.parameters()))
    expected_grads = torch.autograd.grad(expected.square().sum(), list(enc.parameters()))
    for got, want in zip(grads, expected_grads, strict=True):
        torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-5 * want.abs().max().item())


def test_embed_views_is_each_views_own_embedding():
    torch.manual_seed(0)
    net = MultimodalBackbone({"acc": (3, 32), "gyro": (3, 32)}, latent_patches=2).eval()
    views = [
        WindowSet(
            {"acc": torch.randn(n, 3, 32), "gyro": torch.randn(n, 3, 32)},
            torch.zeros(n).long(),
            torch.zeros(n).long(),
        )
        for n in (4, 3)
    ]
    views[1] = views[1].with_present(["acc"])
    together = net.embed_views(views)
    assert [e.shape for e in together] == [(4, 2, 192), (3, 2, 192)]
    for view, emb in zip(views, together, strict=True):
        torch.testing.assert_close(emb, net.embed_patches(view), rtol=1e-5, atol=1e-6)


def test_tcn_initialisation():
    torch.manual_seed(0)
    enc = TCNEncoder(3)
    w = torch.cat([b.conv.weight.flatten() for b in enc.blocks])
    assert abs(w.std().item() - 0.05) < 0.002
    assert all(torch.count_nonzero(b.conv.bias) == 0 for b in enc.blocks)
    assert all(torch.count_nonzero(b.act.weight) == 0 for b in enc.blocks)


def test_aggregator_sees_flags_and_masked_entries_do_not_matter():
    torch.manual_seed(0)
    agg = MLPAggregator(2, 4, flags=True)
    emb = torch.randn(3, 2, 4)
    keep = torch.ones(3, 2, 4)
    keep[:, 1] = 0
    noisy = emb.clone()
    noisy[:, 1] = 1000.0
    torch.testing.assert_close(agg(emb, keep), agg(noisy, keep))
    assert agg.net[0].in_features == 2 * 4 + 2
    assert MLPAggregator(2, 4, flags=False).net[0].in_features == 8
    assert agg(emb, keep).shape == (3, 32)


def test_backbone_missing_modality_gives_zero_embedding_and_changes_features():
    torch.manual_seed(0)
    net = MultimodalBackbone({"acc": (3, 32), "gyro": (3, 32)}).eval()
    ws = WindowSet(
        {"acc": torch.randn(4, 3, 32), "gyro": torch.randn(4, 3, 32)},
        torch.zeros(4).long(),
        torch.zeros(4).long(),
    )
    only_acc = ws.with_present(["acc"])
    emb = net.embed(only_acc)
    assert torch.count_nonzero(emb[:, 1]) == 0
    torch.testing.assert_close(emb[:, 0], net.embed(ws)[:, 0])
    assert not torch.allclose(net.features(ws), net.features(only_acc))
    assert net.features(ws, "encoders").shape == (4, 192)


def _subset_keeps(m, dim, batch=3):
    """Keep masks of every non-empty subset of m modalities, each for a batch."""
    import itertools

    for r in range(1, m + 1):
        for subset in itertools.combinations(range(m), r):
            keep = torch.zeros(batch, m, dim)
            keep[:, list(subset)] = 1
            yield subset, keep


@pytest.mark.parametrize("name", ["mean", "attention"])
def test_set_aggregators_ignore_hidden_tokens_and_give_them_no_gradient(name):
    torch.manual_seed(0)
    agg = build_aggregator(name, 3, 8)
    present = torch.ones(3, 3, dtype=torch.bool)
    for subset, keep in _subset_keeps(3, 8):
        emb = torch.randn(3, 3, 8, requires_grad=True)
        out = agg(emb, keep, present)
        assert torch.isfinite(out).all() and out.shape == (3, 32)
        noisy = emb.detach().clone()
        hidden = [i for i in range(3) if i not in subset]
        noisy[:, hidden] = 1e4 * torch.randn(3, len(hidden), 8)
        torch.testing.assert_close(agg(noisy, keep, present), out)
        (out * torch.randn_like(out)).sum().backward()  # a LayerNorm output sums to 0
        assert torch.count_nonzero(emb.grad[:, hidden]) == 0
        assert torch.count_nonzero(emb.grad[:, list(subset)]) > 0


def test_mean_aggregator_averages_the_projected_visible_modalities():
    torch.manual_seed(0)
    agg = build_aggregator("mean", 2, 4, hidden=(6,), out_dim=3)
    emb = torch.randn(5, 2, 4)
    keep = torch.ones(5, 2, 4)
    tokens = [torch.relu(emb[:, i] @ agg.weight[i] + agg.bias[i]) for i in range(2)]
    torch.testing.assert_close(agg(emb, keep), agg.head((tokens[0] + tokens[1]) / 2))
    keep[:, 1] = 0
    torch.testing.assert_close(agg(emb, keep), agg.head(tokens[0]))


def test_unknown_aggregator_is_one_clear_error():
    with pytest.raises(CrosslError, match="choose one of mlp, mean, attention"):
        build_aggregator("nope", 2, 4)


@pytest.mark.parametrize("name", ["mlp", "mean", "attention"])
def test_backbone_with_each_aggregator_gives_finite_features_for_every_sensor_subset(name):
    torch.manual_seed(0)
    net = MultimodalBackbone({"acc": (3, 32), "gyro": (3, 32)}, aggregator=name).eval()
    ws = WindowSet(
        {"acc": torch.randn(4, 3, 32), "gyro": torch.randn(4, 3, 32)},
        torch.zeros(4).long(),
        torch.zeros(4).long(),
    )
    for subset in (["acc", "gyro"], ["acc"], ["gyro"]):
        feats = net.features(ws.with_present(subset), "aggregator")
        assert feats.shape == (4, 32) and torch.isfinite(feats).all()


def test_latent_patches_average_to_the_pooled_embedding():
    torch.manual_seed(0)
    net = MultimodalBackbone({"acc": (3, 64), "gyro": (3, 64)}, latent_patches=4).eval()
    ws = WindowSet(
        {"acc": torch.randn(5, 3, 64), "gyro": torch.randn(5, 3, 64)},
        torch.zeros(5).long(),
        torch.zeros(5).long(),
    ).with_present(["acc"])
    patches = net.embed_patches(ws)
    assert patches.shape == (5, 2, 4 * 96)
    pooled = torch.stack([net.encoders[m](ws.modalities[m]) for m in ("acc", "gyro")], dim=1)
    pooled[:, 1] = 0  # gyro absent
    torch.testing.assert_close(net.pooled(patches), pooled)
    torch.testing.assert_close(net.features(ws, "encoders"), pooled.flatten(1))
    # the first patch is the first quarter of the sequence, pooled
    first = net.encoders["acc"].sequence(ws.modalities["acc"])[:, :, :16].mean(-1)
    torch.testing.assert_close(patches[:, 0, :96], first)
    assert net.aggregator.net[0].in_features == 2 * 4 * 96 + 2 * 4  # 8 tokens with flags
    assert net.features(ws, "aggregator").shape == (5, 32)


def test_latent_patches_must_divide_every_window():
    with pytest.raises(CrosslError, match=r"latent_patches=3 does not divide the window of acc"):
        MultimodalBackbone({"acc": (3, 64)}, latent_patches=3)


def test_the_tensor_forward_is_the_aggregator_feature_of_the_window_set():
    torch.manual_seed(0)
    net = MultimodalBackbone({"acc": (3, 64), "gyro": (2, 64)}, aggregator="attention").eval()
    x = {"acc": torch.randn(5, 3, 64), "gyro": torch.randn(5, 2, 64)}
    present = torch.tensor([[1, 1], [1, 0], [0, 1], [1, 1], [1, 0]], dtype=torch.bool)
    ws = WindowSet(x, torch.zeros(5).long(), torch.zeros(5).long(), present)
    with torch.no_grad():
        torch.testing.assert_close(net(x["acc"], x["gyro"], present), net.features(ws))
        nan_gyro = torch.where(present[:, 1, None, None], x["gyro"], torch.nan)
        torch.testing.assert_close(net(x["acc"], nan_gyro, present), net.features(ws))
