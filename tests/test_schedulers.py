"""Learning-rate schedulers: lr sequences against closed forms written here, resuming, configs."""

import math

import numpy as np
import pytest
from torch_parity import reference

import minitorch_es as mt
from minitorch_es.nn import Parameter

LRS = (0.1, 0.02)
EPOCHS = 30
sched = mt.optim.lr_scheduler


def make_optimizer(name="SGD", lrs=LRS, **kwargs):
    groups = [{"params": [Parameter(np.zeros(2, np.float32))], "lr": lr} for lr in lrs]
    return getattr(mt.optim, name)(groups, **kwargs)


def lrs_of(optimizer):
    return [g["lr"] for g in optimizer.param_groups]


def run_schedule(scheduler, epochs=EPOCHS):
    """The lr of every group at epochs 0..epochs-1 (construction sets epoch 0)."""
    seen = [scheduler.get_last_lr()]
    assert seen[0] == lrs_of(scheduler.optimizer)
    for _ in range(epochs - 1):
        scheduler.optimizer.step()
        scheduler.step()
        seen.append(scheduler.get_last_lr())
        assert seen[-1] == lrs_of(scheduler.optimizer)
    return np.array(seen)


def cosine_between(start, end, pct):
    return end + (start - end) * (1 + math.cos(math.pi * pct)) / 2


