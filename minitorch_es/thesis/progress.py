"""Progress bars for the thesis runs (tqdm, cleared when done)."""

from __future__ import annotations

import minitorch_es as mt


class EpochBar(mt.Callback):
    """A tqdm bar advanced once per epoch of ``Trainer.fit``, with the running loss/accuracy."""

    def __init__(self, desc: str) -> None:
        self.desc = desc
        self.bar = None

    def on_train_begin(self, logs=None) -> None:
        from tqdm import tqdm

        total = self.trainer.params.get("epochs", 0) - self.trainer.params.get("initial_epoch", 0)
        self.bar = tqdm(total=total, desc=self.desc, unit="epoch", leave=False)

    def on_epoch_end(self, epoch, logs=None) -> None:
        keys = ("loss", "accuracy", "val_accuracy")
        self.bar.set_postfix(
            {k: f"{logs[k]:.4f}" for k in keys if k in (logs or {})}, refresh=False
        )
        self.bar.update(1)

    def on_train_end(self, logs=None) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def epochs(n: int, desc: str, enabled: bool):
    """``range(n)``, wrapped in a tqdm bar when ``enabled``."""
    if not enabled:
        return range(n)
    from tqdm import tqdm

    return tqdm(range(n), desc=desc, unit="epoch", leave=False)
