"""The engine of ``Trainer.fit``: one training step, one epoch, one evaluation pass.

Kept apart from ``trainer.py`` (the public surface) so each file stays one concept. See
``callback.py`` for the order in which hooks run.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd import no_grad
from ..nn.module import Module
from ..tensor import Tensor
from .data_adapter import unpack_batch
from .errors import NonFiniteLossError
from .resolve import model_dtype, monitored_value

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, DTypeLike

    from ..data import DataLoader
    from .callback import CallbackList
    from .strategy import Strategy


@contextlib.contextmanager
def model_mode(model: Module, training: bool) -> Iterator[None]:
    """Put every module in train/eval mode and restore each one's own flag afterwards."""
    saved = [(m, m.training) for m in model.modules()]
    model.train(training)
    try:
        yield
    finally:
        for m, flag in saved:
            object.__setattr__(m, "training", flag)


def match_target(output: Tensor, y: Tensor | None) -> Tensor | None:
    """Keras-style target fitting: ``(N,)`` targets for ``(N, 1)`` outputs get the extra axis,
    and integer/bool targets shaped like a floating output (binary labels, one-hot) take the
    output's dtype. Class labels ``(N,)`` for ``(N, C)`` scores are left as they are."""
    if not isinstance(y, Tensor) or not isinstance(output, Tensor):
        return y
    out, target = output._data, y._data
    if target.ndim == out.ndim - 1 and out.shape[-1] == 1 and target.shape == out.shape[:-1]:
        target = target.reshape(out.shape)
    if (
        target.shape == out.shape
        and out.dtype.kind == "f"
        and target.dtype != out.dtype
        and target.dtype.kind in "biuf"
    ):
        target = target.astype(out.dtype)
    return y if target is y._data else Tensor(target)


