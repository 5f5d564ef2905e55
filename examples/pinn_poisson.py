"""Beyond the thesis: a physics-informed neural network (PINN) solves a differential equation.

The problem: ``u''(x) = -pi^2 sin(pi x)`` on [0, 1] with ``u(0) = u(1) = 0``, whose solution is
``u(x) = sin(pi x)``. No solution values are given to the network: its loss is the equation
itself, the mean squared residual ``u''(x) + pi^2 sin(pi x)`` at collocation points, plus the
squared boundary values. ``u''`` is the derivative of the network's derivative with respect to
its input, so both ``autograd.grad`` calls keep their graph (``create_graph=True``), and the
optimizer then differentiates the residual with respect to the weights (a third derivative of
tanh).

Run: python examples/pinn_poisson.py [STEPS] [OUT.png]   (the default 1500 steps take a few
seconds and reach a max error of about 2e-4; 600 steps already reach 4e-3)
"""

from __future__ import annotations

import math
import sys

import numpy as np

import minitorch_es as mt


def network(width: int = 24) -> mt.nn.Module:
    """x -> u(x): two tanh hidden layers (smooth: u'' exists everywhere), float64."""
    mt.manual_seed(0)
    return mt.nn.Sequential(
        mt.nn.Linear(1, width, dtype=mt.float64),
        mt.nn.Tanh(),
        mt.nn.Linear(width, width, dtype=mt.float64),
        mt.nn.Tanh(),
        mt.nn.Linear(width, 1, dtype=mt.float64),
    )


def second_derivative(u: mt.nn.Module, x: mt.Tensor) -> tuple[mt.Tensor, mt.Tensor]:
    """``(u(x), u''(x))`` at the points ``x`` (N, 1); u'' stays differentiable."""
    x = x.detach().requires_grad_(True)
    values = u(x)
    # Each u(x_i) depends on x_i only, so the gradient of the sum is u'(x_i) at every point.
    (du,) = mt.autograd.grad(values.sum(), x, create_graph=True)
    (d2u,) = mt.autograd.grad(du.sum(), x, create_graph=True)
    return values, d2u


def pde_loss(u: mt.nn.Module, x: mt.Tensor) -> mt.Tensor:
    """Mean squared residual of u'' = -pi^2 sin(pi x) plus the boundary conditions."""
    _, d2u = second_derivative(u, x)
    forcing = mt.tensor(-(math.pi**2) * np.sin(math.pi * x.numpy()))
    residual = d2u - forcing
    boundary = u(mt.tensor([[0.0], [1.0]], dtype=mt.float64))
    return (residual * residual).mean() + (boundary * boundary).mean()


def train(steps: int = 1500, points: int = 64, lr: float = 3e-3, width: int = 24):
    """Adam on the PDE loss at ``points`` collocation points (a new random draw each step,
    plus both ends); the learning rate decays tenfold over the run. Returns ``(u, losses)``."""
    u = network(width)
    optimizer = mt.optim.Adam(u.parameters(), lr=lr)
    scheduler = mt.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.1 ** (1 / steps))
    rng = np.random.default_rng(0)
    losses = []
    for _ in range(steps):
        x = mt.tensor(np.concatenate([[0.0, 1.0], rng.random(points - 2)])[:, None])
        loss = pde_loss(u, x)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        losses.append(loss.item())
    return u, np.array(losses)


def max_error(u: mt.nn.Module, n: int = 1001) -> float:
    """``max |u(x) - sin(pi x)|`` on a fine grid of [0, 1]."""
    x = np.linspace(0, 1, n)[:, None]
    with mt.no_grad():
        pred = u(mt.tensor(x)).numpy()
    return float(np.abs(pred - np.sin(math.pi * x)).max())


def figure(u: mt.nn.Module, losses: np.ndarray, out_png: str) -> None:
    """The solution and u'' against the exact ones, and the loss curve."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = mt.tensor(np.linspace(0, 1, 201)[:, None])
    values, d2u = second_derivative(u, x)
    xs = x.numpy().ravel()
    fig, (a1, a2, a3) = plt.subplots(1, 3, figsize=(13, 3.8))
    a1.plot(xs, np.sin(math.pi * xs), "k", lw=3, alpha=0.3, label="sin(pi x)")
    a1.plot(xs, values.detach().numpy().ravel(), "C3--", label="network u(x)")
    a1.set(xlabel="x", title=f"Solution (max error {max_error(u):.1e})")
    a1.legend()
    a2.plot(xs, -(math.pi**2) * np.sin(math.pi * xs), "k", lw=3, alpha=0.3, label="-pi^2 sin(pi x)")
    a2.plot(xs, d2u.detach().numpy().ravel(), "C0--", label="u''(x) by autograd")
    a2.set(xlabel="x", title="Second derivative")
    a2.legend()
    a3.semilogy(losses)
    a3.set(xlabel="step", ylabel="PDE loss", title="Training")
    fig.tight_layout()
    fig.savefig(out_png, dpi=100)


if __name__ == "__main__":
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 1500
    out_png = sys.argv[2] if len(sys.argv) > 2 else "pinn_poisson.png"
    u, losses = train(steps)
    print(f"{steps} steps: PDE loss {losses[-1]:.2e}, max |u - sin(pi x)| = {max_error(u):.2e}")
    figure(u, losses, out_png)
    print(f"figure: {out_png}")