CLOSED_FORMS = {  # name, kwargs, factor or lr as a function of (epoch, base_lr)
    "step": ("StepLR", dict(step_size=7, gamma=0.5), lambda e, b: b * 0.5 ** (e // 7)),
    "multistep": (
        "MultiStepLR",
        dict(milestones=[12, 5, 20, 12], gamma=0.3),
        lambda e, b: b * 0.3 ** ((e >= 5) + 2 * (e >= 12) + (e >= 20)),
    ),
    "exponential": ("ExponentialLR", dict(gamma=0.9), lambda e, b: b * 0.9**e),
    "cosine": (
        "CosineAnnealingLR",
        dict(T_max=10, eta_min=0.001),
        lambda e, b: 0.001 + (b - 0.001) * (1 + math.cos(math.pi * e / 10)) / 2,
    ),
    "linear": (
        "LinearLR",
        dict(start_factor=0.25, end_factor=0.75, total_iters=8),
        lambda e, b: b * (0.25 + 0.5 * min(e, 8) / 8),
    ),
    "linear-defaults": ("LinearLR", {}, lambda e, b: b * (1 / 3 + (2 / 3) * min(e, 5) / 5)),
}


@pytest.mark.parametrize("case", list(CLOSED_FORMS))
def test_lr_sequence_matches_closed_form(case):
    name, kwargs, lr = CLOSED_FORMS[case]
    got = run_schedule(getattr(sched, name)(make_optimizer(), **kwargs))
    expected = [[lr(e, b) for b in LRS] for e in range(EPOCHS)]
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)


@pytest.mark.parametrize("case", list(CLOSED_FORMS))
def test_state_dict_resume_mid_schedule_and_config_round_trip(case):
    name, kwargs, _ = CLOSED_FORMS[case]
    full = run_schedule(getattr(sched, name)(make_optimizer(), **kwargs))
    opt = make_optimizer()
    first = getattr(sched, name)(opt, **kwargs)
    for _ in range(12):
        first.step()
    opt_state, state = opt.state_dict(), first.state_dict()
    assert "optimizer" not in state and state["last_epoch"] == 12
    opt2 = make_optimizer(lrs=(5.0, 5.0))
    config = {"name": case.split("-")[0], "config": first.get_config()}
    resumed = mt.registry.create("scheduler", config, optimizer=opt2)
    assert type(resumed) is type(first) and resumed.get_config() == first.get_config()
    opt2.load_state_dict(opt_state)
    resumed.load_state_dict(state)
    rest = [lrs_of(opt2)] + [resumed.step() or resumed.get_last_lr() for _ in range(EPOCHS - 13)]
    np.testing.assert_array_equal(rest, full[12:])


def test_step_with_an_explicit_epoch_uses_the_closed_form():
    s = sched.StepLR(make_optimizer(), step_size=3, gamma=0.1)
    s.step(epoch=7)
    np.testing.assert_allclose(s.get_last_lr(), [b * 0.01 for b in LRS], rtol=1e-12)


def test_resuming_with_last_epoch_needs_initial_lr():
    with pytest.raises(KeyError, match="initial_lr"):
        sched.ExponentialLR(make_optimizer(), gamma=0.5, last_epoch=3)
    opt = make_optimizer()
    sched.ExponentialLR(opt, gamma=0.5)
    s = sched.ExponentialLR(opt, gamma=0.5, last_epoch=3)  # continues at epoch 4
    np.testing.assert_allclose(s.get_last_lr(), [b * 0.5**4 for b in LRS], rtol=1e-12)


@pytest.mark.parametrize(
    "make, error, match",
    [
        (
            lambda o: sched.StepLR(o, step_size=0),
            ValueError,
            "step_size must be an int >= 1, got 0",
        ),
        (lambda o: sched.StepLR(o, step_size=2.5), TypeError, "step_size must be an int"),
        (lambda o: sched.StepLR(o, 3, gamma=-0.1), ValueError, "gamma must be a real number >= 0"),
        (
            lambda o: sched.MultiStepLR(o, [3, -1]),
            ValueError,
            r"milestones\[1\] must be an int >= 0",
        ),
        (lambda o: sched.ExponentialLR(o, gamma="0.9"), TypeError, "gamma must be a real number"),
        (
            lambda o: sched.CosineAnnealingLR(o, T_max=0),
            ValueError,
            "T_max must be an int >= 1, got 0",
        ),
        (lambda o: sched.CosineAnnealingLR(o, T_max=5, eta_min=-1), ValueError, "eta_min >= 0"),
        (lambda o: sched.LinearLR(o, start_factor=0), ValueError, "start_factor=0"),
        (lambda o: sched.LinearLR(o, start_factor=1.5), ValueError, "less or equal to 1"),
        (lambda o: sched.LinearLR(o, end_factor=1.5), ValueError, "end_factor=1.5"),
        (lambda o: sched.LinearLR(o, total_iters=0), ValueError, "total_iters"),
        (lambda o: sched.StepLR("sgd", step_size=2), TypeError, "StepLR expects an Optimizer"),
    ],
)
def test_invalid_scheduler_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make(make_optimizer())


def test_names_and_aliases():
    assert mt.registry.get("scheduler", "cosine") is sched.CosineAnnealingLR
    assert mt.registry.get("scheduler", "step_lr") is sched.StepLR
    assert mt.registry.get("scheduler", "plateau") is sched.ReduceLROnPlateau
    assert mt.registry.get("scheduler", "one_cycle") is sched.OneCycleLR


# ---------------------------------------------------------------------------------- OneCycleLR
def one_cycle_reference(
    step,
    total,
    top,
    pct=0.3,
    div=25.0,
    final=1e4,
    linear=False,
    three=False,
    low_m=0.85,
    high_m=0.95,
):
    """PyTorch's documented 1cycle schedule: (lr, momentum) at ``step``."""
    anneal = (lambda a, b, x: a + (b - a) * x) if linear else cosine_between
    start, floor = top / div, top / div / final
    up = pct * total - 1
    if step <= up:
        x = step / up
        return anneal(start, top, x), anneal(high_m, low_m, x)
    if three:
        down = 2 * pct * total - 2
        if step <= down:
            x = (step - up) / (down - up)
            return anneal(top, start, x), anneal(low_m, high_m, x)
        return anneal(start, floor, (step - down) / (total - 1 - down)), high_m
    x = (step - up) / (total - 1 - up)
    return anneal(top, floor, x), anneal(low_m, high_m, x)


@pytest.mark.parametrize(
    "options",
    [
        {},
        dict(anneal_strategy="linear"),
        dict(three_phase=True),
        dict(pct_start=0.5, div_factor=10.0, final_div_factor=100.0),
    ],
)
def test_one_cycle_matches_reference_and_cycles_sgd_momentum(options):
    total, tops = 40, (1.0, 0.5)
    opt = make_optimizer(momentum=0.9)
    s = sched.OneCycleLR(opt, max_lr=list(tops), total_steps=total, **options)
    ref = dict(
        pct=options.get("pct_start", 0.3),
        div=options.get("div_factor", 25.0),
        final=options.get("final_div_factor", 1e4),
        three=options.get("three_phase", False),
        linear=options.get("anneal_strategy") == "linear",
    )
    for step in range(total + 1):  # stepping up to total_steps is allowed, beyond is not
        for group, top in zip(opt.param_groups, tops):
            lr, momentum = one_cycle_reference(step, total, top, **ref)
            assert group["lr"] == pytest.approx(lr, rel=1e-12)
            assert group["momentum"] == pytest.approx(momentum, rel=1e-12)
        if step < total:
            s.step()
    with pytest.raises(
        ValueError,
        match=f"Tried to step {total + 1} times. The specified number of total steps is {total}",
    ):
        s.step()


def test_one_cycle_total_steps_equals_epochs_times_steps_per_epoch_and_sets_adam_beta1():
    a, b = make_optimizer("Adam", betas=(0.9, 0.99)), make_optimizer("Adam", betas=(0.9, 0.99))
    sa = sched.OneCycleLR(a, max_lr=0.3, total_steps=24)
    sb = sched.OneCycleLR(b, max_lr=0.3, epochs=4, steps_per_epoch=6)
    assert sb.total_steps == 24
    np.testing.assert_array_equal(run_schedule(sa, 24), run_schedule(sb, 24))
    _, momentum = one_cycle_reference(23, 24, 0.3)
    assert a.param_groups[0]["betas"] == pytest.approx((momentum, 0.99), rel=1e-12)
    assert a.param_groups[1]["betas"][1] == 0.99


def test_one_cycle_resume_and_config_round_trip():
    opt = make_optimizer("Adam")
    first = sched.OneCycleLR(opt, max_lr=0.2, total_steps=30, three_phase=True)
    for _ in range(11):
        first.step()
    opt_state, state = opt.state_dict(), first.state_dict()
    expected = []
    for _ in range(19):
        first.step()
        expected.append((first.get_last_lr(), opt.param_groups[0]["betas"]))
    opt2 = make_optimizer("Adam")
    resumed = mt.registry.create(
        "scheduler", {"name": "OneCycleLR", "config": first.get_config()}, optimizer=opt2
    )
    opt2.load_state_dict(opt_state)
    resumed.load_state_dict(state)
    got = []
    for _ in range(19):
        resumed.step()
        got.append((resumed.get_last_lr(), opt2.param_groups[0]["betas"]))
    assert got == expected


def test_one_cycle_phase_of_zero_length_does_not_divide_by_zero():
    # pct_start * total_steps == 1: the warm-up phase ends at step 0 (PyTorch divides by zero).
    s = sched.OneCycleLR(make_optimizer(), max_lr=1.0, total_steps=10, pct_start=0.1)
    assert s.get_last_lr()[0] == pytest.approx(1.0)
    s.step()
    assert s.get_last_lr()[0] == pytest.approx(cosine_between(1.0, 1.0 / 25 / 1e4, 1 / 9))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(), r"either total_steps OR \(epochs AND steps_per_epoch\)"),
        (dict(epochs=3), "either total_steps"),
        (dict(total_steps=0), "Expected positive integer total_steps, but got 0"),
        (dict(total_steps=10.0), "total_steps"),
        (dict(epochs=0, steps_per_epoch=3), "positive integer epochs"),
        (dict(epochs=2, steps_per_epoch=-3), "positive integer steps_per_epoch"),
        (dict(total_steps=10, pct_start=1), "Expected float between 0 and 1 pct_start"),
        (dict(total_steps=10, pct_start=1.5), "pct_start, but got 1.5"),
        (dict(total_steps=10, anneal_strategy="cosine"), "'cos' or 'linear'"),
        (dict(total_steps=10, div_factor=0.0), "div_factor > 0"),
        (dict(total_steps=10, max_momentum=[0.9, 0.9, 0.9]), "max_momentum has 3 values, param_"),
    ],
)
def test_one_cycle_invalid_arguments(kwargs, match):
    max_lr = kwargs.pop("max_lr", 0.1)
    with pytest.raises(ValueError, match=match):
        sched.OneCycleLR(make_optimizer(momentum=0.9), max_lr, **kwargs)


