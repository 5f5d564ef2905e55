"""The activations PyTorch also offers as `Tensor` methods and top-level functions
(``x.sigmoid()``, ``mt.relu(x)``, ``x.softmax(dim)``), in place too (a mixin).

They are the functions of ``mt.nn.functional`` that the activation plugin publishes, found
through the registry at call time: one implementation, which the core never imports.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from .tensor import Tensor

# The registry's namespace lookup, installed by minitorch_es.namespaces: a Tensor module cannot
# import the registry, whose config rebuilding imports Tensor.
namespace: Callable[[str], dict] | None = None


def functional(name: str):  # noqa: ANN201  (a function published by a plugin)
    """``mt.nn.functional.<name>``, as published in the registry by a plugin."""
    found = namespace("nn.functional").get(name) if namespace is not None else None
    if found is None:
        raise RuntimeError(
            f"{name}: no function nn.functional.{name} is registered (the built-in activation "
            f"plugin provides it; is minitorch_es installed with its plugins?)"
        )
    return found


class TensorActivation:
    """Activation methods of `Tensor`."""

    __slots__ = ()

    def sigmoid(self) -> Tensor:
        """``1 / (1 + exp(-self))`` (``mt.nn.functional.sigmoid``)."""
        return functional("sigmoid")(self)

    def tanh(self) -> Tensor:
        """The hyperbolic tangent (``mt.nn.functional.tanh``)."""
        return functional("tanh")(self)

    def relu(self) -> Tensor:
        """``max(self, 0)`` (``mt.nn.functional.relu``)."""
        return functional("relu")(self)

    def softmax(self, dim: int, dtype: DTypeLike | None = None) -> Tensor:
        """``exp(self) / sum(exp(self))`` along ``dim`` (``mt.nn.functional.softmax``)."""
        return functional("softmax")(self, dim, dtype=dtype)

    def log_softmax(self, dim: int, dtype: DTypeLike | None = None) -> Tensor:
        """``self - logsumexp(self)`` along ``dim`` (``mt.nn.functional.log_softmax``)."""
        return functional("log_softmax")(self, dim, dtype=dtype)

    def sigmoid_(self) -> Tensor:
        """`sigmoid` in place."""
        return self._inplace("sigmoid_", lambda s: s.sigmoid())

    def tanh_(self) -> Tensor:
        """`tanh` in place."""
        return self._inplace("tanh_", lambda s: s.tanh())

    def relu_(self) -> Tensor:
        """`relu` in place."""
        return self._inplace("relu_", lambda s: s.relu())
