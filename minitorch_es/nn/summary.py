"""``summary``: a Keras-style table of a model's layers, output shapes and parameter counts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd.grad_mode import no_grad

if TYPE_CHECKING:
    from numpy.typing import DTypeLike


class ModuleSummary:
    """The ``summary()`` method of `Module` (a mixin)."""

    def summary(
        self,
        input_shape: Sequence[int] | None = None,
        print_fn: Callable[[str], Any] | None = print,
        dtype: DTypeLike | None = None,
    ) -> dict:
        """A Keras-style table: layer, output shape, parameter count, totals."""
        return summary(self, input_shape, print_fn=print_fn, dtype=dtype)


def summary(
    model: ModuleSummary,
    input_shape: Sequence[int] | None = None,
    print_fn: Callable[[str], Any] | None = print,
    dtype: DTypeLike | None = None,
) -> dict:
    """Print (and return) each leaf layer's output shape and parameter count.

    ``input_shape`` excludes the batch dimension (as in Keras); with it, a batch of two zero
    samples is run through the model to find the output shapes. The totals split trainable and
    non-trainable parameters (those with ``requires_grad=False``). The sample has ``dtype``,
    by default that of the model's first floating-point parameter (so a ``.double()`` model works).
    """
    from ..creation import zeros

    if dtype is None:
        dtype = next((p.dtype for p in model.parameters() if p.dtype.kind == "f"), None)

    rows, handles = [], []
    leaves = [(n, m) for n, m in model.named_modules() if not m._modules and n]
    for name, module in leaves or [("", model)]:
        handles.append(module.register_forward_hook(_recorder(rows, name or type(model).__name__)))
    try:
        if input_shape is not None:
            shape = (2, *tuple(input_shape))
            modes = [(m, m.training) for m in model.modules()]
            model.eval()
            try:
                with no_grad():
                    model(zeros(*shape, dtype=dtype))
            finally:
                for m, mode in modes:  # each module's own mode (a part may be frozen in eval)
                    m.training = mode
    finally:
        for h in handles:
            h.remove()

    seen_rows = {r["name"] for r in rows}
    for name, module in leaves:
        if name not in seen_rows:  # not reached by forward (or no input given)
            rows.append(
                {
                    "name": name,
                    "type": type(module).__name__,
                    "output_shape": None,
                    "params": _count(module),
                }
            )
    order = {name: i for i, (name, _) in enumerate(leaves)}
    rows.sort(key=lambda r: order.get(r["name"], -1))

    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    result = {
        "layers": rows,
        "total_params": total,
        "trainable_params": trainable,
        "non_trainable_params": total - trainable,
    }
    if print_fn is not None:
        print_fn(_format(type(model).__name__, result))
    return result


def _recorder(rows: list[dict], name: str):
    def hook(module: ModuleSummary, inputs: tuple, output: Any):
        if any(r["name"] == name for r in rows):
            return
        shape = tuple(getattr(output, "shape", np.shape(output)))
        rows.append(
            {
                "name": name,
                "type": type(module).__name__,
                "output_shape": (None, *shape[1:]) if shape else shape,
                "params": _count(module),
            }
        )

    return hook


def _count(module: ModuleSummary) -> int:
    return sum(p.numel() for p in module.parameters())


def _format(title: str, result: dict) -> str:
    header = ("Layer (type)", "Output Shape", "Param #")
    body = [
        (
            f"{r['name']} ({r['type']})",
            "?" if r["output_shape"] is None else str(r["output_shape"]),
            f"{r['params']:,}",
        )
        for r in result["layers"]
    ]
    widths = [max(len(row[i]) for row in [header, *body]) + 2 for i in range(3)]
    width = sum(widths)
    line = lambda row: "".join(c.ljust(w) for c, w in zip(row, widths)).rstrip()  # noqa: E731
    out = [f'Model: "{title}"', "=" * width, line(header), "=" * width]
    out += [line(r) for r in body]
    out += [
        "=" * width,
        f"Total params: {result['total_params']:,}",
        f"Trainable params: {result['trainable_params']:,}",
        f"Non-trainable params: {result['non_trainable_params']:,}",
        "=" * width,
    ]
    return "\n".join(out)
