"""Built-in callbacks: EarlyStopping, ModelCheckpoint, LR callbacks, TerminateOnNaN, CSVLogger,
and the CallbackList dispatcher (diagnostics are in test_training_diagnostics.py)."""

import sys
import types
from types import SimpleNamespace

import numpy as np
import pytest
from test_training_toys import SGD, CrossEntropy, blobs, mlp

import minitorch_es as mt
from minitorch_es.training import Callback, CallbackList, NonFiniteLossError


def cb(name, *args, **kwargs):
    return mt.registry.get("callback", name)(*args, **kwargs)


def drive(callback, values, key="val_loss", lrs=None):
    """Feed ``values`` as epoch logs; returns (epoch at which training stopped or None, trainer)."""
    opt = SimpleNamespace(param_groups=[{"lr": lr} for lr in (lrs or [1.0])])
    trainer = SimpleNamespace(model=mlp([2, 2]), stop_training=False, epoch=0, optimizer=opt)
    callback.set_trainer(trainer)
    callback.on_train_begin({})
    for epoch, v in enumerate(values):
        callback.on_epoch_end(epoch, {key: v})
        if trainer.stop_training:
            return epoch, trainer
    return None, trainer


class Script(Callback):
    """Overwrites a log value per epoch (runs before the callbacks under test)."""

    def __init__(self, values, key="val_loss"):
        self.values, self.key = values, key

    def on_epoch_end(self, epoch, logs=None):
        logs[self.key] = self.values[epoch]


class Snapshots(Callback):
    def __init__(self):
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(self.model.state_dict())


def fit(callbacks, epochs, loss=None, n=32, **kwargs):
    x, y = blobs(n)
    model = mlp([2, 4, 2])
    trainer = mt.Trainer(
        model,
        optimizer=SGD(model.parameters(), lr=0.2),
        loss=loss or CrossEntropy(),
        callbacks=callbacks,
    )
    history = trainer.fit(x, y, epochs=epochs, batch_size=8, verbose=0, **kwargs)
    return trainer, history


def assert_weights(model, expected):
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, expected[key])


# ----------------------------------------------------------------------------- EarlyStopping
@pytest.mark.parametrize(
    "kwargs, values, stop",
    [
        (dict(), [1.0, 0.9, 0.95], 2),  # patience 0
        (dict(patience=2), [1.0, 0.9, 0.95, 0.93, 0.8], 3),
        (dict(patience=2), [1.0, 0.9, 0.95, 0.85, 0.86, 0.87], 5),  # wait restarts
        (dict(patience=1, min_delta=0.1), [1.0, 0.95, 0.8], 1),  # 0.05 is too small
        (dict(patience=1, min_delta=-0.1), [1.0, 0.95, 0.8], 1),  # Keras: the sign is ignored
        (dict(monitor="val_accuracy"), [0.5, 0.6, 0.55], 2),  # auto -> max
        (dict(mode="max"), [0.5, 0.6, 0.55], 2),
        (dict(mode="min", monitor="val_accuracy"), [0.5, 0.6], 1),
        (dict(patience=2, baseline=0.5), [0.8, 0.7, 0.75], 2),  # never beat the baseline
        (dict(patience=2), [0.8, 0.7, 0.75], None),
        (dict(start_from_epoch=2), [1.0, 2.0, 3.0, 4.0], 3),
        (dict(), [1.0, 2.0, 3.0, 4.0], 1),
    ],
)
def test_early_stopping_rules(kwargs, values, stop):
    key = kwargs.get("monitor", "val_loss")
    assert drive(cb("EarlyStopping", **kwargs), values, key)[0] == stop


def test_early_stopping_missing_monitor_warns_and_never_stops():
    with pytest.warns(RuntimeWarning, match="'val_loss' is not in the logs"):
        assert drive(cb("EarlyStopping"), [1.0, 2.0], key="loss")[0] is None


def test_early_stopping_restores_best_weights_when_stopped_early():
    snaps = Snapshots()
    stopper = cb("EarlyStopping", patience=2, restore_best_weights=True, verbose=1)
    trainer, history = fit([Script([1.0, 0.5, 0.7, 0.8, 0.9, 1.0]), stopper, snaps], epochs=6)
    assert history.epoch == [0, 1, 2, 3] and stopper.stopped_epoch == 3
    assert stopper.best_epoch == 1 and stopper.best == 0.5
    assert_weights(trainer.model, snaps.weights[1])


