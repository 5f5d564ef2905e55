"""Leaves finished during the backward walk: register_post_accumulate_grad_hook (PyTorch's),
leaf hooks that run as soon as the leaf's gradient is complete, and engine.queue_callback."""

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es.autograd import engine


class Probe(mt.autograd.Function):
    """The identity, whose backward records what had happened by the time it ran."""

    events: list = []

    @staticmethod
    def forward(ctx, x):
        return x * 1

    @staticmethod
    def backward(ctx, grad):
        Probe.events.append("probe backward")
        return grad


def test_post_accumulate_hook_sees_the_accumulated_grad():
    w = mt.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    handle = w.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.tolist()))
    (3 * w).sum().backward()
    (w * w).sum().backward()
    assert seen == [[3.0, 3.0], [5.0, 7.0]]  # after accumulation: 3 + 2w
    handle.remove()
    (3 * w).sum().backward()
    assert len(seen) == 2


def test_a_leaf_is_finished_before_the_earlier_layers_run_backward():
    # w2 is used by the last op, so its gradient is complete before the probe's backward
    # (an earlier op of the forward) runs: its hooks fire in between, as PyTorch's
    # AccumulateGrad does. w1 is only complete after the probe.
    Probe.events = []
    w1 = mt.tensor([2.0], requires_grad=True)
    w2 = mt.tensor([3.0], requires_grad=True)
    w1.register_post_accumulate_grad_hook(lambda t: Probe.events.append("w1 ready"))
    w2.register_post_accumulate_grad_hook(lambda t: Probe.events.append("w2 ready"))
    w2.register_hook(lambda g: Probe.events.append("w2 hook"))
    (Probe.apply(w1 * 5.0) * w2).sum().backward()
    assert Probe.events == ["w2 hook", "w2 ready", "probe backward", "w1 ready"]
    np.testing.assert_allclose(w1.grad.numpy(), [15.0])  # d(5 w1 w2)/dw1
    np.testing.assert_allclose(w2.grad.numpy(), [10.0])


def test_a_leaf_used_twice_is_finished_once_with_its_whole_gradient():
    w = mt.tensor([1.5], requires_grad=True)
    seen = []
    w.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.item()))
    y = w * w  # two edges to w from one node, and a third from another
    (y * 2 + w).sum().backward()
    assert seen == [pytest.approx(4 * 1.5 + 1)]


def test_hooks_run_for_a_leaf_that_is_a_root_and_for_inputs():
    w = mt.tensor([1.0, 2.0], requires_grad=True)
    v = mt.tensor([1.0], requires_grad=True)
    seen = []
    w.register_post_accumulate_grad_hook(lambda t: seen.append("w"))
    v.register_post_accumulate_grad_hook(lambda t: seen.append("v"))
    w.backward(mt.tensor([1.0, 1.0]))
    assert seen == ["w"] and w.grad.tolist() == [1.0, 1.0]
    (w * v).sum().backward(inputs=[v])
    assert seen == ["w", "v"] and v.grad.tolist() == [3.0]
    # autograd.grad accumulates nothing, so no post-accumulate hook runs
    mt.autograd.grad((w * v).sum(), [w])
    assert seen == ["w", "v"]


def test_queue_callback_runs_after_the_walk_and_once():
    w = mt.tensor([1.0, 2.0], requires_grad=True)
    order = []

    def hook(t):
        order.append("ready")
        engine.queue_callback(lambda: order.append(("done", t.grad.tolist())))

    w.register_post_accumulate_grad_hook(hook)
    (w * w).sum().backward()
    assert order == ["ready", ("done", [2.0, 4.0])]
    (w * 1).sum().backward()  # a new backward: a new list of callbacks
    assert order[-1] == ("done", [3.0, 5.0]) and len(order) == 4


def test_a_failing_walk_drops_its_queued_callbacks():
    w = mt.tensor([1.0], requires_grad=True)
    ran = []

    def hook(t):
        engine.queue_callback(lambda: ran.append(True))
        raise ValueError("hook failed")

    w.register_post_accumulate_grad_hook(hook)
    with pytest.raises(ValueError, match="hook failed"):
        (w * 2).sum().backward()
    assert ran == [] and engine._callbacks == []


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda: (mt.ones(2, requires_grad=True) * 2).register_post_accumulate_grad_hook(print),
            RuntimeError,
            "post accumulate grad hooks cannot be registered on non-leaf tensors",
        ),
        (
            lambda: mt.ones(2).register_post_accumulate_grad_hook(print),
            RuntimeError,
            "doesn't require gradient",
        ),
        (
            lambda: mt.ones(2, requires_grad=True).register_post_accumulate_grad_hook(3),
            TypeError,
            "expected a callable, got int",
        ),
        (lambda: engine.queue_callback(print), RuntimeError, "no backward pass is running"),
    ],
)
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_queue_callback_needs_a_callable():
    w = mt.tensor([1.0], requires_grad=True)
    w.register_post_accumulate_grad_hook(lambda t: engine.queue_callback(None))
    with pytest.raises(TypeError, match="queue_callback expected a callable, got NoneType"):
        (w * 2).sum().backward()
