"""Checks of the recurrent layers' and cells' arguments, with PyTorch's rules and errors that
name the layer, what was expected and what was received."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import minitorch_es as mt
from minitorch_es.errors import ShapeError

from .arguments import check_same_dtype, describe_shape

if TYPE_CHECKING:
    from minitorch_es import Tensor


def check_rnn_options(
    name: str, hidden_size: int, num_layers: int, dropout: float, proj_size: int
) -> float:
    """PyTorch's checks of the recurrent layers' options; returns ``dropout`` as a float."""
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)):
        raise TypeError(f"{name}: dropout should be a number in range [0, 1], got {dropout!r}")
    if not 0 <= dropout <= 1:
        raise ValueError(
            f"{name}: dropout should be a number in range [0, 1] representing the probability "
            f"of an element being zeroed, got {dropout}"
        )
    if dropout > 0 and num_layers == 1:
        warnings.warn(
            f"{name}: dropout option adds dropout after all but last recurrent layer, so "
            f"non-zero dropout expects num_layers greater than 1, but got dropout={dropout} "
            f"and num_layers={num_layers}",
            stacklevel=3,
        )
    if hidden_size <= 0:
        raise ValueError(f"{name}: hidden_size must be greater than zero, got {hidden_size}")
    if num_layers <= 0:
        raise ValueError(f"{name}: num_layers must be greater than zero, got {num_layers}")
    if proj_size >= hidden_size:
        raise ValueError(
            f"{name}: proj_size has to be smaller than hidden_size, got proj_size={proj_size} "
            f"and hidden_size={hidden_size}"
        )
    return float(dropout)


def check_state(name: str, what: str, state: Tensor, expected: tuple, weight: Tensor) -> None:
    """A hidden or cell state must have exactly the ``expected`` shape and the weights' dtype."""
    if not isinstance(state, mt.Tensor):
        raise TypeError(f"{name}: {what} must be a Tensor, got {type(state).__name__}")
    if describe_shape(state) != expected:
        raise ShapeError(
            f"{name}: expected {what} of shape {expected}, got {describe_shape(state)}"
        )
    check_same_dtype(f"{name} ({what})", state, weight)
