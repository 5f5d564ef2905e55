"""``F.interpolate`` and the ``Upsample`` layers (PyTorch's resizing of the spatial dimensions).

Every mode is separable: along each spatial axis an output position is a fixed combination of
input positions (`resampling_weights`), so a resize is one `axis_maps.AlongAxes` op whose
gradient applies the transposed matrices. Modes: ``nearest``, ``nearest-exact``, ``linear``
(3-D input), ``bilinear`` / ``bicubic`` (4-D), ``trilinear`` (5-D), ``area``; ``antialias``
for bilinear and bicubic. (PyTorch 2.13's ``lanczos`` is not implemented.)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np

from minitorch_es import Tensor
from minitorch_es.nn import Module

from . import resampling_weights as W
from .axis_maps import AxisMap, along_axes, gather_map

_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
_LINEAR = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}  # mode: input ndim


def _spatial(value, what: str, n: int, kind: type, in_shape: list) -> list | None:  # noqa: ANN001
    """``size`` / ``scale_factor`` as one entry per spatial dimension."""
    if value is None:
        return None
    items = list(value) if isinstance(value, (tuple, list)) else [value] * n
    for v in items:
        if isinstance(v, bool) or not isinstance(v, kind):
            types = [type(v).__name__ for v in items]
            raise TypeError(
                f"interpolate: expected {what} to be one {kind.__name__} or a tuple of "
                f"{n} (one per spatial dimension), but got {what} with types {types}"
            )
    if len(items) != n:
        raise ValueError(
            f"interpolate: Input and {what} must have the same number of spatial dimensions, "
            f"but got input with spatial dimensions of {in_shape} and {what} of {tuple(items)}. "
            f"Please provide input tensor in (N, C, d1, d2, ...,dK) format and {what} in "
            f"(s1, s2, ...,sK) format."
        )
    if kind is numbers.Real and not all(math.isfinite(v) for v in items):
        raise ValueError(f"interpolate: scale_factor must be finite, got {tuple(items)}")
    return [float(v) if kind is numbers.Real else int(v) for v in items]


def _check_mode(input: Tensor, mode: str, align_corners: bool | None, antialias: bool) -> None:
    if mode in ("nearest", "area", "nearest-exact") and align_corners is not None:
        raise ValueError(
            "interpolate: align_corners option can only be set with the interpolating modes: "
            f"linear | bilinear | bicubic | trilinear (got mode={mode!r})"
        )
    known = mode in _LINEAR or mode in ("nearest", "area", "nearest-exact")
    if not known or input.ndim not in (3, 4, 5):
        raise NotImplementedError(
            f"interpolate: Input Error: Only 3D, 4D and 5D input Tensors supported (got "
            f"{input.ndim}D) for the modes: {_MODES} (got {mode})"
        )
    if mode in _LINEAR and input.ndim != _LINEAR[mode]:
        raise NotImplementedError(
            f"interpolate: Got {input.ndim}D input, but {mode} mode needs {_LINEAR[mode]}D input"
        )
    if antialias and (mode not in ("bilinear", "bicubic") or input.ndim != 4):
        raise ValueError(
            "interpolate: Anti-alias option is restricted to bilinear, bicubic, and lanczos "
            f"modes and requires a 4-D tensor as input (got mode={mode!r}, {input.ndim}-D)"
        )
    if mode not in ("nearest", "nearest-exact") and input.dtype.kind != "f":
        raise NotImplementedError(
            f"interpolate: mode {mode!r} is not implemented for dtype {input.dtype} (floating "
            f"point inputs only; nearest modes take any dtype)"
        )


def _axis_map(axis: int, n_in: int, n_out: int, mode: str, options: tuple) -> AxisMap:
    align_corners, scale, antialias, dtype = options
    if mode in ("nearest", "nearest-exact"):
        return gather_map(axis, W.nearest_index(n_in, n_out, scale, mode != "nearest"), n_in)
    if mode == "area":
        return AxisMap(axis, W.area(n_in, n_out))
    if antialias:
        taps = 2 if mode == "bilinear" else 4
        return AxisMap(axis, W.antialiased(n_in, n_out, align_corners, scale, dtype, taps))
    weights = W.cubic if mode == "bicubic" else W.linear
    return AxisMap(axis, weights(n_in, n_out, align_corners, scale, dtype))


def interpolate(
    input: Tensor,
    size: int | Sequence[int] | None = None,
    scale_factor: float | Sequence[float] | None = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """``F.interpolate``: resize the spatial dimensions of an ``(N, C, d1, ..., dK)`` input
    (K = 1, 2, 3) to ``size``, or by ``scale_factor`` (output ``floor(d * s)``).

        >>> F = mt.nn.functional
        >>> F.interpolate(mt.tensor([[[1., 2.]]]), scale_factor=2)
        tensor([[[1., 1., 2., 2.]]])
        >>> F.interpolate(mt.tensor([[[1., 2.]]]), 3, mode="linear", align_corners=True).tolist()
        [[[1.0, 1.5, 2.0]]]
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"interpolate: input must be a Tensor, got {type(input).__name__}")
    _check_mode(input, mode, align_corners, antialias)
    in_sizes = list(input.shape[2:])
    n = len(in_sizes)
    if size is not None and scale_factor is not None:
        raise ValueError("interpolate: only one of size or scale_factor should be defined")
    if size is None and scale_factor is None:
        raise ValueError("interpolate: either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError(
            "interpolate: recompute_scale_factor is not meaningful with an explicit size."
        )
    sizes = _spatial(size, "size", n, numbers.Integral, in_sizes)
    scales = _spatial(scale_factor, "scale_factor", n, numbers.Real, in_sizes)
    if sizes is None:
        sizes = [W.output_size(d, s) for d, s in zip(in_sizes, scales)]
        if recompute_scale_factor or mode == "area":
            scales = None  # the kernels then take the ratio of the sizes
    if min(in_sizes) <= 0 or min(sizes) <= 0:
        raise RuntimeError(
            f"interpolate: Input and output sizes should be greater than 0, but got input "
            f"{tuple(in_sizes)} output {tuple(sizes)}"
        )
    if input.shape[1] == 0:
        raise RuntimeError(
            f"interpolate: non-empty {input.ndim}D data tensor expected but got a tensor with "
            f"sizes {list(input.shape)}"
        )
    dtype = input.dtype if input.dtype.kind == "f" else np.float64
    maps = []
    for i, (n_in, n_out) in enumerate(zip(in_sizes, sizes)):
        options = (bool(align_corners), None if scales is None else scales[i], antialias, dtype)
        maps.append(_axis_map(2 + i, n_in, n_out, mode, options))
    return along_axes(input, tuple(maps))


