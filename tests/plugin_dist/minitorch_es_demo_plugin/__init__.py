"""A demo minitorch_es plugin: the ``Cube`` activation and the ``SignSGD`` optimizer.

It uses only the public API, as any third-party plugin would: the ``minitorch_es.hookimpl``
marker, the ``minitorch_es_register(registry)`` hook and the ``Module``/``Optimizer`` bases.
"""

import numpy as np

import minitorch_es as mt
from minitorch_es.nn import Module
from minitorch_es.optim import Optimizer


class Cube(Module):
    """``x ** 3``, element-wise."""

    def forward(self, x):
        return x**3


class SignSGD(Optimizer):
    """``p -= lr * sign(grad)`` (signSGD, Bernstein et al. 2018)."""

    def __init__(self, params, lr: float = 0.01) -> None:
        if lr < 0:
            raise ValueError(f"Invalid learning rate: {lr} (expected lr >= 0)")
        super().__init__(params, dict(lr=lr))

    def _update(self, group, param, grad, state, step):
        param -= group["lr"] * np.sign(grad)


@mt.hookimpl
def minitorch_es_register(registry):
    registry.add("activation", "Cube", Cube, aliases=("cubic",))
    registry.add("optimizer", "SignSGD", SignSGD, aliases=("sign_sgd",))
