"""``Callback`` (Keras's hook names) and ``CallbackList``, the dispatcher the Trainer uses.

Order of the hooks in ``Trainer.fit`` (``batch`` is the 0-based index within the epoch):

    on_train_begin(logs)
      on_epoch_begin(epoch, logs)          # skipped for an epoch resumed half-way
        on_batch_begin(batch, logs)        # logs: {"batch", "size"}
          forward, loss, backward
        on_after_backward(batch, logs)     # gradients are ready, weights not yet updated
          optimizer.step() (with the parameters' regularizers and constraints)
        on_batch_end(batch, logs)          # logs: running "loss" and metrics, "batch_loss"
      validation, scheduler.step()
      on_epoch_end(epoch, logs)            # "loss", metrics, "val_*", "lr"
    on_train_end(logs)                     # always, even when fit raises (like ``finally``)

A batch whose loss is NaN/Inf gets no backward and no update: ``on_batch_end`` sees the
non-finite ``loss``, and unless a callback (TerminateOnNaN) sets ``trainer.stop_training``
fit raises `NonFiniteLossError`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..config import Configurable
from ..errors import warn
from .messages import say

# What a callback is attached to: the Trainer (named loosely, as Keras's ``set_model``, since
# the Trainer is built on this module).
Trainer = Any

HOOKS = (
    "on_train_begin",
    "on_train_end",
    "on_epoch_begin",
    "on_epoch_end",
    "on_batch_begin",
    "on_batch_end",
    "on_after_backward",
)


class Callback(Configurable):
    """Base class of callbacks. Override any hook; the trainer sets ``self.trainer`` and
    ``self.model`` before ``on_train_begin``. Setting ``self.trainer.stop_training = True``
    ends training after the current batch (the epoch still finishes its bookkeeping).

    ``state_dict()`` / ``load_state_dict()`` carry what a resumed run needs (a checkpoint
    stores them); values should be numbers, strings, None, NumPy arrays, lists and dicts
    with str keys.

    ``run_last = True`` makes ``fit`` call this callback's hooks after those of the other
    callbacks (whatever the list order): a callback that saves checkpoints needs it so the
    file holds the other callbacks' updates of that epoch or batch (EarlyStopping's counters,
    an lr reduced by a callback). Keras calls callbacks in list order only.

        >>> class CountBatches(mt.Callback):
        ...     def on_train_begin(self, logs=None):
        ...         self.batches = 0
        ...     def on_batch_end(self, batch, logs=None):
        ...         self.batches += 1
        >>> counter = CountBatches()
        >>> trainer = mt.Trainer(mt.nn.Linear(2, 1), optimizer="sgd", loss="mse",
        ...                      callbacks=[counter])
        >>> _ = trainer.fit(mt.randn(64, 2), mt.randn(64, 1), epochs=2, batch_size=16, verbose=0)
        >>> counter.batches
        8
    """

    trainer = None
    model = None
    run_last = False

    def set_trainer(self, trainer: Trainer) -> None:
        """Attach the callback to ``trainer`` (sets ``self.trainer`` and ``self.model``)."""
        self.trainer = trainer
        self.model = trainer.model

    def announce(self, message: str) -> None:
        """Print a ``verbose`` message once: on the main process of the trainer's strategy
        (rank 0 of a data-parallel fit)."""
        strategy = getattr(self.trainer, "strategy", None)
        if strategy is None or strategy.is_main:
            say(message)

    def skipped_hooks(self) -> frozenset[str]:
        """Hooks this callback overrides but, as configured, has nothing to do in (asked once,
        when ``fit`` builds its `CallbackList`): a per-batch hook that no callback uses costs
        nothing per step, not even its logs. None by default."""
        return frozenset()

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Called once when ``fit`` starts."""

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        """Called once when ``fit`` ends, however it ends (also after an exception)."""

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Called at the start of each epoch (``epoch`` is 0-based)."""

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Called with the epoch's logs: ``loss``, metrics, ``val_*`` and ``lr``."""

    def on_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Called before the forward pass of a training batch."""

    def on_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Called after the optimizer step of a training batch."""

    def on_after_backward(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Called between ``loss.backward()`` and ``optimizer.step()`` (gradients readable)."""

    def state_dict(self) -> dict:
        """What must survive a checkpoint (nothing by default)."""
        return {}

    def load_state_dict(self, state: dict) -> None:
        """Restore `state_dict` output."""
        if state:
            raise ValueError(
                f"{type(self).__name__} keeps no state but was given keys {sorted(state)}"
            )

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class CallbackList:
    """Calls a hook on every callback, in order. Batch-level hooks are only dispatched to the
    callbacks that override them, so unused hooks cost nothing per step."""

    def __init__(self, callbacks: Iterable[Callback] = ()) -> None:
        self.callbacks = list(callbacks)
        for i, cb in enumerate(self.callbacks):
            if not isinstance(cb, Callback):
                raise TypeError(
                    f"callbacks[{i}] must be a minitorch_es.Callback instance, got "
                    f"{type(cb).__name__} ({cb!r})"
                )
        self._users = {
            hook: [
                getattr(cb, hook)
                for cb in self.callbacks
                if getattr(type(cb), hook) is not getattr(Callback, hook)
                and hook not in cb.skipped_hooks()
            ]
            for hook in HOOKS
        }

    def wants(self, hook: str) -> bool:
        """Whether some callback does something in ``hook`` (else its logs need not be made)."""
        return bool(self._users[hook])

    def set_trainer(self, trainer: Trainer) -> None:
        """Attach every callback to ``trainer``."""
        for cb in self.callbacks:
            cb.set_trainer(trainer)

    def _call(self, hook: str, *args) -> None:
        for method in self._users[hook]:
            method(*args)

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Dispatch ``on_train_begin`` to the callbacks."""
        self._call("on_train_begin", logs)

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        """Dispatch ``on_train_end`` to the callbacks."""
        self._call("on_train_end", logs)

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Dispatch ``on_epoch_begin`` to the callbacks."""
        self._call("on_epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Dispatch ``on_epoch_end`` to the callbacks."""
        self._call("on_epoch_end", epoch, logs)

    def on_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Dispatch ``on_batch_begin`` to the callbacks that override it."""
        self._call("on_batch_begin", batch, logs)

    def on_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Dispatch ``on_batch_end`` to the callbacks that override it."""
        self._call("on_batch_end", batch, logs)

    def on_after_backward(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Dispatch ``on_after_backward`` to the callbacks that override it."""
        self._call("on_after_backward", batch, logs)

    # ------------------------------------------------------------------ state
    def keys(self) -> list[str]:
        """A stable key per callback: its class name, with ``_1``, ``_2`` ... for repeats."""
        seen: dict[str, int] = {}
        out = []
        for cb in self.callbacks:
            name = type(cb).__name__
            n = seen.get(name, 0)
            seen[name] = n + 1
            out.append(name if n == 0 else f"{name}_{n}")
        return out

    def state_dict(self) -> dict:
        """Each callback's ``state_dict()`` under its `keys` entry."""
        return {key: cb.state_dict() for key, cb in zip(self.keys(), self.callbacks)}

    def load_state_dict(self, state: dict) -> None:
        """Restore each callback from its key; callbacks without a saved state start fresh and
        saved states without a callback are ignored (each case reported by a warning)."""
        keys = self.keys()
        for key, cb in zip(keys, self.callbacks):
            if key in state:
                cb.load_state_dict(state[key])
        missing = [k for k in keys if k not in state]
        unknown = [k for k in state if k not in keys]
        if missing:
            warn(f"resuming: no saved state for the callbacks {missing}: they start anew")
        if unknown:
            warn(
                f"resuming: the saved states of {unknown} are ignored (no such callback in this "
                f"fit)"
            )