def test_early_stopping_restores_best_weights_when_epochs_run_out():
    snaps = Snapshots()
    stopper = cb("EarlyStopping", patience=5, restore_best_weights=True)
    trainer, history = fit([Script([1.0, 0.5, 0.7]), stopper, snaps], epochs=3)
    assert len(history.epoch) == 3 and stopper.stopped_epoch == 0
    assert_weights(trainer.model, snaps.weights[1])


def test_early_stopping_restores_best_weights_when_training_fails():
    snaps, calls = Snapshots(), []

    def nan_in_epoch_3(output, target):
        calls.append(1)
        loss = CrossEntropy()(output, target)
        return loss * float("nan") if len(calls) == 10 else loss  # 4 batches per epoch

    stopper = cb("EarlyStopping", patience=5, restore_best_weights=True)
    with pytest.raises(NonFiniteLossError, match="epoch 3, step 2/4"):
        fit([Script([1.0, 0.5, 0.7]), stopper, snaps], epochs=5, loss=nan_in_epoch_3)
    assert len(snaps.weights) == 2
    assert_weights(stopper.model, snaps.weights[1])


def test_early_stopping_without_restore_keeps_the_last_weights_and_state_round_trips():
    snaps = Snapshots()
    stopper = cb("EarlyStopping", patience=1)
    trainer, _ = fit([Script([1.0, 0.5, 0.7]), stopper, snaps], epochs=3)
    assert_weights(trainer.model, snaps.weights[-1])
    other = cb("EarlyStopping", patience=1)
    other.load_state_dict(stopper.state_dict())
    assert other.state_dict() == stopper.state_dict()
    with pytest.raises(ValueError, match="patience must be an int >= 0"):
        cb("EarlyStopping", patience=-1)
    with pytest.raises(ValueError, match="mode must be 'auto', 'min' or 'max'"):
        cb("EarlyStopping", mode="lowest")


# --------------------------------------------------------------------------- ModelCheckpoint
class RecordingCheckpoint(mt.registry.get("callback", "ModelCheckpoint")):
    def save(self, path, epoch, logs):
        self.calls = getattr(self, "calls", []) + [(path, epoch)]


def test_checkpoint_cadence_and_filepath_formatting():
    ckpt = RecordingCheckpoint("run/m-{epoch:02d}-{val_loss:.2f}.h5", every_n_epochs=2)
    fit([Script([0.9, 0.8, 0.7, 0.6, 0.5]), ckpt], epochs=5)
    assert ckpt.calls == [("run/m-02-0.80.h5", 1), ("run/m-04-0.60.h5", 3)]
    assert ckpt.saved == ["run/m-02-0.80.h5", "run/m-04-0.60.h5"]


def test_checkpoint_save_best_only_in_both_modes():
    ckpt = RecordingCheckpoint("m-{epoch}.h5", save_best_only=True)
    fit([Script([0.9, 0.95, 0.7, 0.7, 0.6]), ckpt], epochs=5)
    assert [e for _, e in ckpt.calls] == [0, 2, 4] and ckpt.best == 0.6
    ckpt = RecordingCheckpoint("m.h5", monitor="val_accuracy", save_best_only=True)
    fit([Script([0.5, 0.4, 0.8], key="val_accuracy"), ckpt], epochs=3)
    assert [e for _, e in ckpt.calls] == [0, 2]
    ckpt = RecordingCheckpoint("m.h5", save_best_only=True)
    with pytest.warns(RuntimeWarning, match="'val_loss' is not in the logs"):
        fit([ckpt], epochs=1)
    assert not hasattr(ckpt, "calls")


def test_checkpoint_default_save_calls_the_checkpoint_module(monkeypatch, tmp_path):
    seen = []
    fake = types.ModuleType("minitorch_es.checkpoint")
    fake.save_checkpoint = lambda path, **kw: seen.append((path, kw))
    monkeypatch.setitem(sys.modules, "minitorch_es.checkpoint", fake)
    path = str(tmp_path / "sub" / "full-{epoch}.h5")
    trainer, _ = fit([cb("ModelCheckpoint", path)], epochs=1)
    full = seen[-1]
    assert full[0] == str(tmp_path / "sub" / "full-1.h5") and (tmp_path / "sub").is_dir()
    assert full[1] == {
        "model": trainer.model,
        "optimizer": trainer.optimizer,
        "scheduler": None,
        "trainer": trainer,
        "epoch": 1,
    }
    trainer, _ = fit([cb("ModelCheckpoint", str(tmp_path / "w.h5"), save_weights_only=True)], 2)
    assert seen[-1][1] == {"model": trainer.model, "epoch": 2}


