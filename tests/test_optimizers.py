"""Built-in optimizers against per-parameter float64 references of PyTorch's algorithms."""

import numpy as np
import pytest
from torch_parity import reference

import minitorch_es as mt
from minitorch_es.nn import Module, Parameter

SHAPES = [(3, 4), (5,), (2, 1, 3)]
STEPS = 100
B = (0.9, 0.999)
DEFAULTS = {  # PyTorch's defaults, written out independently of the implementation
    "SGD": dict(lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, maximize=False),
    "Adam": dict(
        lr=1e-3,
        betas=B,
        eps=1e-8,
        weight_decay=0,
        amsgrad=False,
        maximize=False,
        decoupled_weight_decay=False,
    ),
    "AdamW": dict(lr=1e-3, betas=B, eps=1e-8, weight_decay=1e-2, amsgrad=False, maximize=False),
    "RMSprop": dict(
        lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False, maximize=False
    ),
    "Adagrad": dict(
        lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10, maximize=False
    ),
    "Adadelta": dict(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, maximize=False),
    "NAdam": dict(
        lr=2e-3,
        betas=B,
        eps=1e-8,
        weight_decay=0,
        momentum_decay=4e-3,
        decoupled_weight_decay=False,
        maximize=False,
    ),
    "Adamax": dict(lr=2e-3, betas=B, eps=1e-8, weight_decay=0, maximize=False),
}


def reference_step(name, h, p, g, st, t):
    """One PyTorch update of one parameter in float64; ``st`` holds PyTorch's state names."""
    g = -g if h["maximize"] else g
    lr, wd = h["lr"], h["weight_decay"]
    if name in ("AdamW", "Adam", "NAdam") and (name == "AdamW" or h["decoupled_weight_decay"]):
        p = p * (1 - lr * wd)
    elif wd:
        g = g + wd * p
    z = np.zeros_like(p)
    if name == "SGD":
        if h["momentum"]:
            prev = st.get("momentum_buffer")
            buf = g.copy() if prev is None else h["momentum"] * prev + (1 - h["dampening"]) * g
            st["momentum_buffer"] = buf
            g = g + h["momentum"] * buf if h["nesterov"] else buf
        return p - lr * g
    if name == "RMSprop":
        a = h["alpha"]
        v = st["square_avg"] = a * st.get("square_avg", z) + (1 - a) * g * g
        if h["centered"]:
            ga = st["grad_avg"] = a * st.get("grad_avg", z) + (1 - a) * g
            v = v - ga * ga
        step = g / (np.sqrt(v) + h["eps"])
        if h["momentum"]:
            step = st["momentum_buffer"] = h["momentum"] * st.get("momentum_buffer", z) + step
        return p - lr * step
    if name == "Adagrad":
        s = st["sum"] = st.get("sum", z + h["initial_accumulator_value"]) + g * g
        return p - lr / (1 + (t - 1) * h["lr_decay"]) * g / (np.sqrt(s) + h["eps"])
    if name == "Adadelta":
        r, e = h["rho"], h["eps"]
        v = st["square_avg"] = r * st.get("square_avg", z) + (1 - r) * g * g
        delta = np.sqrt(st.get("acc_delta", z) + e) / np.sqrt(v + e) * g
        st["acc_delta"] = r * st.get("acc_delta", z) + (1 - r) * delta * delta
        return p - lr * delta
    b1, b2 = h["betas"]
    m = st["exp_avg"] = b1 * st.get("exp_avg", z) + (1 - b1) * g
    if name == "Adamax":
        u = st["exp_inf"] = np.maximum(b2 * st.get("exp_inf", z), np.abs(g) + h["eps"])
        return p - lr / (1 - b1**t) * m / u
    v = st["exp_avg_sq"] = b2 * st.get("exp_avg_sq", z) + (1 - b2) * g * g
    if name == "NAdam":
        mu = b1 * (1 - 0.5 * 0.96 ** (t * h["momentum_decay"]))
        mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * h["momentum_decay"]))
        prod = st["mu_product"] = st.get("mu_product", 1.0) * mu
        denom = np.sqrt(v / (1 - b2**t)) + h["eps"]
        return (
            p
            - lr * (1 - mu) / (1 - prod) * g / denom
            - lr * mu_next / (1 - prod * mu_next) * m / denom
        )
    if h["amsgrad"]:
        v = st["max_exp_avg_sq"] = np.maximum(st.get("max_exp_avg_sq", z), v)
    return p - lr / (1 - b1**t) * m / (np.sqrt(v) / np.sqrt(1 - b2**t) + h["eps"])


