"""Thesis 4.4, MNIST: the thesis's MLP (Fig. 79) and, beyond it, a small CNN (section 3.9).

MLP: ``784 -> 64 (ReLU, activity L2 0.001) -> 32 (ReLU) -> 10``, Adam, batch 128,
``validation_split=0.1`` (the last 10% of the training set, as Keras), 50 epochs. The thesis's
softmax output with categorical cross-entropy on one-hot labels is here ``CrossEntropyLoss`` on
the logits with integer labels: the same loss and gradient, fused into one numerically stable op.
The test accuracy is also measured after every epoch (the thesis evaluates it once, at the end).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

import minitorch_es as mt
from minitorch_es.training.history import epoch_axis

from . import plotting
from .mnist_data import Unavailable, load
from .progress import EpochProgress
from .result import Result, Row, percent

TITLE_MLP = "4.4 MNIST MLP"
TITLE_CNN = "Beyond: MNIST CNN"
THESIS = {"accuracy": 0.98, "val_accuracy": 0.96, "test": 0.95}
TARGET_MLP, TARGET_CNN = 0.97, 0.99


@dataclass
class Budget:
    """How much data and how many epochs a run uses (``None``: everything)."""

    train: int | None
    test: int | None
    mlp_epochs: int
    cnn_train: int | None
    cnn_epochs: int


FULL = Budget(train=None, test=None, mlp_epochs=50, cnn_train=None, cnn_epochs=5)
QUICK = Budget(train=6000, test=2000, mlp_epochs=3, cnn_train=3000, cnn_epochs=1)


def mlp() -> mt.nn.Module:
    """The thesis's network (annex, "Multiclass Classification, MNIST Dataset code")."""
    return mt.nn.Sequential(
        mt.nn.Linear(784, 64, activation="relu", activity_regularizer=mt.regularizers.l2(0.001)),
        mt.nn.Linear(64, 32, activation="relu"),
        mt.nn.Linear(32, 10),
    )  # logits: the softmax lives inside CrossEntropyLoss


def cnn() -> mt.nn.Module:
    """Fig. 63: two blocks of 3x3 convolution, batch normalization, ReLU and 2x2 max pooling,
    then flattening and a small fully connected network. (Without batch normalization the same
    network needs about twice the epochs to pass 99%.)"""
    return mt.nn.Sequential(
        mt.nn.Conv2d(1, 16, 3, bias=False),
        mt.nn.BatchNorm2d(16),
        mt.nn.ReLU(),
        mt.nn.MaxPool2d(2),  # 16 x 13 x 13
        mt.nn.Conv2d(16, 32, 3, bias=False),
        mt.nn.BatchNorm2d(32),
        mt.nn.ReLU(),
        mt.nn.MaxPool2d(2),  # 32 x 5 x 5
        mt.nn.Flatten(),
        mt.nn.Linear(800, 64, activation="relu"),
        mt.nn.Linear(64, 10),
    )


def cnn_optimizer(model, epochs: int):
    """Adam (lr 0.002) with the learning rate annealed to 0 over the run (cosine)."""
    optimizer = mt.optim.Adam(model.parameters(), lr=2e-3)
    return optimizer, mt.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)


def accuracy(model, x, y, batch_size: int = 2000) -> float:
    """Share of correctly classified images (eval mode, no grad)."""
    was_training = model.training
    model.eval()
    correct = 0
    with mt.no_grad():
        for i in range(0, len(x), batch_size):
            logits = model(mt.tensor(x[i : i + batch_size]))._data
            correct += int(np.sum(logits.argmax(axis=1) == y[i : i + batch_size]))
    model.train(was_training)
    return correct / max(len(x), 1)


class TestAccuracy(mt.Callback):
    """The test-set accuracy after every epoch."""

    def __init__(self, x, y) -> None:
        self.x, self.y = x, y
        self.values: list[float] = []

    def on_epoch_end(self, epoch, logs=None) -> None:
        self.values.append(accuracy(self.model, self.x, self.y))


def fit(
    model,
    x,
    y,
    x_test,
    y_test,
    epochs: int,
    name: str,
    progress: bool,
    optimizer="adam",
    scheduler=None,
):
    """Train on cross-entropy with batch 128 and validation_split 0.1 (Adam by default);
    returns ``(history, test accuracy per epoch, seconds)``."""
    test = TestAccuracy(x_test, y_test)
    callbacks = [test, EpochProgress(name, progress)]
    trainer = mt.Trainer(
        model,
        optimizer=optimizer,
        loss="cross_entropy",
        metrics=["accuracy"],
        scheduler=scheduler,
        callbacks=callbacks,
    )
    start = time.perf_counter()
    history = trainer.fit(x, y, epochs=epochs, batch_size=128, validation_split=0.1, verbose=0)
    return history.history, test.values, time.perf_counter() - start


def _subset(x, y, n):
    return (x, y) if n is None else (x[:n], y[:n])