def test_checkpoint_errors():
    ckpt = RecordingCheckpoint("m-{val_acc}.h5")
    with pytest.raises(
        ValueError,
        match=r"cannot format filepath .*available keys: epoch, "
        r"loss, lr",
    ):
        fit([ckpt], epochs=1)
    with pytest.raises(ValueError, match="every_n_epochs must be an int >= 1"):
        cb("ModelCheckpoint", "m.h5", every_n_epochs=0)
    with pytest.raises(TypeError, match="filepath must be a str"):
        cb("ModelCheckpoint", 3)


# ---------------------------------------------------------------------- learning-rate callbacks
def test_learning_rate_scheduler_changes_lr_each_epoch():
    sched = cb("LearningRateScheduler", lambda epoch, lr: lr * 0.5 if epoch > 0 else lr)
    trainer, history = fit([sched], epochs=3)
    assert history.history["lr"] == [0.2, 0.1, 0.05]
    one_arg = cb("LearningRateScheduler", lambda epoch: 0.01 * (epoch + 1))
    trainer, history = fit([one_arg], epochs=2)
    assert history.history["lr"] == [0.01, 0.02]


def test_learning_rate_scheduler_acts_on_every_group_and_checks_values():
    sched = cb("LearningRateScheduler", lambda epoch, lr: lr / 10)
    sched.set_trainer(drive(cb("TerminateOnNaN"), [], lrs=[1.0, 0.5])[1])
    sched.on_epoch_begin(0)
    assert [g["lr"] for g in sched.trainer.optimizer.param_groups] == [0.1, 0.05]
    bad = cb("LearningRateScheduler", lambda epoch, lr: float("nan"))
    with pytest.raises(ValueError, match=r"epoch 0, group 0\): the learning rate must be"):
        fit([bad], epochs=1)
    with pytest.raises(TypeError, match="schedule must be callable"):
        cb("LearningRateScheduler", 0.1)


def reductions(callback, values, lrs=(1.0,)):
    _, trainer = drive(callback, values, lrs=list(lrs))
    return [g["lr"] for g in trainer.optimizer.param_groups]


def test_reduce_lr_on_plateau_patience_factor_cooldown_and_floor():
    plateau = cb("ReduceLROnPlateau", factor=0.5, patience=2)
    assert reductions(plateau, [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5]) == [0.25]
    flat = [1.0] * 6
    assert reductions(cb("ReduceLROnPlateau", factor=0.5, patience=1), flat) == [0.5**5]
    assert reductions(cb("ReduceLROnPlateau", factor=0.5, patience=1, cooldown=2), flat) == [0.5**3]
    assert reductions(cb("ReduceLROnPlateau", factor=0.5, patience=1, min_lr=0.3), flat) == [0.3]
    assert reductions(
        cb("ReduceLROnPlateau", factor=0.5, patience=1, min_lr=[0.3, 0.05]), flat, lrs=(1.0, 0.2)
    ) == [0.3, 0.05]
    # an improvement smaller than min_delta does not count
    assert reductions(cb("ReduceLROnPlateau", patience=1), [1.0, 0.99995]) == [0.1]
    assert reductions(cb("ReduceLROnPlateau", patience=1, mode="max"), [1.0, 2.0]) == [1.0]


def test_reduce_lr_on_plateau_in_fit_state_and_errors():
    plateau = cb("ReduceLROnPlateau", factor=0.5, patience=1)
    _, history = fit([Script([1.0, 1.0, 1.0, 0.2]), plateau], epochs=4)
    assert history.history["lr"] == [0.2, 0.2, 0.1, 0.05]
    other = cb("ReduceLROnPlateau")
    other.load_state_dict(plateau.state_dict())
    assert (
        other.state_dict()
        == plateau.state_dict()
        == {"best": 0.2, "wait": 0, "cooldown_counter": 0}
    )
    with pytest.raises(ValueError, match=r"factor must be a real number in \(0, 1\), got 1.0"):
        cb("ReduceLROnPlateau", factor=1.0)
    with pytest.raises(ValueError, match="2 min_lr values for 1 param groups"):
        reductions(cb("ReduceLROnPlateau", patience=0, min_lr=[0.1, 0.1]), [1.0, 1.0])


