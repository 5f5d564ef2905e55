"""The Optimizer base (PyTorch's contract) and the LRScheduler base, with tiny subclasses."""

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es import nn
from minitorch_es.optim import Optimizer, required
from minitorch_es.optim.lr_scheduler import LRScheduler
from minitorch_es.registry import Registry


class TinySGD(Optimizer):
    """SGD with PyTorch's momentum: ``b = m * b + g; p -= lr * b``."""

    def __init__(self, params, lr=required, momentum=0.0):
        if momentum < 0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        super().__init__(params, dict(lr=lr, momentum=momentum))

    def _update(self, group, param, grad, state, step):
        if group["momentum"]:
            buf = state.buffer("momentum_buffer")
            if step == 1:
                buf[...] = grad
            else:
                buf *= group["momentum"]
                buf += grad
            grad = buf
        param -= group["lr"] * grad


class Halving(LRScheduler):
    """Halves every ``step_size`` epochs (a StepLR with gamma 0.5)."""

    def __init__(self, optimizer, step_size=2, last_epoch=-1):
        self.step_size = step_size
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [base * 0.5 ** (self.last_epoch // self.step_size) for base in self.base_lrs]


def quadratic(p):
    """Loss ``sum(p ** 2) / 2`` whose gradient is ``p``."""
    return (p * p).sum() * 0.5


def test_sgd_with_momentum_against_a_numpy_reference(rng):
    start = rng.normal(size=(3, 2)).astype(np.float32)
    p = nn.Parameter(mt.tensor(start))
    opt = TinySGD([p], lr=0.1, momentum=0.9)
    ref, buf = start.copy(), None
    for step in range(1, 5):
        opt.zero_grad()
        quadratic(p).backward()
        opt.step()
        g = ref.copy()
        buf = g if buf is None else 0.9 * buf + g
        ref = ref - np.float32(0.1) * buf
        np.testing.assert_allclose(p._data, ref, rtol=1e-6)
        assert opt.state[p]["step"] == step
    assert p.dtype == np.float32
    np.testing.assert_allclose(opt.state[p]["momentum_buffer"], buf, rtol=1e-6)


def test_param_groups_defaults_and_add_param_group():
    a, b, c = (nn.Parameter(mt.ones(2)) for _ in range(3))
    opt = TinySGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.2)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["momentum"] == 0.2 and opt.param_groups[1]["params"] == [b]
    assert opt.defaults == {"lr": 0.1, "momentum": 0.2}
    opt.add_param_group({"params": [c], "momentum": 0.0})
    assert opt.param_groups[2]["lr"] == 0.1 and opt.param_groups[2]["momentum"] == 0.0
    for p in (a, b, c):
        p.grad = np.ones(2, dtype=np.float32)
    opt.step()
    np.testing.assert_allclose([a._data[0], b._data[0], c._data[0]], [0.9, 0.5, 0.9], rtol=1e-6)
    assert repr(opt).startswith("TinySGD (\nParameter Group 0\n    lr: 0.1\n    momentum: 0.2")
    assert opt.get_config() == {"lr": 0.1, "momentum": 0.2}
    rebuilt = Registry()
    rebuilt.add("optimizer", "TinySGD", TinySGD)
    again = rebuilt.create(
        "optimizer",
        {"name": "tiny_sgd", "config": opt.get_config()},
        params=[nn.Parameter(mt.ones(1))],
    )
    assert again.get_config() == opt.get_config() and again.param_groups[0]["lr"] == 0.1


def test_step_skips_parameters_without_grad_and_runs_the_closure():
    a, b = nn.Parameter(mt.ones(2)), nn.Parameter(mt.ones(2))
    opt = TinySGD([a, b], lr=1.0)
    a.grad = np.full(2, 0.25, dtype=np.float32)
    assert opt.step() is None
    assert a._data.tolist() == [0.75, 0.75] and b._data.tolist() == [1.0, 1.0]
    assert a in opt.state and b not in opt.state and len(opt.state) == 1
    assert opt.state[b] == {} and opt.state[a]["step"] == 1

    def closure():
        opt.zero_grad()
        loss = quadratic(b)
        loss.backward()
        return loss

    with mt.no_grad():  # the closure runs with grad enabled anyway
        loss = opt.step(closure)
    assert loss.item() == pytest.approx(1.0)
    assert b._data.tolist() == [0.0, 0.0] and opt.state[b]["step"] == 1
    with pytest.raises(KeyError, match="not a parameter of the optimizer"):
        opt.state[nn.Parameter(mt.ones(1))]


def test_zero_grad_modes():
    p = nn.Parameter(mt.ones(3))
    opt = TinySGD([p], lr=0.1)
    quadratic(p).backward()
    opt.zero_grad(set_to_none=False)
    assert p.grad is not None and not p.grad.any()
    opt.zero_grad()
    assert p.grad is None


def test_constructor_errors():
    p = nn.Parameter(mt.ones(2))
    with pytest.raises(ValueError, match="TinySGD got an empty parameter list"):
        TinySGD([], lr=0.1)
    with pytest.raises(ValueError, match="TinySGD got an empty parameter list"):
        TinySGD(iter([]), lr=0.1)
    with pytest.raises(
        TypeError, match="should be an iterable of Tensors or dicts, but got Parameter"
    ):
        TinySGD(p, lr=0.1)
    with pytest.raises(ValueError, match="TinySGD: a parameter appears twice in one group"):
        TinySGD([p, p], lr=0.1)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        TinySGD([{"params": [p]}, {"params": [nn.Parameter(mt.ones(1)), p]}], lr=0.1)
    with pytest.raises(ValueError, match=r"Invalid learning rate: -0.5 \(expected lr >= 0\)"):
        TinySGD([p], lr=-0.5)
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        TinySGD([{"params": [p], "lr": -1}], lr=0.1)
    with pytest.raises(
        ValueError,
        match=r"didn't specify a value of required option\(s\) "
        r"\['lr'\]",
    ):
        TinySGD([p])
    with pytest.raises(
        TypeError, match="can only optimize Tensors, but parameter 1 of the group is a ndarray"
    ):
        TinySGD([p, np.ones(2)], lr=0.1)
    with pytest.raises(ValueError, match=r"can't optimize a non-leaf Tensor \(parameter 0"):
        TinySGD([p * 2], lr=0.1)
    with pytest.raises(TypeError, match="parameter 0 has dtype torch.int64; only floats"):
        TinySGD([mt.tensor([1, 2])], lr=0.1)
    with pytest.raises(TypeError, match="a param group must be a dict, got list"):
        TinySGD([p], lr=0.1).add_param_group([nn.Parameter(mt.ones(1))])

    class NoUpdate(Optimizer):
        def __init__(self, params):
            super().__init__(params, {"lr": 0.1})

    q = nn.Parameter(mt.ones(1))
    opt = NoUpdate([q])
    q.grad = np.ones(1, dtype=np.float32)
    with pytest.raises(NotImplementedError, match="NoUpdate must implement _update"):
        opt.step()


def model_and_optimizer():
    mt.manual_seed(3)
    model = nn.Module()
    model.w = nn.Parameter(mt.randn(2, 3))
    model.b = nn.Parameter(mt.randn(3))
    return model, TinySGD(model.parameters(), lr=0.1, momentum=0.9)


def train(model, opt, steps):
    for _ in range(steps):
        opt.zero_grad()
        (quadratic(model.w) + quadratic(model.b) * 3).backward()
        opt.step()


@pytest.mark.parametrize("by_name", [False, True])
def test_state_dict_round_trip_continues_bit_for_bit(by_name):
    reference, ref_opt = model_and_optimizer()
    train(reference, ref_opt, 5)
    model, opt = model_and_optimizer()
    train(model, opt, 2)
    names = model.named_parameters() if by_name else None
    saved = opt.state_dict(names)
    keys = ["w", "b"] if by_name else [0, 1]
    assert list(saved["state"]) == keys and saved["param_groups"] == [
        {"lr": 0.1, "momentum": 0.9, "params": keys}
    ]
    assert saved["state"][keys[0]]["step"] == 2.0
    buffer = opt._arenas[0][0].buffers["momentum_buffer"]
    assert not np.shares_memory(saved["state"][keys[0]]["momentum_buffer"], buffer)  # a copy
    weights = model.state_dict()
    fresh, fresh_opt = model_and_optimizer()
    fresh.load_state_dict(weights)
    # By name the order of the parameters does not matter.
    if by_name:
        fresh_opt = TinySGD([fresh.b, fresh.w], lr=0.1, momentum=0.9)
    fresh_opt.load_state_dict(saved, fresh.named_parameters() if by_name else None)
    train(fresh, fresh_opt, 3)
    np.testing.assert_array_equal(fresh.w._data, reference.w._data)
    np.testing.assert_array_equal(fresh.b._data, reference.b._data)


def test_load_state_dict_restores_hyperparameters_and_resets_absent_state():
    a, b = nn.Parameter(mt.ones(2)), nn.Parameter(mt.ones(2))
    opt = TinySGD([a, b], lr=0.1, momentum=0.5)
    a.grad = np.ones(2, dtype=np.float32)
    b.grad = np.ones(2, dtype=np.float32)
    opt.step()
    saved = opt.state_dict()
    del saved["state"][0]  # as if a had never had a gradient
    saved["param_groups"][0]["lr"] = 0.01
    opt.load_state_dict(saved)
    assert opt.param_groups[0]["lr"] == 0.01 and opt.state[a] == {}
    b.grad = np.ones(2, dtype=np.float32)  # a keeps its gradient too
    opt.step()
    assert opt.state[a]["step"] == 1 and opt.state[b]["step"] == 2
    np.testing.assert_allclose(opt.state[a]["momentum_buffer"], [1.0, 1.0])  # fresh, not 1.5
    np.testing.assert_allclose(opt.state[b]["momentum_buffer"], [1.5, 1.5])


def test_load_state_dict_errors():
    model, opt = model_and_optimizer()
    train(model, opt, 1)
    saved = opt.state_dict()
    with pytest.raises(ValueError, match="needs the keys 'state' and 'param_groups'"):
        opt.load_state_dict({"state": {}})
    with pytest.raises(
        ValueError, match="loaded state dict has 2 parameter groups, this TinySGD has 1"
    ):
        opt.load_state_dict({"state": {}, "param_groups": saved["param_groups"] * 2})
    bad = {"state": {}, "param_groups": [{**saved["param_groups"][0], "params": [0]}]}
    with pytest.raises(ValueError, match=r"group \(0\) with 1 parameters, this optimizer's has 2"):
        opt.load_state_dict(bad)
    by_name = opt.state_dict(model.named_parameters())
    by_name["param_groups"][0]["params"] = ["w", "bias"]
    with pytest.raises(ValueError, match=r"missing in the file \['b'\], unknown here \['bias'\]"):
        opt.load_state_dict(by_name, model.named_parameters())
    wrong = opt.state_dict()
    wrong["state"][1]["momentum_buffer"] = np.zeros(4)
    with pytest.raises(
        ValueError,
        match=r"state 'momentum_buffer' of parameter 1 has shape "
        r"\(4,\), the parameter has shape \(3,\)",
    ):
        opt.load_state_dict(wrong)
    with pytest.raises(
        ValueError,
        match=r"a parameter of shape \(3,\) of the optimizer has no "
        "name in param_names",
    ):
        opt.state_dict([("w", model.w)])


def test_lr_scheduler_base():
    a, b = nn.Parameter(mt.ones(1)), nn.Parameter(mt.ones(1))
    opt = TinySGD([{"params": [a]}, {"params": [b], "lr": 1.0}], lr=0.4)
    sched = Halving(opt, step_size=2)
    assert sched.last_epoch == 0 and sched.base_lrs == [0.4, 1.0]
    assert [g["initial_lr"] for g in opt.param_groups] == [0.4, 1.0]
    lrs = []
    for _ in range(5):
        lrs.append(sched.get_last_lr())
        sched.step()
    assert lrs == [[0.4, 1.0], [0.4, 1.0], [0.2, 0.5], [0.2, 0.5], [0.1, 0.25]]
    state = sched.state_dict()
    assert "optimizer" not in state and state["last_epoch"] == 5
    assert sched.get_config() == {"step_size": 2, "last_epoch": -1}
    other = Halving(TinySGD([{"params": [a]}, {"params": [b], "lr": 1.0}], lr=0.4), step_size=2)
    other.load_state_dict(state)
    other.step()
    assert other.get_last_lr() == [0.05, 0.125] and other.optimizer.param_groups[1]["lr"] == 0.125
    resumed = Halving(opt, step_size=2, last_epoch=5)  # initial_lr is in the groups
    assert resumed.last_epoch == 6
    with pytest.raises(KeyError, match=r"'initial_lr' is not specified in param_groups\[0\]"):
        Halving(TinySGD([a], lr=0.1), last_epoch=3)
    with pytest.raises(TypeError, match="Halving expects an Optimizer, got list"):
        Halving([a])
    with pytest.raises(NotImplementedError, match="must implement get_lr"):
        LRScheduler(TinySGD([a], lr=0.1))
