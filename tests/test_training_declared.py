"""What classes declare and the Trainer reads, for a user's classes as for the catalog's:
``Loss.task`` / ``from_logits``, ``LRScheduler.interval`` / ``monitor`` /
``run_length_arguments`` and ``Metric.from_logits``."""

import math

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es.nn import Loss


def data(n=20):
    x = np.random.default_rng(0).normal(size=(n, 2)).astype(np.float32)
    return x, (x[:, 0] > 0).astype(np.int64)


class MyHinge(Loss):
    """A user's classification loss on logits, with a name the framework cannot know."""

    task, from_logits = "classification", True

    def forward(self, input, target):
        sign = mt.tensor(2.0 * target.numpy() - 1.0, dtype=input.dtype).reshape(input.shape)
        return self.reduce((1.0 - sign * input).clamp(min=0.0))


def test_a_users_loss_declares_its_task_and_logits():
    model = mt.nn.Linear(2, 1)
    trainer = mt.Trainer(model, loss=MyHinge())
    assert [m.name for m in trainer.metrics] == ["accuracy"] and trainer.metrics[0].from_logits
    x, y = data()
    history = trainer.fit(x, y.astype(np.float32), epochs=2, batch_size=5, verbose=0)
    assert set(history.history) == {"loss", "accuracy", "lr"}


def test_a_function_loss_may_carry_the_declarations_and_metrics_without_scores_ignore_them():
    def loss(output, target):
        return ((output - target) ** 2).mean()

    assert mt.Trainer(mt.nn.Linear(2, 1), loss=loss).metrics == []  # undeclared: no guess
    loss.task = "classification"
    loss.from_logits = True
    trainer = mt.Trainer(mt.nn.Linear(2, 1), loss=loss, metrics=["accuracy", "mae"])
    assert trainer.metrics[0].from_logits is True
    assert mt.metrics.MeanAbsoluteError.from_logits is None  # reads no scores: created as is


def test_the_catalogs_declarations():
    nn = mt.nn
    assert [nn.CrossEntropyLoss.task, nn.BCELoss.task, nn.MSELoss.task] == [
        "classification",
        "classification",
        "regression",
    ]
    assert nn.BCEWithLogitsLoss.from_logits and not nn.BCELoss.from_logits
    sched = mt.optim.lr_scheduler
    assert sched.OneCycleLR.interval == "step" and sched.StepLR.interval == "epoch"
    assert sched.ReduceLROnPlateau.monitor == "val_loss" and sched.StepLR.monitor is None
    assert sched.CosineAnnealingLR.run_length_arguments == ("T_max",)
    assert mt.metrics.Accuracy.from_logits is False


class Warmup(mt.optim.lr_scheduler.LRScheduler):
    """A user's per-step schedule whose length the Trainer supplies."""

    interval = "step"
    run_length_arguments = ("steps",)

    def __init__(self, optimizer, steps, last_epoch=-1):
        self.steps = steps
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [base * min(1.0, (self.last_epoch + 1) / self.steps) for base in self.base_lrs]


def test_a_users_scheduler_declares_its_interval_and_gets_the_run_length():
    x, y = data()
    trainer = mt.Trainer(mt.nn.Linear(2, 2), optimizer="sgd", scheduler=Warmup)
    assert trainer.scheduler is None and trainer.scheduler_interval == "step"
    trainer.fit(x, y, epochs=3, batch_size=5, verbose=0)  # 4 batches per epoch
    assert trainer.scheduler.steps == 12 and trainer.scheduler.last_epoch == 12


@pytest.mark.parametrize(
    "spec, argument, expected",
    [
        ("cosine", "T_max", 3),  # per epoch: 3 epochs
        ({"name": "one_cycle", "config": {"max_lr": 0.5}}, "total_steps", 12),  # 3 x 4 batches
    ],
)
def test_named_schedulers_get_the_run_length_from_fit(spec, argument, expected):
    x, y = data()
    model = mt.nn.Linear(2, 2)
    trainer = mt.Trainer(model, optimizer=mt.optim.SGD(model.parameters(), lr=0.1), scheduler=spec)
    history = trainer.fit(x, y, epochs=3, batch_size=5, verbose=0)
    assert getattr(trainer.scheduler, argument) == expected
    if argument == "T_max":  # the cosine reaches its end exactly at the last epoch
        assert history.history["lr"] == pytest.approx(
            [0.1 * (1 + math.cos(math.pi * e / 3)) / 2 for e in range(3)]
        )
        assert trainer.optimizer.param_groups[0]["lr"] == pytest.approx(0.0, abs=1e-12)


def test_a_given_run_length_is_kept_and_the_scheduler_exists_at_once():
    model = mt.nn.Linear(2, 2)
    spec = {"name": "one_cycle", "config": {"max_lr": 0.5, "epochs": 2, "steps_per_epoch": 7}}
    trainer = mt.Trainer(model, optimizer="sgd", scheduler=spec)
    assert trainer.scheduler.total_steps == 14


def test_a_state_loaded_before_fit_reaches_the_scheduler_fit_creates():
    x, y = data()
    first = mt.Trainer(mt.nn.Linear(2, 2), optimizer="sgd", scheduler="cosine")
    first.fit(x, y, epochs=2, batch_size=5, verbose=0)
    state = first.state_dict()
    second = mt.Trainer(mt.nn.Linear(2, 2), optimizer="sgd", scheduler="cosine")
    second.load_state_dict(state)
    second.fit(x, y, epochs=4, batch_size=5, verbose=0)
    assert second.scheduler.T_max == 2  # the saved schedule, not a new one
    assert second.scheduler.last_epoch == 4


def test_a_scheduler_monitors_what_it_declares():
    x, y = data()
    model = mt.nn.Linear(2, 2)
    opt = mt.optim.SGD(model.parameters(), lr=0.1)
    plateau = mt.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="max", patience=0)
    plateau.monitor = "val_accuracy"
    seen = []
    original = plateau.step
    plateau.step = lambda value: (seen.append(value), original(value))
    trainer = mt.Trainer(model, optimizer=opt, scheduler=plateau)
    history = trainer.fit(x, y, epochs=2, batch_size=5, validation_split=0.25, verbose=0)
    assert seen == history.history["val_accuracy"]
    plateau.monitor = "val_f1"
    with pytest.raises(KeyError, match="monitors 'val_f1', which is not in the epoch's logs"):
        trainer.fit(x, y, epochs=1, batch_size=5, verbose=0)
