"""Thesis 3.6, Fig. 43: vanishing gradients in a deep sigmoid network, and the cure.

Two networks of ten hidden layers (32 units) are trained on the moons data with the same
optimizer (SGD, lr 0.1, batch 32): one with sigmoid activations and PyTorch's default
initialisation, one with ReLU and He (Kaiming normal) initialisation. A ``GradientMonitor``
records the gradient norm of every layer at every step. In the sigmoid network each layer
multiplies the backpropagated delta by a sigmoid derivative (at most 0.25), so the first layers'
gradients are orders of magnitude smaller than the last ones'; with ReLU and He init they stay
of the same order.
"""

from __future__ import annotations

import time

import numpy as np

import minitorch_es as mt
from minitorch_es.training.history import epoch_axis

from . import plotting
from .result import Row

TITLE = "3.6 Vanishing gradients"
DEPTH, WIDTH = 10, 32
HE_INIT = {"name": "kaiming_normal", "config": {"nonlinearity": "relu"}}


def deep_network(activation: str, weight_init=None) -> mt.nn.Module:
    """``DEPTH`` hidden layers of ``WIDTH`` units, then a sigmoid output unit."""
    layers, width = [], 2
    for _ in range(DEPTH):
        layers.append(mt.nn.Linear(width, WIDTH, activation=activation, weight_init=weight_init))
        width = WIDTH
    layers.append(mt.nn.Linear(width, 1, activation="sigmoid"))
    return mt.nn.Sequential(*layers)


def train(activation: str, weight_init, epochs: int, X, y):
    """``(gradient norm per layer averaged over the first epoch, loss per epoch, seconds)``."""
    model = deep_network(activation, weight_init)
    monitor = mt.callbacks.GradientMonitor(every_n_steps=1, vanish_ratio=1e-12)
    optimizer = mt.optim.SGD(model.parameters(), lr=0.1)
    trainer = mt.Trainer(model, optimizer=optimizer, loss="bce", callbacks=[monitor])
    start = time.perf_counter()
    history = trainer.fit(X, y, epochs=epochs, batch_size=32, verbose=0)
    seconds = time.perf_counter() - start
    steps_per_epoch = int(np.ceil(len(X) / 32))
    per_layer = monitor.layer_norms()
    norms = np.array([values[:steps_per_epoch].mean() for values in per_layer.values()])
    return norms, history.history["loss"], seconds


def run(config, result) -> None:
    """Add the rows and the figure of the demonstration to ``result``."""
    epochs = 5 if config.quick else 100
    X, y = mt.data.datasets.make_moons(500, noise=0.2, random_state=0)
    X, y = X.astype(np.float32), y.astype(np.float32)
    runs = {}
    for name, activation, init in (("sigmoid", "sigmoid", None), ("relu_he", "relu", HE_INIT)):
        mt.manual_seed(config.seed)
        runs[name] = train(activation, init, epochs, X, y)
    result.data["vanishing"] = runs
    seconds = sum(r[2] for r in runs.values())
    ratio = {k: r[0][0] / r[0][DEPTH - 1] for k, r in runs.items()}
    result.rows += [
        Row(
            TITLE,
            f"layer 1 / layer {DEPTH} gradient norm, sigmoid",
            "-> 0 (Fig. 43)",
            f"{ratio['sigmoid']:.1e}",
            "1",
            seconds,
        ),
        Row(
            TITLE,
            f"layer 1 / layer {DEPTH} gradient norm, ReLU + He init",
            "(the cure, 3.6)",
            f"{ratio['relu_he']:.2f}",
            "1",
        ),
        Row(
            TITLE,
            "training loss (BCE) sigmoid / ReLU + He",
            "",
            f"{runs['sigmoid'][1][-1]:.3f} / {runs['relu_he'][1][-1]:.3f}",
            str(epochs),
        ),
    ]
    result.notes.append(
        f"Vanishing gradients: {DEPTH} hidden layers of {WIDTH} units on make_moons(500, "
        f"noise=0.2), SGD lr 0.1, batch 32, BCE; GradientMonitor(every_n_steps=1) norms averaged "
        f"over the first epoch. Sigmoid with PyTorch's default init vs ReLU with Kaiming-normal "
        f"(He) init."
    )
    plotting.add(
        result,
        figure(runs),
        config.out_dir,
        "vanishing_gradients.png",
        "Fig. 43: gradient norm per layer (first epoch) and training loss, 10-layer "
        "sigmoid network vs ReLU + He init",
    )


def figure(runs: dict):
    """Fig. 43: gradient norm per layer and training loss of each run (None without
    matplotlib)."""
    fig = plotting.new_figure(12, 4.2)
    if fig is None:
        return None
    left, right = fig.subplots(1, 2)
    labels = {"sigmoid": "sigmoid, default init", "relu_he": "ReLU, He init"}
    for name, (norms, losses, _) in runs.items():
        left.semilogy(np.arange(1, len(norms) + 1), norms, "o-", label=labels[name])
        right.plot(np.arange(1, len(losses) + 1), losses, label=labels[name])
    left.set(
        title="gradient norm per layer (layer 1 = next to the input)",
        xlabel="layer",
        ylabel="mean gradient norm, first epoch",
    )
    left.set_xticks(range(1, DEPTH + 2))
    right.set(title="training loss", xlabel="epoch", ylabel="binary cross-entropy")
    epoch_axis(right, range(1, len(losses) + 1))
    left.legend()
    right.legend()
    return fig
