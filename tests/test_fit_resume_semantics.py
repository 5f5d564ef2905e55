"""What a user meets when resuming or passing callbacks to ``fit``: ``epochs`` is the total
(asking for fewer than done warns and trains nothing), another batch size is accepted at an
epoch boundary, another optimizer is told about the weights-only route, and
``fit(callbacks=...)`` adds callbacks for that call, as Keras."""

import inspect
import warnings

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es.checkpoint import CheckpointError
from minitorch_es.training import Callback, TrainingError

X = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)
Y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)


def trainer(optimizer="sgd", callbacks=()):
    mt.manual_seed(1)
    model = mt.nn.Sequential(mt.nn.Linear(3, 5), mt.nn.ReLU(), mt.nn.Linear(5, 2))
    opt = {"sgd": lambda: mt.optim.SGD(model.parameters(), lr=0.1)}.get(optimizer)
    return mt.Trainer(model, optimizer=opt() if opt else optimizer, callbacks=list(callbacks))


def checkpoint_after(tmp_path, epochs, batch_size=8):
    saver = mt.callbacks.ModelCheckpoint(str(tmp_path / "ckpt-{epoch}.h5"))
    first = trainer(callbacks=[saver])
    first.fit(X, Y, epochs=epochs, batch_size=batch_size, verbose=0)
    return first, tmp_path / f"ckpt-{epochs}.h5"


def weights(t):
    return {k: np.asarray(v).copy() for k, v in t.model.state_dict().items()}


def test_fewer_epochs_than_done_warns_at_the_users_line_and_trains_nothing(tmp_path):
    _, path = checkpoint_after(tmp_path, 3)
    again = trainer()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = inspect.currentframe().f_lineno + 1
        again.fit(X, Y, epochs=2, batch_size=8, verbose=0, resume_from=path)
    (w,) = [w for w in caught if "total to reach" in str(w.message)]
    assert str(w.message) == (
        "fit: epochs=2 is the total to reach, not a count of more epochs, and the resumed run "
        "has done 3, so nothing is trained; pass epochs=5 to train 2 more"
    )
    assert (w.filename, w.lineno) == (__file__, line)
    assert again.global_step == 3 * 5 and again.epoch == 3
    with pytest.warns(UserWarning, match="and initial_epoch is 4, so nothing is trained"):
        trainer().fit(X, Y, epochs=1, initial_epoch=4, verbose=0)


def test_the_same_total_after_a_finished_run_is_silent(tmp_path):
    _, path = checkpoint_after(tmp_path, 2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        trainer().fit(X, Y, epochs=2, batch_size=8, verbose=0, resume_from=path)
    assert not [w for w in caught if "total to reach" in str(w.message)]


def test_another_batch_size_resumes_at_an_epoch_boundary(tmp_path):
    first, path = checkpoint_after(tmp_path, 2, batch_size=8)
    # Reference: the same run continued in-process with the new batch size.
    first.fit(X, Y, epochs=4, initial_epoch=2, batch_size=16, verbose=0)
    resumed = trainer(callbacks=[mt.callbacks.ModelCheckpoint(str(tmp_path / "again.h5"))])
    history = resumed.fit(X, Y, epochs=4, batch_size=16, verbose=0, resume_from=path)
    assert resumed.global_step == 2 * 5 + 2 * 3  # 40 samples: 5 batches of 8, then 3 of 16
    assert history.epoch == [0, 1, 2, 3] and history.params["batch_size"] == 16
    for key, value in weights(first).items():
        np.testing.assert_allclose(weights(resumed)[key], value, rtol=1e-6, atol=1e-7)


class SaveMidEpoch(Callback):
    def __init__(self, path):
        self.path = path

    def on_batch_end(self, batch, logs=None):
        if (self.trainer.epoch, batch) == (1, 1):
            t = self.trainer
            mt.save_checkpoint(self.path, model=t.model, optimizer=t.optimizer, trainer=t)


def test_another_batch_size_in_the_middle_of_an_epoch_is_refused_with_the_reason(tmp_path):
    path = tmp_path / "mid.h5"
    trainer(callbacks=[SaveMidEpoch(path)]).fit(X, Y, epochs=2, batch_size=8, verbose=0)
    with pytest.raises(
        TrainingError,
        match=r"saved with batch_size=8 but this loader has batch_size=16 \(a checkpoint saved "
        r"in the middle of an epoch resumes with its batch size; another one is accepted",
    ):
        trainer(callbacks=[SaveMidEpoch(path)]).fit(
            X, Y, epochs=3, batch_size=16, verbose=0, resume_from=path
        )


def test_another_optimizer_is_pointed_at_the_weights_only_route(tmp_path):
    first, path = checkpoint_after(tmp_path, 2)
    adam = trainer(optimizer="adam")
    with pytest.raises(
        CheckpointError,
        match=r"holds the state of a SGD optimizer, cannot load it into a Adam; to go on with "
        r"the Adam, load the weights alone: mt.load_checkpoint\(.*, model=model\)",
    ):
        adam.fit(X, Y, epochs=3, batch_size=8, verbose=0, resume_from=path)
    # The route it names works: the weights, then fit on with the new optimizer.
    fresh = trainer(optimizer="adam")
    mt.load_checkpoint(path, model=fresh.model)
    for key, value in weights(first).items():
        np.testing.assert_array_equal(weights(fresh)[key], value)
    history = fresh.fit(X, Y, epochs=3, initial_epoch=2, batch_size=8, verbose=0)
    assert history.epoch == [2]


class Recorder(Callback):
    def __init__(self):
        self.epochs = []

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append(epoch)

    def state_dict(self):
        return {"seen": len(self.epochs)}

    def load_state_dict(self, state):
        self.restored = int(np.asarray(state["seen"]))


def test_fit_callbacks_are_added_for_that_call_only(tmp_path):
    own, extra = Recorder(), Recorder()
    t = trainer(callbacks=[own])
    t.fit(X, Y, epochs=2, verbose=0, callbacks=[extra])
    t.fit(X, Y, epochs=3, initial_epoch=2, verbose=0)
    assert own.epochs == [0, 1, 2] and extra.epochs == [0, 1]
    assert extra.trainer is t
    assert list(t.state_dict()["callbacks"]) == ["Recorder"]  # the fit's one is gone


def test_checkpoints_written_during_fit_hold_the_fit_callbacks_state(tmp_path):
    saver = mt.callbacks.ModelCheckpoint(str(tmp_path / "c.h5"))
    trainer().fit(X, Y, epochs=2, batch_size=8, verbose=0, callbacks=[Recorder(), saver])
    later = Recorder()
    trainer().fit(
        X,
        Y,
        epochs=3,
        batch_size=8,
        verbose=0,
        callbacks=[later, saver],
        resume_from=tmp_path / "c.h5",
    )
    assert later.restored == 2 and later.epochs == [2]


def test_fit_callbacks_must_be_callbacks():
    with pytest.raises(TypeError, match=r"callbacks\[0\] must be a minitorch_es.Callback"):
        trainer().fit(X, Y, epochs=1, verbose=0, callbacks=[print])
