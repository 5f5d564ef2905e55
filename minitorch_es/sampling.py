"""Random factories: ``rand``, ``randn``, ``randint``, ``randperm`` (and ``_like`` forms),
``normal``, ``bernoulli``, ``multinomial``, ``poisson``. Each draws from ``generator`` (an
`mt.Generator`) or the package generator that `mt.manual_seed` seeds. The streams differ
from PyTorch's (same distributions, other numbers)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from .creation import _made, _size_arg
from .dtypes import get_default_dtype, numpy_dtype
from .generator import Generator, rng
from .size import size_of
from .tensor import Tensor

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from .devices import device as Device


def draw(
    op: str, method: Callable[..., np.ndarray], shape: tuple, dtype: DTypeLike | None
) -> np.ndarray:
    """``method(shape, dtype=...)`` in a floating ``dtype`` (NumPy draws float32/float64;
    float16 is rounded from float32)."""
    dtype = get_default_dtype().dtype if dtype is None else numpy_dtype(dtype, op)
    if dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating point dtype, got {dtype}")
    direct = dtype if dtype in (np.float32, np.float64) else np.float32
    return method(shape, dtype=direct).astype(dtype, copy=False)


def uniform(generator: np.random.Generator, shape: tuple, dtype: DTypeLike | None) -> np.ndarray:
    """Uniform samples on [0, 1) in ``dtype`` (never 1, also when rounded to float16)."""
    data = draw("rand", generator.random, shape, dtype)
    if data.dtype not in (np.float32, np.float64):
        data = np.minimum(data, np.nextafter(data.dtype.type(1), data.dtype.type(0)))
    return data


def randn(
    *size,
    generator: Generator | None = None,
    out: Tensor | None = None,
    dtype: DTypeLike | None = None,
    device: Device | str | None = None,
    requires_grad: bool = False,
    **kwargs,
) -> Tensor:
    """Standard normal samples: ``mt.randn(2, 3)`` or ``mt.randn((2, 3))``."""
    shape = size_of(_size_arg(size, kwargs, "randn"), "randn")
    data = draw("randn", rng(generator).standard_normal, shape, dtype)
    return _made(data, device, requires_grad, out, "randn")


def rand(
    *size,
    generator: Generator | None = None,
    out: Tensor | None = None,
    dtype: DTypeLike | None = None,
    device: Device | str | None = None,
    requires_grad: bool = False,
    **kwargs,
) -> Tensor:
    """Uniform samples on [0, 1): ``mt.rand(2, 3)`` or ``mt.rand((2, 3))``."""
    shape = size_of(_size_arg(size, kwargs, "rand"), "rand")
    return _made(uniform(rng(generator), shape, dtype), device, requires_grad, out, "rand")


def randint(
    low: int,
    high: int | Sequence[int] | None = None,
    size: Sequence[int] | None = None,
    *,
    generator: Generator | None = None,
    out: Tensor | None = None,
    dtype: DTypeLike | None = None,
    device: Device | str | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """Integers in ``[low, high)`` (int64 unless ``dtype``): ``randint(high, size)`` and
    ``randint(low, high, size)``, as in PyTorch."""
    if size is None:
        if not isinstance(high, (tuple, list)):
            raise TypeError("randint() missing the size argument (a tuple of ints)")
        low, high, size = 0, low, high
    elif high is None:  # randint(high, size=...)
        low, high = 0, low
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"randint(): size must be a tuple of ints, got {type(size).__name__}")
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    dtype = np.dtype(np.int64) if dtype is None else numpy_dtype(dtype, "randint")
    values = rng(generator).integers(low, high, size=size_of((size,), "randint"))
    return _made(values.astype(dtype), device, requires_grad, out, "randint")


def randperm(
    n: int,
    *,
    generator: Generator | None = None,
    out: Tensor | None = None,
    dtype: DTypeLike | None = None,
    device: Device | str | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """A random permutation of ``0 .. n-1`` (int64 unless ``dtype``)."""
    if n < 0:
        raise RuntimeError(f"randperm: n must be non-negative, got {n}")
    data = rng(generator).permutation(n).astype(np.int64 if dtype is None else dtype)
    return _made(data, device, requires_grad, out, "randperm")


def rand_like(
    input: Tensor,
    *,
    dtype: DTypeLike | None = None,
    device: Device | str | None = None,
    requires_grad: bool = False,
    generator: Generator | None = None,
) -> Tensor:
    """`rand` with the shape (and, unless ``dtype`` is given, the dtype) of ``input``."""
    return rand(
        tuple(input.shape),
        generator=generator,
        dtype=dtype or input.dtype,
        device=device,
        requires_grad=requires_grad,
    )


def randn_like(
    input: Tensor,
    *,
    dtype: DTypeLike | None = None,
    device: Device | str | None = None,
    requires_grad: bool = False,
    generator: Generator | None = None,
) -> Tensor:
    """`randn` with the shape (and, unless ``dtype`` is given, the dtype) of ``input``."""
    return randn(
        tuple(input.shape),
        generator=generator,
        dtype=dtype or input.dtype,
        device=device,
        requires_grad=requires_grad,
    )


def randint_like(
    input: Tensor,
    low: int = 0,
    high: int | None = None,
    *,
    dtype: DTypeLike | None = None,
    device: Device | str | None = None,
    requires_grad: bool = False,
    generator: Generator | None = None,
) -> Tensor:
    """`randint` with the shape (and, unless ``dtype`` is given, the dtype) of ``input``:
    ``randint_like(x, high)`` or ``randint_like(x, low, high)``."""
    if high is None:
        low, high = 0, low
    return randint(
        low,
        high,
        tuple(input.shape),
        generator=generator,
        dtype=dtype or input.dtype,
        device=device,
        requires_grad=requires_grad,
    )


def normal(
    mean: Tensor | float = 0.0,
    std: Tensor | float = 1.0,
    size: Sequence[int] | None = None,
    *,
    generator: Generator | None = None,
    out: Tensor | None = None,
    dtype: DTypeLike | None = None,
    device: Device | str | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """Normal samples with ``mean`` and ``std`` (tensors broadcast; with two numbers,
    ``size`` gives the shape)."""
    m, s = (getattr(v, "_data", v) for v in (mean, std))
    if (
        np.ndim(m) == 0
        and np.ndim(s) == 0
        and not isinstance(mean, Tensor)
        and not isinstance(std, Tensor)
    ):
        if size is None:
            raise TypeError("normal(): with a number mean and std, give the size")
        shape, dtype = size_of((size,), "normal"), dtype
    else:
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        dtype = next(v.dtype for v in (mean, std) if isinstance(v, Tensor))
    if np.any(np.asarray(s) < 0):
        raise RuntimeError(f"normal expects std >= 0.0, but found std {np.min(s)}")
    noise = draw("normal", rng(generator).standard_normal, shape, dtype)
    data = (noise * s + m).astype(noise.dtype)
    return _made(data, device, requires_grad, out, "normal")


def bernoulli(
    input: Tensor,
    p: float | None = None,
    *,
    generator: Generator | None = None,
    out: Tensor | None = None,
) -> Tensor:
    """1 with probability ``input`` (or ``p``) elementwise, else 0, in ``input``'s dtype."""
    probs = np.asarray(input._data if p is None else np.full(input.shape, p))
    if np.any((probs < 0) | (probs > 1)) or np.isnan(probs).any():
        raise RuntimeError("bernoulli: all probabilities must be in [0, 1]")
    data = (rng(generator).random(input.shape) < probs).astype(input.dtype)
    return _made(data, None, False, out, "bernoulli")