def reference_run(name, hparams, inits, grads):
    """Per-parameter float64 run; ``hparams[i]`` are parameter i's settings, a None grad skips."""
    ps, states = [x.astype(np.float64) for x in inits], [{} for _ in inits]
    for step_grads in grads:
        for i, g in enumerate(step_grads):
            if g is None:
                continue
            st = states[i]
            st["step"] = st.get("step", 0) + 1
            ps[i] = reference_step(
                name, {**DEFAULTS[name], **hparams[i]}, ps[i], g.astype(np.float64), st, st["step"]
            )
    return ps, states


def make_data(rng, dtype, steps=STEPS, skip=False):
    inits = [rng.normal(size=s).astype(dtype) for s in SHAPES]
    # A random scale per step makes v rise and fall, so amsgrad's maximum matters.
    grads = [
        [(rng.normal(size=s) * rng.uniform(0.1, 3.0)).astype(dtype) for s in SHAPES]
        for _ in range(steps)
    ]
    if skip:  # parameter 1 has no gradient on every third step, parameter 2 on some others
        for t, gs in enumerate(grads):
            gs[1] = None if t % 3 == 0 else gs[1]
            gs[2] = None if t in (5, 6, 40) else gs[2]
    return inits, grads


def run(opt, params, grads, start=0):
    for step_grads in grads[start:]:
        for p, g in zip(params, step_grads):
            p.grad = None if g is None else g.copy()
        opt.step()
        opt.zero_grad()


CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True)),
    ("SGD", dict(lr=0.1, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.5, weight_decay=0.01, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, maximize=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.2, amsgrad=True)),
    ("AdamW", dict(lr=0.01, maximize=True)),
    ("RMSprop", dict()),
    ("RMSprop", dict(momentum=0.9)),
    ("RMSprop", dict(centered=True)),
    ("RMSprop", dict(centered=True, momentum=0.5, weight_decay=0.1, alpha=0.9)),
    ("RMSprop", dict(maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01)),
    ("Adagrad", dict(lr=0.1, initial_accumulator_value=0.5, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(rho=0.5, weight_decay=0.1)),
    ("Adadelta", dict(maximize=True)),
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("NAdam", dict(lr=0.01, maximize=True, momentum_decay=0.01)),
    ("Adamax", dict(lr=0.01)),
    ("Adamax", dict(lr=0.01, weight_decay=0.1)),
    ("Adamax", dict(lr=0.01, maximize=True)),
]
TOL = {np.float32: dict(rtol=1e-5, atol=1e-6), np.float64: dict(rtol=1e-12, atol=1e-12)}


def check_against_reference(name, kwargs, opt, params, hparams, inits, grads, dtype):
    ref_params, ref_states = reference_run(name, hparams, inits, grads)
    for p, ref, ref_state in zip(params, ref_params, ref_states):
        assert p._data.dtype == dtype
        np.testing.assert_allclose(p._data, ref, **TOL[dtype])
        state = opt.state[p]
        assert set(state) == set(ref_state), (name, kwargs)
        for key, value in ref_state.items():
            if key == "step":
                assert state["step"] == value
            else:
                assert np.asarray(state[key]).dtype == (dtype if key != "mu_product" else float)
                np.testing.assert_allclose(
                    state[key],
                    value,
                    rtol=1e-4 if dtype == np.float32 else 1e-10,
                    atol=1e-6 if dtype == np.float32 else 1e-12,
                )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, kwargs", CASES, ids=[f"{n}-{sorted(k)}" for n, k in CASES])