def test_one_cycle_max_lr_list_length_and_momentum_support():
    with pytest.raises(ValueError, match="max_lr has 1 values, param_groups has 2"):
        sched.OneCycleLR(make_optimizer(), max_lr=[0.1], total_steps=5)
    with pytest.raises(ValueError, match="support momentum or beta1.*Adagrad"):
        sched.OneCycleLR(make_optimizer("Adagrad"), max_lr=0.1, total_steps=5)
    s = sched.OneCycleLR(make_optimizer("Adagrad"), max_lr=0.1, total_steps=5, cycle_momentum=False)
    assert s.get_last_lr() == pytest.approx([0.004, 0.004])


# --------------------------------------------------------------------------- ReduceLROnPlateau
def plateau(optimizer=None, **kwargs):
    return sched.ReduceLROnPlateau(optimizer or make_optimizer(), **kwargs)


def test_plateau_patience_and_reduction():
    s = plateau(patience=2, factor=0.5)
    assert s.get_last_lr() == list(LRS)  # nothing changes at construction
    for metric in (1.0, 0.9, 0.95, 0.95):  # best 0.9, then 2 bad epochs: still patient
        s.step(metric)
    assert s.get_last_lr() == list(LRS) and s.num_bad_epochs == 2
    s.step(0.95)  # third bad epoch > patience
    assert s.get_last_lr() == [0.05, 0.01] and s.num_bad_epochs == 0
    s.step(mt.tensor(0.5))  # a one-element Tensor is a metric too; an improvement
    assert s.best == 0.5 and s.last_epoch == 6


