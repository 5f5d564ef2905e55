"""PyTorch's object model where programs touch it: .data/.grad as Tensors, in-place safety
(version counters), hooks, retain_grad, user Functions on Tensors, devices, NumPy interop."""

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es.autograd import Function


# ------------------------------------------------------------------------ .data and .grad
def test_grad_and_data_are_tensors_sharing_memory():
    w = mt.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    assert isinstance(w.grad, mt.Tensor) and isinstance(w.data, mt.Tensor)
    assert not w.data.requires_grad
    w.data.mul_(2)  # through .data: not tracked, shared
    np.testing.assert_array_equal(w._data, [2.0, 4.0])
    w.grad.zero_()
    np.testing.assert_array_equal(w.grad._data, [0.0, 0.0])


def test_manual_sgd_as_in_pytorch_tutorials():
    w = mt.tensor([1.0, 2.0], requires_grad=True)
    for _ in range(2):
        loss = (w * w).sum()
        loss.backward()
        with mt.no_grad():
            w -= 0.25 * w.grad
            w.grad.zero_()
    np.testing.assert_allclose(w._data, [0.25, 0.5])


def test_parameter_grad_views_the_optimizer_arena():
    model = mt.nn.Linear(3, 2)
    opt = mt.optim.SGD(model.parameters(), lr=0.1)
    model(mt.ones(4, 3)).sum().backward()
    g = model.weight.grad
    assert g is model.weight.grad  # the same Tensor object each time, as in PyTorch
    assert np.shares_memory(g._data, opt._arenas[0][0].grad)
    before = model.weight._data.copy()
    with mt.no_grad():
        model.weight.grad.mul_(0)
    opt.step()
    np.testing.assert_array_equal(model.weight._data, before)


def test_grad_assignment_checks_shape_and_dtype():
    w = mt.zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="different size"):
        w.grad = mt.zeros(3)
    with pytest.raises(TypeError, match="different type"):
        w.grad = mt.zeros(2, dtype=mt.float64)


# ------------------------------------------------------------------------- in-place ops
def test_modifying_a_saved_tensor_raises_pytorchs_error():
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    z = y * y  # saves y
    y.add_(1)
    with pytest.raises(
        RuntimeError, match="modified by an inplace operation.*version 1; expected version 0"
    ):
        z.sum().backward()


def test_modifying_a_view_bumps_the_base_version():
    x = mt.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 1
    z = y * y
    with mt.no_grad():
        y[0].fill_(0)  # a view of y: y's saved values changed
    with pytest.raises(RuntimeError, match="inplace operation"):
        z.sum().backward()


def test_inplace_on_a_leaf_requiring_grad_raises_but_not_under_no_grad():
    x = mt.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x.add_(1)
    with mt.no_grad():
        x.add_(1)
    np.testing.assert_array_equal(x._data, [2.0, 2.0])


def test_inplace_ops_are_recorded_on_non_leaves():
    x = mt.tensor([1.0, -2.0, 3.0], requires_grad=True)
    h = x * 2
    h.clamp_(min=0).mul_(3).add_(1)
    assert h.grad_fn is not None
    h.sum().backward()
    np.testing.assert_array_equal(x.grad._data, [6.0, 0.0, 6.0])


def test_consumers_keep_the_history_from_before_an_inplace_change():
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1
    z = h + 2  # Add saves nothing: its gradient must not go through the later mul_
    h.mul_(3)
    z.sum().backward()
    np.testing.assert_array_equal(x.grad._data, [1.0, 1.0])


def test_inplace_errors_name_the_problem():
    e = mt.ones(1).expand(3)
    with pytest.raises(RuntimeError, match="clone"):
        e.add_(1)
    i = mt.tensor([1, 2])
    with pytest.raises(RuntimeError, match="can't be cast|cast"):
        i.add_(0.5)
    with pytest.raises(RuntimeError, match="cannot be broadcast"):
        mt.zeros(2).copy_(mt.zeros(3))


def test_copy_fill_zero_and_setitem():
    t = mt.zeros(2, 2)
    t.copy_(mt.tensor([1.0, 2.0]))
    np.testing.assert_array_equal(t._data, [[1.0, 2.0], [1.0, 2.0]])
    t.fill_(mt.tensor(5.0))
    t[0, 1] = 7.0
    np.testing.assert_array_equal(t._data, [[5.0, 7.0], [5.0, 5.0]])
    assert t.zero_() is t and not t._data.any()


