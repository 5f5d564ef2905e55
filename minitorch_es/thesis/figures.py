"""Thesis 3.6: the activation functions with their derivatives (Figs. 42, 44-48), and the
vanishing-gradient demonstration (Fig. 43, in `vanishing`).

The derivatives are not written by hand: they come from the framework's autograd
(``y.sum().backward()`` leaves ``dy/dx`` in ``x.grad``) and are checked against the closed
forms the thesis gives.
"""

from __future__ import annotations

import time

import numpy as np

import minitorch_es as mt

from . import plotting, vanishing
from .result import Result, Row

TITLE = "3.6 Activations"
LEAKY_SLOPE = 0.1  # a visible alpha for the plot (PyTorch's default is 0.01)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


# name -> (framework function, closed-form derivative, thesis figure)
ACTIVATIONS = {
    "sigmoid": (
        lambda t: mt.nn.functional.sigmoid(t),
        lambda x: _sigmoid(x) * (1 - _sigmoid(x)),
        "Figs. 42, 44",
    ),
    "tanh": (lambda t: mt.nn.functional.tanh(t), lambda x: 1 - np.tanh(x) ** 2, "Fig. 45"),
    "relu": (lambda t: mt.nn.functional.relu(t), lambda x: (x > 0).astype(float), "Fig. 46"),
    "leaky_relu": (
        lambda t: mt.nn.functional.leaky_relu(t, LEAKY_SLOPE),
        lambda x: np.where(x > 0, 1.0, LEAKY_SLOPE),
        "Fig. 47",
    ),
}
# Raw scores whose softmax is the thesis's example of Fig. 48: 70%, 25%, 5%.
SOFTMAX_SCORES = np.log([0.70, 0.25, 0.05]) + 2.0


def value_and_derivative(fn, x: np.ndarray):
    """``(f(x), f'(x))`` elementwise, the derivative by autograd (float64)."""
    t = mt.tensor(x, dtype=mt.float64, requires_grad=True)
    y = fn(t)
    y.sum().backward()
    return y._data.copy(), t.grad._data.copy()


def activation_curves(x: np.ndarray) -> dict:
    """``{name: (values, autograd derivative, closed-form derivative)}``."""
    out = {}
    for name, (fn, closed, _) in ACTIVATIONS.items():
        values, grad = value_and_derivative(fn, x)
        out[name] = (values, grad, closed(x))
    return out


def run(config) -> Result:
    """Activation plots and the vanishing-gradient demonstration."""
    start = time.perf_counter()
    # Avoid x == 0 exactly, where ReLU's derivative is a convention (0 in PyTorch).
    x = np.linspace(-6, 6, 1200)
    curves = activation_curves(x)
    worst = max(float(np.max(np.abs(g - c))) for _, g, c in curves.values())
    sig_grad = curves["sigmoid"][1]
    probs = mt.nn.functional.softmax(mt.tensor(SOFTMAX_SCORES), dim=0).numpy()
    result = Result(
        "figures",
        "3.6 Activation functions and vanishing gradients",
        data={"x": x, "curves": curves, "softmax": probs},
    )
    result.rows += [
        Row(
            TITLE,
            "largest sigmoid derivative (autograd)",
            "0.25 (Fig. 42)",
            f"{sig_grad.max():.4f} at x = {x[np.argmax(sig_grad)]:+.3f}",
        ),
        Row(
            TITLE,
            "autograd vs closed-form derivatives, max |diff|",
            "(formulas of 3.6)",
            f"{worst:.1e} (sigmoid, tanh, ReLU, leaky ReLU)",
        ),
        Row(
            TITLE,
            "softmax of the raw scores of Fig. 48",
            "70% / 25% / 5%",
            " / ".join(f"{100 * p:.0f}%" for p in probs),
        ),
    ]
    plotting.add(
        result,
        activation_figure(x, curves, probs),
        config.out_dir,
        "activations.png",
        "Figs. 42, 44-48: activation functions (solid) and their "
        "derivatives by autograd (dashed); softmax of three raw scores",
    )
    vanishing.run(config, result)
    result.seconds = time.perf_counter() - start
    return result


def activation_figure(x, curves: dict, probs):
    """Sigmoid, tanh, ReLU, leaky ReLU with derivatives; softmax bars; 0.25 ** n."""
    fig = plotting.new_figure(13, 7.5)
    if fig is None:
        return None
    axes = fig.subplots(2, 3).ravel()
    titles = {
        "sigmoid": "sigmoid 1 / (1 + e^-x)",
        "tanh": "tanh (1 - e^-2x) / (1 + e^-2x)",
        "relu": "ReLU max(0, x)",
        "leaky_relu": f"leaky ReLU (alpha = {LEAKY_SLOPE})",
    }
    for ax, (name, (values, grad, _)) in zip(axes, curves.items()):
        ax.plot(x, values, label="f(x)")
        ax.plot(x, grad, "--", label="f'(x) (autograd)")
        ax.axhline(0, color="gray", linewidth=0.5)
        ax.axvline(0, color="gray", linewidth=0.5)
        ax.set_title(f"{titles[name]} - {ACTIVATIONS[name][2]}", fontsize=10)
        ax.legend(fontsize=8)
    axes[0].axhline(0.25, color="C1", linestyle=":", linewidth=0.8)
    ax = axes[4]
    ax.bar(["class 1", "class 2", "class 3"], probs, color=["C0", "C1", "C2"])
    for i, (score, p) in enumerate(zip(SOFTMAX_SCORES, probs)):
        ax.text(i, p + 0.02, f"raw {score:.2f}\n{100 * p:.0f}%", ha="center", fontsize=8)
    ax.set_ylim(0, 1)
    ax.set_title("softmax - Fig. 48", fontsize=10)
    ax = axes[5]
    layers = np.arange(1, 16)
    ax.semilogy(layers, 0.25**layers, "o-")
    ax.set_title("largest product of n sigmoid derivatives: 0.25^n", fontsize=10)
    ax.set_xlabel("n layers")
    return fig
