"""``RNNBase``: what the multi-layer, optionally bidirectional recurrent layers (`RNN`,
`LSTM`, `GRU`) share: parameters, input and state checks, and the run over layers and
directions.

Each layer and direction runs as one fused kernel over the whole sequence
(`recurrent_kernels`), so backward through time is one closed-form node per layer and direction.
Between layers the output passes through dropout (``dropout`` > 0, training only); the two
directions' outputs are concatenated on the feature axis. Packed sequences are not supported.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import minitorch_es as mt
from minitorch_es.errors import ShapeError
from minitorch_es.nn import Module
from minitorch_es.validation import check_int

from .arguments import check_same_dtype, describe_shape
from .dropout import dropout as dropout_fn
from .options import check_device, new_parameter
from .recurrent_checks import check_rnn_options, check_state
from .recurrent_kernels import GRUSequence, LSTMSequence, RNNSequence

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from minitorch_es import Tensor

GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


class RNNBase(Module):
    """What `RNN`, `LSTM` and `GRU` share: parameters ``weight_ih_l{k}[_reverse]``,
    ``weight_hh_l{k}[_reverse]``, ``bias_ih_l{k}[_reverse]``, ``bias_hh_l{k}[_reverse]`` (and
    ``weight_hr_l{k}[_reverse]`` for an LSTM with ``proj_size``), all drawn from
    U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) as in PyTorch."""

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: str | mt.device | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        check_device(device, name)
        self.mode = mode
        self.input_size = check_int(input_size, "input_size", name, low=0)
        self.hidden_size = check_int(hidden_size, "hidden_size", name, low=0)
        self.num_layers = check_int(num_layers, "num_layers", name, low=0)
        self.proj_size = check_int(proj_size, "proj_size", name, low=0)
        self.dropout = check_rnn_options(name, hidden_size, num_layers, dropout, proj_size)
        self.bias, self.batch_first = bool(bias), bool(batch_first)
        self.bidirectional = bool(bidirectional)
        directions = 2 if self.bidirectional else 1
        out_size = self.proj_size or self.hidden_size
        gate_size = GATES[mode] * self.hidden_size
        self._flat_weights_names = []
        for layer in range(self.num_layers):
            layer_input = self.input_size if layer == 0 else out_size * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                shapes = {"weight_ih": (gate_size, layer_input), "weight_hh": (gate_size, out_size)}
                if self.bias:
                    shapes.update(bias_ih=(gate_size,), bias_hh=(gate_size,))
                if self.proj_size:
                    shapes["weight_hr"] = (self.proj_size, self.hidden_size)
                for kind, shape in shapes.items():
                    setattr(self, kind + suffix, new_parameter(shape, dtype))
                    self._flat_weights_names.append(kind + suffix)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            mt.nn.init.uniform_(p, -bound, bound)

    def flatten_parameters(self) -> None:
        """Accepted for PyTorch compatibility (a cuDNN memory layout); does nothing here."""

    @property
    def all_weights(self) -> list:
        """The parameters grouped per layer and direction, as PyTorch's ``all_weights``."""
        per = len(self._flat_weights_names) // (self.num_layers * (1 + self.bidirectional))
        params = [getattr(self, n) for n in self._flat_weights_names]
        return [params[i : i + per] for i in range(0, len(params), per)]

    # ---------------------------------------------------------------- forward
    def forward(self, input: Tensor, hx: Tensor | tuple | None = None) -> tuple:
        name = type(self).__name__
        shape = describe_shape(input)
        if len(shape) not in (2, 3):
            raise ShapeError(f"{name}: Expected input to be 2D or 3D, got {len(shape)}D input")
        if shape[-1] != self.input_size:
            raise ShapeError(
                f"{name}: input.size(-1) must be equal to input_size. Expected "
                f"{self.input_size}, got {shape[-1]} (input shape {shape})"
            )
        weight = self.weight_ih_l0
        check_same_dtype(name, input, weight)
        batched = len(shape) == 3
        x = input if batched else input.unsqueeze(1)
        if batched and self.batch_first:
            x = x.transpose(0, 1)
        steps, batch = x.shape[:2]
        if steps == 0:
            raise ShapeError(f"{name}: expected a sequence of length > 0, got input shape {shape}")
        states = self._initial_states(hx, batch, batched, x.dtype)
        output, finals = self._run_layers(x, states)
        finals = [mt.stack(f, 0) for f in finals]
        if batched and self.batch_first:
            output = output.transpose(0, 1)
        if not batched:
            output = output.squeeze(1)
            finals = [f.squeeze(1) for f in finals]
        return output, (finals[0] if self.mode != "LSTM" else tuple(finals))

    def _state_shapes(self, batch: int) -> list:
        rows = self.num_layers * (2 if self.bidirectional else 1)
        shapes = [(rows, batch, self.proj_size or self.hidden_size)]
        if self.mode == "LSTM":
            shapes.append((rows, batch, self.hidden_size))
        return shapes

    def _initial_states(self, hx: object, batch: int, batched: bool, dtype: object) -> list:
        """The initial states as ``(layers * directions, B, size)`` Tensors (zeros if None)."""
        name, shapes = type(self).__name__, self._state_shapes(batch)
        if hx is None:
            return [mt.zeros(*s, dtype=dtype) for s in shapes]
        lstm = self.mode == "LSTM"
        if lstm and not (isinstance(hx, (tuple, list)) and len(hx) == 2):
            raise TypeError(f"{name}: hx must be a tuple (h_0, c_0), got {type(hx).__name__}")
        states = list(hx) if lstm else [hx]
        whats = ["h_0", "c_0"] if lstm else ["hx"]
        out = []
        for what, state, expected in zip(whats, states, shapes):
            if not batched:
                expected = (expected[0], expected[2])
            check_state(name, what, state, expected, self.weight_ih_l0)
            out.append(state if batched else state.unsqueeze(1))
        return out

    def _run_layers(self, x: Tensor, states: list) -> tuple:
        directions = 2 if self.bidirectional else 1
        finals = [[] for _ in states]
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                row = layer * directions + direction
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                seq, last = self._run_direction(x, [s[row] for s in states], suffix, direction)
                outputs.append(seq)
                for collected, value in zip(finals, last):
                    collected.append(value)
            x = outputs[0] if directions == 1 else mt.cat(outputs, dim=2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = dropout_fn(x, self.dropout, True)
        return x, finals

    def _run_direction(self, x: Tensor, states: list, suffix: str, reverse: int) -> tuple:
        """One layer in one direction: the output sequence and the final state(s)."""
        get = lambda kind: getattr(self, kind + suffix, None)  # noqa: E731
        weights = [get("weight_ih"), get("weight_hh"), get("bias_ih"), get("bias_hh")]
        last = 0 if reverse else -1
        if self.mode == "LSTM":
            hs, cs, _, _ = LSTMSequence.apply(
                x, *states, *weights, get("weight_hr"), reverse=bool(reverse)
            )
            return hs, (hs[last], cs[last])
        if self.mode == "GRU":
            hs, _, _ = GRUSequence.apply(x, *states, *weights, reverse=bool(reverse))
        else:
            nonlinearity = "tanh" if self.mode == "RNN_TANH" else "relu"
            hs = RNNSequence.apply(
                x, *states, *weights, nonlinearity=nonlinearity, reverse=bool(reverse)
            )
        return hs, (hs[last],)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        for option, default in (("bias", True), ("batch_first", False), ("dropout", 0.0)):
            if getattr(self, option) != default:
                s += f", {option}={getattr(self, option)}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s
