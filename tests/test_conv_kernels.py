"""The convolution kernels as pure array functions (conv2d, conv_transpose2d, conv2d_weight_grad):
against the direct loop of test_layers_conv, against PyTorch (recorded), on every input memory
layout, and safe when several graphs hold their saved columns at once."""

import numpy as np
import pytest
from test_layers_conv import conv_reference
from torch_parity import reference

import minitorch_es as mt
from minitorch_es_plugins.layers import conv_kernels
from minitorch_es_plugins.layers.allocator import keep_freed_memory
from minitorch_es_plugins.layers.conv_kernels import (
    columns,
    conv2d,
    conv2d_bias_grad,
    conv2d_weight_grad,
    conv_transpose2d,
)
from minitorch_es_plugins.layers.im2col import geometry, to_grid

# name: (N, C, O, (H, W), kernel, stride, pads (top, bottom, left, right), dilation, groups)
CASES = {
    "plain": (2, 3, 4, (7, 8), (3, 3), (1, 1), (0, 0, 0, 0), (1, 1), 1),
    "padded_one_channel": (3, 1, 8, (6, 7), (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1),
    "strided_dilated": (2, 2, 3, (9, 10), (3, 2), (2, 3), (1, 1, 2, 2), (2, 1), 1),
    "grouped_strided": (2, 4, 6, (7, 7), (3, 3), (2, 2), (1, 1, 1, 1), (1, 1), 2),
    "asymmetric_pads": (2, 2, 2, (5, 6), (2, 2), (1, 1), (0, 1, 0, 1), (1, 1), 1),
    "one_by_one": (2, 4, 5, (5, 5), (1, 1), (1, 1), (0, 0, 0, 0), (1, 1), 1),
    "one_by_one_strided_grouped": (1, 6, 6, (6, 5), (1, 1), (2, 1), (0, 0, 0, 0), (1, 1), 3),
    "lenet_like": (2, 1, 6, (8, 8), (5, 5), (1, 1), (2, 2, 2, 2), (1, 1), 1),
    # O <= C at stride 1: the input gradient is computed as a correlation (see conv_kernels)
    "narrowing": (2, 6, 3, (7, 8), (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1),
    "narrowing_dilated_grouped": (2, 6, 4, (9, 9), (3, 3), (1, 1), (2, 1, 1, 2), (2, 1), 2),
    "narrowing_uneven_kernel": (2, 4, 2, (6, 7), (2, 3), (1, 1), (0, 1, 2, 0), (1, 1), 1),
    "narrowing_padded_past_reach": (2, 4, 2, (5, 5), (2, 2), (1, 1), (2, 0, 1, 1), (1, 1), 1),
}
CORRELATION = ("narrowing", "narrowing_dilated_grouped", "narrowing_uneven_kernel")


def layouts(x):
    """The same NCHW values stored NCHW, batch-last (as the kernels' outputs), channel-major,
    and with a reversed W axis (a negative stride)."""
    return {
        "nchw": np.ascontiguousarray(x),
        "batch_last": np.ascontiguousarray(x.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2),
        "channel_major": np.ascontiguousarray(x.transpose(1, 0, 2, 3)).transpose(1, 0, 2, 3),
        "reversed_w": np.ascontiguousarray(x[..., ::-1])[..., ::-1],
    }


def make(rng, case):
    n, c, o, hw, kernel, stride, pads, dilation, groups = CASES[case]
    x = rng.standard_normal((n, c, *hw))
    w = rng.standard_normal((o, c // groups, *kernel))
    b = rng.standard_normal(o)
    options = dict(stride=stride, padding=pads, dilation=dilation, groups=groups)
    return x, w, b, options


@pytest.mark.parametrize("case", CASES)
def test_forward_matches_the_direct_loop_in_every_layout(rng, case):
    x, w, b, opt = make(rng, case)
    ref = conv_reference(x, w, b, opt["stride"], opt["padding"], opt["dilation"], opt["groups"])
    for layout, xl in layouts(x).items():
        out = conv2d(xl, w, bias=b, **opt)
        assert out.shape == ref.shape, layout
        np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-12, err_msg=layout)


def torch_grads(torch, x, w, b, g, stride, padding, dilation, groups):
    """PyTorch's conv2d output and its three gradients for the output gradient ``g``."""
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    top, bottom, left, right = (int(p) for p in padding)
    xp = torch.nn.functional.pad(xt, (left, right, top, bottom))
    stride, dilation = (tuple(int(v) for v in a) for a in (stride, dilation))
    out = torch.nn.functional.conv2d(xp, wt, bt, stride, 0, dilation, int(groups))
    out.backward(torch.tensor(g))
    return {"out": out, "gx": xt.grad, "gw": wt.grad, "gb": bt.grad}


@pytest.fixture(params=["whole", "row_blocks"])
def column_budget(request, monkeypatch):
    """Columns built whole, or block by block of output rows (a budget of one row)."""
    if request.param == "row_blocks":
        monkeypatch.setattr(conv_kernels, "COLUMN_BYTES", 1)
    return request.param


@pytest.mark.parametrize("case", CASES)
def test_forward_and_both_gradients_match_pytorch(rng, case, column_budget):
    x, w, b, opt = make(rng, case)
    out = conv2d(x, w, bias=b, **opt)
    g = rng.standard_normal(out.shape)
    ref = reference(
        f"conv_kernels/{case}",
        torch_grads,
        x=x,
        w=w,
        b=b,
        g=g,
        **{k: np.asarray(v) for k, v in opt.items()},
    )
    cols = columns(x, w.shape[2:], opt["stride"], opt["padding"], opt["dilation"])
    for layout, gl in layouts(g).items():
        gx = conv_transpose2d(gl, w, x.shape, **opt)
        gw = conv2d_weight_grad(x, gl, w.shape, **opt)
        gw_from_columns = conv2d_weight_grad(cols, gl, w.shape, **opt)
        np.testing.assert_allclose(gx, ref["gx"], rtol=1e-10, atol=1e-12, err_msg=layout)
        np.testing.assert_allclose(gw, ref["gw"], rtol=1e-10, atol=1e-12, err_msg=layout)
        np.testing.assert_array_equal(gw_from_columns, gw, err_msg=layout)
        np.testing.assert_allclose(conv2d_bias_grad(gl), ref["gb"], rtol=1e-12, err_msg=layout)
    np.testing.assert_allclose(out, ref["out"], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", ["plain", "grouped_strided", "one_by_one"])
def test_the_gradients_are_the_adjoints_of_the_forward(rng, case):
    # <conv2d(x, w), g> = <x, conv_transpose2d(g, w)> = <w, conv2d_weight_grad(x, g)>
    x, w, _, opt = make(rng, case)
    g = rng.standard_normal(conv2d(x, w, **opt).shape)
    lhs = np.vdot(conv2d(x, w, **opt), g)
    assert np.vdot(x, conv_transpose2d(g, w, x.shape, **opt)) == pytest.approx(lhs, rel=1e-12)
    assert np.vdot(w, conv2d_weight_grad(x, g, w.shape, **opt)) == pytest.approx(lhs, rel=1e-12)


def test_float32_stays_float32_and_outputs_do_not_alias_inputs(rng):
    x = rng.standard_normal((2, 4, 5, 5)).astype(np.float32)
    w = rng.standard_normal((3, 4, 1, 1)).astype(np.float32)
    out = conv2d(x, w)  # a 1x1 kernel reads x itself as its columns
    gx = conv_transpose2d(out, w, x.shape)
    assert out.dtype == gx.dtype == np.float32
    assert not np.shares_memory(out, x) and not np.shares_memory(gx, out)


def test_graphs_alive_together_keep_their_own_columns(rng, column_budget):
    # Two forward passes before any backward: each graph must keep the columns of its own
    # input (a buffer shared between them would give both the second input's gradient).
    layer = mt.nn.Conv2d(2, 3, 3, padding=1).double()
    x1, x2 = (rng.standard_normal((2, 2, 6, 6)) for _ in range(2))
    g1, g2 = (rng.standard_normal((2, 3, 6, 6)) for _ in range(2))
    out1, out2 = layer(mt.tensor(x1)), layer(mt.tensor(x2))
    out2.backward(g2)
    out1.backward(g1)
    w = np.asarray(layer.weight.data)
    pads = (1, 1, 1, 1)
    expected = conv2d_weight_grad(x1, g1, w.shape, padding=pads) + conv2d_weight_grad(
        x2, g2, w.shape, padding=pads
    )
    np.testing.assert_allclose(np.asarray(layer.weight.grad), expected, rtol=1e-12)


def test_keep_freed_memory_is_idempotent():
    first, second = keep_freed_memory(), keep_freed_memory()
    assert first == second and isinstance(first, bool)


@pytest.mark.parametrize("case", [*CORRELATION, "narrowing_padded_past_reach", "plain"])
def test_both_input_gradient_algorithms_agree(rng, case):
    x, w, _, opt = make(rng, case)
    g = rng.standard_normal(conv2d(x, w, **opt).shape)
    geo = geometry(x.shape, w.shape[2:], opt["stride"], opt["padding"], opt["dilation"])
    as_correlation = conv_kernels._full_padding(geo) is not None and w.shape[0] <= x.shape[1]
    assert as_correlation == (case in CORRELATION)
    grid = conv_kernels.conv_transpose2d_grid(to_grid(g, geo), w, geo, opt["groups"])
    chosen = conv_transpose2d(g, w, x.shape, **opt)
    np.testing.assert_allclose(chosen, grid, rtol=1e-12, atol=1e-12)
