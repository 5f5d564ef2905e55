"""Thesis 4.2: two classes that a line cannot separate, a sigmoid and a ReLU network.

Keras's ``Dense(8, activation="relu")`` is ``Linear(in, 8, activation="relu")``; ``fit`` is the
Keras-style training loop. Run: python examples/two_moons.py
(the full experiment with the overfitting model and Figs. 69-72: minitorch-es thesis moons)
"""

import numpy as np

import minitorch_es as mt

mt.manual_seed(0)
X, y = mt.data.datasets.make_moons(250, noise=0.25, random_state=42)
X, y = X.astype(np.float32), y.astype(np.float32)


def network(hidden_units, activation):
    """2 inputs -> one hidden layer -> 1 sigmoid output (a probability of class 2)."""
    return mt.nn.Sequential(
        mt.nn.Linear(2, hidden_units, activation=activation),
        mt.nn.Linear(hidden_units, 1, activation="sigmoid"),
    )


for hidden_units, activation, epochs in ((10, "sigmoid", 6000), (8, "relu", 3000)):
    model = network(hidden_units, activation)
    trainer = mt.Trainer(model, optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    trainer.fit(X, y, epochs=epochs, batch_size=32, verbose=0)
    accuracy = trainer.evaluate(X, y)["accuracy"]
    print(f"{activation:7s} ({hidden_units} units, {epochs} epochs): accuracy {accuracy:.1%}")

# The decision boundary: predict every point of a grid and colour it by the rounded output.
try:
    import matplotlib.pyplot as plt
except ImportError:
    print("plots need the `plot` extra: pip install minitorch-es[plot]")
else:
    xx, yy = np.meshgrid(np.arange(-2, 3, 0.02), np.arange(-1.5, 2, 0.02))
    grid = np.stack([xx.ravel(), yy.ravel()], axis=1).astype(np.float32)
    regions = np.round(trainer.predict(grid, batch_size=4096)).reshape(xx.shape)
    plt.contourf(xx, yy, regions, alpha=0.25, cmap="bwr_r")
    plt.scatter(X[:, 0], X[:, 1], c=y, cmap="bwr_r", edgecolor="black")
    plt.title("ReLU network: decision boundary")
    plt.savefig("two_moons.png")
    print("saved two_moons.png")
