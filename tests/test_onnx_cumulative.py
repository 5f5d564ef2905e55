"""The core's running ops and product/extreme reductions (cumsum, cumprod, logcumsumexp, prod,
amax, amin) in a user's forward, exported and compared with minitorch_es in ONNX Runtime:
every dim (negative ones too), the dynamic batch, integers, zeros, negatives, infinities."""

import numpy as np
import pytest
from onnx_helpers import Lambda, check, op_types

import minitorch_es as mt
from minitorch_es.onnx import ExportError

inf = np.inf


@pytest.fixture
def x(rng):
    return rng.normal(size=(3, 5, 4)).astype(np.float32)


@pytest.mark.parametrize("dim", [1, 2, -1, -2])
@pytest.mark.parametrize("op", ["cumsum", "cumprod", "logcumsumexp"])
def test_running_ops_along_every_static_dim(x, op, dim):
    check(Lambda(lambda m, x: getattr(x, op)(dim)), x)


def test_cumsum_along_the_dynamic_batch(x):
    proto = check(Lambda(lambda m, x: x.cumsum(0) + x.cumsum(dim=-3)), x)
    assert "CumSum" in op_types(proto)


@pytest.mark.parametrize("op", ["cumprod", "logcumsumexp"])
def test_scans_along_the_dynamic_batch_are_refused(x, op):
    with pytest.raises(ExportError, match=rf"{op} along dim 0, whose size changes"):
        check(Lambda(lambda m, x: getattr(x, op)(0)), x)
    check(Lambda(lambda m, x: getattr(x, op)(0)), x, dynamic=False)  # fixed sizes: fine


def test_integers_run_in_int64(rng):
    ints = rng.integers(-3, 4, size=(3, 6))
    check(Lambda(lambda m, i: i.cumsum(1) + i.cumprod(1) + i.prod(1, keepdim=True)), ints)
    check(Lambda(lambda m, b: b.cumsum(1)), ints > 0)


def test_cumprod_with_zeros_and_negatives():
    x = np.array([[2.0, -1.5, 0.0, 3.0, -2.0, 0.5, 4.0], [-1.0, -1.0, -1.0, 2.0, 0.5, 0.0, 0.0]],
                 dtype=np.float32)  # fmt: skip
    check(Lambda(lambda m, x: x.cumprod(1)), x, dynamic=False)


def test_logcumsumexp_with_infinities_and_spread_values():
    x = np.array([[-inf, -inf, 0.0, 200.0, -300.0, inf, 1.0],
                  [-50.0, 50.0, -inf, 3.0, 3.0, -inf, 90.0]], dtype=np.float32)  # fmt: skip
    check(Lambda(lambda m, x: x.logcumsumexp(1)), x, dynamic=False)


@pytest.mark.parametrize("length", [1, 2, 3, 16, 17])
def test_scans_of_every_length(rng, length):
    x = rng.uniform(0.5, 1.5, size=(2, length)).astype(np.float32)
    check(Lambda(lambda m, x: x.cumprod(1) + x.logcumsumexp(-1)), x)


def test_zero_dimensional_tensors(x):
    check(Lambda(lambda m, x: x.sum().cumsum(0) + x.mean().cumprod(0) + x.max().logcumsumexp(0)), x)


@pytest.mark.parametrize("opset", [13, 17])
def test_prod(x, opset):
    check(
        Lambda(lambda m, x: x.prod(1) + x.prod(-1, keepdim=True).sum(1) + x.prod()), x, opset=opset
    )


@pytest.mark.parametrize("opset", [13, 20])
def test_amax_amin(x, opset):
    def forward(m, x):
        return (
            x.amax() + x.amin(1).sum() + x.amax((0, -1), keepdim=True).sum()
            + mt.amin(x, -1) + x.amax(dim=(1, 2)).unsqueeze(1)
        )  # fmt: skip

    check(Lambda(forward), x, opset=opset)
