"""The parameter arena: each parameter's ._data and .grad are views into one buffer per
(group, dtype) of its optimizer, and nothing the arena owns is ever rebound."""

import copy

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es import nn
from minitorch_es.optim import Optimizer


class PlainSGD(Optimizer):
    """``p -= lr * g`` (plus a per-parameter scalar, to exercise that kind of state)."""

    def __init__(self, params, lr=0.1):
        super().__init__(params, dict(lr=lr))

    def _update(self, group, param, grad, state, step):
        state.set_scalar("updates", state.get_scalar("updates", 0.0) + 1)
        param -= group["lr"] * grad


def make_model():
    model = nn.Module()
    model.w = nn.Parameter(mt.randn(2, 3))
    model.b = nn.Parameter(mt.randn(3))
    return model


def arena_of(opt, group=0, index=0):
    return opt._arenas[group][index]


def test_data_and_grad_are_views_into_one_buffer():
    model = make_model()
    values = {n: p._data.copy() for n, p in model.named_parameters()}
    opt = PlainSGD(model.parameters())
    arena = arena_of(opt)
    assert arena.data.shape == (9,) and arena.data.dtype == np.float32
    np.testing.assert_array_equal(arena.data, np.concatenate([values["w"].ravel(), values["b"]]))
    for name, p in model.named_parameters():
        assert np.shares_memory(p._data, arena.data) and p.shape == values[name].shape
        np.testing.assert_array_equal(p._data, values[name])
    (model.w.sum() * 2 + model.b.sum()).backward()
    assert np.shares_memory(model.w.grad, arena.grad)
    np.testing.assert_array_equal(arena.grad, [2.0] * 6 + [1.0] * 3)
    (model.b.sum() * 3).backward()  # accumulates in place
    np.testing.assert_array_equal(model.b.grad, [4.0] * 3)
    opt.step()
    np.testing.assert_allclose(model.b._data, values["b"] - 0.4, rtol=1e-6)
    assert opt.state[model.w]["updates"] == 1.0


def test_loading_state_dicts_copies_into_the_arena():
    model, source = make_model(), make_model()
    opt = PlainSGD(model.parameters())
    arena = arena_of(opt)
    model.load_state_dict(source.state_dict())
    assert np.shares_memory(model.w._data, arena.data) and np.shares_memory(
        model.b._data, arena.data
    )
    np.testing.assert_array_equal(model.w._data, source.w._data)
    (model.w.sum() + model.b.sum()).backward()
    opt.step()
    saved = opt.state_dict()
    opt.load_state_dict(saved)
    assert np.shares_memory(model.w._data, arena.data)
    assert opt.state[model.b]["updates"] == 1.0


def test_assigning_data_copies_into_the_arena():
    model = make_model()
    opt = PlainSGD(model.parameters())
    arena = arena_of(opt)
    new = np.full((2, 3), 5.0, dtype=np.float32)
    model.w.data = new
    assert np.shares_memory(model.w._data, arena.data) and not np.shares_memory(new, arena.data)
    np.testing.assert_array_equal(arena.data[:6], 5.0)
    model.b.data = mt.tensor([1.0, 2.0, 3.0])  # a Tensor: its values
    np.testing.assert_array_equal(arena.data[6:], [1.0, 2.0, 3.0])
    with pytest.raises(
        mt.ShapeError,
        match=r"cannot assign an array of shape \(3, 2\) to a "
        r"parameter of shape \(2, 3\) whose storage belongs "
        r"to an optimizer",
    ):
        model.w.data = np.zeros((3, 2))
    with pytest.raises(
        RuntimeError,
        match="cannot change the dtype of parameter 'w' of Module: it is packed in an optimizer",
    ):
        model.double()


def test_assigning_and_clearing_grads():
    model = make_model()
    opt = PlainSGD(model.parameters(), lr=1.0)
    arena = arena_of(opt)
    model.w.grad = np.ones((2, 3))
    assert np.shares_memory(model.w.grad, arena.grad) and model.b.grad is None
    model.w.grad = None
    assert model.w.grad is None
    (model.w * 3).sum().backward()  # written into the arena again
    assert np.shares_memory(model.w.grad, arena.grad)
    np.testing.assert_array_equal(model.w.grad, np.full((2, 3), 3.0))
    with pytest.raises(
        ValueError,
        match=r"assigned grad has shape \(3,\), but the parameter has "
        r"shape \(2, 3\)",
    ):
        model.w.grad = np.ones(3)
    before = model.b._data.copy()
    opt.step()  # b has no grad: skipped
    np.testing.assert_array_equal(model.b._data, before)
    model.zero_grad(set_to_none=False)
    assert np.shares_memory(model.w.grad, arena.grad) and not arena.grad.any()
    model.zero_grad()
    assert model.w.grad is None


