"""The Trainer always holds a distribution strategy: the local one by default, any other given
or installed as the default; the loop calls it at fixed points."""

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es.training import Strategy, default_strategy, set_default_strategy


def data():
    x = np.random.default_rng(0).normal(size=(12, 2)).astype(np.float32)
    return x, (x[:, 0] > 0).astype(np.int64)


class Recording(Strategy):
    """The local behaviour, recording every call the loop makes."""

    def __init__(self):
        self.calls = []

    def running(self, model):
        self.calls.append("running")
        return super().running(model)

    def shard(self, train_loader, val_loader):
        self.calls.append("shard")
        return super().shard(train_loader, val_loader)

    def batch_loss(self, value, n, y, output, metrics):
        self.calls.append("batch_loss")
        return super().batch_loss(value, n, y, output, metrics)

    def average_gradients(self, optimizer):
        self.calls.append("average_gradients")

    def update_metrics(self, metrics, y, output):
        self.calls.append("update_metrics")
        super().update_metrics(metrics, y, output)

    def any(self, flag):
        self.calls.append("any")
        return flag

    def end_of_epoch(self, model):
        self.calls.append("end_of_epoch")

    def evaluating(self, model):
        self.calls.append("evaluating")
        return super().evaluating(model)

    def evaluation_batches(self, loader):
        self.calls.append("evaluation_batches")
        return super().evaluation_batches(loader)

    def evaluation_record(self, index, loss_sum, n, y, output, metrics):
        self.calls.append("evaluation_record")
        return super().evaluation_record(index, loss_sum, n, y, output, metrics)

    def reduce_evaluation(self, records, metrics):
        self.calls.append("reduce_evaluation")
        return super().reduce_evaluation(records, metrics)

    def gather_outputs(self, outputs):
        self.calls.append("gather_outputs")
        return super().gather_outputs(outputs)


def fit(strategy=None):
    mt.manual_seed(0)
    model = mt.nn.Linear(2, 2)
    trainer = mt.Trainer(model, optimizer="sgd", strategy=strategy)
    x, y = data()
    history = trainer.fit(x, y, epochs=1, batch_size=6, validation_split=0.5, verbose=0)
    return trainer, history


def test_a_trainer_holds_the_local_strategy_by_default():
    trainer, history = fit()
    assert type(trainer.strategy) is Strategy and trainer.strategy.is_main
    recorded, other = fit(Recording())
    assert other.history == history.history  # the local behaviour, call for call
    # One batch of 6 training samples, one of 6 validation samples.
    assert recorded.strategy.calls == [
        "running",
        "shard",
        "batch_loss",
        "average_gradients",
        "update_metrics",
        "any",
        "end_of_epoch",
        "evaluation_batches",
        "evaluation_record",
        "reduce_evaluation",
        "any",
    ]
    x, y = data()
    recorded.strategy.calls = []
    logs = recorded.evaluate(x, y, batch_size=5)
    predictions = recorded.predict(x, batch_size=5)
    assert recorded.strategy.calls == [
        "evaluating",
        "evaluation_batches",
        *["evaluation_record"] * 3,  # batches of 5, 5 and 2
        "reduce_evaluation",
        "evaluating",
        "evaluation_batches",
        "gather_outputs",
    ]
    np.testing.assert_array_equal(predictions, recorded.model(mt.tensor(x)).detach().numpy())
    want = np.mean(-np.log(np.exp(predictions)[np.arange(12), y] / np.exp(predictions).sum(1)))
    assert logs["loss"] == pytest.approx(want, rel=1e-6)


def test_a_strategy_that_is_not_main_keeps_quiet(capsys):
    class Quiet(Strategy):
        is_main = False

    class Speaker(mt.Callback):
        def on_train_end(self, logs=None):
            self.announce("done")

    mt.manual_seed(0)
    trainer = mt.Trainer(
        mt.nn.Linear(2, 2), optimizer="sgd", strategy=Quiet(), callbacks=[Speaker()]
    )
    x, y = data()
    trainer.fit(x, y, epochs=1, verbose=2)
    assert capsys.readouterr().out == ""
    trainer.strategy = Strategy()
    trainer.fit(x, y, epochs=2, verbose=0)
    assert capsys.readouterr().out == "done\n"


def test_the_default_strategy_can_be_replaced_and_restored():
    made = []

    def factory():
        made.append(Recording())
        return made[-1]

    set_default_strategy(factory)
    try:
        trainer = mt.Trainer(mt.nn.Linear(2, 2), optimizer="sgd")
        assert trainer.strategy is made[0]
        set_default_strategy(lambda: "local")
        with pytest.raises(TypeError, match="returned str, not a minitorch_es.training.Strategy"):
            default_strategy()
    finally:
        set_default_strategy(mt.distributed.strategy_for_world)
    assert type(default_strategy()) is Strategy  # a world of one: the local strategy
    with pytest.raises(TypeError, match="strategy must be a minitorch_es.training.Strategy"):
        mt.Trainer(mt.nn.Linear(2, 2), strategy="mpi")
