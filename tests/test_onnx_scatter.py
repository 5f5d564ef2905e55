"""The core's indexed writes (``IndexPut``: index_copy, index_fill, scatter, masked_scatter;
``IndexAdd``: index_add, scatter_add, diag) in a user's forward, exported and compared with
minitorch_es in ONNX Runtime; what cannot be exported gets an error saying why."""

import numpy as np
import pytest
from onnx_helpers import Lambda, check, op_types

import minitorch_es as mt
from minitorch_es.onnx import ExportError

ROWS = np.array([2, 0])
REPEATED = np.array([1, 3, 1, 1])
GATHER = np.array([[0, 2, 1, 0], [3, 3, 0, 1], [1, 0, 2, 2]])


@pytest.fixture
def x(rng):
    return rng.normal(size=(3, 4)).astype(np.float32)


WRITES = {
    "index_copy": lambda m, x: x.index_copy(1, mt.tensor(ROWS), x[:, :2] * 10),
    "index_copy_rows": lambda m, x: x.index_copy(0, mt.tensor(ROWS), x[:2] + 1),
    "index_fill": lambda m, x: x.index_fill(1, mt.tensor(ROWS), -1.0),
    "index_fill_tensor": lambda m, x: x.index_fill(-1, mt.tensor(ROWS), m.w[0]),
    "scatter": lambda m, x: x.scatter(1, mt.tensor(GATHER), x * 3),
    "scatter_value": lambda m, x: x.scatter(0, mt.tensor(GATHER[:, :2] % 3), 5.0),
    "masked_scatter": lambda m, x: x.masked_scatter(mt.tensor(GATHER > 1), x * -2),
    "index_add": lambda m, x: x.index_add(1, mt.tensor(ROWS), x[:, :2], alpha=2),
    "scatter_add": lambda m, x: x.scatter_add(1, mt.tensor(GATHER), x),
    "scatter_reduce_add": lambda m, x: x.scatter(1, mt.tensor(GATHER), x, reduce="add"),
    "index_add_repeated": lambda m, x: x.index_add(1, mt.tensor(REPEATED), x * 2),
    "empty": lambda m, x: x.index_add(1, mt.tensor(np.zeros(0, np.int64)), x[:, :0]),
}


@pytest.mark.parametrize("name", WRITES)
def test_writes_into_a_tensor_of_fixed_size(x, name):
    check(Lambda(WRITES[name]), x, dynamic=False)


def test_repeated_positions_keep_the_last_write(x):
    proto = check(
        Lambda(lambda m, x: x.index_copy(1, mt.tensor(REPEATED), x * 5)), x, dynamic=False
    )
    assert "Gather" in op_types(proto)  # only the last write of each position is scattered


def test_writes_into_a_parameter_with_a_dynamic_batch(x):
    def forward(m, x):
        w = m.w.index_fill(0, mt.tensor(ROWS), 0.0).scatter(0, mt.tensor([3]), m.w[:1] * 7)
        return x * w + mt.diag(m.w).sum(0) + m.w.index_add(0, mt.tensor(REPEATED), m.w)

    check(Lambda(forward), x)


def test_repeated_adds_need_opset_16(x):
    model = Lambda(WRITES["index_add_repeated"])
    with pytest.raises(ExportError, match=r"IndexAdd.*repeated positions.*opset 16; got .*=13"):
        check(model, x, dynamic=False, opset=13)
    check(model, x, dynamic=False, opset=16)
    check(Lambda(WRITES["index_add"]), x, dynamic=False, opset=13)  # distinct positions: fine


def test_a_write_into_a_tensor_of_dynamic_size_is_refused(x):
    with pytest.raises(ExportError, match=r"IndexPut.*size changes with the dynamic axes"):
        check(Lambda(WRITES["index_copy"]), x)
    # IndexAdd makes a tensor of a size given as a number: it changes with the batch
    with pytest.raises(ExportError, match=r"IndexAdd.*argument 'shape'\[0\] is 3 here but 6"):
        check(Lambda(WRITES["index_add"]), x)


def test_an_index_computed_in_the_graph_is_refused(x):
    model = Lambda(lambda m, x, i: m.w.scatter(0, i, x[0, :2]))
    with pytest.raises(ExportError, match=r"IndexPut.*index computed in the graph"):
        check(model, x, np.array([1, 3]), dynamic=False)
