"""``Parameter``: a Tensor that a Module registers as learnable.

An optimizer may pack its parameters into one contiguous buffer (see
`minitorch_es.optim.arena`). Then ``.data`` and ``.grad`` are views into that buffer, and
assigning to them copies into the view, so a parameter is never silently detached from its
optimizer.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
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

    ``regularizer`` (a penalty ``Tensor -> scalar Tensor``) and ``constraint`` (a projection)
    belong to the parameter, as the ``regularizer=`` and ``constraint=`` of Keras's
    ``add_weight``: every optimizer's ``step`` adds the penalty's gradient and projects the
    parameter afterwards, and ``Module.regularization_loss()`` reports the penalty.
    Layers set them from their ``weight_regularizer=`` / ``weight_constraint=`` ... options.
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
        self._regularizer = self._constraint = None  # applied by every optimizer's step
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

    # Optimizers cache which of their parameters have a regularizer or a constraint; every
    # assignment bumps ``rules_changes`` so that the caches see it.
    rules_changes = 0

    @property
    def regularizer(self) -> Callable[[Tensor], Tensor] | None:
        """A penalty ``Tensor -> scalar Tensor`` whose gradient every optimizer adds at ``step``
        (None for none)."""
        return self._regularizer

    @regularizer.setter
    def regularizer(self, value: Callable[[Tensor], Tensor] | None) -> None:
        self._regularizer = value
        Parameter.rules_changes += 1

    @property
    def constraint(self) -> Callable[[Tensor], object] | None:
        """A projection every optimizer applies after its update (None for none)."""
        return self._constraint

    @constraint.setter
    def constraint(self, value: Callable[[Tensor], object] | None) -> None:
        self._constraint = value
        Parameter.rules_changes += 1

    def _free_grad_buffer(self) -> np.ndarray | None:
        """The slice of the optimizer's gradient arena while it holds no gradient."""
        arena = self.__dict__.get("_arena")
        return None if arena is None else arena.free_grad_view(self._slot)

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
        new.regularizer = copy.deepcopy(self.regularizer, memo)
        new.constraint = copy.deepcopy(self.constraint, memo)
        if self.grad is not None:
            new.grad = self.grad._data.copy()
        memo[id(self)] = new
        return new


def _default_dtype():
    from ..dtypes import get_default_dtype

    return get_default_dtype()