def test_two_optimizers_over_the_same_parameters_take_turns():
    model = make_model()
    first = PlainSGD(model.parameters(), lr=1.0)
    (model.w.sum()).backward()
    second = PlainSGD(model.parameters(), lr=0.5)
    assert np.shares_memory(model.w._data, arena_of(second).data)
    np.testing.assert_array_equal(model.w.grad, np.ones((2, 3)))  # the gradient moved along
    before = model.w._data.copy()
    first.step()  # takes the parameters back, with their values and gradients
    assert np.shares_memory(model.w._data, first.arenas()[0].data)
    np.testing.assert_allclose(model.w._data, before - 1.0)
    second.step()
    np.testing.assert_allclose(model.w._data, before - 1.5)
    first.zero_grad()  # acts on the parameters, wherever they are
    assert model.w.grad is None and np.shares_memory(model.w._data, first.arenas()[0].data)


def test_an_optimizer_keeps_its_state_while_another_one_steps():
    w = nn.Parameter(mt.ones(3))
    momentum, plain = mt.optim.SGD([w], lr=0.1, momentum=0.9), mt.optim.SGD([w], lr=0.1)
    for opt in (momentum, plain, momentum):
        w.grad = np.ones(3, np.float32)
        opt.step()
    # 1 - 0.1 (buffer 1), - 0.1 (plain), - 0.1 * 1.9 (buffer 0.9 * 1 + 1)
    np.testing.assert_allclose(w._data, [0.61] * 3, rtol=1e-6)
    np.testing.assert_allclose(momentum.state[w]["momentum_buffer"], [1.9] * 3, rtol=1e-6)
    assert momentum.state[w]["step"] == 2


def test_param_groups_of_different_dtypes():
    p32 = nn.Parameter(mt.ones(2))
    p64 = nn.Parameter(mt.ones(3, dtype=mt.float64))
    q64 = nn.Parameter(mt.ones(1, dtype=mt.float64))
    opt = PlainSGD([{"params": [p32, q64]}, {"params": [p64], "lr": 0.5}], lr=0.25)
    assert [[a.data.dtype for a in arenas] for arenas in opt._arenas] == [
        [np.float32, np.float64],
        [np.float64],
    ]
    for p in (p32, p64, q64):
        p.grad = np.ones(p.shape, dtype=p.dtype)
    opt.step()
    assert (p32.dtype, p64.dtype, q64.dtype) == (np.float32, np.float64, np.float64)
    np.testing.assert_array_equal(p32._data, [0.75, 0.75])
    np.testing.assert_array_equal(q64._data, [0.75])
    np.testing.assert_array_equal(p64._data, [0.5] * 3)
    assert list(opt.state_dict()["state"]) == [0, 1, 2]  # positions follow the groups' order


def test_plain_tensors_in_an_optimizer():
    t = mt.ones(2, requires_grad=True)
    opt = PlainSGD([t], lr=1.0)
    for expected in ([-2.0, -2.0], [-5.0, -5.0]):
        opt.zero_grad()
        (t * 3).sum().backward()
        opt.step()
        np.testing.assert_array_equal(t._data, expected)
    assert np.shares_memory(t._data, arena_of(opt).data)
    opt.zero_grad()
    assert t.grad is None
    other = PlainSGD([t], lr=1.0)  # takes the tensor over; the first optimizer notices
    (t * 1).sum().backward()
    with pytest.raises(
        RuntimeError,
        match=r"tensor 0 \(shape \(2,\)\) of this optimizer no "
        "longer uses its storage",
    ):
        opt.step()
    other.step()
    np.testing.assert_array_equal(t._data, [-6.0, -6.0])


def test_deepcopy_of_a_packed_model_is_independent():
    model = make_model()
    opt = PlainSGD(model.parameters())
    model.w.sum().backward()
    clone = copy.deepcopy(model)
    assert isinstance(clone.w, nn.Parameter) and clone.w is not model.w
    assert not np.shares_memory(clone.w._data, arena_of(opt).data)
    np.testing.assert_array_equal(clone.w.grad, model.w.grad)
    assert not np.shares_memory(clone.w.grad, arena_of(opt).grad)
    x = mt.randn(4, 2)
    np.testing.assert_array_equal((x @ clone.w)._data, (x @ model.w)._data)
    clone.w._data[...] = 0  # not in any arena: plain arrays
    clone.double()
    assert clone.w.dtype == np.float64 and model.w._data.any()


def test_state_that_decays_towards_subnormal_floats_is_flushed_to_zero():
    # Subnormal floats make every NumPy pass ~40x slower; a moment estimate of a parameter whose
    # gradient stays 0 decays into them, so the arena flushes tiny state values periodically.
    from minitorch_es.optim import Optimizer

    class Decay(Optimizer):
        def __init__(self, params):
            super().__init__(params, dict(lr=0.1))

        def _update(self, group, param, grad, state, step):
            m = state.buffer("m", fill=1e-30)
            m *= 0.5

    p = mt.nn.Parameter(mt.zeros(4))
    opt = Decay([p])
    p.grad = np.zeros(4, dtype=np.float32)
    arena = opt._arenas[0][0]
    for _ in range(arena.FLUSH_EVERY - 1):
        opt.step()
    assert (arena.buffers["m"] > 0).all()  # 1e-30 * 2**-15 is still a normal float32
    opt.step()
    assert (arena.buffers["m"] == 0).all()
    big = arena.buffer("n", fill=1e-3)
    arena.flush_subnormal_state()
    assert (big == np.float32(1e-3)).all()  # ordinary values are untouched
