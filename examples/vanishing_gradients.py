"""Thesis 3.6 (Fig. 43): vanishing gradients, measured with the GradientMonitor callback.

Backpropagation multiplies the delta by the activation's derivative once per layer. The
sigmoid's derivative is at most 0.25, so in a deep sigmoid network the layers next to the input
get almost no gradient and stop learning. ReLU (derivative 1 for positive inputs) with He
initialisation keeps the gradients of every layer of the same order.
Run: python examples/vanishing_gradients.py
"""

import numpy as np

import minitorch_es as mt

X, y = mt.data.datasets.make_moons(500, noise=0.2, random_state=0)
X, y = X.astype(np.float32), y.astype(np.float32)


def deep_network(activation, weight_init=None, depth=10, width=32):
    layers = [mt.nn.Linear(2, width, activation=activation, weight_init=weight_init)]
    layers += [
        mt.nn.Linear(width, width, activation=activation, weight_init=weight_init)
        for _ in range(depth - 1)
    ]
    layers.append(mt.nn.Linear(width, 1, activation="sigmoid"))
    return mt.nn.Sequential(*layers)


he_init = {"name": "kaiming_normal", "config": {"nonlinearity": "relu"}}
for name, model in (
    ("sigmoid, default init", deep_network("sigmoid")),
    ("ReLU, He init", deep_network("relu", he_init)),
):
    monitor = mt.callbacks.GradientMonitor(every_n_steps=1)
    trainer = mt.Trainer(
        model,
        optimizer=mt.optim.SGD(model.parameters(), lr=0.1),
        loss="bce",
        metrics=["accuracy"],
        callbacks=[monitor],
    )
    history = trainer.fit(X, y, epochs=20, batch_size=32, verbose=0)
    norms = [values.mean() for values in monitor.layer_norms().values()]
    print(f"{name}: accuracy after 20 epochs {history.history['accuracy'][-1]:.1%}")
    print("  mean gradient norm per layer (input -> output):", " ".join(f"{n:.0e}" for n in norms))
