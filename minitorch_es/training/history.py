"""``History``: the per-epoch logs of a ``fit`` (Keras's ``History``)."""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

from .callback import Callback

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PLOT_HINT = "install the plot extra: pip install 'minitorch-es[plot]'"


def require_matplotlib(where: str) -> ModuleType:
    """``matplotlib.pyplot``, or an ImportError telling how to get it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError(f"{where} needs matplotlib, which is not installed; {PLOT_HINT}") from e
    return plt


class History(Callback):
    """Records each epoch's logs: ``history.history["loss"]``, ``["val_accuracy"]`` ... and
    ``history.epoch`` (0-based epoch indices). ``Trainer.fit`` returns it.

        >>> trainer = mt.Trainer(mt.nn.Linear(2, 1), optimizer="sgd", loss="mse")
        >>> history = trainer.fit(mt.randn(32, 2), mt.randn(32, 1), epochs=3, verbose=0)
        >>> history.epoch, len(history.history["loss"])
        ([0, 1, 2], 3)
    """

    def __init__(self) -> None:
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []
        self.params: dict = {}

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Append the epoch's logs to the columns."""
        self.epoch.append(int(epoch))
        for key, value in (logs or {}).items():
            column = self.history.setdefault(key, [])
            # An entry that appears late (e.g. "lr" added by a callback) is padded with NaN so
            # every column stays aligned with ``epoch``.
            column.extend([float("nan")] * (len(self.epoch) - 1 - len(column)))
            column.append(float(value) if isinstance(value, numbers.Real) else value)

    def state_dict(self) -> dict:
        """The epochs and columns as arrays (what a checkpoint stores)."""
        return {
            "epoch": np.asarray(self.epoch, dtype=np.int64),
            "history": {k: np.asarray(v, dtype=np.float64) for k, v in self.history.items()},
            "params": {
                k: v for k, v in self.params.items() if isinstance(v, (numbers.Number, str))
            },
        }

    def load_state_dict(self, state: dict) -> None:
        """Restore the output of `state_dict`."""
        if not isinstance(state, dict) or "epoch" not in state or "history" not in state:
            got = sorted(state) if isinstance(state, dict) else type(state).__name__
            raise ValueError(
                f"History.load_state_dict expected a dict with keys 'epoch' and "
                f"'history', got {got}"
            )
        self.epoch = [int(e) for e in np.asarray(state["epoch"]).reshape(-1)]
        self.history = {
            k: [float(v) for v in np.asarray(col).reshape(-1)]
            for k, col in state["history"].items()
        }
        self.params = dict(state.get("params", {}))

    def plot(self, keys: Iterable[str] | None = None, ax: Any = None) -> Figure:
        """One subplot per quantity (``loss``, ``accuracy`` ...); returns the figure. ``keys``
        picks the curves (default: every quantity but ``lr``): a quantity brings its ``val_``
        curve along, a ``val_`` key is drawn on its quantity's panel, so
        ``plot(["loss", "val_loss"])`` is one panel with both curves. Needs matplotlib."""
        plt = require_matplotlib("History.plot")
        if keys is None:
            keys = [k for k in self.history if not k.startswith("val_")]
            keys = [k for k in keys if k != "lr"] or keys
        panels = self._panels(list(keys))
        if ax is None:
            n = len(panels)
            fig, axes = plt.subplots(
                1, n, figsize=(4.5 * n, 3.5), squeeze=False, layout="constrained"
            )
            axes = axes[0]
        else:
            axes = np.atleast_1d(ax)
            fig = axes[0].figure
        epochs = [e + 1 for e in self.epoch]
        for a, (quantity, curves) in zip(axes, panels.items()):
            for name in curves:
                a.plot(
                    epochs, self.history[name], label=name, marker="." if len(epochs) < 20 else ""
                )
            a.set_xlabel("epoch")
            a.set_title(quantity)
            epoch_axis(a, epochs)
            a.legend()
        return fig

    def _panels(self, keys: list[str]) -> dict[str, list[str]]:
        """``{quantity: [curve names]}`` for `plot`, in the order the keys name them."""
        missing = [k for k in keys if k not in self.history and f"val_{k}" not in self.history]
        if missing:
            raise KeyError(f"History.plot: no recorded {missing}; recorded: {sorted(self.history)}")
        panels: dict[str, list[str]] = {}
        for key in keys:
            is_val = key.startswith("val_") and key in self.history
            quantity = key[len("val_") :] if is_val else key
            wanted = [key] if is_val else [key, f"val_{key}"]
            curves = panels.setdefault(quantity, [])
            curves += [c for c in wanted if c in self.history and c not in curves]
        return panels

    def __repr__(self) -> str:
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)})"


def epoch_axis(ax: Any, epochs: Iterable[int]) -> None:
    """Ticks on whole epochs only (at each epoch when there are few), and room on both sides
    of a single epoch rather than a fractional axis around it."""
    from matplotlib.ticker import MaxNLocator

    epochs = list(epochs)
    if len(epochs) <= 12:
        ax.set_xticks(epochs)
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if len(epochs) == 1:
        ax.set_xlim(epochs[0] - 1, epochs[0] + 1)
