"""`Call`: one traced op or layer call, as its translation's ``emit(g, call)`` sees it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .trace import as_array

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from ..nn import Module
    from .graph import GraphBuilder
    from .trace import Record


class Call:
    """What a translation is handed: the op's arguments as it was called (``args``,
    ``kwargs``: Tensors, arrays and plain options), its traced ``result`` and, for a module
    translation, the ``module``. `input` and `value` give the ONNX name standing for a tensor
    argument (a graph input, an earlier op's output, a parameter's initializer, or a new
    constant); `dims` gives its dimensions, where a `Dim` marks a size that changes with the
    dynamic axes (such sizes must not be written into the graph as numbers)."""

    def __init__(
        self,
        g: GraphBuilder,
        record: Record,
        result_dims: list[tuple],
        resolve: Callable[[Any], str | None],
    ) -> None:
        self.target = record.target
        self.args, self.kwargs, self.result = record.args, record.kwargs, record.result
        self.module: Module | None = record.module if record.unit else None
        self.path = record.path
        self._g, self._result_dims, self._resolve = g, result_dims, resolve

    def input(self, i: int, dtype: DTypeLike | None = None) -> str:
        """The name of positional argument ``i`` (``""`` when it is None or absent), cast to
        ``dtype`` if given."""
        return self.value(self.args[i], dtype) if i < len(self.args) else ""

    def value(self, x: Any, dtype: DTypeLike | None = None) -> str:
        """The name standing for ``x``, one of the call's arguments (a Tensor, an array or a
        Python number; Python numbers take the result's dtype), cast to ``dtype`` if given."""
        if x is None:
            return ""
        array = as_array(x)
        name = self._resolve(x) if array is not None else None
        if name is None:
            if array is None:
                array = np.asarray(x, dtype=self.out_dtype if _is_number(x) else None)
            name = self._g.constant(array)
        return name if dtype is None else self._g.cast(name, dtype)

    def traced(self, x: Any) -> bool:
        """Whether ``x`` is a graph input, a parameter or buffer, or an earlier op's result
        (False for a constant)."""
        return as_array(x) is not None and self._resolve(x) is not None

    def dims(self, x: Any) -> tuple:
        """The dims of a tensor argument: ints, and `Dim` for sizes that change with the
        dynamic axes."""
        return self._g.dims(self.value(x))

    @property
    def out_dims(self) -> tuple:
        """The dims of the (first) result."""
        return self._result_dims[0]

    @property
    def out_dtype(self) -> np.dtype:
        """The dtype of the (first) result."""
        from .trace import tensors

        return next(tensors(self.result)).dtype

    def ndim(self, x: Any) -> int:
        """The number of dimensions of a tensor argument."""
        return len(self.dims(x))


def _is_number(x: Any) -> bool:
    """A Python number (or list of them): weakly typed, it takes the result's dtype."""
    return isinstance(x, (bool, int, float)) or (
        isinstance(x, (list, tuple)) and all(isinstance(v, (bool, int, float)) for v in x)
    )
