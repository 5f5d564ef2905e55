"""MaxPool1d, AvgPool1d, AdaptiveAvgPool1d, AdaptiveMaxPool1d and AdaptiveMaxPool2d exported,
run in ONNX Runtime with two batch sizes and compared with minitorch_es (float32)."""

import numpy as np
import pytest
from onnx_helpers import check, op_types

import minitorch_es as mt

nn = mt.nn


def sequences(rng, n=2, c=3, length=9):
    return rng.normal(size=(n, c, length)).astype(np.float32)


@pytest.mark.parametrize(
    "layer",
    [
        nn.MaxPool1d(2),
        nn.MaxPool1d(3, 2, 1, 2, ceil_mode=True),
        nn.AvgPool1d(3),
        nn.AvgPool1d(4, 3, 2, ceil_mode=True, count_include_pad=False),
        nn.AdaptiveAvgPool1d(4),
        nn.AdaptiveMaxPool1d(4),
        nn.AdaptiveMaxPool1d(1),
    ],
    ids=repr,
)
def test_1d_pools(layer, rng):
    check(layer, sequences(rng))


def test_1d_pools_are_the_2d_operators(rng):
    assert "MaxPool" in op_types(check(nn.MaxPool1d(3), sequences(rng)))
    assert "AveragePool" in op_types(check(nn.AvgPool1d(3), sequences(rng)))


@pytest.mark.parametrize("size", [(2, 3), (None, 2), 1, (4, 5)])
def test_adaptive_max_pool2d(size, rng):
    check(nn.AdaptiveMaxPool2d(size), rng.normal(size=(2, 3, 5, 7)).astype(np.float32))


@pytest.mark.parametrize(
    "layer", [nn.MaxPool1d(2, return_indices=True), nn.AdaptiveMaxPool1d(2, True)]
)
def test_indices_are_refused_as_untraced_constants(layer, rng):
    with pytest.raises(mt.onnx.ExportError, match="computed outside the traced operations"):
        check(layer, sequences(rng))


@pytest.mark.parametrize(
    "layer",
    [
        nn.LPPool2d(2, 2),
        nn.LPPool2d(1.5, (2, 3), 1, ceil_mode=True),
        nn.LPPool2d(float("inf"), 2),
        nn.LocalResponseNorm(3),
        nn.LocalResponseNorm(4, 1e-2, 0.5, 2.0),
    ],
    ids=repr,
)
def test_lp_pool2d_and_local_response_norm(layer, rng):
    check(layer, np.abs(rng.normal(size=(2, 5, 5, 6))).astype(np.float32))


@pytest.mark.parametrize(
    "layer", [nn.LPPool1d(2, 3), nn.LPPool1d(3, 2, 1), nn.LocalResponseNorm(2)]
)
def test_lp_pool1d_and_local_response_norm_of_sequences(layer, rng):
    check(layer, np.abs(sequences(rng)))


class Unpool(nn.Module):
    """MaxUnpool2d of a pooled input with the indices given as the second graph input."""

    def __init__(self, **options):
        super().__init__()
        self.unpool, self.options = nn.MaxUnpool2d(2), options

    def forward(self, x, indices):
        return self.unpool(x, indices, **self.options)


@pytest.mark.parametrize("options", [{}, {"output_size": (5, 5)}])
def test_max_unpool2d_with_indices_as_a_graph_input(options, rng):
    x = mt.tensor(rng.normal(size=(2, 3, 5, 5)).astype(np.float32))
    pooled, indices = nn.functional.max_pool2d(x, 2, return_indices=True)
    if not options:  # the default 4x4 output: indices of a 4x4 plane
        pooled, indices = nn.functional.max_pool2d(x[..., :4, :4], 2, return_indices=True)
    proto = check(Unpool(**options), pooled.numpy(force=True), indices.numpy(force=True))
    assert "ScatterElements" in op_types(proto)