def test_plateau_cooldown_ignores_bad_epochs():
    s = plateau(patience=0, cooldown=2, factor=0.1)
    history = []
    for metric in (1.0, 2.0, 2.0, 2.0, 2.0, 2.0):
        s.step(metric)
        history.append(s.get_last_lr()[0])
    # epoch 2 reduces, epochs 3-4 are cooldown, epoch 5 reduces again, epoch 6 is cooldown
    np.testing.assert_allclose(history, [0.1, 0.01, 0.01, 0.01, 0.001, 0.001], rtol=1e-12)


@pytest.mark.parametrize(
    "mode, threshold_mode, threshold, better, not_better",
    [
        ("min", "rel", 0.1, 0.89, 0.91),  # needs < 1.0 * (1 - 0.1)
        ("min", "abs", 0.1, 0.89, 0.91),  # needs < 1.0 - 0.1
        ("max", "rel", 0.1, 1.11, 1.09),  # needs > 1.0 * (1 + 0.1)
        ("max", "abs", 0.5, 1.51, 1.49),  # needs > 1.0 + 0.5
    ],
)
def test_plateau_threshold_modes(mode, threshold_mode, threshold, better, not_better):
    s = plateau(mode=mode, threshold_mode=threshold_mode, threshold=threshold, patience=5)
    s.step(1.0)
    s.step(not_better)
    assert s.best == 1.0 and s.num_bad_epochs == 1
    s.step(better)
    assert s.best == better and s.num_bad_epochs == 0


def test_plateau_min_lr_and_eps():
    s = plateau(patience=0, factor=0.1, min_lr=[0.05, 0.0])
    s.step(1.0)
    s.step(1.0)
    assert s.get_last_lr() == [0.05, pytest.approx(0.002)]  # group 0 stops at its min_lr
    tiny = plateau(make_optimizer(lrs=(1e-8, 1.0)), patience=0, factor=0.5, eps=1e-8)
    tiny.step(1.0)
    tiny.step(1.0)
    assert tiny.get_last_lr() == [1e-8, 0.5]  # a change smaller than eps is skipped


