"""What the built-in optimizers share: hyper-parameter checks, reusable work arrays and the
effective gradient (``±grad + weight_decay * param``).

Every ``_update`` works on a whole flat buffer, so it must not allocate per call: it borrows work
arrays from `FlatOptimizer._work` and uses NumPy's ``out=``. Hyper-parameters are read
from the group at every step as Python floats (a scheduler may change them, and a NumPy float64
scalar would promote float32 arrays).
"""

from __future__ import annotations

import numpy as np

from minitorch_es.optim import Optimizer


class FlatOptimizer(Optimizer):
    """An `Optimizer` with scratch arrays reused across steps (not part of the state)."""

    def _work(self, like: np.ndarray, k: int) -> np.ndarray:
        """Work array number ``k`` with ``like``'s size and dtype; contents are garbage."""
        cache = self.__dict__.setdefault("_workspace", {})
        key = (like.dtype.str, k)
        buf = cache.get(key)
        if buf is None or buf.size < like.size:
            buf = cache[key] = np.empty(like.size, dtype=like.dtype)
        return buf[: like.size]


def effective_grad(
    grad: np.ndarray, param: np.ndarray, weight_decay: float, maximize: bool, out: np.ndarray
) -> np.ndarray:
    """PyTorch's ``(-grad if maximize else grad) + weight_decay * param``; ``grad`` itself (no
    copy) when there is nothing to change, else written into ``out``."""
    if weight_decay == 0:
        return np.negative(grad, out=out) if maximize else grad
    np.multiply(param, weight_decay, out=out)
    return np.subtract(out, grad, out=out) if maximize else np.add(out, grad, out=out)


def lerp_(avg: np.ndarray, x: np.ndarray, weight: float, work: np.ndarray) -> None:
    """``avg = (1 - weight) * avg + weight * x`` in place (an exponential moving average)."""
    avg *= 1.0 - weight
    np.multiply(x, weight, out=work)
    avg += work


def ema_square_(avg: np.ndarray, x: np.ndarray, decay: float, work: np.ndarray) -> None:
    """``avg = decay * avg + (1 - decay) * x**2`` in place."""
    avg *= decay
    np.multiply(x, x, out=work)
    work *= 1.0 - decay
    avg += work


# ------------------------------------------------------------------ hyper-parameter checks
def _where(optimizer: Optimizer) -> str:
    return type(optimizer).__name__


def check_nonnegative(optimizer: Optimizer, group: dict, *names: str) -> None:
    """``group[name] >= 0`` for each name (PyTorch: 'Invalid <name> value')."""
    for name in names:
        value = group[name]
        if not value >= 0:  # also catches NaN
            raise ValueError(
                f"Invalid {_label(name)} value: {value} ({_where(optimizer)} expects {name} >= 0)"
            )


def check_unit_interval(optimizer: Optimizer, group: dict, name: str) -> None:
    """``0 <= group[name] <= 1`` (RMSprop's alpha, Adadelta's rho)."""
    value = group[name]
    if not 0.0 <= value <= 1.0:
        raise ValueError(
            f"Invalid {name} value: {value} ({_where(optimizer)} expects 0 <= {name} <= 1)"
        )


def check_betas(optimizer: Optimizer, group: dict) -> None:
    """``betas`` is a pair with ``0 <= beta < 1``."""
    betas = group["betas"]
    try:
        pair = tuple(betas)
    except TypeError:
        pair = ()
    if len(pair) != 2:
        raise ValueError(
            f"Invalid betas: {betas!r} ({_where(optimizer)} expects a pair (beta1, beta2))"
        )
    for i, beta in enumerate(pair):
        if not 0.0 <= beta < 1.0:
            raise ValueError(
                f"Invalid beta parameter at index {i}: {beta} ({_where(optimizer)} "
                f"expects 0 <= betas[{i}] < 1)"
            )


def _label(name: str) -> str:
    # PyTorch's wording: "Invalid epsilon value", "Invalid weight_decay value", ...
    return "epsilon" if name == "eps" else name