def test_matches_reference_over_100_steps(name, kwargs, dtype, rng):
    inits, grads = make_data(rng, dtype)
    params = [Parameter(x.copy()) for x in inits]
    opt = getattr(mt.optim, name)(params, **kwargs)
    run(opt, params, grads)
    check_against_reference(name, kwargs, opt, params, [kwargs] * 3, inits, grads, dtype)


@pytest.mark.parametrize("name", list(DEFAULTS))
def test_param_groups_skipped_parameters_and_mixed_dtypes(name, rng):
    # Group 0 holds a float32 and a float64 parameter (two arenas); group 1 overrides lr and
    # weight_decay. Parameter 1 has no gradient on some steps: PyTorch leaves its value, state and
    # step count alone, which forces the per-parameter path.
    inits, grads = make_data(rng, np.float64, skip=True)
    inits[0] = inits[0].astype(np.float32)
    grads = [
        [g if i or g is None else g.astype(np.float32) for i, g in enumerate(gs)] for gs in grads
    ]
    params = [Parameter(x.copy()) for x in inits]
    base = dict(lr=0.02) if name != "Adadelta" else {}
    other = dict(lr=0.005, weight_decay=0.05)
    opt = getattr(mt.optim, name)([{"params": params[:2]}, {"params": params[2:], **other}], **base)
    run(opt, params, grads)
    assert opt.state[params[1]]["step"] == sum(gs[1] is not None for gs in grads)
    ref_params, _ = reference_run(name, [base, base, {**base, **other}], inits, grads)
    for p, ref, tol in zip(params, ref_params, (TOL[np.float32], TOL[np.float64], TOL[np.float64])):
        np.testing.assert_allclose(p._data, ref, **tol)


@pytest.mark.parametrize("name", list(DEFAULTS))
def test_defaults_match_pytorch(name):
    opt = getattr(mt.optim, name)([Parameter(np.zeros(2, np.float32))])
    assert {k: v for k, v in opt.defaults.items() if k in DEFAULTS[name]} == DEFAULTS[name]
    assert opt.param_groups[0]["lr"] == DEFAULTS[name]["lr"]


class Tiny(Module):
    def __init__(self, inits):
        super().__init__()
        self.weight, self.bias, self.scale = (Parameter(x.copy()) for x in inits)


@pytest.mark.parametrize("by_name", [False, True])
@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
        ("Adam", dict(amsgrad=True)),
        ("AdamW", {}),
        ("RMSprop", dict(centered=True, momentum=0.5)),
        ("Adagrad", dict(initial_accumulator_value=0.1, lr_decay=0.1)),
        ("Adadelta", {}),
        ("NAdam", {}),
        ("Adamax", {}),
    ],
)
def test_state_dict_round_trip_mid_training_is_bit_identical(name, kwargs, by_name, rng):
    inits, grads = make_data(rng, np.float32, skip=True)
    full = Tiny(inits)
    opt = getattr(mt.optim, name)(full.parameters(), **kwargs)
    run(opt, list(full.parameters()), grads)

    first = Tiny(inits)
    opt1 = getattr(mt.optim, name)(first.parameters(), **kwargs)
    run(opt1, list(first.parameters()), grads[:40])
    names = dict(param_names=first.named_parameters()) if by_name else {}
    saved = opt1.state_dict(**names)
    resumed = Tiny([p._data for p in first.parameters()])
    # By name, the new optimizer may list the parameters in another order.
    order = list(resumed.parameters())[::-1] if by_name else resumed.parameters()
    opt2 = getattr(mt.optim, name)(order, lr=123.0)  # hyper-parameters come from the state dict
    opt2.load_state_dict(saved, **({"param_names": resumed.named_parameters()} if by_name else {}))
    assert opt2.param_groups[0]["lr"] == opt1.param_groups[0]["lr"]
    run(opt2, list(resumed.parameters()), grads, start=40)
    for a, b in zip(full.parameters(), resumed.parameters()):
        np.testing.assert_array_equal(a._data, b._data)
        for key, value in opt.state[a].items():
            np.testing.assert_array_equal(opt2.state[b][key], value)
    if by_name:
        assert set(saved["state"]) == {"weight", "bias", "scale"}


