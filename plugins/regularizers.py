"""Built-in regularizers (``L1``, ``L2``, ``L1L2``, ``OrthogonalRegularizer``) and weight
constraints (``MaxNorm``, ``NonNeg``, ``UnitNorm``, ``MinMaxNorm``), with Keras's semantics.

A regularizer returns a scalar penalty Tensor that is part of the graph, so it backpropagates:
``L2(0.01)(w) == 0.01 * sum(w**2)``. A constraint projects a weight in place after an optimizer
step. Attached to a parameter (a layer's ``weight_regularizer=`` / ``weight_constraint=``), both
are applied by every optimizer's ``step``. Both are Configurable, so configs and checkpoints
store them by name.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

import minitorch_es as mt
from minitorch_es.regularizers import Constraint, Regularizer
from minitorch_es.validation import check_tensor, is_int, is_real

if TYPE_CHECKING:
    from minitorch_es.registry import Registry

EPSILON = 1e-7  # Keras's backend.epsilon(): keeps the norms of all-zero slices from dividing by 0


def _factor(value: float, name: str, owner: str) -> float:
    """A non-negative finite number, with the message of Keras's ``validate_float_arg``."""
    if not is_real(value) or not math.isfinite(value) or value < 0:
        raise ValueError(
            f"{owner}: invalid value for argument {name}: expected a non-negative "
            f"float, got {name}={value!r}"
        )
    return float(value)


# ------------------------------------------------------------------------ regularizers
class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x**2)``; both factors default to 0 (None too), as in Keras."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = _factor(0.0 if l1 is None else l1, "l1", type(self).__name__)
        self.l2 = _factor(0.0 if l2 is None else l2, "l2", type(self).__name__)

    def __call__(self, x: mt.Tensor) -> mt.Tensor:
        x = check_tensor(x, "x", type(self).__name__)
        penalty = None
        if self.l1:
            penalty = self.l1 * x.abs().sum()
        if self.l2:
            term = self.l2 * (x * x).sum()
            penalty = term if penalty is None else penalty + term
        # A zero factor still yields a scalar in x's dtype, like Keras's 0.0 tensor.
        return penalty if penalty is not None else (x * 0).sum()


class L1(L1L2):
    """``l1 * sum(|x|)`` (Keras's default ``l1=0.01``; None also means the default)."""

    def __init__(self, l1: float = 0.01) -> None:
        super().__init__(l1=0.01 if l1 is None else l1)


class L2(L1L2):
    """``l2 * sum(x**2)`` (Keras's default ``l2=0.01``). Unlike optimizer ``weight_decay`` it is
    part of the loss, so its gradient ``2 * l2 * x`` also goes through adaptive optimizers.
    ``l2=None`` means the default, as in Keras.

        >>> mt.regularizers.L2(0.1)(mt.tensor([1., 2.]))
        tensor(0.5000)
        >>> layer = mt.nn.Linear(4, 2, weight_regularizer=mt.regularizers.L2(1e-4))
    """

    def __init__(self, l2: float = 0.01) -> None:
        super().__init__(l2=0.01 if l2 is None else l2)


def l1(l1: float = 0.01) -> L1:
    """Keras's spelling: ``mt.regularizers.l1(0.001)`` is ``L1(l1=0.001)``."""
    return L1(l1)


def l2(l2: float = 0.01) -> L2:
    """Keras's spelling: ``mt.regularizers.l2(0.001)`` is ``L2(l2=0.001)``."""
    return L2(l2)


def l1_l2(l1: float = 0.0, l2: float = 0.0) -> L1L2:
    """Keras's spelling of ``L1L2`` (Keras 3 defaults 0.0; tf.keras 2 used 0.01)."""
    return L1L2(l1, l2)


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (or columns) of a 2-D tensor towards orthogonality (Keras semantics):
    ``factor * 0.5 * sum(|off-diagonal of N N^T|) / (n (n-1) / 2)`` with ``N`` the L2-normalised
    rows (``mode="rows"``) or columns (``mode="columns"``).

    The mode refers to the tensor it is given. Our ``Linear.weight`` is ``(out, in)``, the
    transpose of Keras's Dense kernel, so ``"rows"`` here decorrelates output units (Keras's
    ``"columns"`` on its kernel) and ``"columns"`` here equals Keras's ``"rows"``.
    """

    def __init__(self, factor: float = 0.01, mode: str = "rows") -> None:
        self.factor = _factor(factor, "factor", "OrthogonalRegularizer")
        if mode not in ("rows", "columns"):
            raise ValueError(
                f"OrthogonalRegularizer: invalid value for argument mode: expected "
                f"'rows' or 'columns', got mode={mode!r}"
            )
        self.mode = mode

    def __call__(self, x: mt.Tensor) -> mt.Tensor:
        x = check_tensor(x, "x", "OrthogonalRegularizer")
        if x.ndim != 2:
            raise ValueError(f"OrthogonalRegularizer: inputs must have rank 2, got shape {x.shape}")
        vectors = x if self.mode == "rows" else x.T
        n = vectors.shape[0]
        if n < 2:  # a single vector has no pair to decorrelate
            return (x * 0).sum()
        norms = (vectors * vectors).sum(dim=1, keepdim=True).sqrt().clamp(min=EPSILON)
        unit = vectors / norms
        off_diagonal = (unit @ unit.T) * mt.tensor(1 - np.eye(n), dtype=x.dtype)
        return self.factor * 0.5 * off_diagonal.abs().sum() / (n * (n - 1) / 2)


# ------------------------------------------------------------------------- constraints
def _axis(axis: int | Sequence[int] | None, owner: str):
    if axis is None:
        return None
    if is_int(axis) or (isinstance(axis, (list, tuple)) and axis and all(map(is_int, axis))):
        return tuple(axis) if isinstance(axis, (list, tuple)) else int(axis)
    raise ValueError(f"{owner}: axis must be an int or a non-empty list of ints, got {axis!r}")


class _NormConstraint(Constraint):
    def _norms(self, w: np.ndarray) -> np.ndarray:
        try:
            axes = tuple(range(1, w.ndim)) if self._reduce is None else self._reduce
            return np.sqrt(np.sum(w * w, axis=axes, keepdims=True))
        except ValueError as e:  # includes numpy.AxisError
            raise ValueError(
                f"{type(self).__name__}: axis={self.axis!r} does not fit a weight of "
                f"shape {w.shape} ({e})"
            ) from None


_AXIS_DOC = """
    ``axis`` is the axis (or axes) the norm is taken over, so each slice along the other axes is
    constrained. The default ``None`` means every axis but the first: with PyTorch's weight layout
    (``Linear.weight`` is ``(out, in)``, ``Conv2d.weight`` is ``(out, in, kh, kw)``) that
    constrains each output unit's incoming weights, which is what Keras's default does on its
    ``(in, out)`` kernels (Keras spells it ``axis=0`` for Dense and ``[0, 1, 2]`` for Conv2D).
    ``axis=0`` here constrains, per input feature, the weights leaving it.