def test_plateau_state_dict_and_config_round_trip():
    opt = make_optimizer()
    s = plateau(opt, mode="max", patience=1, cooldown=1, factor=0.5)
    for metric in (1.0, 0.5, 0.5):
        s.step(metric)
    state = s.state_dict()
    assert "optimizer" not in state and state["best"] == 1.0
    opt2 = make_optimizer()
    opt2.load_state_dict(opt.state_dict())
    s2 = mt.registry.create(
        "scheduler", {"name": "reduce_lr_on_plateau", "config": s.get_config()}, optimizer=opt2
    )
    s2.load_state_dict(state)
    for metric in (0.4, 0.4, 0.4, 2.0, 1.0):
        s.step(metric)
        s2.step(metric)
        assert s2.get_last_lr() == s.get_last_lr() and s2.in_cooldown == s.in_cooldown
    assert isinstance(s, sched.LRScheduler)  # as in PyTorch >= 2.2


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(factor=1.0), ValueError, "Factor should be < 1.0"),
        (dict(factor=-0.5), ValueError, "0 <= factor < 1"),
        (dict(mode="lowest"), ValueError, "mode 'lowest' is unknown"),
        (dict(threshold_mode="relative"), ValueError, "threshold mode 'relative' is unknown"),
        (dict(min_lr=[0.1]), ValueError, "expected 2 min_lrs"),
        (dict(patience=-1), ValueError, "patience must be an int >= 0, got -1"),
        (dict(cooldown=1.5), TypeError, "cooldown must be an int >= 0, got float"),
    ],
)
def test_plateau_invalid_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        plateau(**kwargs)
    with pytest.raises(TypeError, match="expects an Optimizer"):
        sched.ReduceLROnPlateau([1, 2])


def test_plateau_with_a_group_added_later():
    opt = make_optimizer()
    s = plateau(opt, patience=0, min_lr=[0.0, 0.0])
    opt.add_param_group({"params": [Parameter(np.zeros(1, np.float32))], "lr": 1.0})
    s.step(1.0)
    with pytest.raises(RuntimeError, match="3 param groups but ReduceLROnPlateau was given 2"):
        s.step(1.0)
    scalar = plateau(opt, patience=0, factor=0.5)  # a scalar min_lr follows the groups
    opt.add_param_group({"params": [Parameter(np.zeros(1, np.float32))], "lr": 1.0})
    scalar.step(1.0)
    scalar.step(1.0)
    assert scalar.get_last_lr()[-1] == 0.5


# ------------------------------------------------------------------------------- against torch
@pytest.mark.parametrize("case", list(CLOSED_FORMS) + ["one_cycle"])
def test_against_torch(case):
    if case == "one_cycle":
        name, kwargs = "OneCycleLR", dict(max_lr=0.5, total_steps=EPOCHS, three_phase=True)
    else:
        name, kwargs, _ = CLOSED_FORMS[case]
    ours = run_schedule(getattr(sched, name)(make_optimizer(lrs=LRS[:1], momentum=0.9), **kwargs))

    def torch_lrs(torch):
        param = torch.zeros(2, requires_grad=True)
        topt = torch.optim.SGD([{"params": [param], "lr": lr} for lr in LRS[:1]], momentum=0.9)
        theirs = getattr(torch.optim.lr_scheduler, name)(topt, **kwargs)
        lrs = [theirs.get_last_lr()]
        for _ in range(EPOCHS - 1):
            topt.step()
            theirs.step()
            lrs.append(theirs.get_last_lr())
        return np.array(lrs)

    expected = reference(f"schedulers/{case}", torch_lrs)
    np.testing.assert_allclose(ours, expected, rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(patience=2, cooldown=1),
        dict(
            mode="max", threshold_mode="abs", threshold=0.05, patience=1, factor=0.5, min_lr=0.004
        ),
    ],
)
def test_plateau_against_torch(kwargs, rng):
    metrics = np.round(rng.uniform(0.0, 1.0, size=EPOCHS), 2)

    def torch_plateau(torch, metrics):
        topt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(topt, **kwargs)
        lrs = []
        for metric in metrics:
            theirs.step(float(metric))
            lrs.append(theirs.get_last_lr())
        return {"lrs": np.array(lrs), "num_bad_epochs": theirs.num_bad_epochs, "best": theirs.best}

    label = "_".join(f"{k}_{v}" for k, v in kwargs.items())
    expected = reference(f"schedulers/plateau_{label}", torch_plateau, metrics=metrics)
    ours = plateau(make_optimizer(lrs=(0.1,)), **kwargs)
    for metric, lrs in zip(metrics, expected["lrs"]):
        ours.step(float(metric))
        np.testing.assert_allclose(ours.get_last_lr(), lrs, rtol=1e-12)
    assert ours.num_bad_epochs == expected["num_bad_epochs"] and ours.best == expected["best"]
    assert ours.get_last_lr()[0] < 0.1  # the sequence did reduce the lr
