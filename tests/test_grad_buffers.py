"""Gradients written straight into the optimizer's arena (`Context.grad_buffer`): offered only
where nothing can tell the difference, and every gradient the same as without it."""

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es.autograd import Primitive, grad_buffers

OFFERS = []  # what each backward of `Scale` was offered: None or the buffer


class Scale(Primitive):
    """``x * w`` (same shapes); backward writes w's gradient into the offered buffer."""

    @staticmethod
    def forward(ctx, x, w):
        ctx.save_for_backward(x, w)
        return x * w

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        buffer = ctx.grad_buffer(1)
        OFFERS.append(buffer)
        gw = grad * x if buffer is None else np.multiply(grad, x, out=buffer)
        return grad * w, gw


@pytest.fixture(autouse=True)
def _clear():
    OFFERS.clear()


def packed(n=3, **options):
    w = mt.nn.Parameter(mt.arange(1.0, n + 1))
    optimizer = mt.optim.SGD([w], lr=0.1, **options)
    arena = optimizer._arenas[0][0]
    optimizer.zero_grad()
    return w, optimizer, arena


def test_the_arena_slice_is_offered_and_the_gradient_lands_there():
    w, _, arena = packed()
    x = mt.tensor([2.0, 3.0, 4.0])
    arena.grad[...] = 99  # a stale gradient: it must be overwritten, not added to
    Scale.apply(x, w).sum().backward()
    assert len(OFFERS) == 1 and np.shares_memory(OFFERS[0], arena.grad)
    np.testing.assert_array_equal(w.grad.numpy(), [2.0, 3.0, 4.0])
    assert np.shares_memory(w.grad.numpy(), arena.grad)


def test_a_second_backward_adds_to_the_written_gradient():
    w, _, _ = packed()
    x = mt.tensor([2.0, 3.0, 4.0])
    Scale.apply(x, w).sum().backward()
    Scale.apply(x, w).sum().backward()  # a gradient is there now: not offered, added
    assert OFFERS[1] is None
    np.testing.assert_array_equal(w.grad.numpy(), [4.0, 6.0, 8.0])


def test_a_leaf_fed_twice_is_offered_once_and_gets_the_sum():
    w, _, _ = packed()
    ones, tens = mt.tensor([1.0, 1.0, 1.0]), mt.tensor([10.0, 10.0, 10.0])
    loss = Scale.apply(ones, w).sum() + Scale.apply(tens, w).sum()
    loss.backward()
    assert sum(b is not None for b in OFFERS) == 1
    np.testing.assert_array_equal(w.grad.numpy(), [11.0, 11.0, 11.0])


def test_not_offered_where_the_difference_could_be_seen():
    w, _, arena = packed()
    x = mt.tensor([2.0, 3.0, 4.0], requires_grad=True)
    (gw,) = mt.autograd.grad(Scale.apply(x, w).sum(), [w])  # returned, not accumulated
    assert OFFERS == [None] and w.grad is None
    np.testing.assert_array_equal(gw.numpy(), [2.0, 3.0, 4.0])

    Scale.apply(x, w).sum().backward(inputs=[x])  # w is not a target: untouched
    assert OFFERS[-1] is None and w.grad is None

    handle = w.register_hook(lambda g: g * 2)  # a hook sees (and changes) the gradient
    Scale.apply(x, w).sum().backward()
    assert OFFERS[-1] is None
    np.testing.assert_array_equal(w.grad.numpy(), [4.0, 6.0, 8.0])
    handle.remove()

    plain = mt.nn.Parameter(mt.ones(3))  # in no optimizer: no arena
    Scale.apply(x, plain).sum().backward()
    assert OFFERS[-1] is None
    np.testing.assert_array_equal(plain.grad.numpy(), [2.0, 3.0, 4.0])
    assert grad_buffers.current is None


def test_not_offered_when_the_gradient_builds_a_graph():
    w, _, _ = packed()
    x = mt.tensor([2.0, 3.0, 4.0], requires_grad=True)
    y = mt.nn.functional.linear(x.reshape(1, 3), w.reshape(1, 3))
    y.sum().backward(create_graph=True)
    assert w.grad.numpy().tolist() == [2.0, 3.0, 4.0]
    assert grad_buffers.current is None


def test_zero_grad_without_set_to_none_is_accumulated_into():
    w, optimizer, _ = packed()
    Scale.apply(mt.tensor([2.0, 3.0, 4.0]), w).sum().backward()
    optimizer.zero_grad(set_to_none=False)  # a gradient of zeros is there: added to
    Scale.apply(mt.tensor([1.0, 1.0, 1.0]), w).sum().backward()
    assert OFFERS[-1] is None
    np.testing.assert_array_equal(w.grad.numpy(), [1.0, 1.0, 1.0])


def test_a_backward_inside_a_hook_has_its_own_offers_and_the_outer_ones_come_back():
    w, _, arena = packed()
    v, _, _ = packed()
    seen = []

    def hook(g):
        with mt.enable_grad():  # hooks run with grad mode off, as in PyTorch
            Scale.apply(mt.tensor([5.0, 5.0, 5.0]), v).sum().backward()
        seen.append(grad_buffers.current)

    x = mt.tensor([2.0, 3.0, 4.0], requires_grad=True)
    h = x * 1.0
    h.register_hook(hook)
    outer = Scale.apply(h, w).sum()
    outer.backward()
    assert seen[0] is not None and grad_buffers.current is None
    np.testing.assert_array_equal(v.grad.numpy(), [5.0, 5.0, 5.0])
    np.testing.assert_array_equal(w.grad.numpy(), [2.0, 3.0, 4.0])


def test_a_failed_walk_leaves_no_offers_behind():
    w, _, _ = packed()

    def bad(g):
        raise ValueError("hook failed")

    h = mt.tensor([1.0, 2.0, 3.0], requires_grad=True) * 1.0
    h.register_hook(bad)
    with pytest.raises(ValueError, match="hook failed"):
        Scale.apply(h, w).sum().backward()
    assert grad_buffers.current is None


def test_linear_writes_its_weight_gradient_into_the_arena_exactly():
    rng = np.random.default_rng(0)
    layer = mt.nn.Linear(7, 4)
    optimizer = mt.optim.Adam(layer.parameters())
    x = rng.standard_normal((5, 7)).astype(np.float32)
    delta = rng.standard_normal((5, 4)).astype(np.float32)
    for _ in range(2):  # the first step writes in place, the second after zero_grad again
        optimizer.zero_grad()
        (layer(mt.from_numpy(x)) * mt.from_numpy(delta)).sum().backward()
        np.testing.assert_array_equal(layer.weight.grad.numpy(), delta.T @ x)
        np.testing.assert_array_equal(layer.bias.grad.numpy(), delta.sum(axis=0))
        assert np.shares_memory(layer.weight.grad.numpy(), optimizer._arenas[0][0].grad)
        optimizer.step()
