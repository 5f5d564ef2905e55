"""In-place variants: values, version counters, PyTorch's rebase semantics inside the graph
(gradients against PyTorch and finite differences), the copy of an overwritten input a
derivative needs, refusal on leaves that require grad, and the untracked fast path."""

import numpy as np
import pytest
from op_parity import check_against_torch, check_derivatives

import minitorch_es as mt

R = np.random.default_rng(4)
X = R.standard_normal((3, 4))
POS = R.uniform(0.5, 2.0, (3, 4))
S = R.standard_normal((3, 4))
IDX = np.array([[0, 3], [1, 1], [2, 0]])
MASK = R.standard_normal((3, 4)) > 0


def inplace(op):
    """``op`` applied in place to a non-leaf copy of x (so the graph records it)."""

    def fn(lib, x, *rest):
        y = x * 1.0
        out = op(lib, y, *rest)
        assert out is y
        return y

    return fn


CASES = {
    "exp_": (lambda lib, y: y.exp_(), [X]),
    "log_": (lambda lib, y: y.log_(), [POS]),
    "sqrt_": (lambda lib, y: y.sqrt_(), [POS]),
    "abs_": (lambda lib, y: y.abs_(), [X]),
    "sin_": (lambda lib, y: y.sin_(), [X]),
    "cos_": (lambda lib, y: y.cos_(), [X]),
    "reciprocal_": (lambda lib, y: y.reciprocal_(), [POS]),
    "rsqrt_": (lambda lib, y: y.rsqrt_(), [POS]),
    "square_": (lambda lib, y: y.square_(), [X]),
    "floor_": (lambda lib, y: y.floor_(), [X]),
    "ceil_": (lambda lib, y: y.ceil_(), [X]),
    "round_": (lambda lib, y: y.round_(), [X]),
    "trunc_": (lambda lib, y: y.trunc_(), [X]),
    "frac_": (lambda lib, y: y.frac_(), [X * 3]),
    "sign_": (lambda lib, y: y.sign_(), [X]),
    "neg_": (lambda lib, y: y.neg_(), [X]),
    "pow_": (lambda lib, y: y.pow_(3), [X]),
    "mul_tensor": (lambda lib, y, s: y.mul_(s), [X, S]),
    "div_tensor": (lambda lib, y, s: y.div_(s.exp()), [X, S]),
    "fmod_": (lambda lib, y, s: y.fmod_(s.exp()), [X, S]),
    "remainder_": (lambda lib, y, s: y.remainder_(s.exp()), [X, S]),
    "clamp_min_": (lambda lib, y: y.clamp_min_(0.1), [X]),
    "clamp_max_": (lambda lib, y: y.clamp_max_(-0.1), [X]),
    "lerp_": (lambda lib, y, s: y.lerp_(s, 0.25), [X, S]),
    "addcmul_": (lambda lib, y, s: y.addcmul_(s, s, value=0.5), [X, S]),
    "addcdiv_": (lambda lib, y, s: y.addcdiv_(s, s.exp(), value=2), [X, S]),
    "addmm_": (lambda lib, y, s: y.addmm_(s, s.T[:, :4], alpha=0.5), [X[:, :3], S]),
    "sigmoid_": (lambda lib, y: y.sigmoid_(), [X]),
    "tanh_": (lambda lib, y: y.tanh_(), [X]),
    "relu_": (lambda lib, y: y.relu_(), [X]),
    "masked_fill_": (lambda lib, y: y.masked_fill_(lib.tensor(MASK), 0.5), [X]),
    "masked_fill_tensor_value": (
        lambda lib, y, s: y.masked_fill_(lib.tensor(MASK), s.sum()),
        [X, S],
    ),
    "index_fill_": (lambda lib, y: y.index_fill_(1, lib.tensor([0, 2]), -1.0), [X]),
    "index_add_": (lambda lib, y, s: y.index_add_(0, lib.tensor([2, 2]), s[:2]), [X, S]),
    "index_copy_": (lambda lib, y, s: y.index_copy_(1, lib.tensor([3, 1]), s[:, :2]), [X, S]),
    "scatter_": (lambda lib, y, s: y.scatter_(1, lib.tensor(IDX[:, :1]), s[:, :1]), [X, S]),
    "scatter_add_": (lambda lib, y, s: y.scatter_add_(1, lib.tensor(IDX), s[:, :2]), [X, S]),
    "masked_scatter_": (lambda lib, y, s: y.masked_scatter_(lib.tensor(MASK), s), [X, S]),
    "fill_diagonal_": (lambda lib, y: y.fill_diagonal_(2.0), [X]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_in_place_in_the_graph_matches_pytorch(name):
    op, arrays = CASES[name]
    fn = inplace(op)
    check_against_torch(f"inplace_{name}", fn, arrays)
    check_derivatives(fn, arrays, second=name not in ("relu_", "clamp_min_", "clamp_max_"))


@pytest.mark.parametrize("name", [n for n in CASES if len(CASES[n][1]) == 1])
def test_in_place_outside_the_graph_equals_out_of_place(name):
    op, (x,) = CASES[name]
    y = mt.tensor(x)
    expected = op(mt, mt.tensor(x) * 1.0)._data.copy()  # also in place, on a copy
    version = y._version[0]
    assert op(mt, y) is y
    np.testing.assert_allclose(y._data, expected)
    assert y._version[0] > version


def test_derivative_that_needs_the_overwritten_input_keeps_a_copy():
    x = mt.tensor([0.5, 1.0], dtype=mt.float64, requires_grad=True)
    y = x * 2
    data = y._data
    y.sin_()
    assert y._data is data  # in place: the same memory
    y.sum().backward()
    np.testing.assert_allclose(x.grad._data, 2 * np.cos(2 * x._data))


def test_modified_saved_output_still_raises_pytorchs_error():
    x = mt.tensor([0.5, 1.0], requires_grad=True)
    y = x.exp()
    y.add_(1)  # exp saved its output, now changed
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_leaf_that_requires_grad_refuses_in_place():
    w = mt.ones(2, requires_grad=True)
    for op in (lambda t: t.exp_(), lambda t: t.masked_fill_(t > 0, 0.0), lambda t: t.sigmoid_()):
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            op(w)
    with mt.no_grad():
        w.exp_()
    assert np.allclose(w._data, np.e)


def test_integer_tensor_refuses_a_float_result():
    with pytest.raises(RuntimeError, match="can't be cast"):
        mt.tensor([1, 2]).sqrt_()


def test_remainder_operator_in_place():
    x = mt.tensor([5, -5])
    x %= 3
    assert x.tolist() == [2, 1]


def test_fill_diagonal_wrap_and_errors():
    x = mt.zeros(5, 2)
    x.fill_diagonal_(1.0, wrap=True)
    assert x.tolist() == [[1, 0], [0, 1], [0, 0], [1, 0], [0, 1]]
    with pytest.raises(RuntimeError, match="all equal"):
        mt.zeros(2, 3, 4).fill_diagonal_(1.0)
