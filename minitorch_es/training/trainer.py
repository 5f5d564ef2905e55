"""``Trainer``: Keras's ``compile`` + ``fit`` / ``evaluate`` / ``predict`` for a Module.

In short:

    trainer = mt.Trainer(model, optimizer="adam", loss="bce", metrics=["accuracy"])
    history = trainer.fit(x, y, epochs=100, batch_size=32, validation_split=0.2)
    trainer.evaluate(x_test, y_test)        # {"loss": ..., "accuracy": ...}
    trainer.predict(x_new)                  # numpy array

The class is put together from mixins, one concept each: ``loop.py`` (one step, one epoch, one
evaluation pass), ``inference.py`` (``evaluate`` / ``predict``) and ``resume.py`` (its state and
how ``fit`` resumes from it); ``resolve.py`` turns its arguments into objects. This file keeps
construction and ``fit``.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import warn
from ..nn import Module
from ..validation import check_int
from .callback import CallbackList
from .data_adapter import make_fit_loaders, require_batches
from .history import History
from .inference import TrainerInference
from .loop import TrainingLoop, model_mode
from .progress import ProgressLogger
from .resolve import (  # noqa: F401 (RESERVED_LOG_KEYS re-exported: it was defined here)
    RESERVED_LOG_KEYS,
    attach_constraints,
    model_dtype,
    needs_run_length,
    resolve_loss,
    resolve_metrics,
    resolve_optimizer,
    resolve_scheduler,
    resolve_scheduler_interval,
)
from .resume import TrainerResume
from .strategy import Strategy, resolve_strategy, within_strategy

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from ..data import DataLoader, Dataset
    from ..optim import Optimizer
    from ..optim.lr_scheduler import LRScheduler
    from ..tensor import Tensor
    from .callback import Callback


class Trainer(TrainerInference, TrainerResume, TrainingLoop):
    """Trains ``model`` with ``optimizer`` on ``loss``, reporting ``metrics``.

    ``optimizer``, ``loss``, ``scheduler`` and each metric are a registry name (``"adam"``,
    ``"cross_entropy"``, ``"accuracy"``), a ``{"name", "config"}`` dict, a class or an
    instance; an optimizer built from a name gets ``model.parameters()``, a scheduler built from
    a name gets the optimizer. ``loss`` may be any callable ``loss(output, target)``.
    ``metrics="auto"`` (the default) reports ``accuracy`` when the loss declares
    ``task = "classification"`` (cross-entropy, NLL, BCE) and nothing otherwise; pass ``None``
    or ``[]`` for no metrics, as Keras's ``compile`` default. For binary outputs the
    accuracy-like metrics threshold probabilities at 0.5; when the loss declares
    ``from_logits`` (``BCEWithLogitsLoss``) metrics named by string are created with
    ``from_logits=True``.

    The scheduler steps as it declares (``LRScheduler.interval``): once per epoch, or after
    every optimizer step (OneCycleLR); ``scheduler_interval`` overrides it. A scheduler that
    monitors a metric (``LRScheduler.monitor``, ReduceLROnPlateau's ``"val_loss"``) is given
    that value at the end of each epoch. A scheduler named without the length of its schedule
    (``"cosine"``: CosineAnnealingLR's ``T_max``, ``"one_cycle"``: OneCycleLR's ``total_steps``,
    as its class declares in ``run_length_arguments``) is created when ``fit`` starts, with the
    number of times that fit will step it.

    ``constraints`` maps parameter-name patterns (fnmatch, e.g. ``"*.weight"``) to constraints
    (names of kind ``"constraint"`` or callables ``w -> projected w``): each matching
    parameter's ``constraint`` is set, so the optimizer projects it after every step, as a
    layer's ``weight_constraint=`` does.

    ``strategy`` (a `Strategy`) spreads training over processes; None takes the default one:
    local, or data-parallel when the job was launched on several MPI ranks.
    """

    def __init__(
        self,
        model: Module,
        optimizer: Optimizer | str | dict[str, Any] | type = "adam",
        loss: str | dict[str, Any] | Callable[..., Any] = "cross_entropy",
        metrics: str | Sequence[Any] | dict[str, Any] | Callable[..., Any] | None = "auto",
        scheduler: LRScheduler | str | dict[str, Any] | type | None = None,
        callbacks: Iterable[Callback] | None = None,
        constraints: dict[str, Any] | None = None,
        scheduler_interval: str | None = None,
        strategy: Strategy | None = None,
    ) -> None:
        if not isinstance(model, Module):
            raise TypeError(
                f"Trainer expected a minitorch_es.nn.Module as model, got {type(model).__name__}"
            )
        self.model = model
        self.optimizer = resolve_optimizer(optimizer, model)
        self.loss_fn = resolve_loss(loss)
        # A scheduler that needs the run length is created by fit (see the class notes).
        deferred = needs_run_length(scheduler)
        self._scheduler_spec = scheduler if deferred else None
        self.scheduler = None if deferred else resolve_scheduler(scheduler, self.optimizer)
        self.scheduler_interval = resolve_scheduler_interval(scheduler_interval, scheduler)
        self.metrics = resolve_metrics(metrics, self.loss_fn)
        self._eval_metrics = [copy.deepcopy(m) for m in self.metrics]
        self.callbacks = CallbackList(list(callbacks or []))
        self._fit_callbacks: list = []  # those given to the running fit (Keras: for that call)
        attach_constraints(constraints, model)
        self._dtype = model_dtype(model)
        self.history = History()
        self.epoch = 0  # epochs completed (the next epoch's 0-based index)
        self.global_step = 0  # optimizer steps taken
        self.stop_training = False
        self.params: dict = {}
        self._train_loader = None
        self._pending = None  # a loaded state waiting for the next fit
        self._epoch_index = 0
        self._batches_done = None  # batches finished in the running epoch (None between epochs)
        self.strategy = resolve_strategy(strategy)
        self._reset_accumulators()

    @within_strategy
    def fit(
        self,
        x: Tensor | ArrayLike | Dataset | DataLoader,
        y: Tensor | ArrayLike | None = None,
        *,
        epochs: int = 1,
        batch_size: int = 32,
        validation_split: float = 0.0,
        validation_data: tuple | Dataset | DataLoader | None = None,
        shuffle: bool = True,
        initial_epoch: int = 0,
        verbose: int = 1,
        resume_from: str | os.PathLike | None = None,
        callbacks: Iterable[Callback] | None = None,
    ) -> History:
        """Train until epoch ``epochs`` and return the `History` (also ``trainer.history``).
        ``epochs`` is the total to reach, as in Keras: with ``initial_epoch=3, epochs=5``, or
        resumed from a checkpoint after 3 epochs, two epochs run; asking for fewer epochs than
        are already done trains nothing and warns.

        ``x`` (with ``y``) is arrays / Tensors, or a Dataset of ``(x, y)`` samples, or a
        DataLoader (whose own ``batch_size`` and ``shuffle`` then apply). Floating inputs and
        targets are cast to the model's dtype. ``validation_split`` holds out the LAST fraction
        of the samples, before shuffling, as Keras (a Dataset's tail becomes a Subset; a
        DataLoader cannot be split); ``validation_data`` (``(x, y)``, Dataset or DataLoader)
        wins over it. ``verbose``: 0 silent, 1 progress bar on a terminal plus one line per
        epoch, 2 one line per epoch. ``resume_from`` (a checkpoint path written by
        ``ModelCheckpoint`` / ``save_checkpoint``) restores model, optimizer, scheduler and this
        trainer, and continues where that run stopped (``initial_epoch`` is then ignored). The
        batch size may differ from the saved run's when the checkpoint was written at the end of
        an epoch (as `ModelCheckpoint` does); mid-epoch it must be the same. ``callbacks`` are
        added to the trainer's own for this call only, as Keras's ``fit(callbacks=...)``;
        checkpoints written during the call hold their state too.

        The trainer's ``strategy`` decides how the work is spread over processes: launched on
        several ranks (``mpiexec -n 2 python train.py``) the default one makes fit
        data-parallel: each rank trains on its shard with ``batch_size`` samples per step,
        gradients are averaged, logs and validation cover every rank, rank 0 alone prints and
        writes checkpoints (see ``minitorch_es.distributed``).

            >>> x = mt.randn(64, 2); y = (x[:, 0] > 0).long()
            >>> model = mt.nn.Sequential(mt.nn.Linear(2, 8), mt.nn.ReLU(), mt.nn.Linear(8, 2))
            >>> trainer = mt.Trainer(model, optimizer="adam", loss="cross_entropy")
            >>> history = trainer.fit(x, y, epochs=2, batch_size=16, validation_split=0.25,
            ...                       verbose=0)
            >>> sorted(history.history)
            ['accuracy', 'loss', 'lr', 'val_accuracy', 'val_loss']
        """
        epochs = check_int(epochs, "epochs", "fit", low=0)
        initial_epoch = check_int(initial_epoch, "initial_epoch", "fit", low=0)
        self._fit_callbacks = CallbackList(list(callbacks or [])).callbacks  # checks each
        progress = ProgressLogger(verbose)
        if not self.strategy.is_main:
            progress.verbose = 0  # the progress bar and epoch lines come from rank 0 only
        train_loader, val_loader = make_fit_loaders(
            x,
            y,
            batch_size=batch_size,
            shuffle=shuffle,
            validation_split=validation_split,
            validation_data=validation_data,
        )
        # Each process trains on its part of the data (batch_size is per process).
        train_loader, val_loader = self.strategy.shard(train_loader, val_loader)
        require_batches(train_loader, "training")
        if val_loader is not None:
            require_batches(val_loader, "validation")
        self._train_loader = train_loader
        if self._scheduler_spec is not None:
            self._create_scheduler(epochs - initial_epoch, len(train_loader))
        if resume_from is not None:
            from ..checkpoint import load_checkpoint

            load_checkpoint(
                resume_from,
                model=self.model,
                optimizer=self.optimizer,
                scheduler=self.scheduler,
                trainer=self,
            )
        resume, self._pending = self._pending, None
        if resume is not None:
            initial_epoch = int(resume["epoch"])
        if epochs < initial_epoch:
            done = "the resumed run has done" if resume is not None else "initial_epoch is"
            warn(
                f"fit: epochs={epochs} is the total to reach, not a count of more epochs, and "
                f"{done} {initial_epoch}, so nothing is trained; pass "
                f"epochs={initial_epoch + epochs} to train {epochs} more"
            )
        self.history = History()
        self.stop_training = False
        self.params = {
            "epochs": int(epochs),
            "steps": len(train_loader),
            "verbose": verbose,
            "batch_size": getattr(train_loader, "batch_size", batch_size),
            "initial_epoch": int(initial_epoch),
        }
        self.history.params = dict(self.params)
        # Callbacks marked run_last (checkpoint writers) see each hook after the others, so
        # what they save includes the others' updates for that epoch or batch.
        ordered = sorted(self._all_callbacks().callbacks, key=lambda cb: bool(cb.run_last))
        cbs = CallbackList([self.history, *ordered, progress])
        cbs.set_trainer(self)
        logs: dict = {}
        with model_mode(self.model, True):
            try:
                cbs.on_train_begin({})
                start = self._apply_resume(resume, train_loader) if resume is not None else None
                self.epoch = initial_epoch
                for epoch in range(initial_epoch, epochs):
                    logs = self._run_epoch(epoch, train_loader, val_loader, cbs, start)
                    start = None
                    if self.stop_training:
                        break
            finally:
                cbs.on_train_end(logs)
                self._fit_callbacks = []
        return self.history

    def _all_callbacks(self) -> CallbackList:
        """The trainer's callbacks, then those given to the running fit."""
        return CallbackList([*self.callbacks.callbacks, *self._fit_callbacks])

    def _create_scheduler(self, epochs: int, steps_per_epoch: int) -> None:
        """Create the scheduler that waited for the run length (see the class notes): as many
        scheduler steps as this fit will take."""
        per_epoch = steps_per_epoch if self.scheduler_interval == "step" else 1
        run_length = max(1, epochs * per_epoch)
        self.scheduler = resolve_scheduler(self._scheduler_spec, self.optimizer, run_length)
        self._scheduler_spec = None
        saved = (self._pending or {}).get("scheduler")
        if saved is not None:
            self.scheduler.load_state_dict(saved)

    def __repr__(self) -> str:
        return (
            f"Trainer(model={type(self.model).__name__}, optimizer="
            f"{type(self.optimizer).__name__}, loss={type(self.loss_fn).__name__},"
            f" metrics={[m.name for m in self.metrics]}, epoch={self.epoch})"
        )