def poisson(input: Tensor, generator: Generator | None = None) -> Tensor:
    """Poisson samples with rates ``input`` (non-negative), in ``input``'s dtype."""
    if np.any(input._data < 0):
        raise RuntimeError("poisson: the rates must be non-negative")
    return Tensor(rng(generator).poisson(input._data).astype(input.dtype))


def multinomial(
    input: Tensor,
    num_samples: int,
    replacement: bool = False,
    *,
    generator: Generator | None = None,
    out: Tensor | None = None,
) -> Tensor:
    """``num_samples`` category indices per row of the (unnormalised) probabilities
    ``input`` (1-D or 2-D), with or without replacement."""
    p = np.asarray(input._data, dtype=np.float64)
    if p.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got {p.ndim}")
    if not np.isfinite(p).all() or (p < 0).any():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    rows = p.reshape(-1, p.shape[-1])
    if (rows.sum(axis=1) == 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    if not replacement and num_samples > (rows > 0).sum(axis=1).min():
        raise RuntimeError(
            "multinomial: cannot sample n_sample > prob_dist.size(-1) samples without "
            "replacement (or more than the categories with nonzero probability)"
        )
    gen = rng(generator)
    if replacement:
        cdf = np.cumsum(rows / rows.sum(axis=1, keepdims=True), axis=1)
        u = gen.random((len(rows), num_samples))
        picks = np.stack([np.searchsorted(c, r, side="right") for c, r in zip(cdf, u)])
        picks = np.minimum(picks, rows.shape[1] - 1)
    else:  # the Gumbel top-k trick: one draw per category, keep the k largest keys
        with np.errstate(divide="ignore"):
            keys = np.log(rows) - np.log(-np.log(gen.random(rows.shape)))
        picks = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    data = picks.reshape(p.shape[:-1] + (num_samples,)).astype(np.int64)
    return _made(data, None, False, out, "multinomial")