"""


class MaxNorm(_NormConstraint):
    __doc__ = (
        "Rescales slices whose L2 norm exceeds ``max_value`` down to it (Keras ``MaxNorm``)."
        + _AXIS_DOC
    )

    def __init__(self, max_value: float = 2, axis: int | Sequence[int] | None = None) -> None:
        self.max_value = _factor(max_value, "max_value", "MaxNorm")
        self.axis, self._reduce = axis, _axis(axis, "MaxNorm")

    def project(self, w: np.ndarray) -> np.ndarray:
        norms = self._norms(w)
        return w * (np.clip(norms, 0, self.max_value) / (EPSILON + norms))


class UnitNorm(_NormConstraint):
    __doc__ = "Scales every slice to unit L2 norm (Keras ``UnitNorm``)." + _AXIS_DOC

    def __init__(self, axis: int | Sequence[int] | None = None) -> None:
        self.axis, self._reduce = axis, _axis(axis, "UnitNorm")

    def project(self, w: np.ndarray) -> np.ndarray:
        return w / (EPSILON + self._norms(w))


class MinMaxNorm(_NormConstraint):
    __doc__ = (
        "Moves slice norms into ``[min_value, max_value]``; ``rate`` < 1 moves only that "
        "fraction of the way (Keras ``MinMaxNorm``)." + _AXIS_DOC
    )

    def __init__(
        self,
        min_value: float = 0.0,
        max_value: float = 1.0,
        rate: float = 1.0,
        axis: int | Sequence[int] | None = None,
    ) -> None:
        self.min_value = _factor(min_value, "min_value", "MinMaxNorm")
        self.max_value = _factor(max_value, "max_value", "MinMaxNorm")
        if self.max_value < self.min_value:
            raise ValueError(
                f"MinMaxNorm: max_value must be >= min_value, got "
                f"min_value={min_value!r}, max_value={max_value!r}"
            )
        self.rate = _factor(rate, "rate", "MinMaxNorm")
        self.axis, self._reduce = axis, _axis(axis, "MinMaxNorm")

    def project(self, w: np.ndarray) -> np.ndarray:
        norms = self._norms(w)
        desired = (
            self.rate * np.clip(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        )
        return w * (desired / (EPSILON + norms))


class NonNeg(Constraint):
    """Sets negative weights to zero (Keras ``NonNeg``)."""

    def project(self, w: np.ndarray) -> np.ndarray:
        return np.where(w >= 0, w, 0).astype(w.dtype, copy=False)


@mt.hookimpl
def minitorch_es_register(registry: Registry) -> None:
    """Register the regularizers and the weight constraints."""
    registry.add("regularizer", "L1", L1, aliases=("l1",))
    registry.add("regularizer", "L2", L2, aliases=("l2",))
    registry.add("regularizer", "L1L2", L1L2, aliases=("l1_l2",))
    registry.add(
        "regularizer",
        "OrthogonalRegularizer",
        OrthogonalRegularizer,
        aliases=("orthogonal_regularizer",),
    )
    for fn in (l1, l2, l1_l2):
        registry.export("regularizers", fn.__name__, fn)
    registry.add("constraint", "MaxNorm", MaxNorm, aliases=("max_norm",))
    registry.add("constraint", "NonNeg", NonNeg, aliases=("non_neg",))
    registry.add("constraint", "UnitNorm", UnitNorm, aliases=("unit_norm",))
    registry.add("constraint", "MinMaxNorm", MinMaxNorm, aliases=("min_max_norm",))
