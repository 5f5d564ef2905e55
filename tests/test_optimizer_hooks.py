"""Optimizer step hooks with PyTorch's API: per optimizer and global, removable, replacing
arguments, run once also for a subclass that overrides ``step``."""

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es.nn import Parameter
from minitorch_es.optim.optimizer import (
    register_optimizer_step_post_hook,
    register_optimizer_step_pre_hook,
)


def make():
    w = Parameter(mt.ones(2))
    w.grad = np.ones(2, np.float32)
    return w, mt.optim.SGD([w], lr=0.5)


def test_pre_and_post_hooks_run_around_the_step_in_pytorchs_order():
    w, opt = make()
    seen = []

    def record(label):
        def hook(optimizer, args, kwargs):
            # The hooks see the values before (pre) and after (post) the update.
            seen.append((label, optimizer is opt, args[0] is opt, dict(kwargs), float(w.data[0])))

        return hook

    handles = [
        opt.register_step_post_hook(record("post")),
        register_optimizer_step_post_hook(record("global post")),
        opt.register_step_pre_hook(record("pre")),
        register_optimizer_step_pre_hook(record("global pre")),
    ]
    try:
        closure = lambda: 3.0  # noqa: E731
        assert opt.step(closure=closure) == 3.0
    finally:
        for h in handles:
            h.remove()
    assert seen == [
        ("global pre", True, True, {"closure": closure}, 1.0),
        ("pre", True, True, {"closure": closure}, 1.0),
        ("post", True, True, {"closure": closure}, 0.5),
        ("global post", True, True, {"closure": closure}, 0.5),
    ]
    seen.clear()
    opt.step()  # removed: nothing runs
    assert seen == []


def test_a_pre_hook_can_replace_the_arguments():
    w, opt = make()
    calls = []
    opt.register_step_pre_hook(lambda o, args, kwargs: (args, {"closure": lambda: calls.append(1)}))
    opt.step()
    assert calls == [1]


def test_a_pre_hook_returning_something_else_is_an_error():
    _, opt = make()
    handle = opt.register_step_pre_hook(lambda o, args, kwargs: 5)
    with pytest.raises(RuntimeError, match=r"must return None or a tuple of \(new_args, new_kw"):
        opt.step()
    handle.remove()
    opt.step()


def test_hooks_run_once_for_a_subclass_that_overrides_step():
    class Counting(mt.optim.SGD):
        def step(self, closure=None):
            self.calls = getattr(self, "calls", 0) + 1
            return super().step(closure)

    w = Parameter(mt.ones(2))
    w.grad = np.ones(2, np.float32)
    opt = Counting([w], lr=0.5)
    seen = []
    with opt.register_step_pre_hook(lambda o, a, k: seen.append("pre")):
        with opt.register_step_post_hook(lambda o, a, k: seen.append("post")):
            opt.step()
    assert seen == ["pre", "post"] and opt.calls == 1
    np.testing.assert_allclose(w.data, [0.5, 0.5])


def test_the_hook_of_one_optimizer_does_not_run_for_another():
    _, first = make()
    _, second = make()
    seen = []
    first.register_step_post_hook(lambda o, a, k: seen.append(o))
    second.step()
    first.step()
    assert seen == [first]
