"""Beyond the thesis: Newton's method on the thesis's regression (4.1), one Hessian-vector
product at a time.

Gradient descent needs 1500 epochs to come near the least-squares line (and stops at a loss of
1.5547 against the minimum's 1.5534). Newton's method jumps to the minimum of the local
quadratic model: it solves ``H p = -g`` for the step ``p``. The Hessian ``H`` is never built:
conjugate gradients (CG) only need products ``H v``, and autograd gives them by differentiating
the gradient again: ``g = grad(loss, params, create_graph=True)``, then ``H v = grad(g, params,
grad_outputs=v)``. The regression's loss is quadratic, so one Newton step (two CG iterations,
one per parameter) lands on the least-squares minimum that ``minitorch-es thesis regression``
reports.

Run: python examples/newton_cg_regression.py [OUT.png]
"""

from __future__ import annotations

import sys

import numpy as np

import minitorch_es as mt
from minitorch_es.thesis import regression as thesis


def loss_and_params():
    """The thesis's loss ``sum((y_hat - y)^2)`` of Linear(1, 1) (float64), started from the
    annex's weights, and its parameters ``[weight, bias]``."""
    x, y = (mt.tensor(a) for a in thesis.scaled_data())
    model = mt.nn.Linear(1, 1, dtype=mt.float64)
    bias, weight = thesis.thesis_initial_weights()
    with mt.no_grad():
        model.weight.fill_(weight)
        model.bias.fill_(bias)
    return (lambda: thesis.sum_squared_errors(model(x), y)), [model.weight, model.bias]


def conjugate_gradient(hessian_times, b: list, iterations: int, tol: float = 1e-12) -> list:
    """Solve ``H p = b`` for ``p`` with conjugate gradients, ``H`` known only through
    ``hessian_times(v)`` (lists of Tensors, one per parameter)."""
    p = [mt.zeros_like(t) for t in b]
    r = [t.clone() for t in b]  # the residual b - H p
    d = [t.clone() for t in r]
    rr = sum((t * t).sum() for t in r)
    for _ in range(iterations):
        hd = hessian_times(d)
        alpha = rr / sum((a * h).sum() for a, h in zip(d, hd))
        p = [a + alpha * c for a, c in zip(p, d)]
        r = [a - alpha * h for a, h in zip(r, hd)]
        rr_new = sum((t * t).sum() for t in r)
        if rr_new.item() < tol:
            break
        d = [a + (rr_new / rr) * c for a, c in zip(r, d)]
        rr = rr_new
    return p


def hessian_vector_product(grads: tuple, params: list):
    """``v -> H v`` for the gradient ``grads`` (taken with ``create_graph=True``): the
    gradient of ``grads . v`` with respect to the parameters."""

    def hessian_times(v: list) -> list:
        return list(mt.autograd.grad(grads, params, grad_outputs=v, retain_graph=True))

    return hessian_times


def newton_cg(steps: int = 2, cg_iterations: int = 2) -> np.ndarray:
    """Newton steps on the regression; returns the path ``(weight, bias, sse)`` per step."""
    loss_fn, params = loss_and_params()
    path = []
    for _ in range(steps):
        loss = loss_fn()
        path.append([params[0].item(), params[1].item(), loss.item()])
        # The gradient as part of the graph, so that it can be differentiated again.
        grads = mt.autograd.grad(loss, params, create_graph=True)
        hessian_times = hessian_vector_product(grads, params)
        step = conjugate_gradient(hessian_times, [-g.detach() for g in grads], cg_iterations)
        with mt.no_grad():
            for p, s in zip(params, step):
                p += s
    with mt.no_grad():
        path.append([params[0].item(), params[1].item(), loss_fn().item()])
    return np.array(path)


def figure(newton: np.ndarray, descent: np.ndarray, minimum: tuple, out_png: str) -> None:
    """The loss contours with the gradient-descent and the Newton paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    W, B, L = thesis.loss_grid(np.linspace(-1, 4, 200), np.linspace(-5, 3, 200))
    fig, ax = plt.subplots(figsize=(6, 5))
    ax.contour(W, B, L, levels=np.geomspace(L.min(), L.max(), 30), cmap="viridis", linewidths=0.8)
    ax.plot(descent[:, 0], descent[:, 1], "k.-", markersize=2, linewidth=0.8,
            label=f"gradient descent ({len(descent) - 1} epochs)")  # fmt: skip
    ax.plot(newton[:, 0], newton[:, 1], "r*-", markersize=10, label="Newton-CG steps")
    ax.plot(*minimum, "gX", markersize=12, label="least squares")
    ax.set(xlabel="weight", ylabel="bias", title="Thesis regression: Newton-CG vs gradient descent")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out_png, dpi=80)


if __name__ == "__main__":
    out_png = sys.argv[1] if len(sys.argv) > 1 else "newton_cg_regression.png"
    path = newton_cg()
    ls_w, ls_b, ls_sse = thesis.least_squares()
    for i, (w, b, sse) in enumerate(path):
        print(f"Newton step {i}: weight {w:.6f}  bias {b:+.6f}  sum of squares {sse:.10f}")
    print(f"least squares:  weight {ls_w:.6f}  bias {ls_b:+.6f}  sum of squares {ls_sse:.10f}")
    _, descent = thesis.train()
    print(f"gradient descent, 1500 epochs: sum of squares {descent[-1, 2]:.10f}")
    figure(path, descent, (ls_w, ls_b), out_png)
    print(f"figure: {out_png}")
