"""Trainer.state_dict / load_state_dict: a resumed fit continues bit for bit, at an epoch
boundary and in the middle of an epoch."""

import copy

import numpy as np
import pytest
from test_training_toys import CrossEntropy, blobs, mlp

import minitorch_es as mt
from minitorch_es.data import DataLoader, TensorDataset
from minitorch_es.optim import Optimizer
from minitorch_es.optim.lr_scheduler import LRScheduler
from minitorch_es.training import Callback, TrainingError


class Momentum(Optimizer):
    def __init__(self, params, lr=0.1, momentum=0.9):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    def _update(self, group, param, grad, state, step):
        buf = state.buffer("momentum_buffer", fill=0.0)
        buf *= group["momentum"]
        buf += grad
        param -= group["lr"] * buf


class Decay(LRScheduler):
    def get_lr(self):
        return [base * 0.9**self.last_epoch for base in self.base_lrs]


class Crash(Exception):
    pass


class CrashAt(Callback):
    """Captures every state at (epoch, batch) after the optimizer step, then crashes."""

    def __init__(self, epoch, batch):
        self.at, self.saved = (epoch, batch), None

    def on_batch_end(self, batch, logs=None):
        t = self.trainer
        if (t._epoch_index, batch) == self.at:
            self.saved = capture(t)
            raise Crash


def capture(trainer):
    return {
        # A state dict shares the model's memory (as PyTorch): snapshot it.
        "model": copy.deepcopy(trainer.model.state_dict()),
        "optimizer": trainer.optimizer.state_dict(),
        "trainer": trainer.state_dict(),
        "rng": mt.random.get_state(),
    }


def build(seed, callbacks=()):
    mt.manual_seed(seed)
    model = mlp([2, 6, 2])
    opt = Momentum(model.parameters(), lr=0.05)
    stopper = mt.registry.get("callback", "EarlyStopping")(
        monitor="loss", patience=50, restore_best_weights=True
    )
    return mt.Trainer(
        model,
        optimizer=opt,
        loss=CrossEntropy(),
        metrics=["accuracy"],
        scheduler=Decay(opt),
        callbacks=[stopper, *callbacks],
    )


def restore(trainer, saved):
    trainer.model.load_state_dict(saved["model"])
    trainer.optimizer.load_state_dict(saved["optimizer"])
    trainer.load_state_dict(saved["trainer"])
    mt.random.set_state(saved["rng"])


DATA = blobs(40)


def fit(trainer, epochs=4):
    return trainer.fit(*DATA, epochs=epochs, batch_size=8, validation_split=0.2, verbose=0)


def assert_same_run(a, b):
    assert a.history.history == b.history.history and a.history.epoch == b.history.epoch
    for key, value in a.model.state_dict().items():
        np.testing.assert_array_equal(value, b.model.state_dict()[key])
    assert a.global_step == b.global_step and a.epoch == b.epoch
    assert a.optimizer.param_groups[0]["lr"] == b.optimizer.param_groups[0]["lr"]
    sa, sb = a.callbacks.state_dict(), b.callbacks.state_dict()
    assert sa["EarlyStopping"]["best"] == sb["EarlyStopping"]["best"]


def test_resume_at_an_epoch_boundary_continues_bit_for_bit():
    reference = build(3)
    fit(reference)
    first = build(3)
    fit(first, epochs=2)
    saved = capture(first)
    resumed = build(11)  # another init: everything must come from the state
    restore(resumed, saved)
    assert resumed.epoch == 2 and resumed.history.epoch == [0, 1]
    fit(resumed, epochs=4)  # initial_epoch comes from the state
    assert_same_run(reference, resumed)


def test_resume_in_the_middle_of_an_epoch_continues_bit_for_bit():
    reference = build(5)
    fit(reference, epochs=3)
    crash = CrashAt(epoch=1, batch=1)
    with pytest.raises(Crash):
        fit(build(5, [crash]), epochs=3)
    state = crash.saved["trainer"]
    assert state["epoch"] == 1 and state["global_step"] == 4 + 2
    assert state["train_loader"]["index"] == 2 and state["accumulators"]["loss_count"] == 16
    resumed = build(12, [CrashAt(epoch=-1, batch=-1)])
    restore(resumed, crash.saved)
    fit(resumed, epochs=3)
    assert_same_run(reference, resumed)


def test_state_dict_contents():
    trainer = build(0)
    fit(trainer, epochs=2)
    state = trainer.state_dict()
    assert set(state) == {
        "epoch",
        "global_step",
        "history",
        "callbacks",
        "train_loader",
        "scheduler",
        "accumulators",
    }
    assert state["epoch"] == 2 and state["global_step"] == 8
    assert list(state["callbacks"]) == ["EarlyStopping"]
    assert state["scheduler"]["last_epoch"] == 2
    assert state["train_loader"]["index"] == 4 and state["train_loader"]["epoch"] == 2
    assert set(state["accumulators"]["metrics"]) == {"accuracy"}
    np.testing.assert_array_equal(
        state["history"]["history"]["loss"], trainer.history.history["loss"]
    )


def test_load_state_dict_errors():
    trainer = build(0)
    with pytest.raises(ValueError, match="expected a dict with keys"):
        trainer.load_state_dict({"epoch": 1})
    fit(trainer, epochs=1)
    state = trainer.state_dict()
    model = mlp([2, 6, 2])
    plain = mt.Trainer(model, optimizer=Momentum(model.parameters()), loss=CrossEntropy())
    with pytest.raises(TrainingError, match="has a scheduler state but this trainer has no"):
        plain.load_state_dict(state)
    other = build(0)
    other.load_state_dict(state)
    with pytest.raises(
        TrainingError,
        match="training data does not match the checkpoint's: "
        ".*num_samples=32 but this loader has "
        "num_samples=16",
    ):
        other.fit(*blobs(20), epochs=2, batch_size=8, validation_split=0.2, verbose=0)


def test_a_user_loader_gets_its_position_back():
    loader = DataLoader(TensorDataset(*DATA), batch_size=8, shuffle=True)
    trainer = build(1)
    trainer.fit(loader, epochs=1, verbose=0)
    state = trainer.state_dict()
    fresh = DataLoader(TensorDataset(*DATA), batch_size=8, shuffle=True)
    again = build(1)
    again.load_state_dict(state)
    again.fit(fresh, epochs=1, verbose=0)  # already done: nothing to run
    assert fresh.state_dict()["epoch"] == 1 and again.global_step == trainer.global_step


def test_resume_from_a_checkpoint_file(tmp_path):
    reference = build(4)
    fit(reference)
    saver = mt.registry.get("callback", "ModelCheckpoint")(str(tmp_path / "ckpt-{epoch}.h5"))
    fit(build(4, [saver]), epochs=2)
    resumed = build(9, [mt.registry.get("callback", "ModelCheckpoint")(str(tmp_path / "x.h5"))])
    resumed.fit(
        *DATA,
        epochs=4,
        batch_size=8,
        validation_split=0.2,
        verbose=0,
        resume_from=str(tmp_path / "ckpt-2.h5"),
    )
    assert_same_run(reference, resumed)
