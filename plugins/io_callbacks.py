"""Callbacks that write files: ``ModelCheckpoint`` and ``CSVLogger``."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

from minitorch_es import distributed
from minitorch_es.console import format_number
from minitorch_es.errors import warn
from minitorch_es.training import Callback
from minitorch_es.validation import check_int

from .monitoring import improved, monitored_value, resolve_mode


class ModelCheckpoint(Callback):
    """Save a checkpoint at the end of every ``every_n_epochs``-th epoch (epochs whose 1-based
    number is a multiple of it), through ``minitorch_es.checkpoint.save_checkpoint``.

    ``filepath`` may use the 1-based ``{epoch}`` and any log key: ``"ckpt-{epoch:02d}-
    {val_loss:.2f}.h5"``. With ``save_best_only`` only epochs that improve ``monitor`` are
    saved. ``save_weights_only`` stores the model alone; otherwise the optimizer, scheduler and
    trainer state (epoch, history, callbacks, data position) go too, so ``fit(resume_from=path)``
    continues the run. Subclasses may override `save` (called on every rank of a data-parallel
    job: ``save_checkpoint`` writes once, on rank 0). ``saved`` lists the paths written.

    Deliberate difference from Keras: it is a ``run_last`` callback, so ``fit`` calls it after
    the other callbacks and the checkpoint holds their state after this epoch (EarlyStopping's
    wait counter, a ReduceLROnPlateau reduction) whatever the order of the callback list.

        ckpt = mt.callbacks.ModelCheckpoint("best.h5", monitor="val_loss", save_best_only=True)
        trainer = mt.Trainer(model, optimizer="adam", loss="mse", callbacks=[ckpt])
        trainer.fit(x, y, epochs=50, validation_split=0.2)
        best = mt.load_model("best.h5")
    """

    run_last = True

    def __init__(
        self,
        filepath: str | os.PathLike,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        every_n_epochs: int = 1,
    ) -> None:
        if not isinstance(filepath, (str, os.PathLike)):
            raise TypeError(
                f"ModelCheckpoint: filepath must be a str or a path, got {type(filepath).__name__}"
            )
        check_int(every_n_epochs, "every_n_epochs", "ModelCheckpoint", low=1)
        self.filepath, self.monitor, self.verbose = os.fspath(filepath), monitor, verbose
        self.mode = resolve_mode(mode, monitor, "ModelCheckpoint")
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.every_n_epochs = every_n_epochs
        self.best = None
        self.saved: list[str] = []

    def format_path(self, epoch: int, logs: dict[str, Any] | None) -> str:
        """``filepath`` formatted with ``epoch`` (1-based) and the logs."""
        try:
            return self.filepath.format(epoch=epoch + 1, **(logs or {}))
        except (KeyError, IndexError, ValueError) as e:
            raise ValueError(
                f"ModelCheckpoint: cannot format filepath {self.filepath!r} ({type(e).__name__}: "
                f"{e}); available keys: epoch, {', '.join(sorted(logs or {}))}"
            ) from None

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if (epoch + 1) % self.every_n_epochs:
            return
        message = None
        if self.save_best_only:
            current = monitored_value(logs, self.monitor, "ModelCheckpoint")
            if (
                current is None
                or math.isnan(current)
                or not improved(current, self.best, self.mode)
            ):
                return
            before = ("inf" if self.mode == "min" else "-inf") if self.best is None else self.best
            message = (
                f"{self.monitor} improved from {format_number(before)} to "
                f"{format_number(current)}, "
            )
            self.best = current
        path = self.format_path(epoch, logs)
        if self.verbose:  # printed after the epoch's line (rank 0 only)
            self.announce(f"Epoch {epoch + 1}: {message or ''}saving the model to {path}")
        # Data-parallel fit: save_checkpoint is collective, every rank calls it; rank 0 writes
        # the file (with every rank's own state) and the others wait until it is complete.
        self.save(path, epoch, logs)
        self.saved.append(path)

    def save(self, path: str, epoch: int, logs: dict[str, Any] | None) -> None:
        """Write the checkpoint (``epoch`` 0-based; the file records ``epoch + 1`` completed
        epochs)."""
        from minitorch_es.checkpoint import save_checkpoint

        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if self.save_weights_only:
            save_checkpoint(path, model=self.model, epoch=epoch + 1)
        else:
            t = self.trainer
            save_checkpoint(
                path,
                model=self.model,
                optimizer=t.optimizer,
                scheduler=t.scheduler,
                trainer=t,
                epoch=epoch + 1,
            )

    def state_dict(self) -> dict:
        return {"best": self.best}

    def load_state_dict(self, state: dict) -> None:
        self.best = None if state["best"] is None else float(state["best"])


class CSVLogger(Callback):
    """Append one row per epoch to a CSV file: ``epoch`` (0-based, as Keras) then the log keys
    in sorted order. Each row is flushed as it is written, so the file is complete up to the
    last finished epoch even if the run dies. ``append=True`` keeps an existing file (and its
    header); missing values are written as ``NA``."""

    def __init__(
        self, filename: str | os.PathLike, separator: str = ",", append: bool = False
    ) -> None:
        if not isinstance(filename, (str, os.PathLike)):
            raise TypeError(
                f"CSVLogger: filename must be a str or a path, got {type(filename).__name__}"
            )
        if not isinstance(separator, str) or not separator:
            raise ValueError(f"CSVLogger: separator must be a non-empty str, got {separator!r}")
        self.filename, self.separator, self.append = os.fspath(filename), separator, append
        self.keys = None
        self._file = None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        if not distributed.is_main():  # one file per job, written by rank 0
            return
        has_content = (
            self.append and os.path.exists(self.filename) and os.path.getsize(self.filename) > 0
        )
        self.keys = self._read_header() if has_content else None
        self._file = open(self.filename, "a" if self.append else "w", newline="", encoding="utf-8")

    def _read_header(self):
        with open(self.filename, encoding="utf-8") as f:
            header = f.readline().rstrip("\r\n").split(self.separator)
        return header[1:] if header and header[0] == "epoch" else None

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if not distributed.is_main():
            return
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            self._write(["epoch", *self.keys])
        extra = sorted(set(logs) - set(self.keys))
        if extra:
            warn(
                f"CSVLogger: log keys {extra} are not in the header of "
                f"{self.filename} and are not written",
                RuntimeWarning,
            )
        self._write([str(epoch)] + [self._text(logs[k]) if k in logs else "NA" for k in self.keys])

    @staticmethod
    def _text(value: Any) -> str:
        return (
            repr(float(value))
            if isinstance(value, (int, float)) or hasattr(value, "__float__")
            else str(value)
        )

    def _write(self, fields: Sequence[str]) -> None:
        if any(self.separator in f or "\n" in f for f in fields):
            raise ValueError(
                f"CSVLogger: a field contains the separator {self.separator!r}: {fields}"
            )
        self._file.write(self.separator.join(fields) + "\n")
        self._file.flush()

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
