"""What the built-in optimizers share: hyper-parameter checks and in-place moving averages.

Every ``_update`` works on a whole flat buffer, so it must not allocate per call: it borrows work
arrays from ``Optimizer.scratch`` and uses NumPy's ``out=``; the Optimizer base has already
applied ``maximize`` and ``weight_decay`` to the gradient it hands over. Hyper-parameters are
read from the group at every step as Python floats (a scheduler may change them, and a NumPy
float64 scalar would promote float32 arrays).
"""

from __future__ import annotations

import numpy as np

from minitorch_es.optim import Optimizer


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