class Upsample(Module):
    """Resize the spatial dimensions (PyTorch's ``nn.Upsample``): ``F.interpolate`` with the
    layer's ``size`` or ``scale_factor``, ``mode``, ``align_corners`` and
    ``recompute_scale_factor``."""

    def __init__(
        self,
        size: int | Sequence[int] | None = None,
        scale_factor: float | Sequence[float] | None = None,
        mode: str = "nearest",
        align_corners: bool | None = None,
        recompute_scale_factor: bool | None = None,
    ) -> None:
        super().__init__()
        if size is not None and scale_factor is not None:
            raise ValueError(
                f"{type(self).__name__}: only one of size or scale_factor should be defined"
            )
        self.size = tuple(size) if isinstance(size, (tuple, list)) else size
        if isinstance(scale_factor, (tuple, list)):
            scale_factor = tuple(float(s) for s in scale_factor)
        elif scale_factor is not None:
            scale_factor = float(scale_factor)
        self.scale_factor = scale_factor
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: Tensor) -> Tensor:
        return interpolate(
            input,
            self.size,
            self.scale_factor,
            self.mode,
            self.align_corners,
            recompute_scale_factor=self.recompute_scale_factor,
        )

    def extra_repr(self) -> str:
        if self.scale_factor is not None:
            info = f"scale_factor={self.scale_factor!r}"
        else:
            info = f"size={self.size!r}"
        return f"{info}, mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """``Upsample(size, scale_factor, mode="nearest")`` for 4-D inputs (PyTorch's class)."""

    def __init__(
        self, size: int | Sequence[int] | None = None, scale_factor: float | None = None
    ) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """``Upsample(size, scale_factor, mode="bilinear", align_corners=True)`` (PyTorch's
    class)."""

    def __init__(
        self, size: int | Sequence[int] | None = None, scale_factor: float | None = None
    ) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
