"""Thesis 3.6: activation functions and their derivatives, the derivatives computed by autograd.

``y.sum().backward()`` leaves dy/dx in ``x.grad`` for every point at once, because each output
depends only on its own input. Run: python examples/activations.py
(writes activations.png with matplotlib; the same figure: minitorch-es thesis figures)
"""

import numpy as np

import minitorch_es as mt
import minitorch_es.nn.functional as F

x = mt.linspace(-6, 6, 1201, dtype=mt.float64, requires_grad=True)
functions = {
    "sigmoid": F.sigmoid,
    "tanh": F.tanh,
    "relu": F.relu,
    "leaky_relu": lambda t: F.leaky_relu(t, 0.1),
}
for name, f in functions.items():
    x.grad = None
    y = f(x)
    y.sum().backward()
    print(
        f"{name:10s} f ranges over [{y.data.min():+.3f}, {y.data.max():+.3f}], "
        f"f' over [{x.grad.min():.3f}, {x.grad.max():.3f}]"
    )

# The sigmoid's derivative is at most 0.25 (Fig. 42): ten sigmoid layers multiply the gradient
# by at most 0.25 ** 10, about one millionth - the vanishing gradient (Fig. 43).
print(f"0.25 ** 10 = {0.25**10:.1e}")

# Softmax (Fig. 48): raw scores -> probabilities that add up to 1.
scores = mt.tensor(np.log([0.70, 0.25, 0.05]) + 2.0)
print("softmax", scores.numpy().round(2), "->", F.softmax(scores, dim=0).numpy().round(2))

from minitorch_es.thesis.figures import activation_curves, activation_figure  # noqa: E402

points = np.linspace(-6, 6, 1200)
fig = activation_figure(points, activation_curves(points), F.softmax(scores, dim=0).numpy())
if fig is None:
    print("plots need the `plot` extra: pip install minitorch-es[plot]")
else:
    fig.savefig("activations.png")
    print("saved activations.png")
