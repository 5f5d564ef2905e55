"""RAdam: 25-step trajectories and states against torch.optim.RAdam (recorded), every option,
param groups, state dict round trip, config round trip, errors."""

import numpy as np
import pytest
from torch_parity import reference

import minitorch_es as mt

STEPS = 25  # the rectified update starts at step 6 with the default betas

OPTIONS = {
    "default": {},
    "l2": {"weight_decay": 0.1, "lr": 0.01},
    "decoupled": {"weight_decay": 0.1, "decoupled_weight_decay": True, "lr": 0.01},
    "maximize": {"maximize": True, "lr": 0.01, "betas": (0.8, 0.9), "eps": 1e-6},
    "short_warmup": {"betas": (0.5, 0.9), "foreach": True},
}


def problem(seed=0):
    rng = np.random.default_rng(seed)
    return {
        "w": rng.standard_normal((3, 4)),
        "b": rng.standard_normal(3),
        "x": rng.standard_normal((10, 4)),
        "y": rng.standard_normal((10, 3)),
    }


def run(lib, make, arrays, steps=STEPS, groups=False):
    """Train a linear model with ``make(params)`` and record every step's parameters."""
    w = lib.tensor(arrays["w"], requires_grad=True)
    b = lib.tensor(arrays["b"], requires_grad=True)
    params = [{"params": [w]}, {"params": [b], "lr": 0.05}] if groups else [w, b]
    opt = make(params)
    x, y = lib.tensor(arrays["x"]), lib.tensor(arrays["y"])
    sign = -1 if opt.param_groups[0].get("maximize") else 1
    trajectory = []
    for _ in range(steps):
        opt.zero_grad()
        loss = sign * ((x @ w.T + b - y) ** 2).mean()
        loss.backward()
        opt.step()
        trajectory.append(np.concatenate([_np(w).ravel(), _np(b).ravel()]))
    state = opt.state[w]
    return opt, {
        "trajectory": np.stack(trajectory),
        "exp_avg": _np(state["exp_avg"]),
        "exp_avg_sq": _np(state["exp_avg_sq"]),
        "step": float(state["step"]),
    }


def _np(t):
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_radam_matches_pytorch(name):
    options, arrays = OPTIONS[name], problem()
    ref = reference(
        f"optim/radam/{name}",
        lambda torch, **a: run(torch, lambda p: torch.optim.RAdam(p, **options), a)[1],
        **arrays,
    )
    _, mine = run(mt, lambda p: mt.optim.RAdam(p, **options), arrays)
    for key in ("trajectory", "exp_avg", "exp_avg_sq", "step"):
        np.testing.assert_allclose(mine[key], ref[key], rtol=1e-10, atol=1e-12, err_msg=key)


def test_radam_param_groups_and_float32_match_pytorch():
    arrays = {k: v.astype(np.float32) for k, v in problem(1).items()}
    ref = reference(
        "optim/radam/groups_float32",
        lambda torch, **a: run(torch, lambda p: torch.optim.RAdam(p, lr=0.01), a, groups=True)[1],
        **arrays,
    )
    _, mine = run(mt, lambda p: mt.optim.RAdam(p, lr=0.01), arrays, groups=True)
    assert mine["trajectory"].dtype == np.float32
    np.testing.assert_allclose(mine["trajectory"], ref["trajectory"], rtol=1e-5, atol=1e-6)


def test_state_dict_resumes_exactly():
    arrays = problem(2)
    make = lambda p: mt.optim.RAdam(p, lr=0.02, weight_decay=0.01)  # noqa: E731
    _, straight = run(mt, make, arrays, steps=12)
    opt, first = run(mt, make, arrays, steps=7)
    saved = opt.state_dict()
    w = mt.tensor(first["trajectory"][-1][:12].reshape(3, 4), requires_grad=True)
    b = mt.tensor(first["trajectory"][-1][12:], requires_grad=True)
    again = make([w, b])
    again.load_state_dict(saved)
    x, y = mt.tensor(arrays["x"]), mt.tensor(arrays["y"])
    for _ in range(5):
        again.zero_grad()
        ((x @ w.T + b - y) ** 2).mean().backward()
        again.step()
    np.testing.assert_array_equal(
        np.concatenate([_np(w).ravel(), _np(b)]), straight["trajectory"][-1]
    )


def test_config_round_trip_and_registry():
    w = mt.nn.Parameter(mt.zeros(2))
    opt = mt.optim.RAdam(
        [w], lr=0.01, betas=(0.8, 0.99), decoupled_weight_decay=True, foreach=False
    )
    config = {"name": "radam", "config": opt.get_config()}
    again = mt.registry.create("optimizer", config, params=[w])
    assert type(again) is mt.optim.RAdam
    group = again.param_groups[0]
    assert (group["lr"], group["betas"], group["decoupled_weight_decay"]) == (
        0.01,
        (0.8, 0.99),
        True,
    )
    assert group["foreach"] is False and group["maximize"] is False


@pytest.mark.parametrize(
    "options,message",
    [
        ({"lr": -1.0}, "Invalid learning rate"),
        ({"eps": -1e-8}, "Invalid epsilon value"),
        ({"weight_decay": -0.1}, "Invalid weight_decay value"),
        ({"betas": (1.0, 0.9)}, "Invalid beta parameter at index 0"),
        ({"betas": (0.9,)}, "expects a pair"),
    ],
)
def test_radam_errors(options, message):
    with pytest.raises(ValueError, match=message):
        mt.optim.RAdam([mt.nn.Parameter(mt.zeros(2))], **options)
