"""ASGD and Rprop: 25-step trajectories and states against torch.optim (recorded), their
options, float32, exact resume, configs, errors."""

import numpy as np
import pytest
from optim_trajectories import problem, run
from torch_parity import reference

import minitorch_es as mt

STEPS = 25
CASES = {
    "asgd_default": ("ASGD", {}, ("ax", "eta", "mu")),
    "asgd_averaging": (
        "ASGD",
        {"lr": 0.05, "lambd": 0.01, "t0": 5, "weight_decay": 0.1},
        ("ax", "eta", "mu"),
    ),
    "asgd_maximize": ("ASGD", {"maximize": True, "t0": 3, "alpha": 0.5}, ("ax", "eta", "mu")),
    "rprop_default": ("Rprop", {}, ("prev", "step_size")),
    "rprop_bounds": (
        "Rprop",
        {"lr": 0.1, "etas": (0.3, 1.5), "step_sizes": (0.01, 0.2), "foreach": False},
        ("prev", "step_size"),
    ),
    "rprop_maximize": ("Rprop", {"maximize": True}, ("prev", "step_size")),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_matches_pytorch(case, dtype):
    name, options, keys = CASES[case]
    arrays = problem(2, dtype)
    ref = reference(
        f"optim/{case}_{np.dtype(dtype).name}",
        lambda torch, **a: run(
            torch, lambda p: getattr(torch.optim, name)(p, **options), a, STEPS, keys
        )[3],
        **arrays,
    )
    mine = run(mt, lambda p: getattr(mt.optim, name)(p, **options), arrays, STEPS, keys)[3]
    assert mine["trajectory"].dtype == dtype
    tol = 1e-12 if dtype == np.float64 else 1e-6
    for key in ("trajectory", *keys):
        np.testing.assert_allclose(mine[key], ref[key], rtol=tol, atol=tol, err_msg=key)


@pytest.mark.parametrize("name", ["ASGD", "Rprop"])
def test_state_dict_resumes_exactly_and_config_round_trips(name):
    make = lambda p: getattr(mt.optim, name)(p, lr=0.02)  # noqa: E731
    arrays = problem(3)
    straight = run(mt, make, arrays, 10)[3]
    opt, w, b, _ = run(mt, make, arrays, 6)
    again = make([w, b])
    again.load_state_dict(opt.state_dict())
    x, y = mt.tensor(arrays["x"]), mt.tensor(arrays["y"])
    for _ in range(4):
        again.zero_grad()
        ((x @ w.T + b - y) ** 2).mean().backward()
        again.step()
    got = np.concatenate([w.numpy(force=True).ravel(), b.numpy(force=True)])
    np.testing.assert_array_equal(got, straight["trajectory"][-1])
    config = {"name": name.lower(), "config": opt.get_config()}
    assert mt.registry.create("optimizer", config, params=[w, b]).get_config() == opt.get_config()


P = [mt.nn.Parameter(mt.zeros(2))]
ERRORS = [
    (lambda: mt.optim.ASGD(P, lr=-0.1), "Invalid learning rate"),
    (lambda: mt.optim.ASGD(P, weight_decay=-1), "Invalid weight_decay value"),
    (lambda: mt.optim.Rprop(P, etas=(1.2, 0.5)), "Invalid eta values: (1.2, 0.5)"),
    (lambda: mt.optim.Rprop(P, etas=(0.5,)), "Invalid eta values"),
    (lambda: mt.optim.Rprop(P, step_sizes=(1.0, 0.1)), "Invalid step_sizes: (1.0, 0.1)"),
    (lambda: mt.optim.Rprop(P, lr=-1), "Invalid learning rate"),
]


@pytest.mark.parametrize("call,message", ERRORS)
def test_errors(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert message in str(info.value)
