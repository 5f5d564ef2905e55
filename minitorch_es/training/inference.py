"""``evaluate`` and ``predict`` of `Trainer` (a mixin): the model run in eval mode without
gradients, for its loss and metrics or for its outputs, batched and spread by the strategy."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np

from ..autograd import no_grad
from .data_adapter import make_loader
from .loop import model_mode
from .progress import format_logs

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from ..data import DataLoader, Dataset
    from ..tensor import Tensor


class TrainerInference:
    """``evaluate`` and ``predict`` of `Trainer`."""

    def evaluate(
        self,
        x: Tensor | ArrayLike | Dataset | DataLoader,
        y: Tensor | ArrayLike | None = None,
        batch_size: int = 32,
        verbose: int = 0,
    ) -> dict:
        """``{"loss": ..., <metric>: ...}`` over all of ``x`` (eval mode, no grad). The loss
        includes the regularization penalties, as in fit.

        On several ranks the strategy shares the batches out (rank ``r`` of ``N`` computes
        batches ``r, r + N, ...``) and combines them in batch order, so every rank gets exactly
        the numbers of one process; only rank 0 prints. It is then collective: call it on
        every rank (not behind ``if rank == 0``)."""
        if verbose not in (0, 1, 2):
            raise ValueError(f"evaluate: verbose must be 0, 1 or 2, got {verbose!r}")
        loader = make_loader(x, y, batch_size=batch_size, where="evaluate")
        start = time.perf_counter()
        with self.strategy.evaluating(self.model), model_mode(self.model, False):
            logs = self._evaluate_loader(loader, "evaluate", self.strategy)
        if verbose and self.strategy.is_main:
            print(
                f"evaluate - {format_logs(logs)} - {time.perf_counter() - start:.1f}s", flush=True
            )
        return logs

    def predict(
        self, x: Tensor | ArrayLike | Dataset | DataLoader, batch_size: int = 32
    ) -> np.ndarray:
        """The model's outputs for ``x`` as one NumPy array (eval mode, no grad, batched).
        A Dataset / DataLoader of ``(x, y)`` pairs is accepted; the targets are ignored. On
        several ranks each computes its share of the batches and every rank gets all outputs,
        in the order of ``x`` (see `evaluate`)."""
        loader = make_loader(x, batch_size=batch_size, where="predict", need_y=False)
        outputs = []
        with self.strategy.evaluating(self.model), model_mode(self.model, False), no_grad():
            for index, batch in self.strategy.evaluation_batches(loader):
                xb, _ = self._prepare(batch, "predict", need_y=False)
                out = self.model(xb)
                if not isinstance(getattr(out, "_data", None), np.ndarray):
                    raise TypeError(
                        f"predict: the model must return a Tensor, got {type(out).__name__}"
                    )
                outputs.append((index, out._data))
            outputs = self.strategy.gather_outputs(outputs)
        return np.concatenate(outputs, axis=0)
