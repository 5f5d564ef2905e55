"""Thesis 4.3: the XOR gate, learnt with gradient descent and with stochastic gradient descent.

The network of the annex: 2 inputs, 5 sigmoid hidden units, 1 sigmoid output, no biases,
weights uniform on [0, 1), learning rate 1. Gradient descent computes the gradient on all four
examples (one update per epoch); SGD on one example at a time (four updates per epoch), which
makes its error oscillate. The same network with the thesis's delta formulas written by hand
as an autograd ``Function`` is ``minitorch_es.thesis.xor.ThesisXORFunction``; this script checks
that it gives the same result. Run: python examples/xor.py (plots: minitorch-es thesis xor)
"""

import numpy as np

import minitorch_es as mt
from minitorch_es.thesis.xor import FunctionXOR

X, y = (mt.tensor(a, dtype=mt.float64) for a in mt.data.datasets.xor())
mt.manual_seed(0)
wih = mt.rand(2, 5, dtype=mt.float64).numpy()  # input -> hidden weights (thesis layout)
who = mt.rand(5, 1, dtype=mt.float64).numpy()  # hidden -> output weights


def network():
    """The annex's network with layers, starting from the weights above (PyTorch stores W.T)."""
    model = mt.nn.Sequential(
        mt.nn.Linear(2, 5, bias=False, activation="sigmoid", dtype=mt.float64),
        mt.nn.Linear(5, 1, bias=False, activation="sigmoid", dtype=mt.float64),
    )
    with mt.no_grad():
        model[0].weight.data[...] = wih.T
        model[1].weight.data[...] = who.T
    return model


def error(pred, target):
    """The thesis's error sum((a2 - y)^2); its da2 = a2 - y is the gradient of half of it."""
    return mt.nn.MSELoss(reduction="sum")(pred, target)


def train(model, epochs, stochastic):
    optimizer = mt.optim.SGD(model.parameters(), lr=1.0)
    losses = []
    for _ in range(epochs):
        # SGD: one example at a time, in a new random order every epoch.
        batches = [[i] for i in mt.randperm(4).tolist()] if stochastic else [slice(None)]
        for rows in batches:
            loss = error(model(X[rows]), y[rows])
            optimizer.zero_grad()
            (loss / 2).backward()
            optimizer.step()
        with mt.no_grad():
            losses.append(error(model(X), y).item())
    return losses


gd = train(network(), 4000, stochastic=False)
sgd = train(network(), 2000, stochastic=True)
print(f"gradient descent: error {gd[0]:.3f} -> {gd[-1]:.4f} after {len(gd)} epochs")
print(f"SGD:              error {sgd[0]:.3f} -> {sgd[-1]:.4f} after {len(sgd)} epochs")
print(
    "epochs where the error went up: GD",
    int(np.sum(np.diff(gd) > 0)),
    "SGD",
    int(np.sum(np.diff(sgd) > 0)),
)

# The same gradient descent with the hand-written deltas gives the same numbers.
by_function = train(FunctionXOR(wih, who), 4000, stochastic=False)
print(
    f"layers vs hand-written Function: max |difference| "
    f"{np.max(np.abs(np.array(gd) - by_function)):.1e}"
)
