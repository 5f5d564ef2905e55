"""The arguments of `mt.onnx.export` checked and normalised, with PyTorch's defaults and
errors that say what was expected and what was received."""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..tensor import Tensor
from .translation import ExportError

if TYPE_CHECKING:
    from ..nn import Module

DEFAULT_OPSET = 20  # torch.onnx.export's default in PyTorch 2.13
MIN_OPSET = 13  # the first with Softmax over one axis and axes as inputs (ReduceSum, Squeeze)


def positional_args(args: Any) -> tuple:
    """``args`` as a tuple (one Tensor alone is one argument); arrays become Tensors."""
    args = args if isinstance(args, tuple) else (args,)
    return tuple(Tensor(a) if isinstance(a, np.ndarray) else a for a in args)


def keyword_args(kwargs: Mapping[str, Any] | None) -> dict:
    """The keyword arguments of ``forward``: options only, since graph inputs are positional."""
    kwargs = dict(kwargs or {})
    for key, value in kwargs.items():
        if isinstance(value, (Tensor, np.ndarray)):
            raise ExportError(
                f"kwargs[{key!r}] is a tensor: graph inputs must be passed positionally in args"
            )
    return kwargs


def check_opset(version: int | None, onnx: Any) -> int:
    """The opset to target: `DEFAULT_OPSET`, or ``version`` if the onnx package knows it."""
    if version is None:
        return DEFAULT_OPSET
    newest = onnx.defs.onnx_opset_version()
    if isinstance(version, bool) or not isinstance(version, int) or not MIN_OPSET <= version:
        raise ValueError(
            f"mt.onnx.export: opset_version must be an int from {MIN_OPSET} to {newest}, got "
            f"{version!r}"
        )
    if version > newest:
        raise ValueError(
            f"mt.onnx.export: opset_version {version} is newer than the installed onnx "
            f"package knows ({onnx.__version__}: up to {newest})"
        )
    return version


def default_input_names(model: Module, positions: list[int]) -> list[str]:
    """The names of ``forward``'s parameters at the tensor ``positions`` (``input_<i>`` past
    them; ``input`` for a single input of a forward without named parameters)."""
    try:
        params = list(inspect.signature(model.forward).parameters.values())
    except (TypeError, ValueError):
        params = []
    named = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(positions) == 1 and not named:
        return ["input"]
    return [named[p] if p < len(named) else f"input_{p}" for p in positions]


def check_names(what: str, given: Sequence[str] | None, defaults: list[str]) -> list[str]:
    """The names given (the rest keep their defaults, as PyTorch), checked: str, distinct."""
    if given is None:
        return defaults
    if isinstance(given, str) or not all(isinstance(n, str) and n for n in given):
        raise TypeError(f"mt.onnx.export: {what} must be a list of non-empty str, got {given!r}")
    given = list(given)
    if len(given) > len(defaults):
        raise ValueError(
            f"mt.onnx.export: {len(given)} {what} given ({given}) for {len(defaults)} values"
        )
    names = given + defaults[len(given) :]  # as PyTorch: the rest keep their default names
    if len(set(names)) != len(names):
        raise ValueError(f"mt.onnx.export: {what} must be distinct, got {names}")
    return names


def check_dynamic_axes(spec: Any) -> dict[str, Any]:
    """``dynamic_axes`` as a dict (empty for None)."""
    if spec is None:
        return {}
    if not isinstance(spec, Mapping):
        raise TypeError(
            f"mt.onnx.export: dynamic_axes must be a dict such as {{'x': {{0: 'batch'}}}}, got "
            f"{type(spec).__name__}"
        )
    return dict(spec)


def axes_of(axes: dict[str, Any], name: str, ndim: int) -> dict[int, str]:
    """The dynamic axes of one input or output as ``{axis: symbol}``."""
    spec = axes.get(name, {})
    if not isinstance(spec, Mapping):
        if isinstance(spec, str) or not isinstance(spec, Sequence):
            raise TypeError(
                f"mt.onnx.export: dynamic_axes[{name!r}] must be a dict {{axis: name}} or a "
                f"list of axes, got {spec!r}"
            )
        spec = {a: f"{name}_dim{a}" for a in spec}
    out = {}
    for axis, symbol in spec.items():
        if isinstance(axis, bool) or not isinstance(axis, int) or not -ndim <= axis < ndim:
            raise ValueError(
                f"mt.onnx.export: dynamic_axes[{name!r}] has axis {axis!r}, but {name!r} has "
                f"{ndim} dimensions"
            )
        if not isinstance(symbol, str) or not symbol:
            raise TypeError(
                f"mt.onnx.export: dynamic_axes[{name!r}][{axis}] must be a non-empty str, got "
                f"{symbol!r}"
            )
        out[axis % ndim] = symbol
    return out
