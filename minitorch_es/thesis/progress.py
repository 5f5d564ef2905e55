"""Progress of the thesis runs, by the package's console policy (`minitorch_es.console`): a bar
on a terminal, a plain line every few seconds in a log, nothing with ``--no-progress``. It goes
to stderr; the results table is stdout."""

from __future__ import annotations

import minitorch_es as mt
from minitorch_es.console import Progress, progress_range

SHOWN = ("loss", "accuracy", "val_accuracy")


class EpochProgress(mt.Callback):
    """The progress of a ``Trainer.fit``, one step per epoch, with the running loss/accuracy."""

    def __init__(self, desc: str, enabled: bool = True) -> None:
        self.desc, self.enabled = desc, enabled
        self.progress = None

    def on_train_begin(self, logs=None) -> None:
        params = self.trainer.params
        total = params.get("epochs", 0) - params.get("initial_epoch", 0)
        self.progress = Progress(total, self.desc, unit="epoch", enabled=self.enabled)

    def on_epoch_end(self, epoch, logs=None) -> None:
        self.progress.update(1, **{k: logs[k] for k in SHOWN if k in (logs or {})})

    def on_train_end(self, logs=None) -> None:
        if self.progress is not None:
            self.progress.close()
            self.progress = None


def epochs(n: int, desc: str, enabled: bool):
    """``range(n)`` with its progress shown (when ``enabled``)."""
    return progress_range(n, desc, "epoch", enabled)
