"""Index-driven ops (gather, scatter, scatter_add, index_select/add/fill/copy, masked_fill/
select/scatter, take, take_along_dim, nonzero, where) against PyTorch; gradients twice."""

import numpy as np
import pytest
from op_parity import check_against_torch, check_derivatives

import minitorch_es as mt

R = np.random.default_rng(5)
X = R.standard_normal((3, 4))
SRC = R.standard_normal((3, 4))
IDX = np.array([[0, 3], [1, 1], [2, 0]])
MASK = R.standard_normal((3, 4)) > 0
ROWMASK = np.array([True, False, True, False])

CASES = {
    "gather": (lambda lib, x: lib.gather(x, 1, lib.tensor(IDX)), [X]),
    "gather_dim0": (lambda lib, x: x.gather(0, lib.tensor([[2, 0, 1, 1]])), [X]),
    "take_along_dim": (lambda lib, x: lib.take_along_dim(x, lib.tensor(IDX), 1), [X]),
    "take_along_dim_broadcast": (lambda lib, x: x.take_along_dim(lib.tensor([[1], [0]]), 0), [X]),
    "take_along_dim_flat": (lambda lib, x: lib.take_along_dim(x, lib.tensor([5, 0, 5])), [X]),
    "take": (lambda lib, x: lib.take(x, lib.tensor([[0, 11], [5, 5]])), [X]),
    "index_select": (lambda lib, x: lib.index_select(x, 1, lib.tensor([3, 0, 3])), [X]),
    "index_select_0d_index": (lambda lib, x: x.index_select(0, lib.tensor(2)), [X]),
    "masked_select": (lambda lib, x: lib.masked_select(x, lib.tensor(MASK)), [X]),
    "masked_select_broadcast": (lambda lib, x: x.masked_select(lib.tensor(ROWMASK)), [X]),
    "masked_fill": (lambda lib, x: lib.masked_fill(x, lib.tensor(MASK), -1.5), [X]),
    "masked_fill_tensor_value": (
        lambda lib, x, v: x.masked_fill(lib.tensor(ROWMASK), v.sum()),
        [X, SRC[0]],
    ),
    "masked_scatter": (lambda lib, x, s: lib.masked_scatter(x, lib.tensor(MASK), s), [X, SRC]),
    # (PyTorch's own backward needs src of the index's shape)
    "scatter": (lambda lib, x, s: lib.scatter(x, 1, lib.tensor(IDX[:, :1]), s[:, :1]), [X, SRC]),
    "scatter_value": (lambda lib, x: x.scatter(1, lib.tensor(IDX), 2.5), [X]),
    "scatter_add": (lambda lib, x, s: lib.scatter_add(x, 1, lib.tensor(IDX), s[:, :2]), [X, SRC]),
    "index_add": (
        lambda lib, x, s: lib.index_add(x, 1, lib.tensor([0, 0, 2]), s[:, :3], alpha=2),
        [X, SRC],
    ),
    "index_copy": (lambda lib, x, s: x.index_copy(0, lib.tensor([2, 0]), s[:2]), [X, SRC]),
    "index_fill": (lambda lib, x: lib.index_fill(x, 1, lib.tensor([1, 3]), -2.0), [X]),
    "where": (lambda lib, x, s: lib.where(x > 0, x, s), [X, SRC]),
    "where_scalar": (lambda lib, x: lib.where(x > 0, x, 0.0), [X]),
    "where_method": (lambda lib, x, s: x.where(x < s, s), [X, SRC]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_matches_pytorch_and_differentiates_twice(name):
    fn, arrays = CASES[name]
    check_against_torch(f"index_{name}", fn, arrays)
    check_derivatives(fn, arrays)


INTEGER = {
    "nonzero": lambda lib, x: lib.nonzero(x),
    "nonzero_tuple": lambda lib, x: x.nonzero(as_tuple=True),
    "argwhere": lambda lib, x: lib.argwhere(x),
    "where_one_argument": lambda lib, x: lib.where(x > 1),
    "gather_int": lambda lib, x: x.gather(1, lib.tensor([[1], [0]])),
    "masked_fill_int_float_value": lambda lib, x: x.masked_fill(x > 1, 2.7),
    "scatter_int": lambda lib, x: x.scatter(1, lib.tensor([[0], [1]]), 9),
}


def test_scatter_with_a_larger_src_and_reduce_add():
    # PyTorch has no derivative for reduce="add"; values against PyTorch, gradients by
    # finite differences.
    def fn(lib, x, s):
        return x.scatter(0, lib.tensor([[0, 0, 2, 2]]), s, reduce="add")

    check_against_torch("index_scatter_reduce_add", fn, [X, SRC], grad=False)
    check_derivatives(fn, [X, SRC])


@pytest.mark.parametrize("name", list(INTEGER))
def test_integer_index_ops_as_pytorch(name):
    check_against_torch(
        f"index_{name}", INTEGER[name], [np.array([[0, 2, 3], [1, 0, 5]])], grad=False
    )


@pytest.mark.parametrize(
    "call,error,match",
    [
        (lambda: mt.ones(2, 3).gather(1, mt.tensor([0, 1])), mt.ShapeError, "same number of"),
        (lambda: mt.ones(2, 3).gather(1, mt.tensor([[5]])), IndexError, "out of bounds"),
        (lambda: mt.ones(2, 3).gather(1, mt.zeros(3, 1).long()), mt.ShapeError, "no larger"),
        (lambda: mt.ones(2, 3).gather(1, mt.zeros(2, 1)), TypeError, "integer index"),
        (lambda: mt.ones(2, 3).index_select(0, mt.tensor([[0]])), IndexError, "vector"),
        (lambda: mt.ones(2, 3).index_select(1, mt.tensor([3])), IndexError, "out of bounds"),
        (lambda: mt.ones(3).masked_fill(mt.tensor([1, 0, 1]), 2.0), RuntimeError, "boolean"),
        (lambda: mt.ones(3).masked_fill(mt.ones(3) > 0, mt.ones(2)), RuntimeError, "0-dim"),
        (
            lambda: mt.ones(2, 3).scatter(1, mt.tensor([[0, 1]]), mt.ones(1, 1)),
            mt.ShapeError,
            "no larger size than src",
        ),
        (lambda: mt.ones(2, 3).scatter(1, mt.tensor([[0]])), TypeError, "src tensor or a value"),
        (
            lambda: mt.ones(2, 3).scatter(1, mt.tensor([[0]]), 1.0, reduce="max"),
            ValueError,
            "reduce",
        ),
        (
            lambda: mt.ones(2, 3).index_add(0, mt.tensor([0]), mt.ones(2, 3)),
            mt.ShapeError,
            "does not fit",
        ),
        (lambda: mt.ones(3).take(mt.tensor([3])), IndexError, "out of bounds"),
        (
            lambda: mt.ones(3).masked_scatter(mt.ones(3) > 0, mt.ones(2)),
            RuntimeError,
            "at least 3 elements",
        ),
        (lambda: mt.where(mt.ones(2), mt.ones(2), 0.0), RuntimeError, "boolean tensor"),
        (lambda: mt.where(mt.ones(2) > 0, 1.0, 0.0), TypeError, "must be a Tensor"),
        (
            lambda: mt.ones(2, 3).take_along_dim(mt.tensor([0]), 1),
            mt.ShapeError,
            "same number of dimensions",
        ),
    ],
)
def test_errors_say_what_was_expected(call, error, match):
    with pytest.raises(error, match=match):
        call()