def test_zero_dimensional_parameter_state_round_trip():
    # A 0-d parameter's buffers are 0-d arrays, distinct from per-parameter numbers (mu_product).
    def fresh():
        return [Parameter(np.array(0.5, np.float32)), Parameter(np.ones(2, np.float32))]

    a, b = fresh(), fresh()
    opt_a, opt_b = mt.optim.NAdam(a), mt.optim.NAdam(b)
    for p in a:
        p.grad = np.full(p.shape, 0.3, np.float32)
    opt_a.step()
    opt_b.load_state_dict(opt_a.state_dict())
    assert opt_b.state[b[0]]["exp_avg"].shape == () and isinstance(
        opt_b.state[b[0]]["mu_product"], float
    )
    for p, q in zip(a, b):
        q.data = p._data
        p.grad = q.grad = np.full(p.shape, -0.2, np.float32)
    opt_a.step()
    opt_b.step()
    np.testing.assert_array_equal(a[0]._data, b[0]._data)


@pytest.mark.parametrize("name, kwargs", CASES[::3])
def test_config_round_trip_through_the_registry(name, kwargs):
    opt = getattr(mt.optim, name)([Parameter(np.zeros(3, np.float32))], **kwargs)
    config = opt.get_config()
    assert "params" not in config
    rebuilt = mt.registry.create(
        "optimizer",
        {"name": name.lower(), "config": config},
        params=[Parameter(np.zeros(3, np.float32))],
    )
    assert type(rebuilt) is type(opt) and rebuilt.get_config() == config
    strip = [
        {k: v for k, v in g.items() if k != "params"}
        for g in (opt.param_groups[0], rebuilt.param_groups[0])
    ]
    assert strip[0] == strip[1]


def test_names_and_aliases_resolve():
    for alias in ("sgd", "gd", "gradient_descent", "Gradient-Descent"):
        assert mt.registry.get("optimizer", alias) is mt.optim.SGD
    for name in ("adam", "adamw", "rmsprop", "adagrad", "adadelta", "nadam", "adamax"):
        assert mt.registry.get("optimizer", name).__name__.lower() == name
    assert "full-batch gradient descent" in mt.optim.SGD.__doc__.lower()


