"""``RNN``, ``LSTM`` and ``GRU``: multi-layer, optionally bidirectional recurrent layers with
PyTorch's constructor arguments, parameter names, initialisation, inputs and outputs (see
`recurrent_base` for how they run)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import minitorch_es as mt

from .recurrent_base import RNNBase

if TYPE_CHECKING:
    from numpy.typing import DTypeLike


class RNN(RNNBase):
    """Elman RNN, ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` (or relu), as
    ``torch.nn.RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True,
    batch_first=False, dropout=0.0, bidirectional=False, dtype=None)``.

    ``rnn(input, hx=None)`` takes ``(L, N, H_in)`` (``(N, L, H_in)`` with ``batch_first``) or an
    unbatched ``(L, H_in)`` and returns ``(output, h_n)``: ``output`` ``(L, N, D * H_out)`` and
    ``h_n`` ``(D * num_layers, N, H_out)`` (D = 2 if bidirectional).

        >>> rnn = mt.nn.RNN(10, 20, num_layers=2)
        >>> output, h_n = rnn(mt.randn(5, 3, 10))
        >>> output.shape, h_n.shape
        (torch.Size([5, 3, 20]), torch.Size([2, 3, 20]))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: str | mt.device | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"RNN: Unknown nonlinearity {nonlinearity!r}. Select from 'tanh' or 'relu'."
            )
        self.nonlinearity = nonlinearity
        super().__init__(
            "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            device=device,
            dtype=dtype,
        )

    def extra_repr(self) -> str:
        s = super().extra_repr()
        return s if self.nonlinearity == "tanh" else s + ", nonlinearity='relu'"


class LSTM(RNNBase):
    """Long short-term memory, as ``torch.nn.LSTM(input_size, hidden_size, num_layers=1,
    bias=True, batch_first=False, dropout=0.0, bidirectional=False, proj_size=0, device=None,
    dtype=None)``
    (gates i, f, g, o stacked in that order in ``weight_ih_l{k}``).

    ``lstm(input, (h_0, c_0)=None)`` returns ``(output, (h_n, c_n))``; with ``proj_size`` > 0
    the hidden state is projected to ``proj_size`` features (``weight_hr_l{k}``).

        >>> lstm = mt.nn.LSTM(10, 20, batch_first=True, bidirectional=True)
        >>> output, (h_n, c_n) = lstm(mt.randn(3, 5, 10))
        >>> output.shape, h_n.shape, c_n.shape
        (torch.Size([3, 5, 40]), torch.Size([2, 3, 20]), torch.Size([2, 3, 20]))
    """

    def __init__(
        self,
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
        super().__init__(
            "LSTM",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            proj_size,
            device,
            dtype,
        )


class GRU(RNNBase):
    """Gated recurrent unit, as ``torch.nn.GRU(input_size, hidden_size, num_layers=1,
    bias=True, batch_first=False, dropout=0.0, bidirectional=False, dtype=None)`` (gates r, z,
    n; ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``). Returns ``(output, h_n)``.

        >>> gru = mt.nn.GRU(4, 8)
        >>> output, h_n = gru(mt.randn(6, 4))  # unbatched: (L, H_in)
        >>> output.shape, h_n.shape
        (torch.Size([6, 8]), torch.Size([1, 8]))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: str | mt.device | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__(
            "GRU",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            device=device,
            dtype=dtype,
        )
