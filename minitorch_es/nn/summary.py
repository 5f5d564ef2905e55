"""``summary``: a Keras-style table of a model's modules (containers with their children
indented beneath), output shapes and parameter counts, with the totals."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd.grad_mode import no_grad
from ..console import format_table

if TYPE_CHECKING:
    from numpy.typing import DTypeLike


@dataclass
class LayerSummary:
    """One row: a module's dotted ``name``, ``type``, ``output_shape`` (``None`` for the batch;
    ``None`` altogether when not reached by the forward pass or without an input shape),
    ``params`` (its own and its children's) and ``depth`` (1 for the model's children)."""

    name: str
    type: str
    output_shape: tuple | None
    params: int
    depth: int = 1


@dataclass
class ModelSummary:
    """What `summarize` found: the rows and the totals. Printed (``str``) or echoed by the
    REPL (``repr``), it is the table."""

    title: str
    layers: list[LayerSummary] = field(default_factory=list)
    total_params: int = 0
    trainable_params: int = 0

    @property
    def non_trainable_params(self) -> int:
        """Parameters with ``requires_grad=False``."""
        return self.total_params - self.trainable_params

    def __str__(self) -> str:
        rows = [
            [
                "  " * (r.depth - 1) + f"{r.name} ({r.type})",
                "?" if r.output_shape is None else str(r.output_shape),
                f"{r.params:,}",
            ]
            for r in self.layers
        ]
        table = format_table(["Layer (type)", "Output Shape", "Param #"], rows).splitlines()
        rule = "=" * max(len(line) for line in table)
        return "\n".join(
            [
                f'Model: "{self.title}"',
                rule,
                table[0],
                rule,
                *table[2:],
                rule,
                f"Total params: {self.total_params:,}",
                f"Trainable params: {self.trainable_params:,}",
                f"Non-trainable params: {self.non_trainable_params:,}",
                rule,
            ]
        )

    __repr__ = __str__


class ModuleSummary:
    """The ``summary()`` method of `Module` (a mixin, so this module needs no import of
    ``module``)."""

    def summary(
        self,
        input_shape: Sequence[int] | None = None,
        print_fn: Callable[[str], Any] | None = print,
        dtype: DTypeLike | None = None,
    ) -> None:
        """Print a Keras-style table: every module (children indented under their container),
        its output shape, parameter count, and the totals; returns None, as Keras (the
        numbers: ``mt.nn.summarize(model, input_shape)``)."""
        summary(self, input_shape, print_fn=print_fn, dtype=dtype)


def summarize(
    model: ModuleSummary, input_shape: Sequence[int] | None = None, dtype: DTypeLike | None = None
) -> ModelSummary:
    """Every module of ``model`` (containers first, their children indented beneath) with its
    output shape and parameter count, and the totals, as a `ModelSummary`.

    ``input_shape`` excludes the batch dimension (as in Keras); with it, a batch of two zero
    samples is run through the model to find the output shapes. The totals split trainable and
    non-trainable parameters (those with ``requires_grad=False``). The sample has ``dtype``,
    by default that of the model's first floating-point parameter (so a ``.double()`` model
    works).

        >>> net = mt.nn.Sequential(mt.nn.Linear(4, 8), mt.nn.Sequential(mt.nn.Linear(8, 2)))
        >>> found = mt.nn.summarize(net, (4,))
        >>> [(row.name, row.output_shape, row.params) for row in found.layers]
        [('0', (None, 8), 40), ('1', (None, 2), 18), ('1.0', (None, 2), 18)]
        >>> found.total_params
        58
    """
    from ..creation import zeros

    if dtype is None:
        dtype = next((p.dtype for p in model.parameters() if p.dtype.kind == "f"), None)
    modules = [(n, m) for n, m in model.named_modules() if n] or [(type(model).__name__, model)]
    shapes: dict[str, tuple] = {}
    handles = [m.register_forward_hook(_recorder(shapes, name)) for name, m in modules]
    try:
        if input_shape is not None:
            modes = [(m, m.training) for m in model.modules()]
            model.eval()
            try:
                with no_grad():
                    model(zeros(2, *tuple(input_shape), dtype=dtype))
            finally:
                for m, mode in modes:  # each module's own mode (a part may be frozen in eval)
                    m.training = mode
    finally:
        for h in handles:
            h.remove()
    rows = [
        LayerSummary(name, type(m).__name__, shapes.get(name), _count(m), name.count(".") + 1)
        for name, m in modules
    ]
    return ModelSummary(
        type(model).__name__,
        rows,
        total_params=_count(model),
        trainable_params=sum(p.numel() for p in model.parameters() if p.requires_grad),
    )


def summary(
    model: ModuleSummary,
    input_shape: Sequence[int] | None = None,
    print_fn: Callable[[str], Any] | None = print,
    dtype: DTypeLike | None = None,
) -> None:
    """Print the `summarize` table of ``model`` with ``print_fn`` and return None, as Keras's
    ``model.summary()`` (so the REPL echoes nothing after it). For the numbers use
    `summarize`."""
    if print_fn is not None:
        print_fn(str(summarize(model, input_shape, dtype)))


def _recorder(shapes: dict, name: str):
    def hook(module: ModuleSummary, inputs: tuple, output: Any):
        if name not in shapes:  # a module called twice keeps its first output's shape
            shape = tuple(getattr(output, "shape", np.shape(output)))
            shapes[name] = (None, *shape[1:]) if shape else shape

    return hook


def _count(module: ModuleSummary) -> int:
    return sum(p.numel() for p in module.parameters())
