"""A small batch of per-modality embeddings and plain-Python cosine, for hand-computed losses."""

import math

Z = [
    [[1.0, 0.5], [0.2, -1.0], [2.0, 1.0]],
    [[-1.0, 0.3], [0.5, 0.5], [1.0, -2.0]],
    [[0.7, 0.7], [9.0, 9.0], [-0.4, 1.0]],
    [[0.1, -1.0], [1.0, 0.2], [3.0, 3.0]],
]


def cos(u, v):
    return sum(x * y for x, y in zip(u, v, strict=True)) / math.sqrt(
        sum(x * x for x in u) * sum(y * y for y in v)
    )