# ---------------------------------------------------------------------------- TerminateOnNaN
def test_terminate_on_nan_stops_quietly_at_the_bad_batch(capsys):
    calls = []

    def nan_at_third_batch(output, target):
        calls.append(1)
        loss = CrossEntropy()(output, target)
        return loss * float("inf") if len(calls) == 3 else loss

    term = cb("TerminateOnNaN")
    trainer, history = fit([term], epochs=3, loss=nan_at_third_batch)
    assert "Batch 2: Invalid loss, terminating training" in capsys.readouterr().out
    assert history.epoch == [0] and not np.isfinite(history.history["loss"][0])
    assert term.stopped_at == (0, 2) and trainer.global_step == 2
    assert all(np.isfinite(v).all() for v in trainer.model.state_dict().values())


# --------------------------------------------------------------------------------- CSVLogger
def test_csv_logger_writes_a_flushed_row_per_epoch(tmp_path):
    path = tmp_path / "log.csv"
    seen = []

    class Peek(Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(path.read_text().count("\n"))

    _, history = fit([cb("CSVLogger", str(path)), Peek()], epochs=3, validation_split=0.25)
    assert seen == [2, 3, 4]  # header + one line per finished epoch, already on disk
    lines = path.read_text().splitlines()
    assert lines[0] == "epoch,loss,lr,val_loss"
    for epoch, line in enumerate(lines[1:]):
        fields = line.split(",")
        assert fields[0] == str(epoch)
        assert float(fields[1]) == history.history["loss"][epoch]
        assert float(fields[3]) == history.history["val_loss"][epoch]
    fit([cb("CSVLogger", str(path), append=True)], epochs=2, validation_split=0.25)
    lines = path.read_text().splitlines()
    assert len(lines) == 6 and lines[4].startswith("0,") and lines.count(lines[0]) == 1


def test_csv_logger_separator_missing_values_and_errors(tmp_path):
    path = tmp_path / "log.tsv"
    fit([cb("CSVLogger", str(path), separator="\t")], epochs=1, validation_split=0.25)
    assert path.read_text().splitlines()[0] == "epoch\tloss\tlr\tval_loss"
    logger = cb("CSVLogger", str(path), separator="\t", append=True)
    with pytest.warns(RuntimeWarning, match=r"log keys \['extra'\] are not in the header"):
        fit([Script([0.5], key="extra"), logger], epochs=1)
    # the appended run keeps the existing header; its missing val_loss is written as NA
    last = path.read_text().splitlines()[-1].split("\t")
    assert len(last) == 4 and last[0] == "0" and last[3] == "NA"
    with pytest.raises(ValueError, match="separator must be a non-empty str"):
        cb("CSVLogger", "x.csv", separator="")
    with pytest.raises(TypeError, match="filename must be a str"):
        cb("CSVLogger", None)


# ------------------------------------------------------------------------------ CallbackList
class Log(Callback):
    def __init__(self):
        self.events = []

    def on_train_begin(self, logs=None):
        self.events.append("train_begin")

    def on_train_end(self, logs=None):
        self.events.append("train_end")

    def on_epoch_begin(self, epoch, logs=None):
        self.events.append(f"epoch_begin {epoch}")

    def on_epoch_end(self, epoch, logs=None):
        self.events.append(f"epoch_end {epoch} {sorted(logs)}")

    def on_batch_begin(self, batch, logs=None):
        self.events.append(f"batch_begin {batch} size={logs['size']}")

    def on_after_backward(self, batch, logs=None):
        grads = [p.grad is not None for p in self.model.parameters()]
        self.events.append(f"after_backward {batch} grads={all(grads)}")

    def on_batch_end(self, batch, logs=None):
        self.events.append(f"batch_end {batch} {sorted(logs)}")


def test_hook_order_during_fit():
    log = Log()
    x, y = blobs(12)
    model = mlp([2, 2])
    trainer = mt.Trainer(
        model,
        optimizer=SGD(model.parameters()),
        loss=CrossEntropy(),
        metrics=["accuracy"],
        callbacks=[log],
    )
    trainer.fit(x, y, epochs=1, batch_size=5, validation_split=0.25, verbose=0)
    batch_keys = "['accuracy', 'batch', 'batch_loss', 'loss', 'size']"
    assert log.events == [
        "train_begin",
        "epoch_begin 0",
        "batch_begin 0 size=5",
        "after_backward 0 grads=True",
        f"batch_end 0 {batch_keys}",
        "batch_begin 1 size=4",
        "after_backward 1 grads=True",
        f"batch_end 1 {batch_keys}",
        "epoch_end 0 ['accuracy', 'loss', 'lr', 'val_accuracy', 'val_loss']",
        "train_end",
    ]
    assert log.trainer is trainer and log.model is model


def test_callback_list_state_keys_and_mismatch_warning():
    stoppers = CallbackList([cb("EarlyStopping"), cb("EarlyStopping"), cb("TerminateOnNaN")])
    assert stoppers.keys() == ["EarlyStopping", "EarlyStopping_1", "TerminateOnNaN"]
    state = stoppers.state_dict()
    assert state["TerminateOnNaN"] == {}
    with pytest.warns(UserWarning) as caught:
        CallbackList([cb("EarlyStopping"), cb("EarlyStopping")]).load_state_dict(
            {"EarlyStopping": state["EarlyStopping"], "Other": {}}
        )
    assert [str(w.message) for w in caught] == [
        "resuming: no saved state for the callbacks ['EarlyStopping_1']: they start anew",
        "resuming: the saved states of ['Other'] are ignored (no such callback in this fit)",
    ]
    assert {w.filename for w in caught} == {__file__}  # the warning points at the caller's line
    with pytest.raises(ValueError, match="TerminateOnNaN keeps no state"):
        cb("TerminateOnNaN").load_state_dict({"x": 1})


def test_registry_lists_the_built_in_callbacks_and_rebuilds_from_config():
    assert {
        "EarlyStopping",
        "ModelCheckpoint",
        "LearningRateScheduler",
        "ReduceLROnPlateau",
        "TerminateOnNaN",
        "CSVLogger",
        "GradientMonitor",
        "DeadUnitMonitor",
    } <= set(mt.registry.names("callback"))
    stopper = cb("EarlyStopping", monitor="loss", patience=3, restore_best_weights=True)
    again = mt.registry.create(
        "callback", {"name": "early_stopping", "config": stopper.get_config()}
    )
    assert (again.monitor, again.patience, again.restore_best_weights) == ("loss", 3, True)


# ------------------------------------------------------- per-batch hooks nobody uses cost nothing
class Quiet(Callback):
    """Overrides on_batch_end but, configured off, declares it has nothing to do there."""

    def __init__(self, active):
        self.active, self.calls = active, 0

    def skipped_hooks(self):
        return frozenset() if self.active else frozenset({"on_batch_end"})

    def on_batch_end(self, batch, logs=None):
        self.calls += 1


def test_a_skipped_hook_is_not_dispatched_and_wants_says_so():
    off, on = Quiet(False), Quiet(True)
    assert not CallbackList([off]).wants("on_batch_end")
    assert not CallbackList([off]).wants("on_batch_begin")  # not overridden at all
    both = CallbackList([off, on])
    assert both.wants("on_batch_end")
    both.on_batch_end(0, {})
    assert (off.calls, on.calls) == (0, 1)


def test_fit_makes_per_batch_logs_only_for_a_callback_that_uses_them(monkeypatch):
    from minitorch_es.training.progress import ProgressLogger

    def refuse(self, batch, logs=None):
        raise AssertionError("the silent progress logger was called for a batch")

    monkeypatch.setattr(ProgressLogger, "on_batch_end", refuse)
    made = []
    monkeypatch.setattr(mt.Trainer, "_running_logs", lambda self: made.append(1) or {"loss": 0.0})
    x, y = blobs()
    trainer = mt.Trainer(mlp([2, 3]), optimizer="sgd", loss="cross_entropy")
    trainer.fit(x, y, epochs=1, batch_size=8, verbose=0)  # nothing per batch: no logs made
    assert len(made) == 1  # the epoch's logs only

    seen = []
    logger = type(
        "Logger", (Callback,), {"on_batch_end": lambda s, b, logs=None: seen.append(logs)}
    )
    made.clear()
    trainer = mt.Trainer(mlp([2, 3]), optimizer="sgd", loss="cross_entropy", callbacks=[logger()])
    trainer.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert len(seen) == len(made) - 1 > 0 and set(seen[0]) >= {"batch", "size", "batch_loss"}
