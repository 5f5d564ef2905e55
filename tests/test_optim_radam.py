"""RAdam: 25-step trajectories and states against torch.optim.RAdam (recorded), every option,
param groups, state dict round trip, config round trip, errors."""

import numpy as np
import pytest
from optim_trajectories import as_array, problem, run
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


KEYS = ("exp_avg", "exp_avg_sq", "step")


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_radam_matches_pytorch(name):
    options, arrays = OPTIONS[name], problem()
    ref = reference(
        f"optim/radam/{name}",
        lambda torch, **a: run(torch, lambda p: torch.optim.RAdam(p, **options), a, STEPS, KEYS)[3],
        **arrays,
    )
    mine = run(mt, lambda p: mt.optim.RAdam(p, **options), arrays, STEPS, KEYS)[3]
    for key in ("trajectory", *KEYS):
        np.testing.assert_allclose(mine[key], ref[key], rtol=1e-10, atol=1e-12, err_msg=key)


def test_radam_param_groups_and_float32_match_pytorch():
    arrays = problem(1, np.float32)
    ref = reference(
        "optim/radam/groups_float32",
        lambda torch, **a: run(
            torch, lambda p: torch.optim.RAdam(p, lr=0.01), a, STEPS, groups=True
        )[3],
        **arrays,
    )
    mine = run(mt, lambda p: mt.optim.RAdam(p, lr=0.01), arrays, STEPS, groups=True)[3]
    assert mine["trajectory"].dtype == np.float32
    np.testing.assert_allclose(mine["trajectory"], ref["trajectory"], rtol=1e-5, atol=1e-6)


def test_state_dict_resumes_exactly():
    arrays = problem(2)
    make = lambda p: mt.optim.RAdam(p, lr=0.02, weight_decay=0.01)  # noqa: E731
    straight = run(mt, make, arrays, 12)[3]
    opt, _, _, first = run(mt, make, arrays, 7)
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
        np.concatenate([as_array(w).ravel(), as_array(b)]), straight["trajectory"][-1]
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
