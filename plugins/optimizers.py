"""Built-in optimizers, registered as kind ``"optimizer"`` (``mt.optim.SGD``, ``mt.optim.Adam``
...). Lower-case names (``"adam"``, ``"rmsprop"``) resolve by the registry's normalisation."""

from __future__ import annotations

from typing import TYPE_CHECKING

import minitorch_es as mt

from .optim_adam import Adam, Adamax, AdamW, NAdam
from .optim_adaptive import Adadelta, Adagrad, RMSprop
from .optim_asgd import ASGD
from .optim_lbfgs import LBFGS
from .optim_radam import RAdam
from .optim_rprop import Rprop
from .optim_sgd import SGD

if TYPE_CHECKING:
    from minitorch_es.registry import Registry

__all__ = ["SGD", "Adam", "AdamW", "NAdam", "RAdam", "Adamax", "RMSprop", "Adagrad", "Adadelta"]
__all__ += ["LBFGS", "ASGD", "Rprop"]


@mt.hookimpl
def minitorch_es_register(registry: Registry):
    """Register the optimizers; SGD is also the thesis's plain "gradient descent"."""
    registry.add("optimizer", "SGD", SGD, aliases=("gd", "gradient_descent"))
    for cls in (Adam, AdamW, NAdam, RAdam, Adamax, RMSprop, Adagrad, Adadelta, LBFGS, ASGD, Rprop):
        registry.add("optimizer", cls.__name__, cls)
