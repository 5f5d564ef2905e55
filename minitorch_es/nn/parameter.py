"""``Parameter``: a Tensor that a Module registers as learnable.

An optimizer may pack its parameters into one contiguous buffer (see
`minitorch_es.optim.arena`). Then ``.data`` and ``.grad`` are views into that buffer, and
assigning to them copies into the view, so a parameter is never silently detached from its
optimizer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..errors import ShapeError
from ..tensor import Tensor

if TYPE_CHECKING:
    from numpy.typing import ArrayLike


class Parameter(Tensor):
    """A learnable tensor: ``requires_grad=True`` by default, listed by ``Module.parameters()``.

    Assigning one to a Module attribute registers it, as in PyTorch.

        >>> class Scale(mt.nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.factor = mt.nn.Parameter(mt.ones(1))
        ...     def forward(self, x):
        ...         return x * self.factor
        >>> [name for name, _ in Scale().named_parameters()]
        ['factor']
    """

    def __init__(self, data: Tensor | ArrayLike | None = None, requires_grad: bool = True) -> None:
        if data is None:
            data = np.empty((0,), dtype=_default_dtype())
        array = data._data if isinstance(data, Tensor) else np.asarray(data)
        if array.dtype.kind not in "fc" and requires_grad:
            raise TypeError(
                f"a Parameter that requires grad must be floating point, got dtype {array.dtype}"
            )
        self._arena = None  # the arena (of an optimizer) whose buffers hold data and grad
        self._slot = -1
        super().__init__(array, requires_grad=requires_grad)

    @property
    def data(self) -> Tensor:
        """The values as a Tensor outside the graph sharing this parameter's memory (a view of
        the optimizer's storage when the parameter is packed in one). Assigning copies into
        that storage, so the shape must then stay the same."""
        return Tensor._wrap(self._data)

    @data.setter
    def data(self, value: Tensor | ArrayLike) -> None:
        value = value._data if isinstance(value, Tensor) else np.asarray(value)
        arena = self.__dict__.get("_arena")
        if arena is None:
            self._data = value
            return
        current = self._data
        if value.shape != current.shape:
            raise ShapeError(
                f"cannot assign an array of shape {value.shape} to a parameter of shape "
                f"{current.shape} whose storage belongs to an optimizer; assign values of the "
                f"same shape, or create the optimizer after changing the model"
            )
        if value is not current:
            current[...] = value

    @property
    def grad(self) -> Tensor | None:
        """The accumulated gradient (a Tensor or None), a view of the optimizer's storage when
        the parameter is packed in one."""
        arena = self.__dict__.get("_arena")
        if arena is None:
            return self._grad
        return arena.grad_tensor(self._slot)

    @grad.setter
    def grad(self, value: Tensor | ArrayLike | None) -> None:
        arena = self.__dict__.get("_arena")
        if arena is None:
            Tensor.grad.fset(self, value)
        else:
            arena.set_grad(self._slot, value._data if isinstance(value, Tensor) else value)

    def _accumulate_grad(self, g: np.ndarray | Tensor) -> None:
        arena = self.__dict__.get("_arena")
        if arena is None:
            Tensor._accumulate_grad(self, g)
        else:  # a create_graph gradient lands in the arena as values (use autograd.grad)
            arena.accumulate(self._slot, g._data if isinstance(g, Tensor) else g)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol: int):
        raise TypeError("Parameters are not pickled; use state_dict() and mt.save()")

    def __deepcopy__(self, memo: dict) -> Parameter:
        # copy.deepcopy(model) works as in PyTorch (pickling stays refused): the copy owns its
        # arrays, outside any optimizer's arena.
        new = Parameter(self._data.copy(), requires_grad=self.requires_grad)
        new.name = self.name
        if self.grad is not None:
            new.grad = self.grad._data.copy()
        memo[id(self)] = new
        return new


def _default_dtype():
    from ..dtypes import get_default_dtype

    return get_default_dtype()
