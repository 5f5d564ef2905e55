"""``DeadUnitMonitor``: dead ReLU units and saturated Sigmoid / Tanh units, per epoch."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from minitorch_es.errors import warn
from minitorch_es.nn import Module
from minitorch_es.training import Callback, require_matplotlib
from minitorch_es.validation import check_float

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from minitorch_es import Tensor


def failure_mode(module: Module) -> tuple[str, tuple[float, float] | None] | None:
    """What can go wrong with ``module``'s units, as its class declares it: ``("dead", None)``
    for ``dies_at_zero = True`` (ReLU, ReLU6), ``("saturated", (low, high))`` for
    ``saturates_at = (low, high)`` (Sigmoid, Tanh), else None (LeakyReLU & co. cannot die)."""
    if getattr(type(module), "dies_at_zero", False):
        return "dead", None
    bounds = getattr(type(module), "saturates_at", None)
    return None if bounds is None else ("saturated", tuple(bounds))


class DeadUnitWarning(UserWarning):
    """Many dead (ReLU) or saturated (Sigmoid / Tanh) units detected by DeadUnitMonitor."""


class DeadUnitMonitor(Callback):
    """Watch activation modules through forward hooks during training batches.

    * ReLU (and ReLU6): the fraction of units that never gave a positive output during the
      epoch. A unit is a feature (the axis after the batch, so a convolution channel).
    * Sigmoid / Tanh: the fraction of outputs within ``saturation_tol`` of the bounds
      (0 and 1, or -1 and 1), where the derivative almost vanishes.

    Modules are found by what their class declares (``dies_at_zero = True`` as ``ReLU`` and
    ``ReLU6``, ``saturates_at = (low, high)`` as ``Sigmoid`` and ``Tanh``; a custom activation
    declares the same to be watched), among the submodules and the ``activation`` attribute of
    layers (``Linear(..., activation="relu")`` is watched as ``"<layer>.activation"``), or given
    as ``modules`` (those names).
    Activations applied as plain functions inside a forward are invisible to hooks.
    ``history[name]`` lists one fraction per epoch (``epochs`` holds the epoch indices); a
    `DeadUnitWarning` is issued the first time
    in a fit that a module's fraction reaches ``warn_fraction`` (None: never).
    """

    def __init__(
        self,
        saturation_tol: float = 0.01,
        warn_fraction: float | None = 0.5,
        modules: Iterable[str] | None = None,
    ) -> None:
        where = "DeadUnitMonitor"
        self.saturation_tol = check_float(
            saturation_tol, "saturation_tol", where, low=0, high=0.5, low_open=True, high_open=True
        )
        if warn_fraction is not None:
            check_float(warn_fraction, "warn_fraction", where, low=0, high=1, low_open=True)
        self.warn_fraction = warn_fraction
        self.modules = None if modules is None else list(modules)
        self.kinds: dict[str, str] = {}  # name -> the activation's class, lower case (a label)
        self._modes: dict[str, tuple] = {}  # name -> failure_mode(module)
        self.history: dict[str, list[float]] = {}
        self.epochs: list[int] = []
        self._handles, self._acc, self._warned = [], {}, set()

    def _candidates(self) -> dict:
        """Every module by name, plus activations a layer keeps as a plain attribute
        (``Linear(..., activation="relu")`` stores its ReLU as ``layer.activation``)."""
        found = {}
        for name, module in self.model.named_modules():
            found[name] = module
            act = module.__dict__.get("activation")
            if isinstance(act, Module) and act not in module._modules.values():
                found[f"{name}.activation" if name else "activation"] = act
        return found

    def _watched(self):
        found = self._candidates()
        if self.modules is None:
            return [(n, m, mode) for n, m in found.items() if (mode := failure_mode(m))]
        unknown = [n for n in self.modules if n not in found]
        if unknown:
            raise ValueError(
                f"DeadUnitMonitor: no modules named {unknown}; the model has "
                f"{[n for n in found if n]}"
            )
        out = []
        for n in self.modules:
            mode = failure_mode(found[n])
            if mode is None:
                raise ValueError(
                    f"DeadUnitMonitor: module {n!r} is a {type(found[n]).__name__}; "
                    f"expected one of ReLU, ReLU6, Sigmoid, Tanh (or a class declaring "
                    f"dies_at_zero = True or saturates_at = (low, high))"
                )
            out.append((n, found[n], mode))
        return out

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._warned = set()
        watched = self._watched()
        if not watched:
            warn(
                "DeadUnitMonitor: the model has no ReLU / Sigmoid / Tanh modules to watch",
                DeadUnitWarning,
            )
        for name, module, mode in watched:
            self.kinds[name] = type(module).__name__.lower()
            self._modes[name] = mode
            self._handles.append(module.register_forward_hook(self._hook(name, mode)))

    def _hook(self, name: str, mode: tuple):
        kind, bounds = mode

        def hook(module: Module, inputs: tuple, output: Tensor):
            if not module.training:  # validation / predict passes are not counted
                return None
            out = output.numpy(force=True)
            acc = self._acc.setdefault(name, [None, 0, 0])
            if kind == "dead":
                axes = (0,) + tuple(range(2, out.ndim)) if out.ndim > 1 else (0,)
                fired = (out > 0).any(axis=axes) if out.ndim > 1 else (out > 0).any(keepdims=True)
                acc[0] = fired if acc[0] is None else (acc[0] | fired)
            else:
                low, high = bounds
                tol = self.saturation_tol
                acc[1] += int(np.count_nonzero((out <= low + tol) | (out >= high - tol)))
                acc[2] += out.size
            return None

        return hook

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._acc = {}

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.epochs.append(int(epoch))
        for name, kind in self.kinds.items():
            acc, mode = self._acc.get(name), self._modes.get(name)
            if acc is None or mode is None:
                fraction = float("nan")
            elif mode[0] == "dead":
                fraction = float(1.0 - acc[0].mean())
            else:
                fraction = acc[1] / acc[2] if acc[2] else float("nan")
            self.history.setdefault(name, []).append(fraction)
            if (
                self.warn_fraction is not None
                and fraction >= self.warn_fraction
                and name not in self._warned
            ):  # once per module and fit
                self._warned.add(name)
                what = "never fired" if mode[0] == "dead" else "were saturated"
                warn(
                    f"DeadUnitMonitor: {fraction:.0%} of the {kind} units of {name!r} "
                    f"{what} in epoch {epoch + 1}",
                    DeadUnitWarning,
                )

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def state_dict(self) -> dict:
        names = list(self.history)
        return {
            "epochs": np.asarray(self.epochs, dtype=np.int64),
            "names": names,
            "kinds": [self.kinds[n] for n in names],
            "fractions": np.asarray([self.history[n] for n in names], dtype=np.float64).reshape(
                len(names), -1
            ),
        }

    def load_state_dict(self, state: dict) -> None:
        self.epochs = [int(e) for e in np.asarray(state["epochs"]).reshape(-1)]
        names = [str(n) for n in state["names"]]
        fractions = np.asarray(state["fractions"], dtype=np.float64).reshape(len(names), -1)
        self.history = {n: fractions[i].tolist() for i, n in enumerate(names)}
        self.kinds.update(zip(names, (str(k) for k in state["kinds"])))

    def plot(self, ax: Any = None) -> Figure:
        """Fraction of dead / saturated units per module against the epoch; returns the
        figure. Needs matplotlib."""
        plt = require_matplotlib("DeadUnitMonitor.plot")
        fig, ax = plt.subplots(figsize=(6, 4)) if ax is None else (ax.figure, ax)
        for name, values in self.history.items():
            ax.plot([e + 1 for e in self.epochs], values, label=f"{name} ({self.kinds[name]})")
        ax.set_xlabel("epoch")
        ax.set_ylabel("dead / saturated fraction")
        ax.set_ylim(-0.02, 1.02)
        ax.legend(fontsize="small")
        return fig