class TrainingLoop:
    """Mixin of `Trainer` holding the per-batch and per-epoch machinery."""

    def _prepare(self, batch: Any, where: str, need_y: bool = True):
        """``(x, y)`` as Tensors, floating ones cast to the model's dtype (as Keras casts to
        ``floatx``) so float64 NumPy data trains a float32 model without errors."""
        x, y = unpack_batch(batch, where, need_y)
        dtype = self._dtype or model_dtype(self.model)
        return self._cast(x, dtype), (None if y is None else self._cast(y, dtype))

    @staticmethod
    def _cast(t: Tensor | ArrayLike, dtype: DTypeLike):
        if not isinstance(t, Tensor):
            t = Tensor(np.asarray(t))
        if t._data.dtype.kind == "f" and t._data.dtype != dtype:
            return Tensor(t._data.astype(dtype))
        return t

    def _compute_loss(self, output: Tensor, y: Tensor | None, where: str):
        loss = self.loss_fn(output, y)
        if not isinstance(loss, Tensor) or loss._data.size != 1:
            shape = loss.shape if isinstance(loss, Tensor) else type(loss).__name__
            raise ValueError(
                f"{where}: the loss must return a scalar Tensor (use "
                f"reduction='mean' or 'sum'), got {shape}"
            )
        reg = self._penalty()
        return loss if reg is None else loss + reg

    def _penalty(self) -> Tensor | None:
        """``model.regularization_loss()`` when it adds something to the loss, else None; a
        model without any penalty (the usual case) answers from its cache, with no Tensor."""
        model = self.model
        if getattr(type(model), "regularization_loss", None) is Module.regularization_loss:
            regularized, recorders = model._penalty_sources()
            if not (regularized or recorders):
                return None
        reg = model.regularization_loss()
        return reg if reg.requires_grad or reg.item() != 0 else None

    # ---------------------------------------------------------------- training
    def _reset_accumulators(self) -> None:
        self._loss_total, self._loss_count = 0.0, 0
        for m in self.metrics:
            m.reset_state()

    def _running_logs(self) -> dict:
        loss = self._loss_total / self._loss_count if self._loss_count else float("nan")
        logs = {"loss": loss}
        logs.update({m.name: m.result() for m in self.metrics})
        return logs

    def _train_step(self, index: int, batch: Any, cbs: CallbackList) -> None:
        x, y = self._prepare(batch, "fit")
        n = int(x.shape[0]) if x.ndim else 1
        if cbs.wants("on_batch_begin"):
            cbs.on_batch_begin(index, {"batch": index, "size": n})
        output = self.model(x)
        y = match_target(output, y)
        loss = self._compute_loss(output, y, "fit")
        # The whole batch's loss (every rank's part of it, in a data-parallel fit).
        total, count, value = self.strategy.batch_loss(
            float(loss.item()), n, y, output, self.metrics
        )
        self._loss_total += total
        self._loss_count += count
        if not math.isfinite(value):
            self._non_finite(index, n, value, cbs)
            return
        self.optimizer.zero_grad()
        loss.backward()
        self.strategy.average_gradients(self.optimizer)
        if cbs.wants("on_after_backward"):
            cbs.on_after_backward(index, {"batch": index, "size": n, "batch_loss": value})
        self.optimizer.step()  # also applies the parameters' regularizers and constraints
        if self.scheduler is not None and self.scheduler_interval == "step":
            self.scheduler.step()
        self.global_step += 1
        self._batches_done = index + 1
        self.strategy.update_metrics(self.metrics, y, output)
        if cbs.wants("on_batch_end"):  # the running logs are made only for a callback
            cbs.on_batch_end(
                index, {"batch": index, "size": n, "batch_loss": value, **self._running_logs()}
            )

    def _non_finite(self, index: int, n: int, value: float, cbs: CallbackList) -> None:
        logs = {"batch": index, "size": n, "batch_loss": value, **self._running_logs()}
        cbs.on_batch_end(index, logs)
        if self.stop_training:  # a callback (TerminateOnNaN) took care of it
            return
        epoch, steps = self._epoch_index + 1, self.params.get("steps")
        where = self.strategy.nonfinite_where()  # " on rank 1" in a data-parallel fit
        raise NonFiniteLossError(
            f"fit: the loss became {value}{where} at epoch {epoch}, step {index + 1}/{steps} "
            f"(global step {self.global_step + 1}); that batch was not applied to the weights. "
            f"Lower the learning rate, check the data for NaN/Inf, or add the TerminateOnNaN "
            f"callback to stop without an error",
            epoch=epoch,
            step=index + 1,
            global_step=self.global_step,
            loss=value,
        )

    def _run_epoch(
        self,
        epoch: int,
        loader: DataLoader,
        val_loader: DataLoader | None,
        cbs: CallbackList,
        start: int | None,
    ) -> dict:
        """One epoch; ``start`` is the batch to continue from (resume half-way) or None."""
        self._epoch_index = epoch
        self._batches_done = start or 0
        self.model.train()
        if start is None:
            self._reset_accumulators()
            if hasattr(getattr(loader, "sampler", None), "set_epoch"):
                loader.sampler.set_epoch(epoch)  # a DistributedSampler's order of this epoch
            cbs.on_epoch_begin(epoch, {})
        # Resumed after the epoch's last batch: only its end remains (iterating would start
        # the loader's next epoch).
        batches = loader if start is None or start < len(loader) else ()
        for index, batch in enumerate(batches, start=start or 0):
            self._train_step(index, batch, cbs)
            self.stop_training = self.strategy.any(self.stop_training)  # one stops them all
            if self.stop_training:
                break
        logs = self._running_logs()
        self.strategy.end_of_epoch(self.model)  # e.g. rank 0's weights and buffers on every rank
        if val_loader is not None:
            with model_mode(self.model, False):
                val = self._evaluate_loader(val_loader, "fit (validation)", self.strategy)
            logs.update({f"val_{k}": v for k, v in val.items()})
        logs["lr"] = float(self.optimizer.param_groups[0]["lr"])
        self._step_scheduler(logs)
        self.epoch, self._batches_done = epoch + 1, None
        cbs.on_epoch_end(epoch, logs)
        self.stop_training = self.strategy.any(self.stop_training)
        return logs

    def _step_scheduler(self, logs: dict) -> None:
        if self.scheduler is None or self.scheduler_interval == "step":
            return
        monitor = getattr(self.scheduler, "monitor", None)
        if monitor is None:
            self.scheduler.step()
        else:
            self.scheduler.step(monitored_value(logs, monitor, self.scheduler))

    # -------------------------------------------------------------- evaluation
    def _evaluate_loader(self, loader: Iterable[Any], where: str, strategy: Strategy) -> dict:
        """Loss and metrics over the whole loader (no grad; the caller sets eval mode), over
        every process's part of the data as the ``strategy`` combines them."""
        for m in self._eval_metrics:
            m.reset_state()
        records = []
        with no_grad():
            for index, batch in strategy.evaluation_batches(loader):
                x, y = self._prepare(batch, where)
                output = self.model(x)
                y = match_target(output, y)
                n = int(x.shape[0]) if x.ndim else 1
                loss_sum = float(self._compute_loss(output, y, where).item()) * n
                records.append(
                    strategy.evaluation_record(index, loss_sum, n, y, output, self._eval_metrics)
                )
        total, count = strategy.reduce_evaluation(records, self._eval_metrics)
        logs = {"loss": total / count if count else float("nan")}
        logs.update({m.name: m.result() for m in self._eval_metrics})
        return logs
