"""Diagnostics from the thesis: vanishing / exploding gradients and dead or saturated units.

``GradientMonitor`` records the gradient norm of every parameter each ``every_n_steps`` steps
(between ``backward`` and the optimizer step) and warns when the first layer's gradient is
tiny compared with the last layer's (vanishing) or a norm is huge (exploding).
``DeadUnitMonitor`` hooks the ReLU / Sigmoid / Tanh modules and reports, per epoch, the
fraction of ReLU units that never fired and of Sigmoid / Tanh outputs stuck near their bounds.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from minitorch_es.errors import warn
from minitorch_es.training import Callback, require_matplotlib
from minitorch_es.validation import check_float, check_int

if TYPE_CHECKING:
    from matplotlib.figure import Figure


class GradientWarning(UserWarning):
    """Vanishing or exploding gradients detected by GradientMonitor."""


class GradientMonitor(Callback):
    """Gradient norms per parameter every ``every_n_steps`` optimizer steps.

    ``steps``, ``names`` and ``norms`` (one row per record, one column per parameter, NaN for a
    parameter without gradient) hold the records; `layer_norms` groups them by layer
    (the module owning the parameters). Every time first-layer norm / last-layer norm <
    ``vanish_ratio`` or a parameter's norm > ``explode_norm`` an entry is appended to
    ``events``; the first of each kind in a fit also issues a `GradientWarning`.
    """

    def __init__(
        self, every_n_steps: int = 10, vanish_ratio: float = 1e-3, explode_norm: float = 1e3
    ) -> None:
        where = "GradientMonitor"
        self.every_n_steps = check_int(every_n_steps, "every_n_steps", where, low=1)
        self.vanish_ratio = check_float(vanish_ratio, "vanish_ratio", where, low=0, low_open=True)
        self.explode_norm = check_float(explode_norm, "explode_norm", where, low=0, low_open=True)
        self.steps, self.names, self.norms, self.events = [], None, [], []
        self._warned = set()

    def on_after_backward(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        step = self.trainer.global_step
        if step % self.every_n_steps:
            return
        named = list(self.model.named_parameters())
        if self.names is None:
            self.names = [n for n, _ in named]
        grads = dict(named)
        row = []
        for name in self.names:
            p = grads.get(name)
            g = None if p is None else p.grad
            row.append(
                float("nan")
                if g is None
                else float(np.sqrt(np.sum(np.square(g, dtype=np.float64))))
            )
        self.steps.append(step)
        self.norms.append(row)
        self._check(step, row)

    def _layers(self):
        """``{layer name: [column indices]}`` in parameter order."""
        layers: dict[str, list[int]] = {}
        for i, name in enumerate(self.names or []):
            layers.setdefault(name.rpartition(".")[0], []).append(i)
        return layers

    def layer_norms(self) -> dict:
        """``{layer: array of norms per record}``; a layer's norm is the norm of all its
        parameters' gradients together."""
        norms = np.asarray(self.norms, dtype=np.float64).reshape(len(self.norms), -1)
        return {
            layer: np.sqrt(np.nansum(norms[:, cols] ** 2, axis=1))
            for layer, cols in self._layers().items()
        }

    def _check(self, step: int, row: list[float]) -> None:
        layers = self._layers()
        values = np.asarray(row)
        norm = {k: float(np.sqrt(np.nansum(values[c] ** 2))) for k, c in layers.items()}
        names = list(layers)
        if len(names) >= 2 and norm[names[-1]] > 0:
            ratio = norm[names[0]] / norm[names[-1]]
            if ratio < self.vanish_ratio:
                self._event(
                    step,
                    "vanishing",
                    f"first layer {names[0] or '(root)'!r} gradient norm "
                    f"{norm[names[0]]:.3g} / last layer {names[-1] or '(root)'!r} "
                    f"{norm[names[-1]]:.3g} = {ratio:.3g} < vanish_ratio "
                    f"{self.vanish_ratio:g}",
                )
        for name, value in zip(self.names, row):
            if not math.isnan(value) and value > self.explode_norm:
                self._event(
                    step,
                    "exploding",
                    f"gradient norm of {name!r} is {value:.3g} > "
                    f"explode_norm {self.explode_norm:g}",
                )

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._warned = set()

    def _event(self, step: int, kind: str, detail: str) -> None:
        self.events.append({"step": step, "kind": kind, "detail": detail})
        if kind in self._warned:  # one warning per kind and fit; ``events`` keeps them all
            return
        self._warned.add(kind)
        warn(f"GradientMonitor: {kind} gradients at step {step}: {detail}", GradientWarning)

    def state_dict(self) -> dict:
        return {
            "steps": np.asarray(self.steps, dtype=np.int64),
            "names": list(self.names or []),
            "norms": np.asarray(self.norms, dtype=np.float64).reshape(len(self.norms), -1),
        }

    def load_state_dict(self, state: dict) -> None:
        self.steps = [int(s) for s in np.asarray(state["steps"]).reshape(-1)]
        self.names = [str(n) for n in state["names"]] or None
        self.norms = np.asarray(state["norms"], dtype=np.float64).tolist()

    def plot(self, ax: Any = None, by: str = "layer") -> Figure:
        """Gradient norm per layer (``by="layer"``) or parameter against the step, log scale;
        returns the figure. Needs matplotlib."""
        plt = require_matplotlib("GradientMonitor.plot")
        fig, ax = plt.subplots(figsize=(6, 4)) if ax is None else (ax.figure, ax)
        if by == "layer":
            series = self.layer_norms()
        else:
            norms = np.asarray(self.norms).reshape(len(self.norms), -1)
            series = {n: norms[:, i] for i, n in enumerate(self.names or [])}
        for name, values in series.items():
            ax.plot(self.steps, values, label=name or "(root)")
        ax.set_yscale("log")
        ax.set_xlabel("step")
        ax.set_ylabel("gradient norm")
        ax.legend(fontsize="small")
        return fig


from .dead_units import DeadUnitMonitor, DeadUnitWarning  # noqa: E402,F401  (re-exported)
