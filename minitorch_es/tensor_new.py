"""Factories as `Tensor` methods (a mixin): ``x.new_zeros(size)`` ... make a tensor with
``x``'s dtype (and device) unless told otherwise; and the in-place random fills
(``normal_``, ``uniform_``, ``random_``, ``bernoulli_``, ``exponential_``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from . import devices as _device
from .dtypes import numpy_dtype
from .size import size_of

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, DTypeLike

    from .devices import device as Device
    from .tensor import Tensor

# ``generator -> numpy.random.Generator`` (the package's for None), installed by
# minitorch_es.generator: a Tensor module cannot import it (the random state imports Tensor).
rng: Callable[[object], np.random.Generator] | None = None


class TensorNew:
    """``new_*`` factories and in-place random fills of `Tensor`."""

    __slots__ = ()

    # ----------------------------------------------------------------------- new_*
    def new_tensor(
        self,
        data: ArrayLike,
        *,
        dtype: DTypeLike | None = None,
        device: Device | str | None = None,
        requires_grad: bool = False,
    ) -> Tensor:
        """A copy of ``data`` as a tensor of this tensor's dtype (unless ``dtype``)."""
        _device.check_device(device)
        values = np.array(
            getattr(data, "_data", data), dtype=self.dtype if dtype is None else dtype
        )
        out = self._wrap(values)
        return out.requires_grad_() if requires_grad else out

    def new_zeros(
        self,
        *size,
        dtype: DTypeLike | None = None,
        device: Device | str | None = None,
        requires_grad: bool = False,
    ) -> Tensor:
        """Zeros of ``size`` with this tensor's dtype (unless ``dtype``)."""
        return _new(self, size, np.zeros, dtype, device, requires_grad)

    def new_ones(
        self,
        *size,
        dtype: DTypeLike | None = None,
        device: Device | str | None = None,
        requires_grad: bool = False,
    ) -> Tensor:
        """Ones of ``size`` with this tensor's dtype (unless ``dtype``)."""
        return _new(self, size, np.ones, dtype, device, requires_grad)

    def new_empty(
        self,
        *size,
        dtype: DTypeLike | None = None,
        device: Device | str | None = None,
        requires_grad: bool = False,
    ) -> Tensor:
        """An uninitialised tensor of ``size`` (zeros here, see `mt.empty`)."""
        return _new(self, size, np.zeros, dtype, device, requires_grad)

    def new_full(
        self,
        size: tuple[int, ...],
        fill_value: float,
        *,
        dtype: DTypeLike | None = None,
        device: Device | str | None = None,
        requires_grad: bool = False,
    ) -> Tensor:
        """``fill_value`` everywhere in a tensor of ``size`` with this tensor's dtype."""

        def make(shape: tuple, dt: np.dtype) -> np.ndarray:
            return np.full(shape, fill_value, dtype=dt)

        return _new(self, (size,), make, dtype, device, requires_grad)

    # --------------------------------------------------------------- random fills
    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: object = None) -> Tensor:
        """Fill with normal samples of ``mean`` and ``std``."""
        if std < 0:
            raise RuntimeError(f"normal_ expects std >= 0.0, but found std {std}")
        return _fill(self, "normal_", lambda g, s: g.standard_normal(s) * std + mean, generator)

    def uniform_(
        self, from_: float = 0.0, to: float = 1.0, *, generator: object = None, **kwargs
    ) -> Tensor:
        """Fill with uniform samples on ``[from, to)`` (``from`` as PyTorch spells it)."""
        low = kwargs.pop("from", from_)
        if kwargs:
            raise TypeError(f"uniform_() got unexpected keyword argument(s) {sorted(kwargs)}")
        if low > to:
            raise RuntimeError(
                f"uniform_ expects to return a [from, to) range, but found from={low} > to={to}"
            )
        return _fill(self, "uniform_", lambda g, s: g.random(s) * (to - low) + low, generator)

    def random_(
        self, from_: int = 0, to: int | None = None, *, generator: object = None, **kwargs
    ) -> Tensor:
        """Fill with integers uniform on ``[from, to)`` (``random_(to)``: ``[0, to)``;
        without bounds: ``[0, 2**mantissa]`` for floats, the dtype's range for integers)."""
        explicit_from = "from" in kwargs
        low = kwargs.pop("from", from_)
        if kwargs:
            raise TypeError(f"random_() got unexpected keyword argument(s) {sorted(kwargs)}")
        if to is None and not explicit_from and from_ != 0:
            low, to = 0, from_
        if to is None:
            dt = self._data.dtype
            if dt.kind == "f":  # every integer the mantissa holds exactly
                to = 2 ** (np.finfo(dt).nmant + 1) + 1
            else:
                to = 2 if dt.kind == "b" else int(np.iinfo(dt).max) + 1
        if low >= to:
            raise RuntimeError(
                f"random_ expects 'from' to be less than 'to', but got from={low} >= to={to}"
            )
        return _fill(self, "random_", lambda g, s: g.integers(low, to, size=s), generator)

    def bernoulli_(self, p: float | Tensor = 0.5, *, generator: object = None) -> Tensor:
        """Fill with 1 with probability ``p`` (a number or a broadcastable tensor), else 0."""
        probs = np.asarray(getattr(p, "_data", p))
        if np.any((probs < 0) | (probs > 1)):
            raise RuntimeError("bernoulli_: p must be in [0, 1]")
        return _fill(self, "bernoulli_", lambda g, s: g.random(s) < probs, generator)

    def exponential_(self, lambd: float = 1.0, *, generator: object = None) -> Tensor:
        """Fill with exponential samples of rate ``lambd``."""
        if lambd <= 0:
            raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
        return _fill(self, "exponential_", lambda g, s: g.exponential(1 / lambd, s), generator)


def _new(
    t: TensorNew, size: tuple, make: object, dtype: object, device: object, requires_grad: bool
) -> Tensor:
    _device.check_device(device)
    dt = t._data.dtype if dtype is None else numpy_dtype(dtype, "new_*")
    out = t._wrap(make(size_of(size, "new_*"), dt))
    return out.requires_grad_() if requires_grad else out


def _fill(t: TensorNew, name: str, sample: object, generator: object) -> Tensor:
    """Write ``sample(generator, shape)`` into ``t`` in place (no gradient flows)."""
    values = np.asarray(sample(rng(generator), t._data.shape))
    return t._inplace(name, lambda s: s._wrap(values.astype(s._data.dtype)))
