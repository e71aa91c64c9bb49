"""Random 3-D rotation of tri-axial sensor channels."""

from __future__ import annotations

import torch
from torch import Tensor

from crossl.errors import CrosslError


def random_rotation_matrices(
    batch_size: int,
    generator: torch.Generator,
    device: torch.device | str | None = None,
    dtype: torch.dtype = torch.float32,
) -> Tensor:
    """Uniformly random rotation matrices ``[B, 3, 3]`` (orthonormal, determinant +1).

    Built from unit quaternions with Gaussian components, which are uniform on the sphere, hence
    uniform over rotations. ``device`` defaults to the generator's.

    >>> r = random_rotation_matrices(2, torch.Generator().manual_seed(0))
    >>> torch.allclose(r @ r.transpose(1, 2), torch.eye(3).expand(2, 3, 3), atol=1e-6)
    True
    """
    device = generator.device if device is None else device
    work = torch.promote_types(dtype, torch.float32)
    q = torch.randn(batch_size, 4, generator=generator, device=device, dtype=work)
    w, x, y, z = (q / q.norm(dim=1, keepdim=True).clamp_min(1e-12)).unbind(dim=1)
    rows = [
        1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
        2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
        2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y),
    ]  # fmt: skip
    return torch.stack(rows, dim=1).reshape(batch_size, 3, 3).to(dtype)


def rotation(
    x: Tensor,
    generator: torch.Generator,
    matrices: Tensor | None = None,
    mean: Tensor | None = None,
    std: Tensor | None = None,
) -> Tensor:
    """Rotate every triad of channels (x, y, z axes) of a sample by one random 3-D rotation.

    ``x [B, C, T]`` needs ``C`` a multiple of 3: channels ``3k, 3k+1, 3k+2`` are one sensor's
    axes. Each sample draws a uniformly random rotation (see :func:`random_rotation_matrices`)
    unless ``matrices [B, 3, 3]`` are given, e.g. to rotate the accelerometer and gyroscope of
    one device together.

    ``mean`` and ``std`` ``[C]`` say that ``x`` was standardised per channel, ``(raw - mean) /
    std``: the rotation then turns the sensor's own vectors, ``raw``, and the result is
    standardised again. A rotation of the standardised values themselves is not a rotation of
    the sensor unless its axes share one mean of zero and one scale.

    >>> x = torch.randn(4, 6, 10, generator=torch.Generator().manual_seed(1))
    >>> y = rotation(x, torch.Generator().manual_seed(0))
    >>> torch.allclose(y[:, :3].norm(dim=1), x[:, :3].norm(dim=1), atol=1e-5)
    True
    """
    b, c, _ = x.shape
    if c % 3:
        raise CrosslError(
            f"rotation needs the channels in groups of three axes (x, y, z): got {c} channels"
        )
    if matrices is None:
        matrices = random_rotation_matrices(b, generator, x.device, x.dtype)
    elif matrices.shape != (b, 3, 3):
        raise CrosslError(
            f"rotation matrices have shape {tuple(matrices.shape)}, expected ({b}, 3, 3)"
        )
    if (mean is None) != (std is None):
        raise CrosslError("rotation: give both mean and std of the standardisation, or neither")
    if mean is not None and std is not None:
        if mean.shape != (c,) or std.shape != (c,):
            raise CrosslError(
                f"rotation: mean and std have shapes {tuple(mean.shape)} and {tuple(std.shape)}, "
                f"expected ({c},), one value per channel"
            )
        mean = mean.to(device=x.device, dtype=x.dtype)[:, None]
        std = std.to(device=x.device, dtype=x.dtype)[:, None]
        return (_rotate(x * std + mean, matrices) - mean) / std
    return _rotate(x, matrices)


def _rotate(x: Tensor, matrices: Tensor) -> Tensor:
    b, c, t = x.shape
    rotated = matrices.to(device=x.device, dtype=x.dtype)[:, None] @ x.reshape(b, c // 3, 3, t)
    return rotated.reshape(b, c, t)
