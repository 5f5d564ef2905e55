"""The parameter arena: one contiguous buffer for the values, one for the gradients and one per
optimizer state of a group of parameters of one dtype.

Each parameter's ``.data`` and ``.grad`` become views into these buffers, so an optimizer
updates every parameter with a handful of whole-buffer NumPy calls, ``zero_grad`` is one
``fill``, and a data-parallel all-reduce is a single call on ``ParameterArena.grad``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..nn.parameter import Parameter

if TYPE_CHECKING:
    from numpy.typing import ArrayLike


class ParameterArena:
    """The contiguous storage of one optimizer group's parameters of one dtype.

    ``data`` and ``grad`` are flat arrays; each Parameter's ``.data`` / ``.grad`` is a view of
    its slice (``slices[i]``, shape ``shapes[i]``). ``has_grad[i]`` says whether parameter ``i``
    has a gradient and ``steps[i]`` how many updates it took. Optimizers create arenas; user
    code rarely touches one.
    """

    def __init__(self, params: list, dtype: np.dtype) -> None:
        self.params = params
        self.shapes = [p._data.shape for p in params]
        sizes = [p._data.size for p in params]
        ends = np.cumsum(sizes)
        self.slices = [slice(int(e - s), int(e)) for s, e in zip(sizes, ends)]
        total = int(ends[-1]) if sizes else 0
        self.data = np.empty(total, dtype=dtype)
        self.grad = np.zeros(total, dtype=dtype)
        self.has_grad = np.zeros(len(params), dtype=bool)
        self.steps = np.zeros(len(params), dtype=np.int64)
        self.buffers: dict[str, np.ndarray] = {}  # per-element optimizer state, flat
        self.scalars: dict[str, np.ndarray] = {}  # per-parameter optimizer state
        # State name -> slots that a loaded state dict left without a value; they get the
        # optimizer's initial value (the ``fill`` of its next buffer/scalar call), as fresh state.
        self.unset: dict[str, list[int]] = {}
        self.released = False
        self.updates = 0  # calls of the optimizer's step on this arena
        self._grad_views = [
            self.grad[sl].reshape(shape) for sl, shape in zip(self.slices, self.shapes)
        ]
        self._grad_tensors: list = [None] * len(params)  # Tensor views, made on first access
        self.loose = []  # plain Tensors (not Parameters): their grads are gathered at step time
        self._loose_views = {}
        for i, (p, sl) in enumerate(zip(params, self.slices)):
            old_grad = p.grad
            self.data[sl] = p._data.reshape(-1)
            view = self.data[sl].reshape(self.shapes[i])
            if isinstance(p, Parameter):
                if p._arena is not None:
                    p._arena.released = True
                p._arena = None
                p._data = view
                p._arena, p._slot = self, i
                p.grad = old_grad
            else:
                p._data = view
                self.loose.append(i)
                self._loose_views[i] = view

    def __len__(self) -> int:
        return len(self.params)

    # ------------------------------------------------------------ gradient access
    def grad_view(self, i: int) -> np.ndarray | None:
        """Parameter ``i``'s gradient view, or None when it has no gradient."""
        return self._grad_views[i] if self.has_grad[i] else None

    def grad_tensor(self, i: int):  # noqa: ANN201  (Tensor | None; tensor imports this module)
        """Parameter ``i``'s gradient as a Tensor viewing the arena (the same object each
        time, as PyTorch's ``p.grad``), or None when it has no gradient."""
        if not self.has_grad[i]:
            return None
        t = self._grad_tensors[i]
        if t is None:
            from ..tensor import Tensor

            t = self._grad_tensors[i] = Tensor._wrap(self._grad_views[i])
        return t

    def set_grad(self, i: int, value: ArrayLike | None) -> None:
        """Assign parameter ``i``'s gradient (copied into the arena; None clears it)."""
        if value is None:
            self.has_grad[i] = False
            return
        view = self._grad_views[i]
        if value is not view:
            value = np.asarray(value)
            if value.shape != view.shape:
                raise ValueError(
                    f"assigned grad has shape {value.shape}, but the parameter has shape "
                    f"{view.shape}"
                )
            view[...] = value
        self.has_grad[i] = True

    def free_grad_view(self, i: int) -> np.ndarray | None:
        """Parameter ``i``'s gradient view while it has no gradient (backward may write one
        there, then `accumulate` it), else None."""
        return None if self.has_grad[i] else self._grad_views[i]

    def accumulate(self, i: int, g: np.ndarray) -> None:
        """Add ``g`` to parameter ``i``'s gradient (what backward does for a leaf)."""
        view = self._grad_views[i]
        if self.has_grad[i]:
            view += g
        else:
            if g is not view:  # else backward wrote it in place (`free_grad_view`)
                view[...] = g
            self.has_grad[i] = True

    def gather_loose_grads(self) -> None:
        """Copy the gradients of plain Tensors (not Parameters) into the arena before a step."""
        for i in self.loose:
            if self.params[i]._data is not self._loose_views[i]:
                # A plain Tensor cannot refuse to be rebound, so the optimizer checks instead.
                raise RuntimeError(
                    f"tensor {i} (shape {self.shapes[i]}) of this optimizer no longer uses its "
                    f"storage: another optimizer created later packed it, or its .data was "
                    f"rebound; create this optimizer again"
                )
            g = self.params[i].grad
            self.has_grad[i] = g is not None
            if g is not None:
                self._grad_views[i][...] = g._data

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Zero every gradient at once, or with ``set_to_none`` mark them absent: the buffer is
        then left as it is (the next backward writes, not adds, an absent gradient), which
        saves a pass over every gradient per step."""
        if set_to_none:
            self.has_grad.fill(False)
            for i in self.loose:
                self.params[i].grad = None
        else:
            self.grad.fill(0)
            for i in self.loose:
                if self.params[i].grad is not None:
                    self.params[i].grad._data[...] = 0

    # ------------------------------------------------------------------ state
    # A moment estimate whose gradient stays 0 (e.g. weights of always-black MNIST pixels) decays
    # geometrically into subnormal floats, on which the CPU is ~40x slower: one such Adam buffer
    # made a whole MLP epoch 30% slower. Every FLUSH_EVERY updates, state values below
    # tiny * 2**24 are set to 0 — long before a decay of 0.5 per step could make them subnormal,
    # and far below any value that changes an update.
    FLUSH_EVERY = 16

    def flush_subnormal_state(self) -> None:
        """Set state values below ``tiny * 2**24`` of their dtype to 0 (see FLUSH_EVERY)."""
        for buf in self.buffers.values():
            if buf.dtype.kind == "f" and buf.size:
                limit = np.finfo(buf.dtype).tiny * 2.0**24
                np.copyto(buf, 0, where=np.abs(buf) < limit)

    def buffer(self, name: str, fill: float = 0.0) -> np.ndarray:
        """The flat per-element state array ``name``, created filled with ``fill``."""
        buf = self.buffers.get(name)
        if buf is None:
            buf = self.buffers[name] = np.full(self.data.shape, fill, dtype=self.data.dtype)
        for i in self.unset.pop(name, ()):
            buf[self.slices[i]] = fill
        return buf

    def scalar(self, name: str, fill: float = 0.0) -> np.ndarray:
        """The per-parameter state numbers ``name`` (float64), created filled with ``fill``."""
        arr = self.scalars.get(name)
        if arr is None:
            arr = self.scalars[name] = np.full(len(self.params), fill, dtype=np.float64)
        for i in self.unset.pop(name, ()):
            arr[i] = fill
        return arr


class StepState:
    """What an optimizer's ``_update`` sees of its state: whole buffers (every parameter at the
    same step) or one parameter's segment of them."""

    __slots__ = ("arena", "index", "slice")

    def __init__(self, arena: ParameterArena, index: int | None = None) -> None:
        self.arena = arena
        self.index = index
        self.slice = slice(None) if index is None else arena.slices[index]

    def buffer(self, name: str, fill: float = 0.0) -> np.ndarray:
        """A per-element state array (e.g. Adam's ``exp_avg``), created filled with ``fill``."""
        return self.arena.buffer(name, fill)[self.slice]

    def get_scalar(self, name: str, fill: float = 0.0) -> float:
        """A per-parameter state number (e.g. NAdam's ``mu_product``)."""
        arr = self.arena.scalar(name, fill)
        return float(arr[0] if self.index is None else arr[self.index])

    def set_scalar(self, name: str, value: float) -> None:
        """Store the per-parameter state number ``name`` (read it with `get_scalar`)."""
        # Not through arena.scalar(name): its default fill would settle other slots' values.
        arr = self.arena.scalars.get(name)
        if arr is None:
            arr = self.arena.scalar(name)
        if self.index is None:
            arr.fill(value)
        else:
            arr[self.index] = value
