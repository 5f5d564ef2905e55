"""The pooling kernels as pure array functions: against the loops of test_layers_pooling and
against PyTorch (recorded), on every input memory layout."""

import numpy as np
import pytest
from test_conv_kernels import layouts
from test_layers_pooling import avg_reference, max_reference
from torch_parity import reference

from minitorch_es_plugins.layers.pooling_kernels import (
    avg_pool2d,
    avg_pool2d_backward,
    max_pool2d,
    max_pool2d_backward,
    max_pool2d_gather,
)

# name: kernel, stride, padding, dilation, ceil_mode, (H, W)
MAX = {
    "tiles": ((2, 2), (2, 2), (0, 0), (1, 1), False, (8, 6)),
    "tiles_cropped": ((2, 2), (2, 2), (0, 0), (1, 1), False, (9, 7)),
    "tiles_ceil": ((3, 2), (3, 2), (0, 0), (1, 1), True, (8, 7)),
    "overlapping_padded": ((3, 3), (2, 2), (1, 1), (1, 1), True, (9, 7)),
    "dilated": ((3, 2), (2, 1), (1, 1), (2, 1), False, (10, 9)),
}


def scatter_reference(grad, flat_index, x_shape):
    """Each output gradient added at its flat input index (PyTorch's max-pool backward)."""
    n, c, h, w = x_shape
    out = np.zeros((n * c, h * w))
    rows = np.repeat(np.arange(n * c), flat_index[0, 0].size)
    np.add.at(out, (rows, flat_index.reshape(n * c, -1).ravel()), grad.reshape(n * c, -1).ravel())
    return out.reshape(x_shape)


@pytest.mark.parametrize("case", MAX)
def test_max_pool_and_its_gradient_in_every_layout(rng, case):
    k, s, p, d, ceil, hw = MAX[case]
    x = rng.standard_normal((2, 3, *hw))
    x[0, 0, :2, :2] = 0  # a tie: the first maximum of the window wins
    ref, flat = max_reference(x, k, s, p, d, ceil)
    g = rng.standard_normal(ref.shape)
    expected = scatter_reference(g, flat, x.shape)
    for layout, xl in layouts(x).items():
        out, argmax = max_pool2d(xl, k, s, p, d, ceil)
        np.testing.assert_array_equal(out, ref, err_msg=layout)
        for glayout, gl in layouts(g).items():
            gx = max_pool2d_backward(gl, argmax, x.shape, k, s, p, d, ceil)
            np.testing.assert_allclose(gx, expected, rtol=1e-14, err_msg=f"{layout} {glayout}")


def torch_max_pool(torch, x, g, kernel, stride, padding, dilation, ceil_mode):
    xt = torch.tensor(x, requires_grad=True)
    args = (tuple(int(v) for v in a) for a in (kernel, stride, padding, dilation))
    out, indices = torch.nn.functional.max_pool2d(
        xt, *args, ceil_mode=bool(ceil_mode), return_indices=True
    )
    out.backward(torch.tensor(g))
    return {"out": out, "indices": indices, "gx": xt.grad}


@pytest.mark.parametrize("case", MAX)
def test_max_pool_matches_pytorch(rng, case):
    k, s, p, d, ceil, hw = MAX[case]
    x = rng.standard_normal((2, 3, *hw))
    out, argmax = max_pool2d(x, k, s, p, d, ceil)
    g = rng.standard_normal(out.shape)
    options = dict(kernel=k, stride=s, padding=p, dilation=d, ceil_mode=ceil)
    ref = reference(f"pooling_kernels/max_{case}", torch_max_pool, x=x, g=g, **options)
    np.testing.assert_array_equal(out, ref["out"])
    gx = max_pool2d_backward(g, argmax, x.shape, k, s, p, d, ceil)
    np.testing.assert_allclose(gx, ref["gx"], rtol=1e-14)  # overlapping windows: sum order