def run(config) -> Result:
    """The MLP row (thesis) and the CNN row (beyond), with Fig. 79."""
    start = time.perf_counter()
    budget = QUICK if config.quick else FULL
    result = Result("mnist", "4.4 MNIST")
    data = load(config)
    if isinstance(data, Unavailable):
        for title, thesis in ((TITLE_MLP, "95% test"), (TITLE_CNN, "")):
            result.rows.append(Row(title, "test accuracy", thesis, f"not run: {data.short}"))
        result.notes.append(
            f"MNIST could not be used, so its rows were skipped:\n\n{data.detail}\n\n"
            f"{data.short}: {data.hint}."
        )
        result.problem = f"{data.short}: {data.hint}"
        result.seconds = time.perf_counter() - start
        return result
    (x_train, y_train), (x_test, y_test) = data
    x_train, y_train = _subset(x_train, y_train, budget.train)
    x_test, y_test = _subset(x_test, y_test, budget.test)
    mt.manual_seed(config.seed)
    hist, test_curve, seconds = fit(
        mlp(),
        x_train.reshape(-1, 784),
        y_train,
        x_test.reshape(-1, 784),
        y_test,
        budget.mlp_epochs,
        "mnist mlp",
        config.progress,
    )
    epochs = str(budget.mlp_epochs)
    result.rows += [
        Row(
            TITLE_MLP,
            "train accuracy (Keras-style running mean)",
            percent(THESIS["accuracy"]),
            percent(hist["accuracy"][-1]),
            epochs,
            seconds,
        ),
        Row(
            TITLE_MLP,
            "validation accuracy (last 10% of train)",
            percent(THESIS["val_accuracy"]),
            percent(hist["val_accuracy"][-1]),
            epochs,
        ),
        Row(
            TITLE_MLP,
            "test accuracy after the last epoch",
            percent(THESIS["test"]),
            f"{percent(test_curve[-1])} ({_first(test_curve, TARGET_MLP)})",
            epochs,
        ),
        Row(
            TITLE_MLP,
            f"test accuracy, weights of the best validation epoch (target >= "
            f"{percent(TARGET_MLP)})",
            "-",
            f"{percent(test_curve[best_epoch(hist)])} (epoch {best_epoch(hist) + 1})",
            epochs,
        ),
    ]
    x_cnn, y_cnn = _subset(x_train, y_train, budget.cnn_train)
    mt.manual_seed(config.seed)
    model = cnn()
    optimizer, scheduler = cnn_optimizer(model, budget.cnn_epochs)
    cnn_hist, cnn_test, cnn_seconds = fit(
        model,
        x_cnn.reshape(-1, 1, 28, 28),
        y_cnn,
        x_test.reshape(-1, 1, 28, 28),
        y_test,
        budget.cnn_epochs,
        "mnist cnn",
        config.progress,
        optimizer,
        scheduler,
    )
    result.rows.append(
        Row(
            TITLE_CNN,
            f"test accuracy (target >= {percent(TARGET_CNN)})",
            "-",
            f"{percent(cnn_test[-1])} ({_first(cnn_test, TARGET_CNN)}; validation "
            f"{percent(cnn_hist['val_accuracy'][-1])})",
            str(budget.cnn_epochs),
            cnn_seconds,
        )
    )
    result.data = {
        "mlp": {**hist, "test_accuracy": test_curve},
        "cnn": {**cnn_hist, "test_accuracy": cnn_test},
    }
    sizes = f"{len(x_train)} training images (10% held out for validation), {len(x_test)} test"
    result.notes.append(
        f"{sizes}; pixels / 255. MLP: 784-64(ReLU, activity L2 0.001)-32(ReLU)-10, Adam lr "
        f"0.001, batch 128; CrossEntropyLoss on logits is the fused softmax + categorical "
        f"cross-entropy of the thesis. CNN: conv 1->16 3x3, batch norm, ReLU, maxpool 2, conv "
        f"16->32 3x3, batch norm, ReLU, maxpool 2, flatten, 800->64 ReLU -> 10; Adam lr 0.002 "
        f"with cosine annealing to 0, same batch and split"
        f". The MLP overfits (train accuracy near 99.4%), so its last epoch's test accuracy "
        f"moves by a few tenths with the floating-point summation order (the BLAS thread "
        f"count); the best validation epoch's weights, which "
        f"ModelCheckpoint(monitor='val_accuracy', save_best_only=True) would keep, are chosen "
        f"without looking at the test set"
        + (f", trained on the first {len(x_cnn)} images" if budget.cnn_train else "")
        + "."
    )
    plotting.add(
        result,
        figure(result.data),
        config.out_dir,
        "mnist_accuracy.png",
        "Fig. 79: accuracy per epoch on train, validation and test (MLP; CNN right)",
    )
    result.seconds = time.perf_counter() - start
    return result


def best_epoch(history: dict) -> int:
    """0-based epoch of the highest validation accuracy (the first, on ties)."""
    return int(np.argmax(history["val_accuracy"]))


def _first(curve, target: float) -> str:
    hits = np.flatnonzero(np.asarray(curve) >= target)
    return (
        f">= {percent(target)} from epoch {hits[0] + 1}"
        if hits.size
        else f"below {percent(target)}"
    )


def figure(data: dict):
    """Fig. 79 (MLP) next to the same curves of the CNN."""
    fig = plotting.new_figure(12, 4.2)
    if fig is None:
        return None
    for ax, (name, curves) in zip(fig.subplots(1, 2), data.items()):
        for key, label in (
            ("accuracy", "train"),
            ("val_accuracy", "validation"),
            ("test_accuracy", "test"),
        ):
            values = curves[key]
            ax.plot(
                np.arange(1, len(values) + 1),
                values,
                marker="." if len(values) < 20 else "",
                label=label,
            )
        if name == "mlp":
            ax.axhline(THESIS["test"], color="gray", linestyle=":", label="thesis test (95%)")
            best = best_epoch(curves) + 1
            ax.axvline(best, color="C1", linestyle="--", linewidth=0.8, label="best validation")
        ax.set(title=f"{name.upper()} accuracy", xlabel="epoch", ylabel="accuracy")
        epoch_axis(ax, range(1, len(curves["accuracy"]) + 1))
        ax.legend(loc="lower right")
    return fig
