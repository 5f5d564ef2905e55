"""``RNNCell``, ``LSTMCell`` and ``GRUCell``: one time step of the recurrent layers, with
PyTorch's arguments, parameters (``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``),
initialisation and inputs (batched ``(N, H_in)`` or unbatched ``(H_in)``).

A step is the layers' fused kernel run on a sequence of length one.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import minitorch_es as mt
from minitorch_es.errors import ShapeError
from minitorch_es.nn import Module
from minitorch_es.validation import check_int

from .arguments import check_same_dtype, describe_shape
from .options import check_device, new_parameter
from .recurrent_checks import check_state
from .recurrent_kernels import GRUSequence, LSTMSequence, RNNSequence

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from minitorch_es import Tensor


class RNNCellBase(Module):
    """Parameters and input checks shared by the cells; ``gates`` is declared by each cell."""

    gates = 1

    def __init__(  # PyTorch's signature of LSTMCell and GRUCell, which add nothing to it
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: str | mt.device | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        check_device(device, name)
        self.input_size = check_int(input_size, "input_size", name, low=0)
        self.hidden_size = check_int(hidden_size, "hidden_size", name, low=1)
        self.bias = bool(bias)
        size = self.gates * self.hidden_size
        self.weight_ih = new_parameter((size, self.input_size), dtype)
        self.weight_hh = new_parameter((size, self.hidden_size), dtype)
        if self.bias:
            self.bias_ih = new_parameter((size,), dtype)
            self.bias_hh = new_parameter((size,), dtype)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            mt.nn.init.uniform_(p, -bound, bound)

    def _prepare(self, input: Tensor, states: list, whats: list) -> tuple:
        """``input`` as a one-step sequence ``(1, N, H_in)`` and the states as ``(N, H)``
        (zeros when None); whether the input was batched."""
        name, shape = type(self).__name__, describe_shape(input)
        if len(shape) not in (1, 2):
            raise ShapeError(f"{name}: Expected input to be 1D or 2D, got {len(shape)}D input")
        if shape[-1] != self.input_size:
            raise ShapeError(
                f"{name}: input has inconsistent input_size: expected {self.input_size}, got "
                f"{shape[-1]} (input shape {shape})"
            )
        check_same_dtype(name, input, self.weight_ih)
        batched = len(shape) == 2
        x = input if batched else input.unsqueeze(0)
        expected = (x.shape[0], self.hidden_size) if batched else (self.hidden_size,)
        ready = []
        for what, state in zip(whats, states):
            if state is None:
                ready.append(mt.zeros(x.shape[0], self.hidden_size, dtype=x.dtype))
                continue
            check_state(name, what, state, expected, self.weight_ih)
            ready.append(state if batched else state.unsqueeze(0))
        return x.unsqueeze(0), ready, batched

    def _weights(self) -> list:
        return [self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh]

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        return s if self.bias else s + ", bias=False"


def _unbatch(state: Tensor, batched: bool) -> Tensor:
    """The first (only) step's state, without the batch axis for an unbatched input."""
    return state[0] if batched else state[0, 0]


class RNNCell(RNNCellBase):
    """``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`` (or relu): ``torch.nn.RNNCell(
    input_size, hidden_size, bias=True, nonlinearity='tanh', dtype=None)``; ``cell(input,
    hx=None)`` returns ``h'``.

        >>> cell = mt.nn.RNNCell(3, 5)
        >>> cell(mt.randn(2, 3)).shape
        torch.Size([2, 5])
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device: str | mt.device | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"RNNCell: Unknown nonlinearity: {nonlinearity!r}. Select from 'tanh' or 'relu'."
            )
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, (h,), batched = self._prepare(input, [hx], ["hx"])
        hs = RNNSequence.apply(x, h, *self._weights(), nonlinearity=self.nonlinearity)
        return _unbatch(hs, batched)

    def extra_repr(self) -> str:
        s = super().extra_repr()
        return s if self.nonlinearity == "tanh" else s + ", nonlinearity='relu'"


class LSTMCell(RNNCellBase):
    """One LSTM step: ``torch.nn.LSTMCell(input_size, hidden_size, bias=True, device=None,
    dtype=None)``;
    ``cell(input, (h, c)=None)`` returns ``(h', c')``.

        >>> cell = mt.nn.LSTMCell(3, 5)
        >>> h, c = cell(mt.randn(2, 3))
        >>> h.shape, c.shape
        (torch.Size([2, 5]), torch.Size([2, 5]))
    """

    gates = 4

    def forward(self, input: Tensor, hx: tuple | None = None) -> tuple:
        if hx is not None and not (isinstance(hx, (tuple, list)) and len(hx) == 2):
            raise TypeError(f"LSTMCell: hx must be a tuple (h, c), got {type(hx).__name__}")
        x, (h, c), batched = self._prepare(input, [None, None] if hx is None else hx, ["h", "c"])
        hs, cs, _, _ = LSTMSequence.apply(x, h, c, *self._weights(), None)
        return _unbatch(hs, batched), _unbatch(cs, batched)


class GRUCell(RNNCellBase):
    """One GRU step: ``torch.nn.GRUCell(input_size, hidden_size, bias=True, device=None,
    dtype=None)``;
    ``cell(input, hx=None)`` returns ``h'``.

        >>> mt.nn.GRUCell(3, 5)(mt.randn(3)).shape
        torch.Size([5])
    """

    gates = 3

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, (h,), batched = self._prepare(input, [hx], ["hx"])
        hs, _, _ = GRUSequence.apply(x, h, *self._weights())
        return _unbatch(hs, batched)