@pytest.mark.parametrize("case", MAX)
def test_the_gather_reads_the_maxima_and_is_the_adjoint_of_the_scatter(rng, case):
    # <max_pool2d_backward(g), h> = <g, max_pool2d_gather(h)>, and gathering x itself gives
    # the maxima.
    k, s, p, d, ceil, hw = MAX[case]
    x = rng.standard_normal((2, 3, *hw))
    out, argmax = max_pool2d(x, k, s, p, d, ceil)
    g, h = rng.standard_normal(out.shape), rng.standard_normal(x.shape)
    for layout, xl in layouts(x).items():
        gathered = max_pool2d_gather(xl, argmax, k, s, p, d, ceil)
        np.testing.assert_array_equal(gathered, out, err_msg=layout)
    scattered = max_pool2d_backward(g, argmax, x.shape, k, s, p, d, ceil)
    gathered = max_pool2d_gather(h, argmax, k, s, p, d, ceil)
    assert np.vdot(scattered, h) == pytest.approx(np.vdot(g, gathered), rel=1e-12)


def test_max_pool_nan_is_the_maximum_in_batch_last_layout():
    x = np.arange(32.0).reshape(2, 1, 4, 4)
    x[1, 0, 1, 0] = np.nan
    xl = layouts(x)["batch_last"]
    out, argmax = max_pool2d(xl, (2, 2), (2, 2), (0, 0), (1, 1), False)
    assert np.isnan(out[1, 0, 0, 0]) and argmax[1, 0, 0, 0] == 2 and out[0, 0, 0, 0] == 5
    gx = max_pool2d_backward(
        np.ones(out.shape), argmax, x.shape, (2, 2), (2, 2), (0, 0), (1, 1), False
    )
    assert gx[1, 0, 1, 0] == 1 and gx.sum() == out.size


# name: kernel, stride, padding, ceil_mode, count_include_pad, divisor_override, (H, W)
AVG = {
    "tiles": ((2, 2), (2, 2), (0, 0), False, True, None, (6, 8)),
    "padded_ceil": ((3, 3), (2, 2), (1, 1), True, True, None, (9, 7)),
    "padded_not_counted": ((3, 2), (2, 1), (1, 1), False, False, None, (8, 7)),
    "divisor": ((2, 3), (1, 2), (1, 1), True, True, 5, (7, 8)),
}


def torch_avg_pool(torch, x, g, kernel, stride, padding, ceil_mode, count_include_pad, divisor):
    xt = torch.tensor(x, requires_grad=True)
    k, s, p = (tuple(int(v) for v in a) for a in (kernel, stride, padding))
    out = torch.nn.functional.avg_pool2d(
        xt, k, s, p, bool(ceil_mode), bool(count_include_pad), int(divisor) or None
    )
    out.backward(torch.tensor(g))
    return {"out": out, "gx": xt.grad}


@pytest.mark.parametrize("case", AVG)
def test_avg_pool_and_its_gradient_match_the_loop_and_pytorch(rng, case):
    k, s, p, ceil, count, divisor, hw = AVG[case]
    x = rng.standard_normal((2, 3, *hw))
    ref = avg_reference(x, k, s, p, ceil, count, divisor)
    g = rng.standard_normal(ref.shape)
    options = dict(kernel=k, stride=s, padding=p, ceil_mode=ceil, count_include_pad=count)
    torch_ref = reference(
        f"pooling_kernels/avg_{case}", torch_avg_pool, x=x, g=g, divisor=divisor or 0, **options
    )
    for layout, xl in layouts(x).items():
        out = avg_pool2d(xl, k, s, p, ceil, count, divisor)
        np.testing.assert_allclose(out, ref, rtol=1e-12, err_msg=layout)
    for layout, gl in layouts(g).items():
        gx = avg_pool2d_backward(gl, x.shape, k, s, p, ceil, count, divisor)
        np.testing.assert_allclose(gx, torch_ref["gx"], rtol=1e-12, err_msg=layout)
    np.testing.assert_allclose(torch_ref["out"], ref, rtol=1e-12)
