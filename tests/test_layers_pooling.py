"""MaxPool2d, AvgPool2d, AdaptiveAvgPool2d against loops over output pixels; gradients."""

import math

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es.autograd import gradcheck
from minitorch_es.errors import ShapeError

F = mt.nn.functional


def out_size(n, k, s, p, d, ceil):
    span = n + 2 * p - d * (k - 1) - 1
    o = (math.ceil(span / s) if ceil else span // s) + 1
    return o - 1 if ceil and (o - 1) * s >= n + p else o


def max_reference(x, k, s, p, d, ceil):
    """Max and flat argmax (first on ties) of each window, by a loop over output pixels."""
    n, c, h, w = x.shape
    ho, wo = (out_size(h, k[0], s[0], p[0], d[0], ceil), out_size(w, k[1], s[1], p[1], d[1], ceil))
    out, idx = np.empty((n, c, ho, wo)), np.empty((n, c, ho, wo), dtype=np.int64)
    for i in range(ho):
        for j in range(wo):
            rows = [i * s[0] - p[0] + a * d[0] for a in range(k[0])]
            cols = [j * s[1] - p[1] + b * d[1] for b in range(k[1])]
            cand = [(r, q) for r in rows for q in cols if 0 <= r < h and 0 <= q < w]
            vals = np.stack([x[:, :, r, q] for r, q in cand], axis=-1)
            best = vals.argmax(axis=-1)
            out[:, :, i, j] = vals.max(axis=-1)
            flat = np.array([r * w + q for r, q in cand])
            idx[:, :, i, j] = flat[best]
    return out, idx


def avg_reference(x, k, s, p, ceil, count_include_pad, divisor=None):
    n, c, h, w = x.shape
    ho, wo = out_size(h, k[0], s[0], p[0], 1, ceil), out_size(w, k[1], s[1], p[1], 1, ceil)
    out = np.empty((n, c, ho, wo))
    for i in range(ho):
        for j in range(wo):
            h0, w0 = i * s[0] - p[0], j * s[1] - p[1]
            h1, w1 = min(h0 + k[0], h + p[0]), min(w0 + k[1], w + p[1])
            pool = (h1 - h0) * (w1 - w0)
            a0, b0, a1, b1 = max(h0, 0), max(w0, 0), min(h1, h), min(w1, w)
            total = x[:, :, a0:a1, b0:b1].sum(axis=(2, 3))
            div = divisor or (pool if count_include_pad else (a1 - a0) * (b1 - b0))
            out[:, :, i, j] = total / div
    return out


def adaptive_reference(x, oh, ow):
    h, w = x.shape[-2:]
    out = np.empty(x.shape[:-2] + (oh, ow))
    for i in range(oh):
        for j in range(ow):
            h0, h1 = (i * h) // oh, -(-((i + 1) * h) // oh)
            w0, w1 = (j * w) // ow, -(-((j + 1) * w) // ow)
            out[..., i, j] = x[..., h0:h1, w0:w1].mean(axis=(-2, -1))
    return out


MAX_CASES = [  # kernel, stride, padding, dilation, ceil_mode, HxW
    (2, None, 0, 1, False, (8, 8)),
    (2, None, 0, 1, False, (9, 7)),
    (3, None, 0, 1, False, (9, 11)),
    ((3, 2), None, 0, 1, True, (8, 7)),
    (3, 2, 1, 1, True, (9, 7)),
    ((3, 2), (2, 1), (1, 1), (2, 1), False, (10, 9)),
    (2, 1, 0, 2, False, (6, 6)),
]


def _pair(v):
    return v if isinstance(v, tuple) else (v, v)


@pytest.mark.parametrize("case", MAX_CASES)
def test_max_pool_forward_and_indices(rng, case):
    k, s, p, d, ceil, hw = case
    x = rng.standard_normal((2, 3, *hw)).astype(np.float32)
    out, idx = mt.nn.MaxPool2d(k, s, p, d, return_indices=True, ceil_mode=ceil)(mt.tensor(x))
    ref, ref_idx = max_reference(x, _pair(k), _pair(s or k), _pair(p), _pair(d), ceil)
    np.testing.assert_array_equal(out._data, ref)
    np.testing.assert_array_equal(idx._data, ref_idx)
    assert out.dtype == np.float32 and idx.dtype == np.int64


@pytest.mark.parametrize("case", MAX_CASES)
def test_max_pool_gradcheck(rng, case):
    k, s, p, d, ceil, hw = case
    x = mt.tensor(rng.standard_normal((2, 2, *hw)), requires_grad=True)
    assert gradcheck(mt.nn.MaxPool2d(k, s, p, d, ceil_mode=ceil), [x])


@pytest.mark.parametrize("kernel,stride", [(2, None), ((3, 2), None), (2, 1)])
def test_max_pool_gradient_goes_to_the_first_maximum(kernel, stride):
    x = np.zeros((1, 2, 6, 6), dtype=np.float32)  # all ties
    x[0, 1] = np.arange(36).reshape(6, 6) % 3
    xt = mt.tensor(x, requires_grad=True)
    out, idx = mt.nn.MaxPool2d(kernel, stride, return_indices=True)(xt)
    out.backward(np.ones(out.shape, dtype=np.float32))
    _, ref_idx = max_reference(x, _pair(kernel), _pair(stride or kernel), (0, 0), (1, 1), False)
    np.testing.assert_array_equal(idx._data, ref_idx)
    expected = np.zeros(x.size)
    np.add.at(expected, (np.arange(2)[:, None, None] * 36 + ref_idx[0]).ravel(), 1)
    np.testing.assert_array_equal(xt.grad.ravel(), expected)


def test_max_pool_nan_propagates():
    x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    x[0, 0, 0, 1] = np.nan
    xt = mt.tensor(x, requires_grad=True)
    out = mt.nn.MaxPool2d(2)(xt)
    assert np.isnan(out._data[0, 0, 0, 0]) and out._data[0, 0, 1, 1] == 15
    out.sum().backward()
    assert xt.grad[0, 0, 0, 1] == 1 and xt.grad.sum() == 4


def test_max_pool_on_channel_major_memory(rng):
    # A conv output is stored (C, N, H, W); the result must not depend on the layout.
    x = rng.standard_normal((3, 2, 7, 9)).astype(np.float32)
    xt = mt.tensor(
        np.ascontiguousarray(x.transpose(1, 0, 2, 3)).transpose(1, 0, 2, 3), requires_grad=True
    )
    out = mt.nn.MaxPool2d(2)(xt)
    np.testing.assert_array_equal(
        out._data, max_reference(x, (2, 2), (2, 2), (0, 0), (1, 1), False)[0]
    )
    g = rng.standard_normal(out.shape).astype(np.float32)
    out.backward(g)
    xc = mt.tensor(x, requires_grad=True)
    mt.nn.MaxPool2d(2)(xc).backward(g)
    np.testing.assert_array_equal(xt.grad, xc.grad)


AVG_CASES = [  # kernel, stride, padding, ceil_mode, count_include_pad, divisor_override, HxW
    (2, None, 0, False, True, None, (8, 8)),
    (2, None, 0, False, True, None, (9, 7)),
    (3, 2, 1, True, True, None, (9, 7)),
    (3, 2, 1, True, False, None, (9, 7)),
    ((3, 2), (2, 3), (1, 1), True, False, None, (10, 8)),
    (2, None, 0, True, True, None, (7, 7)),
    (3, 1, 1, False, True, 5, (5, 6)),
]


@pytest.mark.parametrize("case", AVG_CASES)
def test_avg_pool_forward(rng, case):
    k, s, p, ceil, cip, div, hw = case
    x = rng.standard_normal((2, 3, *hw)).astype(np.float32)
    out = mt.nn.AvgPool2d(k, s, p, ceil, cip, div)(mt.tensor(x))
    ref = avg_reference(x.astype(np.float64), _pair(k), _pair(s or k), _pair(p), ceil, cip, div)
    np.testing.assert_allclose(out._data, ref, rtol=1e-5, atol=1e-6)
    assert out.dtype == np.float32


@pytest.mark.parametrize("case", AVG_CASES)
def test_avg_pool_gradcheck(rng, case):
    k, s, p, ceil, cip, div, hw = case
    x = mt.tensor(rng.standard_normal((1, 2, *hw)), requires_grad=True)
    assert gradcheck(mt.nn.AvgPool2d(k, s, p, ceil, cip, div), [x])


@pytest.mark.parametrize(
    "size,hw", [((4, 3), (9, 7)), ((4, None), (9, 7)), (5, (3, 2)), (1, (6, 6)), (3, (6, 6))]
)
def test_adaptive_avg_pool(rng, size, hw):
    x = rng.standard_normal((2, 3, *hw))
    out = mt.nn.AdaptiveAvgPool2d(size)(mt.tensor(x))
    oh, ow = size if isinstance(size, tuple) else (size, size)
    ow = hw[1] if ow is None else ow
    np.testing.assert_allclose(out._data, adaptive_reference(x, oh, ow), rtol=1e-12)
    xt = mt.tensor(x[:1, :1], requires_grad=True)
    assert gradcheck(mt.nn.AdaptiveAvgPool2d(size), [xt])


def test_unbatched_input(rng):
    x = rng.standard_normal((3, 6, 6)).astype(np.float32)
    for layer in (mt.nn.MaxPool2d(2), mt.nn.AvgPool2d(3, 1, 1), mt.nn.AdaptiveAvgPool2d(2)):
        out = layer(mt.tensor(x))
        np.testing.assert_array_equal(out._data, layer(mt.tensor(x[None]))._data[0])
    out, idx = mt.nn.MaxPool2d(2, return_indices=True)(mt.tensor(x))
    assert out.shape == idx.shape == (3, 3, 3)


def test_functional_forms(rng):
    x = mt.tensor(rng.standard_normal((1, 2, 6, 6)).astype(np.float32))
    np.testing.assert_array_equal(F.max_pool2d(x, 3, 2, 1)._data, mt.nn.MaxPool2d(3, 2, 1)(x)._data)
    np.testing.assert_array_equal(F.avg_pool2d(x, 2)._data, mt.nn.AvgPool2d(2)(x)._data)
    np.testing.assert_allclose(
        F.adaptive_avg_pool2d(x, 1)._data, x._data.mean(axis=(2, 3), keepdims=True), rtol=1e-5
    )


def test_repr_and_config_round_trip():
    assert repr(mt.nn.MaxPool2d(2)) == (
        "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    )
    assert repr(mt.nn.AvgPool2d(3, 2)) == "AvgPool2d(kernel_size=3, stride=2, padding=0)"
    assert repr(mt.nn.AdaptiveAvgPool2d((5, None))) == "AdaptiveAvgPool2d(output_size=(5, None))"
    for layer in (
        mt.nn.MaxPool2d((3, 2), 1, 1, 2, True, True),
        mt.nn.AvgPool2d(3, 2, 1, True, False, 4),
        mt.nn.AdaptiveAvgPool2d((5, None)),
    ):
        name = type(layer).__name__
        clone = mt.registry.create("layer", {"name": name, "config": layer.get_config()})
        assert clone.get_config() == layer.get_config() and repr(clone) == repr(layer)


def test_input_errors():
    with pytest.raises(
        ShapeError,
        match=r"MaxPool2d: expected 3D \(unbatched\) or 4D "
        r"\(batched\) input, got shape \(4, 4\)",
    ):
        mt.nn.MaxPool2d(2)(mt.zeros(4, 4))
    with pytest.raises(
        ShapeError,
        match=r"AvgPool2d: output size would be \(0, 2\) for input "
        r"shape \(1, 1, 2, 6\)",
    ):
        mt.nn.AvgPool2d(3)(mt.zeros(1, 1, 2, 6))
    with pytest.raises(ShapeError, match=r"AdaptiveAvgPool2d: expected 3D"):
        mt.nn.AdaptiveAvgPool2d(2)(mt.zeros(2, 3, 4, 4, 4))
    with pytest.raises(ShapeError, match="AdaptiveAvgPool2d: expected non-empty"):
        mt.nn.AdaptiveAvgPool2d(2)(mt.zeros(1, 1, 0, 4))


def test_constructor_errors():
    with pytest.raises(
        ValueError,
        match="MaxPool2d: pad should be at most half of effective "
        "kernel size, but got pad=2, kernel_size=2",
    ):
        mt.nn.MaxPool2d(2, padding=2)
    with pytest.raises(ValueError, match="AvgPool2d: pad should be at most half"):
        mt.nn.AvgPool2d(3, padding=2)
    with pytest.raises(ValueError, match="MaxPool2d: kernel_size must be an int >= 1, got 0"):
        mt.nn.MaxPool2d(0)
    with pytest.raises(ValueError, match="AvgPool2d: divisor_override must be an int >= 1"):
        mt.nn.AvgPool2d(2, divisor_override=0)
    with pytest.raises(ValueError, match="AdaptiveAvgPool2d: output_size must be an int or a pair"):
        mt.nn.AdaptiveAvgPool2d((1, 2, 3))
    with pytest.raises(ValueError, match="AdaptiveAvgPool2d: output_size must be an int >= 1"):
        mt.nn.AdaptiveAvgPool2d(0)
