"""Saving and resuming a `Trainer` (a mixin): ``state_dict`` / ``load_state_dict``, and the
parts of a loaded state that the next ``fit`` applies when it starts (callbacks, the data
loader's position, the running totals of the epoch)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..data.shard import restate_position
from .errors import TrainingError

if TYPE_CHECKING:
    from ..data import DataLoader


class TrainerResume:
    """The saved state of `Trainer` and its resumption by ``fit``."""

    def state_dict(self) -> dict:
        """Everything a resumed ``fit`` needs besides model / optimizer / RNG:
        ``epoch`` (completed epochs), ``global_step``, ``history``, ``callbacks`` (each
        callback's state by key), ``train_loader`` (the DataLoader position, None before fit),
        ``scheduler`` (its state or None) and ``accumulators`` (the running loss and metric
        totals and the number of ``batches`` they cover, None between epochs). Saved from
        ``on_batch_end`` a fit resumes with the next batch (or the end of the epoch after its
        last batch); saved from ``on_epoch_end``, with the next epoch."""
        loader = self._train_loader
        return {
            "epoch": int(self.epoch),
            "global_step": int(self.global_step),
            "history": self.history.state_dict(),
            "callbacks": self._all_callbacks().state_dict(),
            "train_loader": loader.state_dict() if hasattr(loader, "state_dict") else None,
            "scheduler": None
            if self.scheduler is None
            # callables (lambdas) are code
            else {k: v for k, v in self.scheduler.state_dict().items() if not callable(v)},
            "accumulators": {
                "batches": self._batches_done,
                "loss_total": float(self._loss_total),
                "loss_count": int(self._loss_count),
                "metrics": {m.name: m.state_dict() for m in self.metrics},
            },
        }

    def load_state_dict(self, state: dict) -> None:
        """Restore `state_dict` output. ``epoch``, ``global_step``, ``history`` and the
        scheduler are set at once; callbacks, the loader position and the accumulators are
        applied when the next ``fit`` starts (after ``on_train_begin``, which resets
        callbacks), and that fit continues from ``epoch`` whatever its ``initial_epoch``."""
        required = ("epoch", "global_step", "history", "callbacks")
        if not isinstance(state, dict) or any(k not in state for k in required):
            got = sorted(state) if isinstance(state, dict) else type(state).__name__
            raise ValueError(
                f"Trainer.load_state_dict expected a dict with keys {list(required)}, got {got}"
            )
        self.epoch = int(state["epoch"])
        self.global_step = int(state["global_step"])
        self.history.load_state_dict(state["history"])
        if state.get("scheduler") is not None:
            if self.scheduler is not None:
                self.scheduler.load_state_dict(state["scheduler"])
            elif self._scheduler_spec is None:
                raise TrainingError(
                    "Trainer.load_state_dict: the state has a scheduler state "
                    "but this trainer has no scheduler"
                )  # else fit creates the scheduler, then loads this state into it
        self._pending = state

    def _apply_resume(self, state: dict, loader: DataLoader):
        """Apply the deferred parts of a loaded state; the batch to continue from, or None."""
        self.history.load_state_dict(state["history"])
        self.history.params = dict(self.params)  # this fit's (the batch size may differ)
        self._all_callbacks().load_state_dict(state["callbacks"])
        saved = state.get("train_loader")
        if saved is None or not hasattr(loader, "load_state_dict"):
            return None
        acc = dict(state.get("accumulators") or {})
        try:  # saved on another number of ranks, or with another batch size
            saved, batches = restate_position(saved, loader, acc.get("batches"))
        except ValueError as e:
            raise TrainingError(f"fit(resume_from=...): {e}") from e
        if "batches" in acc:
            acc["batches"] = batches
        saved = _restate_batch_size(saved, loader, acc.get("batches"))
        try:
            loader.load_state_dict(saved)
        except (ValueError, KeyError, TypeError) as e:
            mid_epoch = (
                " (a checkpoint saved in the middle of an epoch resumes with its batch size; "
                "another one is accepted from a checkpoint saved at the end of an epoch)"
                if "batch_size" in str(e)
                else ""
            )
            raise TrainingError(
                f"fit(resume_from=...): the training data does not match the checkpoint's: "
                f"{e}{mid_epoch}"
            ) from e
        index = int(np.asarray(saved["index"]))
        batch = acc.get("batches", index if 0 < index < len(loader) else None)  # older files
        if batch is None:
            return None
        batch = int(batch)
        # Batch 0 is the start of an epoch: the loader is then between two of its epochs.
        if index != batch and not (batch == 0 and index in (0, len(loader))):
            raise TrainingError(
                f"fit(resume_from=...): the state was saved in the middle of a training step "
                f"(batch {batch} of epoch {self.epoch + 1} finished, the data loader at batch "
                f"{index}); save checkpoints from on_batch_end or on_epoch_end"
            )
        self._loss_total = float(acc.get("loss_total", 0.0))
        self._loss_count = int(acc.get("loss_count", 0))
        for m in self.metrics:
            if m.name in acc.get("metrics", {}):
                m.load_state_dict(acc["metrics"][m.name])
        return batch


def _restate_batch_size(saved: dict, loader: DataLoader, batches: int | None) -> dict:
    """A loader position saved between two epochs (``batches`` None or 0), restated for
    ``loader``'s batch size: the batch size only matters inside an epoch, so a run may
    resume at an epoch boundary with another one. Other positions are returned as they are."""
    size = getattr(loader, "batch_size", None)
    old = saved.get("batch_size")
    if size is None or old is None or int(np.asarray(old)) == size or batches not in (None, 0):
        return saved
    index = int(np.asarray(saved["index"]))
    return {**saved, "batch_size": size, "index": 0 if index == 0 else len(loader)}
