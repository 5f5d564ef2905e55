"""ONNX translations of the element-wise losses, for a model whose forward returns its loss:
``mse_loss``, ``l1_loss``, ``huber_loss``, ``smooth_l1_loss``, ``binary_cross_entropy``,
``binary_cross_entropy_with_logits`` (one `PointwiseLossFunction` each, told apart by the
``op`` it declares), the per-element Kullback-Leibler divergence (`KLDivPointwise`; its
reductions are ordinary ops) and the clamped variance of ``gaussian_nll_loss``
(`VarianceClamp`, ``Max``).

The formulas are PyTorch's, written with ONNX operators: BCE's logarithms clamped at -100, and
BCE with logits in its stable form (``Softplus``, which ONNX Runtime computes without
overflow). A `PointwiseLossFunction` called with another ``op`` (a plugin's own loss) gets an
`ExportError`: its formula exists only as Python functions the exporter cannot read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import minitorch_es as mt

from .kl_div import KLDivPointwise
from .likelihood_losses import VarianceClamp
from .loss_functions import PointwiseLossFunction

if TYPE_CHECKING:
    from collections.abc import Callable

    from minitorch_es.onnx import Call, GraphBuilder
    from minitorch_es.registry import Registry


class _Formula:
    """Helpers to write one call's formula: constants in the result's dtype, and the call's
    declared constants (``weight``...) as graph values."""

    def __init__(self, g: GraphBuilder, call: Call) -> None:
        self.g, self.call, self.dtype = g, call, call.out_dtype

    def number(self, value: float) -> str:
        return self.g.constant(value, self.dtype)

    def option(self, name: str) -> str:
        """The declared constant ``name`` (a weight array) as a value, ``""`` when None."""
        return self.call.value(self.call.kwargs["constants"].get(name), self.dtype)

    def scaled(self, losses: str, weight: str) -> str:
        return losses if not weight else self.g.op("Mul", losses, weight)


def _quadratic_below(f: _Formula, d: str, threshold: float, square: float, linear: float) -> str:
    """``square * 0.5 d^2`` where ``|d| < threshold``, else ``linear * (|d| - 0.5 threshold)``:
    huber (``1, delta``) and smooth L1 (``1 / beta, 1``)."""
    g = f.g
    size = g.op("Abs", d)
    inside = g.op("Mul", g.op("Mul", d, d), f.number(0.5 * square))
    outside = g.op("Sub", size, f.number(0.5 * threshold))
    if linear != 1:
        outside = g.op("Mul", outside, f.number(linear))
    return g.op("Where", g.op("Less", size, f.number(threshold)), inside, outside)


def _mse(f: _Formula, x: str, y: str) -> str:
    d = f.g.op("Sub", x, y)
    return f.g.op("Mul", d, d)


def _l1(f: _Formula, x: str, y: str) -> str:
    return f.g.op("Abs", f.g.op("Sub", x, y))


def _huber(f: _Formula, x: str, y: str) -> str:
    delta = f.call.kwargs["constants"]["delta"]
    return _quadratic_below(f, f.g.op("Sub", x, y), delta, 1.0, delta)


def _smooth_l1(f: _Formula, x: str, y: str) -> str:
    beta = f.call.kwargs["constants"]["beta"]
    return _quadratic_below(f, f.g.op("Sub", x, y), beta, 1 / beta, 1.0)


def _clamped_log(f: _Formula, p: str) -> str:
    """``max(log p, -100)``: PyTorch's BCE clamp, so that p = 0 gives a finite loss."""
    return f.g.op("Max", f.g.op("Log", p), f.number(-100.0))


def _bce(f: _Formula, x: str, y: str) -> str:
    g = f.g
    one_minus = g.op("Sub", f.number(1.0), x)
    positive = g.op("Mul", y, _clamped_log(f, x))
    negative = g.op("Mul", g.op("Sub", f.number(1.0), y), _clamped_log(f, one_minus))
    return f.scaled(g.op("Neg", g.op("Add", positive, negative)), f.option("weight"))


def _bce_with_logits(f: _Formula, x: str, y: str) -> str:
    # w (p y softplus(-x) + (1 - y) softplus(x))
    g = f.g
    pos_weight = f.option("pos_weight")
    py = f.scaled(y, pos_weight)
    positive = g.op("Mul", py, g.op("Softplus", g.op("Neg", x)))
    negative = g.op("Mul", g.op("Sub", f.number(1.0), y), g.op("Softplus", x))
    return f.scaled(g.op("Add", positive, negative), f.option("weight"))


FORMULAS: dict[str, Callable[[_Formula, str, str], str]] = {
    "mse_loss": _mse,
    "l1_loss": _l1,
    "huber_loss": _huber,
    "smooth_l1_loss": _smooth_l1,
    "binary_cross_entropy": _bce,
    "binary_cross_entropy_with_logits": _bce_with_logits,
}
_REDUCE = {"mean": "ReduceMean", "sum": "ReduceSum"}


def _pointwise_loss(g: GraphBuilder, call: Call) -> str:
    op = call.kwargs["op"]
    formula = FORMULAS.get(op)
    if formula is None:
        raise mt.onnx.ExportError(
            f"PointwiseLossFunction called as {op!r} is not supported: its per-element loss "
            f"is given as Python functions (values, derivatives), which cannot be written as "
            f"ONNX operators; the built-in losses {sorted(FORMULAS)} export. Give the loss "
            f"its own Function with a translation (mt.onnx.add_translation)"
        )
    dtype = call.out_dtype
    losses = formula(_Formula(g, call), call.input(0, dtype), call.input(1, dtype))
    reduction = call.kwargs["reduction"]
    return losses if reduction == "none" else g.reduce(_REDUCE[reduction], losses, None, False)


def _kl_div_pointwise(g: GraphBuilder, call: Call) -> str:
    dtype = call.out_dtype
    x, t = call.input(0, dtype), call.input(1, dtype)
    if call.kwargs["log_target"]:  # exp(t) (t - x)
        return g.op("Mul", g.op("Exp", t), g.op("Sub", t, x))
    # t log t - t x, with 0 log 0 = 0 (log of 1 where t = 0, then masked)
    zero, one = g.constant(0.0, dtype), g.constant(1.0, dtype)
    present = g.op("Not", g.op("Equal", t, zero))
    t_log_t = g.op("Mul", t, g.op("Log", g.op("Where", present, t, one)))
    return g.op("Sub", g.op("Where", present, t_log_t, zero), g.op("Mul", t, x))


def _variance_clamp(g: GraphBuilder, call: Call) -> str:
    dtype = call.out_dtype
    return g.op("Max", call.input(0, dtype), g.constant(call.kwargs["eps"], dtype))


@mt.hookimpl
def minitorch_es_register(registry: Registry) -> None:
    """Declare the ONNX translations of the element-wise losses."""
    # values / derivatives are closures made anew at each call: the formula comes from op and
    # constants instead, so the exporter does not compare them between its two traces.
    mt.onnx.add_translation(
        registry, PointwiseLossFunction, _pointwise_loss, varying=("values", "derivatives")
    )
    mt.onnx.add_translation(registry, KLDivPointwise, _kl_div_pointwise)
    mt.onnx.add_translation(registry, VarianceClamp, _variance_clamp)
