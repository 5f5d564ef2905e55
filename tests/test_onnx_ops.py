"""The core's primitive ops in a user's forward (arithmetic, element-wise, reductions, shapes,
indexing), exported and compared with minitorch_es in ONNX Runtime at two batch sizes."""

import numpy as np
import pytest
from onnx_helpers import Lambda, check, op_types

import minitorch_es as mt

nn = mt.nn


@pytest.fixture
def x(rng):
    return rng.normal(size=(3, 4)).astype(np.float32)


FORWARDS = {
    "arithmetic": lambda m, x: (x + 1) * m.w - 2 / (x.abs() + 1) + (-x) ** 2 - 3 * x / 4,
    "reflected": lambda m, x: 1 - x + 2.5 * x - 1 / (1 + x * x) + 2**x,
    "matmul": lambda m, x: (x @ mt.ones(4, 2)) @ mt.tensor([[1.0], [2.0]]) + x @ m.w,
    "elementwise": lambda m, x: (x.abs() + 1).log() + x.exp() + (x * x).sqrt() + x.clamp(-0.5),
    "clamp": lambda m, x: x.clamp(max=0.3) + x.clip(-0.1, 0.2),
    "maximum": lambda m, x: x.maximum(m.w) + mt.minimum(x, 0.1 * m.w) + x.max(m.w * 0),
    "where": lambda m, x: mt.where(np.array([True, False, True, False]), x, m.w),
    "sum": lambda m, x: x.sum(0) + x.sum(1, keepdim=True) + x.sum() + x.sum((0, 1)),
    "mean": lambda m, x: x.mean(-1, keepdim=True) + x.mean(0) + x.mean(),
    "var": lambda m, x: x.var(1, keepdim=True) + x.std(0) + x.var() + x.var(1, False, True),
    "max_min": lambda m, x: (
        x.max(1, True).values + x.min(0, keepdim=True).values + x.max() - x.min()
    ),
    "reshape": lambda m, x: x.reshape(-1, 2, 2).view(x.shape[0], 4).flatten() * 2,
    "shapes": lambda m, x: x.t().transpose(0, 1).unsqueeze(1).squeeze().permute(1, 0).T,
    "expand": lambda m, x: x.unsqueeze(-1).expand(-1, 4, 3) + m.w.reshape(4, 1).expand(4, 3),
    "cat_stack": lambda m, x: mt.cat([x, x * 2], dim=1).sum(1) + mt.stack([x, -x], 2).sum((1, 2)),
    "cast": lambda m, x: x.double().sum(1).float() + x.to(mt.float64).mean().float(),
}


@pytest.mark.parametrize("name", FORWARDS)
def test_ops_in_a_forward(x, name):
    check(Lambda(FORWARDS[name]), x)


INDEXES = {
    "int": lambda x: x[0],
    "slices": lambda x: x[1:, ::2],
    "negative": lambda x: x[-2:, -1],
    "reverse": lambda x: x[::-1, 3:0:-2],
    "none_ellipsis": lambda x: x[None, ..., 1, None],
    "ellipsis": lambda x: x[..., :2],
    "index_array": lambda x: x[:, [3, 0, 0]],
    "index_matrix": lambda x: x[:, np.array([[1, 2], [0, 3]])],
    "mask": lambda x: x[:, np.array([True, False, True, True])],
}


@pytest.mark.parametrize("name", INDEXES)
def test_indexing(x, name):
    fn = INDEXES[name]
    dynamic = name not in ("int", "negative")  # these select rows of the batch
    check(Lambda(lambda m, x: fn(x) * 1), x, dynamic=dynamic)


def test_indexing_with_a_traced_index_tensor(rng, x):
    idx = rng.integers(0, 4, size=(3,))
    check(Lambda(lambda m, x, i: x[:, i] + m.w[i]), x, idx)


def test_integer_inputs_and_ops(rng):
    ints = rng.integers(-5, 5, size=(3, 4))
    check(Lambda(lambda m, i: (i * 2 + 1).sum(1) - i.sum()), ints)
    check(Lambda(lambda m, i: i / 2 + m.w), ints)


def test_reductions_over_the_dynamic_batch(x):
    proto = check(Lambda(lambda m, x: x.var(0) + x.std() + x.mean(0)), x)
    assert "Shape" in op_types(proto)  # the count of the batch is read at run time


def test_a_model_that_returns_its_input_or_a_parameter(x):
    proto = check(Lambda(lambda m, x: (x, m.w, x)), x)
    assert [o.name for o in proto.graph.output] == ["output_0", "output_1", "output_2"]
