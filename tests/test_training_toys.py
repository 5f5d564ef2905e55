"""Tiny core-only models, losses and an optimizer for the training-engine tests.

They use nothing from the plugin catalog, so the engine is tested on its own; the other test
files import them (``from test_training_toys import ...``). The tests here check the toys
themselves against NumPy.
"""

import numpy as np

import minitorch_es as mt
from minitorch_es.nn import Loss, Module, Parameter, Sequential
from minitorch_es.optim import Optimizer


class Dense(Module):
    """``x @ W.T + b`` with uniform(+-1/sqrt(fan_in)) init, or He-normal with ``he=True``."""

    def __init__(self, fan_in, fan_out, bias_value=None, he=False):
        super().__init__()
        g = mt.random.generator()
        if he:
            w = g.normal(0.0, np.sqrt(2.0 / fan_in), (fan_out, fan_in))
        else:
            bound = 1.0 / np.sqrt(fan_in)
            w = g.uniform(-bound, bound, (fan_out, fan_in))
        b = (
            np.full(fan_out, bias_value)
            if bias_value is not None
            else g.uniform(-0.1, 0.1, fan_out)
        )
        dtype = mt.get_default_dtype()
        self.weight = Parameter(mt.tensor(w.astype(dtype)))
        self.bias = Parameter(mt.tensor(b.astype(dtype)))

    def forward(self, x):
        return x @ self.weight.T + self.bias


class ReLU(Module):
    dies_at_zero = True  # what DeadUnitMonitor watches (declared, as the catalog's ReLU)

    def forward(self, x):
        return x.maximum(0.0)


class Sigmoid(Module):
    saturates_at = (0.0, 1.0)

    def forward(self, x):
        return 1.0 / (1.0 + (-x).exp())


class Tanh(Module):
    saturates_at = (-1.0, 1.0)

    def forward(self, x):
        return 2.0 / (1.0 + (-2.0 * x).exp()) - 1.0


class MSE(Loss):
    def forward(self, input, target):
        return self.reduce((input - target) ** 2)


class BCE(Loss):
    def forward(self, input, target):
        p = input.clamp(1e-7, 1 - 1e-7)
        return self.reduce(-(target * p.log() + (1.0 - target) * (1.0 - p).log()))


class CrossEntropy(Loss):
    """Softmax cross-entropy with integer class targets."""

    def forward(self, input, target):
        shifted = input - mt.tensor(input._data.max(axis=1, keepdims=True))
        log_probs = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
        onehot = np.eye(input.shape[1], dtype=input.dtype)[target._data.astype(np.int64)]
        return self.reduce(-(log_probs * mt.tensor(onehot)).sum(dim=1))


class SGD(Optimizer):
    def __init__(self, params, lr=0.1):
        super().__init__(params, dict(lr=lr))

    def _update(self, group, param, grad, state, step):
        param -= group["lr"] * grad


def mlp(sizes, activation=ReLU, out_activation=None, **dense_kwargs):
    """``Dense -> activation`` blocks with an optional output activation."""
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Dense(a, b, **dense_kwargs))
        if i < len(sizes) - 2:
            layers.append(activation())
    if out_activation is not None:
        layers.append(out_activation())
    return Sequential(*layers)


def blobs(n=64, seed=0):
    """Two well separated 2-D Gaussian blobs: float64 x (n, 2) and int64 labels (n,)."""
    g = np.random.default_rng(seed)
    y = np.arange(n) % 2
    x = g.normal(0.0, 0.5, (n, 2)) + np.where(y[:, None] == 1, 2.0, -2.0)
    return x, y.astype(np.int64)


# ------------------------------------------------------------------------------ tests of toys
def test_dense_and_activations_match_numpy():
    layer = Dense(3, 2)
    x = np.arange(6, dtype=np.float32).reshape(2, 3) / 6
    expected = x @ layer.weight._data.T + layer.bias._data
    np.testing.assert_allclose(layer(mt.tensor(x))._data, expected, rtol=1e-6)
    z = np.array([-2.0, 0.0, 3.0], dtype=np.float32)
    np.testing.assert_allclose(ReLU()(mt.tensor(z))._data, np.maximum(z, 0))
    np.testing.assert_allclose(Sigmoid()(mt.tensor(z))._data, 1 / (1 + np.exp(-z)), rtol=1e-6)
    np.testing.assert_allclose(Tanh()(mt.tensor(z))._data, np.tanh(z), rtol=1e-5, atol=1e-6)


def test_losses_match_numpy():
    p = np.array([[0.2], [0.9]], dtype=np.float32)
    t = np.array([[0.0], [1.0]], dtype=np.float32)
    expected = -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))
    assert np.isclose(BCE()(mt.tensor(p), mt.tensor(t)).item(), expected, rtol=1e-5)
    assert np.isclose(MSE()(mt.tensor(p), mt.tensor(t)).item(), np.mean((p - t) ** 2))
    logits = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]], dtype=np.float32)
    labels = np.array([1, 2])
    log_sm = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    expected = -np.mean(log_sm[np.arange(2), labels])
    assert np.isclose(
        CrossEntropy()(mt.tensor(logits), mt.tensor(labels)).item(), expected, rtol=1e-5
    )