# -------------------------------------------------------------------- hooks, retain_grad
def test_tensor_hooks_see_and_replace_gradients():
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    handle = x.register_hook(lambda g: seen.append(g.clone()))
    h = x * 3
    h.register_hook(lambda g: g * 10)  # doubles as a replacement
    h.sum().backward()
    np.testing.assert_array_equal(seen[0]._data, [30.0, 30.0])
    np.testing.assert_array_equal(x.grad._data, [30.0, 30.0])
    handle.remove()
    x.grad = None
    (x * 1).sum().backward()
    assert len(seen) == 1


def test_retain_grad_keeps_a_non_leaf_gradient():
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    h = x * x
    h.retain_grad()
    assert h.retains_grad
    h.sum().backward()
    np.testing.assert_array_equal(h.grad._data, [1.0, 1.0])


def test_a_hook_returning_a_wrong_shape_raises():
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: mt.zeros(3))
    with pytest.raises(RuntimeError, match="hook.*shape"):
        (x * 1).sum().backward()


# ------------------------------------------------------------------------- user Functions
class MyReLU(Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0)  # a Tensor method: forward sees Tensors

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0
        return grad_input


def test_a_user_function_receives_and_returns_tensors_as_in_pytorch():
    x = mt.tensor([-1.0, 2.0], requires_grad=True)
    y = MyReLU.apply(x)
    assert isinstance(y, mt.Tensor) and y.grad_fn.fn is MyReLU
    y.sum().backward()
    np.testing.assert_array_equal(x.grad._data, [0.0, 1.0])


class SplitSum(Function):
    """Two outputs: the sum and the product of two tensors."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a + b, a * b

    @staticmethod
    def backward(ctx, g_sum, g_prod):
        a, b = ctx.saved_tensors
        return g_sum + g_prod * b, g_sum + g_prod * a


def test_functions_with_several_outputs_and_their_second_derivatives():
    a = mt.tensor([1.0, 2.0], dtype=mt.float64, requires_grad=True)
    b = mt.tensor([3.0, 4.0], dtype=mt.float64, requires_grad=True)
    s, p = SplitSum.apply(a, b)
    p.sum().backward()  # only one output used: the other's gradient is zeros
    np.testing.assert_array_equal(a.grad._data, b._data)
    assert mt.autograd.gradcheck(lambda x, y: SplitSum.apply(x, y), (a, b))
    assert mt.autograd.gradgradcheck(lambda x, y: SplitSum.apply(x, y), (a, b))


def test_a_user_function_must_return_tensors():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x):
            return x._data * 2

    with pytest.raises(TypeError, match="must return Tensors"):
        Bad.apply(mt.ones(2))


# --------------------------------------------------------------------------------- devices
def test_devices_answer_as_pytorch_without_an_accelerator():
    assert mt.device("cpu") == "cpu" and str(mt.device("cuda", 0)) == "cuda:0"
    assert not mt.cuda.is_available() and mt.accelerator.current_accelerator() is None
    x = mt.ones(2)
    assert x.device == mt.device("cpu") and x.to("cpu") is x and x.cpu() is x
    assert x.to(mt.device("cpu"), mt.float64).dtype == mt.float64
    assert x.to(mt.zeros(1, dtype=mt.float64)).dtype == mt.float64
    model = mt.nn.Linear(2, 2)
    assert model.to("cpu") is model and model.to(mt.float64).weight.dtype == mt.float64


def test_asking_for_a_gpu_is_a_clear_error():
    with pytest.raises(RuntimeError, match="no CUDA backend is installed"):
        mt.ones(2).to("cuda")
    with pytest.raises(RuntimeError, match="no CUDA backend"):
        mt.nn.Linear(2, 2).cuda()
    with pytest.raises(RuntimeError, match="Expected one of"):
        mt.device("tpu")


# ------------------------------------------------------------------------ NumPy interop
def test_numpy_functions_on_tensors():
    x = mt.tensor([1.0, np.inf])
    assert isinstance(np.isfinite(x), mt.Tensor) and not np.isfinite(x).all()
    w = mt.tensor([1.0, 2.0], requires_grad=True)
    y = np.array([2.0, 3.0], dtype=np.float32) * w  # stays in the graph
    y.sum().backward()
    np.testing.assert_array_equal(w.grad._data, [2.0, 3.0])
    assert np.mean(mt.tensor([1.0, 3.0])) == 2.0
    with pytest.raises(RuntimeError, match="requires grad"):
        np.tanh(w)
