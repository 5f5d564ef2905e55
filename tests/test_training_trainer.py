"""Trainer.fit / evaluate / predict on core-only toys: data handling, modes, History, errors."""

import numpy as np
import pytest
from test_training_toys import BCE, MSE, SGD, CrossEntropy, Sigmoid, blobs, mlp

import minitorch_es as mt
from minitorch_es.data import DataLoader, TensorDataset
from minitorch_es.nn import Module
from minitorch_es.optim.lr_scheduler import LRScheduler
from minitorch_es.training import Callback


def make_trainer(model=None, lr=0.1, loss=None, **kwargs):
    model = model or mlp([2, 8, 2])
    return mt.Trainer(
        model, optimizer=SGD(model.parameters(), lr=lr), loss=loss or CrossEntropy(), **kwargs
    )


class Recorder(Module):
    """Wraps a model; records each forward's input rows, training flag and grad mode."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner
        self.calls = []

    def forward(self, x):
        self.calls.append((x._data.copy(), self.training, mt.is_grad_enabled()))
        return self.inner(x)


def test_fit_returns_history_with_keras_keys_and_learns():
    x, y = blobs(64)
    trainer = make_trainer(metrics=["accuracy"])
    history = trainer.fit(x, y, epochs=4, batch_size=16, validation_split=0.25, verbose=0)
    assert history is trainer.history
    assert list(history.history) == ["loss", "accuracy", "val_loss", "val_accuracy", "lr"]
    assert history.epoch == [0, 1, 2, 3]
    assert all(len(v) == 4 for v in history.history.values())
    assert history.history["lr"] == [0.1] * 4
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["val_accuracy"][-1] == 1.0
    assert trainer.epoch == 4 and trainer.global_step == 4 * 3  # 48 training rows / 16


def test_epochs_is_the_epoch_to_stop_at_with_initial_epoch():
    x, y = blobs(32)
    trainer = make_trainer()
    history = trainer.fit(x, y, epochs=5, initial_epoch=3, verbose=0)
    assert history.epoch == [3, 4]
    assert trainer.fit(x, y, epochs=2, initial_epoch=2, verbose=0).epoch == []


def test_validation_split_takes_the_tail_before_shuffling():
    x, y = blobs(40)
    x = x + np.arange(40)[:, None] * 100.0  # make every row identifiable
    model = Recorder(mlp([2, 4, 2]))
    trainer = make_trainer(model, lr=1e-6)
    trainer.fit(x, y, epochs=2, batch_size=7, validation_split=0.2, shuffle=True, verbose=0)
    train_rows = np.concatenate([c[0] for c in model.calls if c[1]])
    val_rows = np.concatenate([c[0] for c in model.calls if not c[1]])
    split_at = 32  # floor(40 * 0.8)
    np.testing.assert_allclose(
        np.sort(train_rows[:, 0]), np.sort(np.tile(x[:split_at, 0], 2)).astype(np.float32)
    )
    np.testing.assert_allclose(val_rows[:, 0], np.tile(x[split_at:, 0], 2).astype(np.float32))
    # training batches were shuffled: the first epoch's order is not the original one
    assert not np.allclose(train_rows[:split_at, 0], x[:split_at, 0].astype(np.float32))


def test_validation_split_values_equal_evaluate_on_the_tail():
    x, y = blobs(50)
    trainer = make_trainer(metrics=["accuracy"])
    h = trainer.fit(x, y, epochs=2, batch_size=8, validation_split=0.3, verbose=0)
    tail = trainer.evaluate(x[35:], y[35:], batch_size=4)
    assert h.history["val_loss"][-1] == pytest.approx(tail["loss"], rel=1e-6)
    assert h.history["val_accuracy"][-1] == tail["accuracy"]


def test_validation_split_of_a_dataset_is_its_tail_and_a_loader_cannot_be_split():
    x, y = blobs(20)
    model = Recorder(mlp([2, 4, 2]))
    trainer = make_trainer(model)
    ds = TensorDataset(x + np.arange(20)[:, None], y)
    trainer.fit(ds, epochs=1, batch_size=5, validation_split=0.25, verbose=0)
    val_rows = np.concatenate([c[0] for c in model.calls if not c[1]])
    np.testing.assert_allclose(val_rows, (x + np.arange(20)[:, None])[15:].astype(np.float32))
    with pytest.raises(ValueError, match="cannot split a DataLoader"):
        trainer.fit(DataLoader(ds, batch_size=5), validation_split=0.2, verbose=0)


def test_fit_is_deterministic_under_a_seed():
    x, y = blobs(48)
    runs = []
    for _ in range(2):
        mt.manual_seed(7)
        trainer = make_trainer()
        runs.append(trainer.fit(x, y, epochs=3, batch_size=8, verbose=0).history["loss"])
    assert runs[0] == runs[1]
    mt.manual_seed(8)
    assert make_trainer().fit(x, y, epochs=3, batch_size=8, verbose=0).history["loss"] != runs[0]


def test_fit_accepts_tensors_datasets_loaders_and_validation_data_forms():
    x, y = blobs(32)
    trainer = make_trainer(metrics=["accuracy"])
    trainer.fit(mt.tensor(x), mt.tensor(y), epochs=1, verbose=0)
    trainer.fit(TensorDataset(x, y), epochs=1, batch_size=8, verbose=0)
    loader = DataLoader(TensorDataset(x, y), batch_size=10, shuffle=True)
    h = trainer.fit(loader, epochs=1, validation_data=(x[:8], y[:8]), verbose=0)
    assert trainer.params["steps"] == 4 and "val_accuracy" in h.history
    h = trainer.fit(x, y, validation_data=TensorDataset(x, y), validation_split=0.5, verbose=0)
    assert trainer.params["steps"] == 1  # validation_data wins: no split taken
    trainer.fit(x, y, validation_data=DataLoader(TensorDataset(x, y), batch_size=3), verbose=0)
    trainer.fit(x.tolist(), y.tolist(), epochs=1, verbose=0)


def test_train_and_eval_modes_and_grad_mode_per_phase():
    x, y = blobs(16)
    model = Recorder(mlp([2, 4, 2]))
    trainer = make_trainer(model)
    model.eval()
    trainer.fit(x, y, epochs=1, batch_size=8, validation_split=0.5, verbose=0)
    assert [(c[1], c[2]) for c in model.calls] == [(True, True), (False, False)]
    assert model.training is False  # each module's own flag is restored after fit
    model.train()
    model.calls.clear()
    trainer.evaluate(x, y, batch_size=16)
    trainer.predict(x, batch_size=16)
    assert [(c[1], c[2]) for c in model.calls] == [(False, False), (False, False)]
    assert model.training is True


def test_evaluate_and_predict_shapes_batches_and_values():
    x, y = blobs(10)
    model = Recorder(mlp([2, 4, 3]))
    trainer = make_trainer(model, metrics=["accuracy", "top_k_accuracy"])
    out = trainer.predict(x, batch_size=4)
    assert isinstance(out, np.ndarray) and out.shape == (10, 3) and out.dtype == np.float32
    assert [len(c[0]) for c in model.calls] == [4, 4, 2]
    direct = model.inner(mt.tensor(x.astype(np.float32)))._data
    np.testing.assert_allclose(out, direct, rtol=1e-6)
    result = trainer.evaluate(x, y, batch_size=3)
    assert list(result) == ["loss", "accuracy", "top_k_accuracy"]
    expected = CrossEntropy()(mt.tensor(direct), mt.tensor(y)).item()
    assert result["loss"] == pytest.approx(expected, rel=1e-5)
    assert result["accuracy"] == np.mean(direct.argmax(1) == y)
    assert trainer.predict(TensorDataset(x, y)).shape == (10, 3)  # targets ignored
    assert trainer.predict(mt.tensor(x)).shape == (10, 3)


def test_binary_targets_are_fitted_to_the_output_shape_and_dtype():
    x, y = blobs(32)
    model = mlp([2, 4, 1], out_activation=Sigmoid)
    trainer = make_trainer(model, loss=BCE(), lr=0.5, metrics=["accuracy"])
    h = trainer.fit(x, y, epochs=5, batch_size=8, verbose=0)  # y: int64 (N,), output (N, 1)
    assert h.history["accuracy"][-1] == 1.0
    assert trainer.evaluate(x, y.astype(np.float64)[:, None])["accuracy"] == 1.0


def test_float64_data_trains_a_float32_model_and_float64_models_work():
    x, y = blobs(16)
    trainer = make_trainer(loss=MSE(), model=mlp([2, 3, 1]))
    trainer.fit(x, y.astype(np.float64), epochs=1, verbose=0)
    assert trainer.predict(x).dtype == np.float32
    mt.set_default_dtype(mt.float64)
    model = mlp([2, 3, 1])
    trainer = make_trainer(model, loss=MSE())
    trainer.fit(x.astype(np.float32), y, epochs=1, verbose=0)
    assert trainer.predict(x).dtype == np.float64


def test_regularization_loss_is_added_to_the_reported_loss():
    x, y = blobs(16)
    model = mlp([2, 4, 2])
    trainer = make_trainer(model, lr=0.0)
    plain = trainer.evaluate(x, y)["loss"]
    model[0].weight.regularizer = lambda w: (w * w).sum() * 0.5
    penalty = 0.5 * float(np.sum(model[0].weight._data.astype(np.float64) ** 2))
    assert trainer.evaluate(x, y)["loss"] == pytest.approx(plain + penalty, rel=1e-5)
    h = trainer.fit(x, y, epochs=1, batch_size=16, verbose=0)
    assert h.history["loss"][0] == pytest.approx(plain + penalty, rel=1e-5)


class Halving(LRScheduler):
    def get_lr(self):
        return [base * 0.5**self.last_epoch for base in self.base_lrs]


class Plateau:
    """A ReduceLROnPlateau-shaped scheduler: records what step() was given."""

    monitor = "val_loss"

    def __init__(self, optimizer):
        self.optimizer, self.seen = optimizer, []

    def step(self, metrics, epoch=None):
        self.seen.append(metrics)


def test_scheduler_steps_once_per_epoch_and_lr_is_logged():
    x, y = blobs(16)
    model = mlp([2, 4, 2])
    opt = SGD(model.parameters(), lr=0.8)
    trainer = mt.Trainer(model, optimizer=opt, loss=CrossEntropy(), scheduler=Halving(opt))
    h = trainer.fit(x, y, epochs=3, batch_size=4, verbose=0)
    assert h.history["lr"] == [0.8, 0.4, 0.2] and opt.param_groups[0]["lr"] == 0.1
    plateau = Plateau(opt)
    trainer = mt.Trainer(model, optimizer=opt, loss=CrossEntropy(), scheduler=plateau)
    h = trainer.fit(x, y, epochs=2, validation_split=0.25, verbose=0)
    assert plateau.seen == h.history["val_loss"]
    trainer.fit(x, y, epochs=1, verbose=0)
    assert plateau.seen[-1] == trainer.history.history["loss"][0]


def test_constraints_project_parameters_after_each_step():
    x, y = blobs(16)
    model = mlp([2, 4, 2])
    clip = lambda w: w.clamp(-0.05, 0.05)  # noqa: E731
    trainer = make_trainer(model, lr=1.0, constraints={"*.weight": clip})
    trainer.fit(x, y, epochs=2, verbose=0)
    assert (
        np.abs(model[0].weight._data).max() <= 0.05 and np.abs(model[2].weight._data).max() <= 0.05
    )
    assert np.abs(model[0].bias._data).max() > 0.05
    model[0].bias.constraint = lambda b: np.zeros_like(b._data)
    trainer = make_trainer(model)
    trainer.fit(x, y, epochs=1, verbose=0)
    assert not model[0].bias._data.any()
    with pytest.raises(ValueError, match=r"pattern 'head\.\*' matches no parameter"):
        make_trainer(model, constraints={"head.*": clip})
    with pytest.raises(TypeError, match="constraints must be None or a dict"):
        make_trainer(model, constraints=[clip])


class BCEWithLogitsLoss(BCE):
    """Toy logits loss: the Trainer should create string-named metrics with from_logits."""

    from_logits = True

    def forward(self, input, target):
        return super().forward(1.0 / (1.0 + (-input).exp()), target)


def test_metrics_follow_a_logits_loss_and_keep_their_string_names():
    model = mlp([2, 4, 1])
    trainer = make_trainer(model, loss=BCEWithLogitsLoss(), metrics=["acc", "precision"])
    assert [m.name for m in trainer.metrics] == ["acc", "precision"]
    assert all(m.from_logits for m in trainer.metrics)
    assert not make_trainer(loss=BCE(), metrics=["accuracy"]).metrics[0].from_logits


def test_non_finite_loss_raises_naming_epoch_and_step_and_skips_the_update():
    x, y = blobs(32)
    model = mlp([2, 4, 2])
    calls = []

    def flaky(output, target):
        calls.append(1)
        loss = CrossEntropy()(output, target)
        return loss * float("nan") if len(calls) == 7 else loss

    trainer = make_trainer(model, loss=flaky)
    snapshots = []

    class Snap(Callback):
        def on_batch_end(self, batch, logs=None):
            snapshots.append(self.model.state_dict())

    trainer.callbacks = mt.training.CallbackList([Snap()])
    with pytest.raises(
        mt.training.NonFiniteLossError,
        match=r"loss became nan at epoch 2, step 3/4 \(global step 7\)",
    ) as info:
        trainer.fit(x, y, epochs=3, batch_size=8, verbose=0)
    assert isinstance(info.value, FloatingPointError)
    assert (info.value.epoch, info.value.step, info.value.global_step) == (2, 3, 6)
    for key, value in model.state_dict().items():  # the NaN batch changed nothing
        np.testing.assert_array_equal(value, snapshots[-1][key])
        assert np.isfinite(value).all()


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(epochs=-1), ValueError, "epochs must be an int >= 0"),
        (dict(epochs=2.5), TypeError, "epochs must be an int >= 0, got float"),
        (dict(initial_epoch=-2), ValueError, "initial_epoch must be an int >= 0"),
        (dict(batch_size=0), ValueError, "batch_size must be an int >= 1, got 0"),
        (
            dict(validation_split=1.0),
            ValueError,
            r"validation_split must be a real number in \[0, 1\)",
        ),
        (dict(validation_split=0.95), ValueError, "leaves 0 for training and 16 for validation"),
        (dict(validation_data=(1, 2, 3)), TypeError, "expected a tuple"),
        (dict(verbose=3), ValueError, "verbose must be 0"),
    ],
)
def test_fit_argument_errors(kwargs, error, match):
    x, y = blobs(16)
    with pytest.raises(error, match=match):
        make_trainer().fit(x, y, **{"verbose": 0, **kwargs})


def test_data_errors_say_what_was_expected():
    x, y = blobs(16)
    trainer = make_trainer()
    with pytest.raises(ValueError, match="targets y are required"):
        trainer.fit(x, verbose=0)
    with pytest.raises(ValueError, match="same number of samples, got 16 and 15"):
        trainer.fit(x, y[:-1], verbose=0)
    with pytest.raises(ValueError, match="y must be None when x is a TensorDataset"):
        trainer.fit(TensorDataset(x, y), y, verbose=0)
    with pytest.raises(ValueError, match="y must be None when x is a DataLoader"):
        trainer.evaluate(DataLoader(TensorDataset(x, y)), y)
    with pytest.raises(TypeError, match="x must be an array, a Tensor, a Dataset"):
        trainer.predict(42)
    with pytest.raises(ValueError, match=r"a batch must be \(inputs, targets\)"):
        trainer.fit(TensorDataset(x), verbose=0)


def test_construction_errors():
    model = mlp([2, 2])
    with pytest.raises(TypeError, match="expected a minitorch_es.nn.Module"):
        mt.Trainer(lambda x: x, optimizer="sgd")
    with pytest.raises(LookupError, match="unknown optimizer 'adamm'"):
        mt.Trainer(model, optimizer="adamm", loss=MSE())
    with pytest.raises(LookupError, match="unknown loss 'msee'"):
        mt.Trainer(model, optimizer=SGD(model.parameters()), loss="msee")
    with pytest.raises(TypeError, match="optimizer must be a name"):
        mt.Trainer(model, optimizer=3, loss=MSE())
    with pytest.raises(TypeError, match="loss must be a name"):
        mt.Trainer(model, optimizer=SGD(model.parameters()), loss=3)
    with pytest.raises(TypeError, match="scheduler must be an LRScheduler"):
        make_trainer(model, scheduler=object())
    with pytest.raises(ValueError, match="metric names must be unique"):
        make_trainer(model, metrics=["accuracy", "accuracy"])
    with pytest.raises(ValueError, match="not reserved"):
        make_trainer(
            model,
            metrics=[
                mt.registry.create("metric", {"name": "accuracy", "config": {"name": "loss"}})
            ],
        )
    with pytest.raises(TypeError, match=r"callbacks\[0\] must be a minitorch_es.Callback"):
        make_trainer(model, callbacks=[print])
    with pytest.raises(ValueError, match="has no parameters"):
        mt.Trainer(mt.nn.Sequential(), optimizer=SGD, loss=MSE())


def test_loss_must_be_scalar():
    x, y = blobs(8)
    trainer = make_trainer(loss=lambda out, target: out.sum(dim=1))
    with pytest.raises(ValueError, match="must return a scalar Tensor"):
        trainer.fit(x, y, verbose=0)


def test_optimizer_class_and_config_get_the_model_parameters():
    model = mlp([2, 2])
    mt.register("optimizer", name="ToySGD")(SGD)
    try:
        t = mt.Trainer(model, optimizer={"name": "toy_sgd", "config": {"lr": 0.3}}, loss=MSE())
        assert isinstance(t.optimizer, SGD) and t.optimizer.param_groups[0]["lr"] == 0.3
        assert len(t.optimizer.param_groups[0]["params"]) == 2
        assert isinstance(mt.Trainer(model, optimizer="toysgd", loss=MSE()).optimizer, SGD)
    finally:
        mt.registry._entries.pop(("optimizer", "toysgd"), None)
    assert isinstance(mt.Trainer(model, optimizer=SGD, loss=MSE()).optimizer, SGD)
    assert repr(mt.Trainer(model, optimizer=SGD, loss=MSE())).startswith("Trainer(model=Sequential")


def test_auto_metrics_report_accuracy_only_for_classification_losses():
    import minitorch_es as mt

    model = mt.nn.Linear(2, 3)
    assert [m.name for m in mt.Trainer(model, loss="cross_entropy").metrics] == ["accuracy"]
    assert [m.name for m in mt.Trainer(model, loss="bce").metrics] == ["accuracy"]
    assert mt.Trainer(model, loss="mse").metrics == []
    assert mt.Trainer(model, loss="cross_entropy", metrics=None).metrics == []
    assert [m.name for m in mt.Trainer(model, loss="mse", metrics=["mae"]).metrics] == ["mae"]


def test_one_cycle_steps_after_every_batch_and_others_after_every_epoch():
    import numpy as np

    import minitorch_es as mt

    x = np.random.default_rng(0).normal(size=(20, 2)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    model = mt.nn.Linear(2, 2)
    opt = mt.optim.SGD(model.parameters(), lr=0.1)
    sched = mt.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.5, epochs=3, steps_per_epoch=4)
    trainer = mt.Trainer(model, optimizer=opt, scheduler=sched)
    assert trainer.scheduler_interval == "step"
    trainer.fit(x, y, epochs=3, batch_size=5, verbose=0)
    assert sched.last_epoch == 12  # one step per batch: 3 epochs x 4 batches, the whole cycle

    opt = mt.optim.SGD(model.parameters(), lr=0.1)
    step = mt.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    trainer = mt.Trainer(model, optimizer=opt, scheduler=step)
    assert trainer.scheduler_interval == "epoch"
    history = trainer.fit(x, y, epochs=3, batch_size=5, verbose=0)
    assert history.history["lr"] == pytest.approx([0.1, 0.05, 0.025])

    with pytest.raises(ValueError, match="scheduler_interval must be"):
        mt.Trainer(model, optimizer=opt, scheduler=step, scheduler_interval="batch")
    plateau = mt.optim.lr_scheduler.ReduceLROnPlateau(opt)
    with pytest.raises(ValueError, match="steps on a monitored metric"):
        mt.Trainer(model, optimizer=opt, scheduler=plateau, scheduler_interval="step")
