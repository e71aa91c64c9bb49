"""Two-dimensional t-SNE maps of frozen features, for looking at how classes separate."""

from __future__ import annotations

import numpy as np
from sklearn.manifold import TSNE


def tsne_points(
    features: np.ndarray, labels: np.ndarray, seed: int, max_points: int = 1500
) -> tuple[list[list[float]], list[int]]:
    """t-SNE coordinates (rounded to 3 decimals) and labels of at most ``max_points`` rows.

    Rows beyond ``max_points`` are dropped by a seeded uniform subsample (kept in their original
    order); the same inputs and seed give the same map. 500 iterations (half sklearn's default)
    settle such maps well enough to look at, in half the time.

    >>> rng = np.random.default_rng(0)
    >>> x = np.concatenate([rng.normal(0, 1, (20, 8)), rng.normal(6, 1, (20, 8))])
    >>> y = np.repeat([0, 1], 20)
    >>> points, kept = tsne_points(x, y, seed=0, max_points=30)
    >>> len(points), len(kept), len(points[0])
    (30, 30, 2)
    """
    features = np.asarray(features, dtype=np.float32)
    labels = np.asarray(labels)
    if features.ndim != 2 or len(features) != len(labels):
        raise ValueError(
            f"features must be [N, F] with one label per row, got {features.shape} features "
            f"and {len(labels)} labels"
        )
    if len(features) < 3:
        raise ValueError(f"t-SNE needs at least 3 rows, got {len(features)}")
    if len(features) > max_points:
        rng = np.random.default_rng(seed)
        keep = np.sort(rng.choice(len(features), size=max_points, replace=False))
        features, labels = features[keep], labels[keep]
    n = len(features)
    coords = TSNE(
        n_components=2,
        init="pca",
        random_state=seed,
        perplexity=min(30.0, (n - 1) / 3),
        max_iter=500,
    ).fit_transform(features)
    return np.round(coords.astype(np.float64), 3).tolist(), [int(v) for v in labels]