@pytest.mark.parametrize(
    "name, kwargs, match",
    [
        ("SGD", dict(lr=-0.1), "Invalid learning rate: -0.1"),
        ("SGD", dict(momentum=-0.5), "Invalid momentum value: -0.5"),
        ("SGD", dict(weight_decay=-1e-4), "Invalid weight_decay value"),
        ("SGD", dict(nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
        ("SGD", dict(nesterov=True, momentum=0.9, dampening=0.1), "dampening=0.1"),
        ("Adam", dict(eps=-1e-8), "Invalid epsilon value: -1e-08"),
        ("Adam", dict(betas=(1.0, 0.999)), r"Invalid beta parameter at index 0: 1.0 .*< 1"),
        ("AdamW", dict(betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
        ("NAdam", dict(betas=(0.9,)), "expects a pair"),
        ("AdamW", dict(weight_decay=-0.01), "Invalid weight_decay value"),
        ("NAdam", dict(momentum_decay=-1.0), "Invalid momentum_decay value"),
        ("Adamax", dict(lr=-1.0), "Invalid learning rate"),
        (
            "RMSprop",
            dict(alpha=1.5),
            r"Invalid alpha value: 1.5 \(RMSprop expects 0 <= alpha <= 1\)",
        ),
        ("RMSprop", dict(momentum=-0.1), "Invalid momentum value"),
        ("RMSprop", dict(eps=-1.0), "Invalid epsilon value"),
        ("Adagrad", dict(lr_decay=-0.1), "Invalid lr_decay value"),
        (
            "Adagrad",
            dict(initial_accumulator_value=-1.0),
            "Invalid initial_accumulator_value value",
        ),
        ("Adadelta", dict(rho=-0.1), "Invalid rho value"),
        ("Adadelta", dict(rho=1.1), r"0 <= rho <= 1"),
    ],
)
def test_invalid_hyperparameters_raise(name, kwargs, match):
    with pytest.raises(ValueError, match=match):
        getattr(mt.optim, name)([Parameter(np.zeros(2, np.float32))], **kwargs)


def test_invalid_value_in_a_param_group_is_caught_too():
    with pytest.raises(ValueError, match="Invalid beta parameter at index 0"):
        mt.optim.Adam([{"params": [Parameter(np.zeros(2, np.float32))], "betas": (2.0, 0.9)}])


@pytest.mark.parametrize("name", list(DEFAULTS))
def test_step_updates_in_place_keeps_float32_and_zero_grad(name):
    params = [Parameter(np.ones(s, np.float32)) for s in SHAPES]
    # A NumPy float64 lr must not promote the float32 buffers.
    opt = getattr(mt.optim, name)(params, lr=np.float64(0.1))
    views = [p._data for p in params]  # views of the optimizer's buffer from now on
    calls = []
    update = opt._update
    opt._update = lambda *a: calls.append(a[1].size) or update(*a)
    for p in params:
        p.grad = np.full(p.shape, 0.5, np.float32)
    opt.step()
    assert calls == [sum(int(np.prod(s)) for s in SHAPES)]  # one call for the whole buffer
    for p, view in zip(params, views):
        assert p._data is view and np.shares_memory(p._data, params[0]._data.base)
        assert p._data.dtype == np.float32 and not np.allclose(p._data, 1.0)
        assert all(np.asarray(v).dtype in (np.float32, np.float64) for v in opt.state[p].values())
        assert all(
            v.dtype == np.float32 for v in opt.state[p].values() if isinstance(v, np.ndarray)
        )
    opt.zero_grad()
    assert all(p.grad is None for p in params)
    before = [p._data.copy() for p in params]
    opt.step()  # no gradients: nothing moves, no step is counted
    assert all(np.array_equal(p._data, b) for p, b in zip(params, before))
    assert all(opt.state[p]["step"] == 1 for p in params)
    params[0].grad = np.ones(SHAPES[0], np.float32)
    opt.zero_grad(set_to_none=False)
    assert np.array_equal(params[0].grad, np.zeros(SHAPES[0], np.float32))


def test_parameter_that_never_had_a_gradient_has_no_state():
    a, b = Parameter(np.ones(3, np.float32)), Parameter(np.ones(2, np.float32))
    opt = mt.optim.Adam([a, b])
    a.grad = np.ones(3, np.float32)
    opt.step()
    assert opt.state[b] == {} and set(opt.state) == {a} and np.array_equal(b._data, np.ones(2))


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
        ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.2)),
        ("Adam", dict(amsgrad=True)),
        ("AdamW", {}),
        ("RMSprop", dict(centered=True, momentum=0.5)),
        ("Adagrad", dict(lr_decay=0.1, initial_accumulator_value=0.1)),
        ("Adadelta", {}),
        ("NAdam", dict(weight_decay=0.01)),
        ("Adamax", {}),
        ("SGD", dict(lr=0.05, momentum=0.5, maximize=True)),
        ("Adam", dict(weight_decay=0.1, maximize=True)),
        ("AdamW", dict(amsgrad=True, maximize=True)),
        ("RMSprop", dict(weight_decay=0.1, maximize=True)),
        ("Adagrad", dict(weight_decay=0.1, maximize=True)),
        ("Adadelta", dict(rho=0.5, weight_decay=0.1, maximize=True)),
        ("NAdam", dict(weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
        ("Adamax", dict(weight_decay=0.1, maximize=True)),
    ],
)
def test_against_torch(name, kwargs, rng):
    """20 steps (some parameters without gradient) against torch.optim's recorded results."""
    inits, grads = make_data(rng, np.float64, steps=20, skip=True)
    params = [Parameter(x.copy()) for x in inits]
    opt = getattr(mt.optim, name)(params, **kwargs)
    run(opt, params, grads)
    # As arrays for the fixture: each parameter's gradients stacked, zeros where it had none.
    has = np.array([[g is not None for g in gs] for gs in grads])
    stacked = {
        f"grads{i}": np.stack([np.zeros_like(x) if gs[i] is None else gs[i] for gs in grads])
        for i, x in enumerate(inits)
    }

    def torch_run(torch, has, **arrays):
        n = len(inits)
        tparams = [torch.tensor(arrays[f"init{i}"], requires_grad=True) for i in range(n)]
        default = torch.get_default_dtype()
        torch.set_default_dtype(torch.float64)  # else torch keeps NAdam's mu_product in float32
        try:
            topt = getattr(torch.optim, name)(tparams, **kwargs)
            for t in range(len(has)):
                for i, p in enumerate(tparams):
                    p.grad = torch.tensor(arrays[f"grads{i}"][t]) if has[t, i] else None
                topt.step()
        finally:
            torch.set_default_dtype(default)
        return {
            "params": [p.detach() for p in tparams],
            "state_names": [np.array(sorted(topt.state[p]), dtype=str) for p in tparams],
        }

    label = "_".join([name.lower(), *(f"{k}_{v}".lower() for k, v in kwargs.items())])
    expected = reference(
        f"optimizers/{label}",
        torch_run,
        has=has,
        **{f"init{i}": x for i, x in enumerate(inits)},
        **stacked,
    )
    for p, ref, names in zip(params, expected["params"], expected["state_names"]):
        np.testing.assert_allclose(p._data, ref, rtol=1e-10, atol=1e-12)
        # The same state names (PyTorch's SGD keeps no step count).
        assert set(opt.state[p]) - {"step" if name == "SGD" else ""} == set(names.tolist())


@pytest.mark.parametrize(
    "name, kwargs",
    [("Adagrad", dict(initial_accumulator_value=0.5)), ("NAdam", {}), ("SGD", dict(momentum=0.9))],
)
def test_parameter_without_state_in_a_loaded_dict_starts_fresh(name, kwargs, rng):
    # Parameter 1 gets its first gradient only after the state dict was saved, so the loaded
    # dict has no state for it; its initial state (sum = initial value, mu_product = 1) must hold.
    inits, grads = make_data(rng, np.float64, steps=30)
    for gs in grads[:10]:
        gs[1] = None
    params = [Parameter(x.copy()) for x in inits]
    opt = getattr(mt.optim, name)(params, **kwargs)
    run(opt, params, grads[:10])
    assert 1 not in opt.state_dict()["state"]
    fresh = [Parameter(p._data.copy()) for p in params]
    opt2 = getattr(mt.optim, name)(fresh, **kwargs)
    opt2.load_state_dict(opt.state_dict())
    run(opt2, fresh, grads, start=10)
    ref_params, _ = reference_run(name, [kwargs] * 3, inits, grads)
    for p, ref in zip(fresh, ref_params):
        np.testing.assert_allclose(p._data, ref, **TOL[np.float64])
