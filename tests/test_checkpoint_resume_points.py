"""Where a checkpoint may be taken during ``fit`` and how the resumed run treats it: at the
start of an epoch (on_epoch_begin is not repeated), in the middle of a step (a clear error), and
the ``run_last`` order that makes checkpoint writers see the other callbacks' updates. The
cross-process exact-resume matrix is in test_checkpoint_resume.py."""

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es.training import Callback, TrainingError


class Stop(Exception):
    pass


class SaveAtEpochBegin(Callback):
    """Saves when epoch ``at`` begins (after the other callbacks' on_epoch_begin), then dies."""

    run_last = True

    def __init__(self, path, at=None):
        self.path, self.at = path, at

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.at:
            t = self.trainer
            mt.save_checkpoint(self.path, model=t.model, optimizer=t.optimizer, trainer=t)
            raise Stop


def test_a_save_when_an_epoch_begins_resumes_without_repeating_on_epoch_begin(tmp_path):
    x = np.random.default_rng(0).normal(size=(24, 4)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)

    def run(at=None, resume_from=None):
        mt.manual_seed(3)
        model = mt.nn.Sequential(mt.nn.Linear(4, 6), mt.nn.Dropout(0.5), mt.nn.Linear(6, 2))
        halve = mt.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5)  # not idempotent
        trainer = mt.Trainer(
            model,
            optimizer=mt.optim.SGD(model.parameters(), lr=0.1),
            callbacks=[SaveAtEpochBegin(tmp_path / "begin.h5", at), halve],
        )
        trainer.fit(x, y, epochs=3, batch_size=8, verbose=0, resume_from=resume_from)
        return trainer

    reference = run()
    with pytest.raises(Stop):
        run(at=1)
    resumed = run(resume_from=tmp_path / "begin.h5")
    assert resumed.history.history == reference.history.history
    assert resumed.history.history["lr"] == [0.05, 0.025, 0.0125]
    for key, value in reference.model.state_dict().items():
        np.testing.assert_array_equal(resumed.model.state_dict()[key], value)


class SaveAtBatchBegin(Callback):
    """Saves before the step of batch ``at[1]`` of epoch ``at[0]``: not a resumable point."""

    def __init__(self, path, at=None):
        self.path, self.at = path, at

    def on_batch_begin(self, batch, logs=None):
        t = self.trainer
        if (t.epoch, batch) == self.at:
            mt.save_checkpoint(self.path, model=t.model, optimizer=t.optimizer, trainer=t)


def test_a_state_saved_in_the_middle_of_a_step_cannot_resume(tmp_path):
    x = np.random.default_rng(0).normal(size=(24, 4)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    path = tmp_path / "mid.h5"
    trainer = mt.Trainer(
        mt.nn.Sequential(mt.nn.Linear(4, 2)),
        optimizer="sgd",
        callbacks=[SaveAtBatchBegin(path, at=(1, 1))],
    )
    trainer.fit(x, y, epochs=2, batch_size=8, verbose=0)
    again = mt.Trainer(
        mt.nn.Sequential(mt.nn.Linear(4, 2)), optimizer="sgd", callbacks=[SaveAtBatchBegin(path)]
    )
    with pytest.raises(
        TrainingError,
        match="saved in the middle of a training step \\(batch 1 "
        "of epoch 2 finished, the data loader at batch 2\\)",
    ):
        again.fit(x, y, epochs=2, batch_size=8, verbose=0, resume_from=path)


class Order(Callback):
    def __init__(self, log, name, last=False):
        self.log, self.name, self.run_last = log, name, last

    def on_epoch_end(self, epoch, logs=None):
        self.log.append(self.name)


def test_run_last_callbacks_see_each_hook_after_the_others():
    log = []
    saver = mt.callbacks.ModelCheckpoint("unused-{epoch}.h5")
    assert saver.run_last and not Order(log, "x").run_last
    trainer = mt.Trainer(
        mt.nn.Sequential(mt.nn.Linear(2, 2)),
        optimizer="sgd",
        callbacks=[Order(log, "a", last=True), Order(log, "b"), Order(log, "c")],
    )
    trainer.fit(np.ones((4, 2), np.float32), np.zeros(4, np.int64), epochs=2, verbose=0)
    assert log == ["b", "c", "a"] * 2
    assert trainer.callbacks.keys() == ["Order", "Order_1", "Order_2"]  # state keys keep list order
