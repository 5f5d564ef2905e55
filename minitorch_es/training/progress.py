"""Progress output of ``fit``: a tqdm bar per epoch and a one-line summary per epoch.

``verbose=0`` prints nothing; ``verbose=2`` prints one line per epoch; ``verbose=1`` adds a
tqdm bar (loss and metrics in its postfix) while the epoch runs, but only when the stream is a
terminal, so logs and notebooks captured to files get just the lines:

    Epoch 3/50 - loss: 0.1234 - accuracy: 0.9612 - val_loss: 0.1502 - lr: 0.001 - 1.2s
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from .callback import Callback


def format_logs(logs: dict, skip: tuple[str, ...] = ("batch", "size", "batch_loss")) -> str:
    """``"loss: 0.1234 - accuracy: 0.9612"`` (the learning rate with 4 significant digits)."""
    parts = []
    for key, value in logs.items():
        if key in skip:
            continue
        if isinstance(value, float) or hasattr(value, "__float__"):
            value = float(value)
            parts.append(f"{key}: {value:.4g}" if key == "lr" else f"{key}: {value:.4f}")
        else:
            parts.append(f"{key}: {value}")
    return " - ".join(parts)


def _is_tty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class ProgressLogger(Callback):
    """The trainer's own progress callback (not registered; ``verbose`` selects it)."""

    def __init__(self, verbose: int = 1, stream: TextIO | None = None) -> None:
        if verbose not in (0, 1, 2):
            raise ValueError(
                f"verbose must be 0 (silent), 1 (progress bar) or 2 (one line per "
                f"epoch), got {verbose!r}"
            )
        self.verbose = verbose
        self.stream = stream
        self._bar = None
        self._start = 0.0

    def _out(self):
        return self.stream if self.stream is not None else sys.stdout

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.epochs = self.trainer.params.get("epochs")
        self.steps = self.trainer.params.get("steps")

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._start = time.perf_counter()
        self._epoch = epoch
        if self.verbose == 1 and _is_tty(self._out()):
            from tqdm import tqdm

            self._bar = tqdm(
                total=self.steps,
                file=self._out(),
                leave=False,
                unit="batch",
                desc=f"Epoch {epoch + 1}/{self.epochs}",
                dynamic_ncols=True,
            )

    def on_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self._bar is not None:
            postfix = {
                k: f"{float(v):.4f}"
                for k, v in (logs or {}).items()
                if k not in ("batch", "size", "batch_loss")
            }
            self._bar.set_postfix(postfix, refresh=False)
            self._bar.update(1)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self._bar is not None:
            self._bar.refresh()  # fast epochs finish inside tqdm's redraw interval
        self._close_bar()
        if self.verbose:
            seconds = time.perf_counter() - self._start
            summary = format_logs(logs or {})
            line = f"Epoch {epoch + 1}/{self.epochs}" + (f" - {summary}" if summary else "")
            print(f"{line} - {seconds:.1f}s", file=self._out(), flush=True)

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        self._close_bar()

    def _close_bar(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
