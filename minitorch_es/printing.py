"""How tensors print: PyTorch's format (``tensor([1.0000, 2.5000])``), so a program prints
what it prints under PyTorch.

One width for every element of a tensor; floats print with ``precision`` decimals, as whole
numbers followed by ``.`` when they all are, or in scientific notation when their magnitudes
span more than 1000x, exceed 1e8 or fall below 1e-4; tensors with more than ``threshold``
elements show only ``edgeitems`` items at each end of every dimension.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .dtypes import get_default_dtype


@dataclass
class _Options:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}
OPTIONS = _Options()


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Change how tensors print, as ``torch.set_printoptions``: ``precision`` decimals (4),
    summarize beyond ``threshold`` elements (1000) showing ``edgeitems`` per end (3), wrap at
    ``linewidth`` characters (80); ``profile`` is ``'default'``, ``'short'`` or ``'full'``;
    ``sci_mode`` True/False forces or forbids scientific notation (None: automatic).

        >>> mt.set_printoptions(precision=2)
        >>> mt.tensor([1 / 3])
        tensor([0.33])
        >>> mt.set_printoptions(profile="default")
    """
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(
                f"set_printoptions: profile must be one of {sorted(_PROFILES)}, got {profile!r}"
            )
        for name, value in _PROFILES[profile].items():
            setattr(OPTIONS, name, value)
    for name, value in (
        ("precision", precision),
        ("threshold", threshold),
        ("edgeitems", edgeitems),
        ("linewidth", linewidth),
    ):
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(
                    f"set_printoptions: {name} must be a non-negative number, got {value!r}"
                )
            setattr(OPTIONS, name, value)
    OPTIONS.sci_mode = sci_mode


def dtype_name(dtype: np.dtype) -> str:
    """PyTorch's name of a dtype: ``torch.float32``."""
    return f"torch.{dtype.name}"


def tensor_repr(t: object, prefix: str = "tensor(") -> str:
    """``repr`` of a Tensor, as PyTorch prints it."""
    data = t._data
    indent = len(prefix)
    suffixes = []
    if data.size == 0:
        body = "[]"
        if data.ndim != 1:
            suffixes.append(f"size={tuple(data.shape)}")
        if data.dtype != get_default_dtype():
            suffixes.append(f"dtype={dtype_name(data.dtype)}")
    else:
        if not OPTIONS.edgeitems:
            suffixes.append(f"size={tuple(data.shape)}")
        if data.dtype not in (get_default_dtype(), np.int64, np.bool_):
            suffixes.append(f"dtype={dtype_name(data.dtype)}")
        body = _body(data, indent)
    ctx = t._ctx
    if ctx is not None:
        suffixes.append(f"grad_fn=<{ctx.grad_fn_name}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    return _with_suffixes(prefix + body, suffixes, indent)


def _with_suffixes(text: str, suffixes: list, indent: int) -> str:
    parts = [text]
    last_line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line + len(suffix) + 2 > OPTIONS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line += len(suffix) + 2
    return "".join(parts) + ")"


def _body(data: np.ndarray, indent: int) -> str:
    summarize = data.size > OPTIONS.threshold
    formatter = _Formatter(_summarized(data) if summarize else data)
    return _nested(data, indent, summarize, formatter)


def _summarized(data: np.ndarray) -> np.ndarray:
    """The elements a summarized print shows (what the column width is computed from)."""
    edge = OPTIONS.edgeitems
    if data.ndim == 0:
        return data
    if data.ndim == 1:
        return np.concatenate((data[:edge], data[-edge:])) if len(data) > 2 * edge else data
    if not edge:
        return data[(slice(0, 0),) * data.ndim]
    rows = list(range(edge)) + list(range(len(data) - edge, len(data)))
    rows = rows if len(data) > 2 * edge else range(len(data))
    return np.stack([_summarized(data[i]) for i in rows])


class _Formatter:
    """One format (fixed, whole-number or scientific) and width for all elements."""

    def __init__(self, data: np.ndarray) -> None:
        self.floating = data.dtype.kind == "f"
        self.int_mode, self.sci_mode, self.width = True, False, 1
        flat = data.reshape(-1)
        precision = OPTIONS.precision
        if not self.floating:
            self.width = max([len(str(v)) for v in flat.tolist()] or [1])
            return
        values = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if not values.size:  # nothing to measure: fixed notation, width 1
            return
        magnitudes = np.abs(values)
        low, high = magnitudes.min(), magnitudes.max()
        self.int_mode = bool(np.all(values == np.ceil(values)))
        self.sci_mode = (
            high / low > 1000.0 or high > 1.0e8 or low < 1.0e-4
            if OPTIONS.sci_mode is None
            else OPTIONS.sci_mode
        )
        if self.sci_mode:
            texts = [f"{v:.{precision}e}" for v in values.tolist()]
        elif self.int_mode:  # whole numbers print with a trailing "."
            texts = [f"{v:.0f}." for v in values.tolist()]
        else:
            texts = [f"{v:.{precision}f}" for v in values.tolist()]
        self.width = max(len(s) for s in texts)

    def format(self, value: object) -> str:
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:{self.width}.{OPTIONS.precision}e}"
        elif self.int_mode:
            text = f"{value:.0f}" + ("" if math.isinf(value) or math.isnan(value) else ".")
        else:
            text = f"{value:.{OPTIONS.precision}f}"
        return text.rjust(self.width)


def _nested(data: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    edge = OPTIONS.edgeitems
    if data.ndim == 0:
        return formatter.format(data.item())
    if data.ndim == 1:
        return _row(data, indent, summarize, formatter)
    if summarize and len(data) > 2 * edge:
        parts = [_nested(data[i], indent + 1, summarize, formatter) for i in range(edge)]
        parts.append("...")
        tail = range(len(data) - edge, len(data))
        parts += [_nested(data[i], indent + 1, summarize, formatter) for i in tail]
    else:
        parts = [_nested(row, indent + 1, summarize, formatter) for row in data]
    return "[" + ("," + "\n" * (data.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def _row(data: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    edge = OPTIONS.edgeitems
    per_line = max(1, int((OPTIONS.linewidth - indent) // (formatter.width + 2)))
    if summarize and not edge:
        items = ["..."]
    elif summarize and len(data) > 2 * edge:
        items = [formatter.format(v) for v in data[:edge].tolist()]
        items.append(" ...")
        items += [formatter.format(v) for v in data[-edge:].tolist()]
    else:
        items = [formatter.format(v) for v in data.tolist()]
    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
