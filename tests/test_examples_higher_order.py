"""The higher-order examples (examples/newton_cg_regression.py, pinn_poisson.py,
wgan_gp_moons.py) run on small sizes and reach their results; their second derivatives are
checked against closed forms, finite differences and PyTorch."""

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest
from torch_parity import reference

import minitorch_es as mt
from minitorch_es.thesis import regression as thesis

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def example(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # the scripts run only under __main__
    return module


# ------------------------------------------------------------------------- Newton-CG
def test_one_newton_cg_step_reaches_the_least_squares_minimum():
    newton = example("newton_cg_regression")
    path = newton.newton_cg(steps=1)
    w, b, sse = thesis.least_squares()
    assert path[0, 2] > 70  # the annex's start
    np.testing.assert_allclose(path[-1], [w, b, sse], rtol=1e-10)
    np.testing.assert_allclose(sse, thesis.THESIS_MIN_LOSS, rtol=1e-12)


def test_the_hessian_vector_products_are_the_closed_form():
    # sse = |X theta - y|^2 has the Hessian 2 X^T X (X: the design matrix [x, 1]).
    newton = example("newton_cg_regression")
    loss_fn, params = newton.loss_and_params()
    grads = mt.autograd.grad(loss_fn(), params, create_graph=True)
    x, _ = thesis.scaled_data()
    design = np.hstack([x, np.ones_like(x)])
    hessian = 2 * design.T @ design
    v = [mt.tensor([[0.3]], dtype=mt.float64), mt.tensor([-1.2], dtype=mt.float64)]
    hv = mt.autograd.grad(grads, params, grad_outputs=v)
    np.testing.assert_allclose(
        np.concatenate([h.numpy().ravel() for h in hv]), hessian @ [0.3, -1.2], rtol=1e-12
    )


def test_conjugate_gradient_solves_a_system_given_only_products():
    newton = example("newton_cg_regression")
    a = np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 0.5], [0.0, 0.5, 2.0]])
    b = np.array([1.0, -2.0, 0.5])
    (p,) = newton.conjugate_gradient(lambda v: [mt.tensor(a) @ v[0]], [mt.tensor(b)], iterations=3)
    np.testing.assert_allclose(p.numpy(), np.linalg.solve(a, b), rtol=1e-12)


# ------------------------------------------------------------------------------ PINN
def test_pinn_second_derivative_matches_finite_differences():
    pinn = example("pinn_poisson")
    u = pinn.network(width=8)
    x = np.linspace(0.1, 0.9, 5)[:, None]
    _, d2u = pinn.second_derivative(u, mt.tensor(x))
    h = 1e-4

    def f(z):
        with mt.no_grad():
            return u(mt.tensor(z)).numpy()

    fd = (f(x + h) - 2 * f(x) + f(x - h)) / h**2
    np.testing.assert_allclose(d2u.detach().numpy(), fd, rtol=1e-5, atol=1e-6)


def test_pinn_solves_the_boundary_value_problem():
    pinn = example("pinn_poisson")
    u, losses = pinn.train(steps=600, points=32, width=16)
    assert losses[-1] < losses[0] / 1000
    assert pinn.max_error(u) < 1e-2  # max |u - sin(pi x)| on [0, 1]


# ---------------------------------------------------------------------------- WGAN-GP
def _critic_arrays(rng):
    shapes = [(6, 2), (6,), (6, 6), (6,), (1, 6), (1,)]
    return {f"p{i}": rng.standard_normal(s) * 0.7 for i, s in enumerate(shapes)}


def test_the_gradient_penalty_and_its_weight_gradient_match_pytorch():
    wgan = example("wgan_gp_moons")
    rng = np.random.default_rng(4)
    arrays = dict(_critic_arrays(rng), points=rng.standard_normal((5, 2)))

    def compute(torch, points, **ps):
        F = torch.nn.functional
        params = [torch.tensor(ps[f"p{i}"], requires_grad=True) for i in range(6)]
        x = torch.tensor(points, requires_grad=True)
        w1, b1, w2, b2, w3, b3 = params
        out = F.linear(F.silu(F.linear(F.silu(F.linear(x, w1, b1)), w2, b2)), w3, b3)
        (g,) = torch.autograd.grad(out.sum(), x, create_graph=True)
        penalty = ((((g * g).sum(1) + 1e-12).sqrt() - 1) ** 2).mean()
        grads = torch.autograd.grad(penalty, params, allow_unused=True)  # b3: no effect
        return {"penalty": penalty, "grads": [torch.zeros(1) if g is None else g for g in grads]}

    ref = reference("examples/wgan_gradient_penalty", compute, **arrays)
    mt.set_default_dtype(mt.float64)
    critic = wgan.mlp(2, 1, 6)
    with mt.no_grad():
        for p, i in zip(critic.parameters(), range(6)):
            p.copy_(mt.tensor(arrays[f"p{i}"]))
    penalty = wgan.penalty_at(critic, mt.tensor(arrays["points"]))
    grads = mt.autograd.grad(penalty, list(critic.parameters()), materialize_grads=True)
    np.testing.assert_allclose(penalty.item(), ref["penalty"], rtol=1e-12)
    for g, r in zip(grads, ref["grads"]):
        np.testing.assert_allclose(g.numpy(), r, rtol=1e-9, atol=1e-12)


def test_wgan_gp_moves_the_generated_points_onto_the_moons():
    wgan = example("wgan_gp_moons")
    _, _, distances, pictures = wgan.train(steps=40, width=64, batch=64, snapshots=(0, 40))
    assert set(pictures) == {0, 40} and pictures[40].shape == (500, 2)
    first, last = distances[0, 1], distances[-1, 1]
    assert last < 0.5 * first, distances  # 1.31 -> 0.46


@pytest.mark.parametrize("n", [1, 4])
def test_chamfer_distance_is_the_symmetric_nearest_point_mean(n):
    wgan = example("wgan_gp_moons")
    a = np.zeros((n, 2))
    b = np.array([[3.0, 4.0], [0.0, 1.0]])
    assert math.isclose(wgan.chamfer(a, b), 1.0 + (5.0 + 1.0) / 2)
