"""The core's ops that copy or reorder elements (clone, flip, roll) and einsum in a user's
forward, exported and compared with minitorch_es in ONNX Runtime at two batch sizes."""

import numpy as np
import pytest
from onnx_helpers import Lambda, check, op_types

import minitorch_es as mt


@pytest.fixture
def x(rng):
    return rng.normal(size=(3, 5, 4)).astype(np.float32)


def test_clone(x):
    assert op_types(check(Lambda(lambda m, x: x.clone()), x)) == ["Identity"]


@pytest.mark.parametrize("dims", [(0,), (1,), (-1,), (0, 2), (2, -2, 0), ()])
def test_flip(x, dims):
    check(Lambda(lambda m, x: x.flip(dims) * 1), x)


def test_flip_functional_forms(x):
    check(Lambda(lambda m, x: mt.flip(x, [1]) + x.fliplr() + x.flipud()), x)


ROLLS = {
    "one_dim": lambda x: x.roll(2, 1),
    "negative_shift": lambda x: x.roll(-1, -1),
    "shift_past_the_size": lambda x: x.roll(7, 1),
    "zero_shift": lambda x: x.roll(0, 2) * 1,
    "several_dims": lambda x: x.roll((1, -2), (2, 1)),
    "same_dim_twice": lambda x: x.roll((1, 2), (1, 1)),
    "flattened": lambda x: x.roll(5),
    "dynamic_batch": lambda x: x.roll(1, 0),
    "dynamic_batch_far": lambda x: x.roll(-7, 0),
}


@pytest.mark.parametrize("name", ROLLS)
def test_roll(x, name):
    fn = ROLLS[name]
    check(Lambda(lambda m, x: fn(x)), x)


EINSUMS = {
    "matmul": ("bij,bjk->bik", lambda x: (x, x.transpose(1, 2))),
    "implicit": ("bij,bkj", lambda x: (x, x)),
    "trace_like": ("bii->b", lambda x: (x[:, :4, :],)),
    "ellipsis": ("...j,j->...", lambda x: (x, mt.tensor([1.0, 2.0, -1.0, 0.5]))),
    "outer_upper_case": ("bI,bJ->bIJ", lambda x: (x[:, 0], x[:, 1])),
    "sum_all": ("bij->", lambda x: (x,)),
    "three_operands": ("bij,bjk,bkl->bil", lambda x: (x, x.transpose(1, 2), x)),
}


@pytest.mark.parametrize("name", EINSUMS)
def test_einsum(x, name):
    equation, operands = EINSUMS[name]
    check(Lambda(lambda m, x: mt.einsum(equation, *operands(x))), x)
