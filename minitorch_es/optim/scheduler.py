"""``LRScheduler``: the base of learning-rate schedules (PyTorch's contract)."""

from __future__ import annotations

from ..config import Configurable, to_jsonable
from .optimizer import Optimizer


class LRScheduler(Configurable):
    """Sets each param group's ``lr`` from `get_lr` at every `step`.

    As in PyTorch, construction records ``initial_lr`` in the groups and performs the first step
    (``last_epoch`` becomes 0); call ``step()`` after ``optimizer.step()`` once per epoch.

        >>> opt = mt.optim.SGD(mt.nn.Linear(2, 1).parameters(), lr=1.0)
        >>> sched = mt.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        >>> for epoch in range(4):
        ...     opt.step()
        ...     sched.step()
        >>> sched.get_last_lr()
        [0.25]

    A new schedule implements `get_lr` from ``self.last_epoch`` and ``self.base_lrs``:

        >>> class Halving(mt.optim.lr_scheduler.LRScheduler):
        ...     def get_lr(self):
        ...         return [lr * 0.5 ** self.last_epoch for lr in self.base_lrs]
        >>> sched = Halving(mt.optim.SGD(mt.nn.Linear(2, 1).parameters(), lr=1.0))
        >>> sched.step(); sched.get_last_lr()
        [0.5]

    Three class attributes tell a training loop (the `Trainer`) how to drive a schedule:

    * ``interval``: ``"epoch"`` (the default) to step once per epoch, ``"step"`` to step after
      every optimizer step (a schedule counted in batches, such as OneCycleLR);
    * ``monitor``: None, or the log key whose value ``step`` takes (ReduceLROnPlateau's
      ``"val_loss"``; without validation data the Trainer passes the training ``"loss"``);
    * ``run_length_arguments``: the constructor arguments that say how long the schedule is
      (CosineAnnealingLR's ``("T_max",)``). A Trainer given the scheduler by name, config or
      class without any of them passes the first one the number of times it will step the
      schedule in ``fit`` (epochs, or optimizer steps when ``interval`` is ``"step"``).

    An instance may override ``interval`` and ``monitor`` (e.g. ``sched.monitor =
    "val_accuracy"``).
    """

    interval: str = "epoch"
    monitor: str | None = None
    run_length_arguments: tuple[str, ...] = ()

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(self).__name__} expects an Optimizer, got {type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] "
                        f"when resuming an optimizer"
                    )
        self.base_lrs = [g["initial_lr"] for g in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._last_lr = [g["lr"] for g in optimizer.param_groups]
        self.step()

    def get_lr(self) -> list[float]:
        """The learning rate of each param group at epoch ``self.last_epoch`` (subclasses)."""
        raise NotImplementedError(f"{type(self).__name__} must implement get_lr()")

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch (or jump to ``epoch``, deprecated in PyTorch) and set the groups'
        learning rates."""
        self.last_epoch = self.last_epoch + 1 if epoch is None else epoch
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = [g["lr"] for g in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The learning rates the last `step` set, one per param group."""
        return list(self._last_lr)

    def state_dict(self) -> dict:
        """The scheduler's attributes except the optimizer (``last_epoch``, ``base_lrs`` ...)."""
        return {
            k: v
            for k, v in self.__dict__.items()
            if k not in ("optimizer", "_init_args", "_init_signature")
        }

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore attributes saved by `state_dict` (to resume a schedule)."""
        self.__dict__.update(state_dict)

    def get_config(self) -> dict:
        """The constructor arguments without the optimizer."""
        return {
            k: to_jsonable(v, f"{type(self).__name__}.{k}")
            for k, v in self.__dict__.get("_init_args", {}).items()
            if k != "optimizer"
        }
