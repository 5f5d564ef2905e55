"""LBFGS: 20-step trajectories on the Rosenbrock function against torch.optim.LBFGS (recorded),
with and without the strong-Wolfe line search, short histories, the evaluation counts, early
exits, state dict round trips (through a checkpoint file too), the cubic step, errors."""

import numpy as np
import pytest
from torch_parity import reference

import minitorch_es as mt
from minitorch_es_plugins.optim_line_search import cubic_minimum

STEPS = 20
START = np.array([-1.2, 1.0, -0.5, 0.8, 1.5])
OPTIONS = {
    "fixed_step": {"max_iter": 3, "lr": 0.1},
    "strong_wolfe": {"line_search_fn": "strong_wolfe", "max_iter": 3},
    "short_history": {"history_size": 2, "max_iter": 4, "lr": 0.05},
    "wolfe_short_history": {"line_search_fn": "strong_wolfe", "history_size": 2, "max_iter": 2},
    "max_eval": {"line_search_fn": "strong_wolfe", "max_iter": 10, "max_eval": 6},
}


def rosenbrock(x):
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()


def run(lib, make, start, steps=STEPS, opt=None, x=None):
    x = lib.tensor(start, requires_grad=True) if x is None else x
    opt = make([x]) if opt is None else opt

    def closure():
        opt.zero_grad()
        loss = rosenbrock(x)
        loss.backward()
        return loss

    trajectory, losses = [], []
    for _ in range(steps):
        losses.append(float(opt.step(closure)))
        trajectory.append(x.detach().numpy().copy())
    state = opt.state[x]
    return (
        opt,
        x,
        {
            "trajectory": np.stack(trajectory),
            "losses": np.array(losses),
            "counts": np.array([state["func_evals"], state["n_iter"]]),
        },
    )


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_lbfgs_matches_pytorch(name):
    options = OPTIONS[name]
    ref = reference(
        f"optim/lbfgs/{name}",
        lambda torch, start: run(torch, lambda p: torch.optim.LBFGS(p, **options), start)[2],
        start=START,
    )
    _, _, mine = run(mt, lambda p: mt.optim.LBFGS(p, **options), START)
    np.testing.assert_allclose(mine["trajectory"], ref["trajectory"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(mine["losses"], ref["losses"], rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(mine["counts"], ref["counts"])


def test_float32_matches_pytorch():
    start = START.astype(np.float32)
    ref = reference(
        "optim/lbfgs/float32",
        lambda torch, start: run(torch, lambda p: torch.optim.LBFGS(p, max_iter=3, lr=0.1), start)[
            2
        ],
        start=start,
    )
    _, x, mine = run(mt, lambda p: mt.optim.LBFGS(p, max_iter=3, lr=0.1), start)
    assert x.dtype == mt.float32
    np.testing.assert_allclose(mine["trajectory"], ref["trajectory"], rtol=1e-5, atol=1e-5)


def test_it_reaches_the_minimum_and_stops_when_converged():
    opt, x, _ = run(mt, lambda p: mt.optim.LBFGS(p, line_search_fn="strong_wolfe"), START, 10)
    np.testing.assert_allclose(x.detach().numpy(), np.ones(5), atol=1e-4)  # |f - f*| < 1e-9
    with mt.no_grad():
        x.fill_(1.0)  # the minimum: a zero gradient, so one evaluation and no iteration
    counts = (opt.state[x]["func_evals"], opt.state[x]["n_iter"])
    run(mt, None, START, steps=1, opt=opt, x=x)
    assert (opt.state[x]["func_evals"], opt.state[x]["n_iter"]) == (counts[0] + 1, counts[1])


def test_state_dict_resumes_exactly_also_through_a_checkpoint(tmp_path):
    make = lambda p: mt.optim.LBFGS(p, line_search_fn="strong_wolfe", history_size=3)  # noqa: E731
    _, _, straight = run(mt, make, START, steps=6)
    model = mt.nn.Module()
    model.x = mt.nn.Parameter(mt.tensor(START))
    opt, _, _ = run(mt, make, None, steps=3, x=model.x)
    saved = opt.state_dict()
    assert len(saved["state"][0]["old_dirs"]) == 3 and saved["param_groups"][0]["history_size"] == 3
    mt.save_checkpoint(tmp_path / "run.h5", model=model, optimizer=opt)
    fresh = mt.nn.Module()
    fresh.x = mt.nn.Parameter(mt.zeros(5, dtype=mt.float64))
    again = make(fresh.parameters())
    mt.load_checkpoint(tmp_path / "run.h5", model=fresh, optimizer=again)
    _, _, rest = run(mt, None, None, steps=3, opt=again, x=fresh.x)
    np.testing.assert_array_equal(rest["trajectory"], straight["trajectory"][3:])


def test_state_is_the_first_parameters():
    a, b = mt.nn.Parameter(mt.ones(2)), mt.nn.Parameter(mt.ones(1))
    opt = mt.optim.LBFGS([a, b])
    assert opt.state == {}

    def closure():
        opt.zero_grad()
        loss = (a * a).sum() + (b * 3).sum()
        loss.backward()
        return loss

    opt.step(closure)
    assert list(opt.state) == [a] and opt.state[a]["n_iter"] >= 1
    assert list(opt.state_dict(model_names := {"a": a, "b": b})["state"]) == ["a"]
    assert model_names  # the names were used as keys


def test_cubic_minimum():
    # f(x) = (x - 1)^2 sampled at 0 and 3: the cubic through it is the parabola, minimum at 1
    assert cubic_minimum(0.0, 1.0, -2.0, 3.0, 4.0, 4.0) == pytest.approx(1.0)
    assert cubic_minimum(3.0, 4.0, 4.0, 0.0, 1.0, -2.0) == pytest.approx(1.0)
    # no minimum (the cubic is monotonic): the middle of the bounds
    assert cubic_minimum(0.0, 0.0, 2.0, 1.0, 4 / 3, 2.0, bounds=(0.2, 0.6)) == pytest.approx(0.4)


def test_fit_cannot_drive_lbfgs_and_says_so():
    model = mt.nn.Linear(2, 1)
    trainer = mt.Trainer(model, optimizer=mt.optim.LBFGS(model.parameters()), loss="mse")
    x, y = np.ones((4, 2), np.float32), np.ones((4, 1), np.float32)
    with pytest.raises(TypeError, match="LBFGS.step needs a closure"):
        trainer.fit(x, y, epochs=1, verbose=0)


P = mt.nn.Parameter
ERRORS = [
    (
        lambda: mt.optim.LBFGS([{"params": [P(mt.ones(1))]}, {"params": [P(mt.ones(1))]}]),
        ValueError,
        "parameter groups",
    ),
    (
        lambda: mt.optim.LBFGS([P(mt.ones(1)), P(mt.ones(1, dtype=mt.float64))]),
        TypeError,
        "one dtype",
    ),
    (lambda: mt.optim.LBFGS([P(mt.ones(1))], line_search_fn="armijo"), ValueError, "'armijo'"),
    (lambda: mt.optim.LBFGS([P(mt.ones(1))], max_iter=0), ValueError, "max_iter must be an int"),
    (lambda: mt.optim.LBFGS([P(mt.ones(1))], history_size=2.5), TypeError, "history_size"),
    (lambda: mt.optim.LBFGS([P(mt.ones(1))], max_eval=0), ValueError, "max_eval"),
    (lambda: mt.optim.LBFGS([P(mt.ones(1))], tolerance_grad=-1), ValueError, "tolerance_grad"),
    (lambda: mt.optim.LBFGS([P(mt.ones(1))], lr=-1), ValueError, "Invalid learning rate"),
    (lambda: mt.optim.LBFGS([P(mt.ones(1))]).step(), TypeError, "needs a closure"),
]


@pytest.mark.parametrize("call,error,message", ERRORS)
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


def _trained():
    opt, x, _ = run(mt, lambda p: mt.optim.LBFGS(p, history_size=3), START, steps=2)
    return opt, opt.state_dict()


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda s: s.update(d=np.ones(3)), "'d': expected a vector of 5 numbers"),
        (lambda s: s.update(old_dirs=np.ones(5)), "'old_dirs' must be a list"),
        (lambda s: s.update(ro=[1.0]), "one length"),
        (lambda s: s.update(n_iter="2"), "'n_iter': unexpected value '2'"),
        (lambda s: s.update(extra=1), "unknown entry 'extra'"),
    ],
)
def test_bad_state_dicts(change, message):
    opt, saved = _trained()
    change(saved["state"][0])
    with pytest.raises(ValueError, match=message):
        opt.load_state_dict(saved)


def test_parameter_regularizers_join_the_objective_and_constraints_project_after_a_step():
    w = mt.nn.Parameter(mt.tensor([3.0, -2.0], dtype=mt.float64))
    w.regularizer = mt.regularizers.L2(0.5)  # minimum of (w - 1)^2 + 0.5 w^2: w = 2/3
    opt = mt.optim.LBFGS([w], line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = ((w - 1) ** 2).sum()
        loss.backward()
        return loss

    for _ in range(3):
        returned = opt.step(closure)
    np.testing.assert_allclose(w.tolist(), [2 / 3, 2 / 3], rtol=1e-9)
    assert returned.item() == pytest.approx(2 * (1 / 3) ** 2)  # the closure's loss, as given
    w.regularizer, w.constraint = None, lambda p: np.clip(p.numpy(force=True), 0.0, 0.8)
    opt.step(closure)
    assert w.tolist() == [0.8, 0.8]
