"""Conv2d: forward against a direct loop over output pixels, gradcheck, options, errors."""

import math

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es.autograd import gradcheck
from minitorch_es.errors import ShapeError

F = mt.nn.functional
NUMPY_PAD = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def conv_reference(
    x, w, b, stride=(1, 1), pads=(0, 0, 0, 0), dilation=(1, 1), groups=1, mode="zeros"
):
    """Direct convolution: one dot product per output pixel (pads = top, bottom, left, right)."""
    top, bottom, left, right = pads
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), mode=NUMPY_PAD[mode])
    n, c, hp, wp = xp.shape
    o, cg, kh, kw = w.shape
    ho = (hp - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    wo = (wp - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((n, o, ho, wo))
    og = o // groups
    for i in range(ho):
        for j in range(wo):
            hs, ws = i * stride[0], j * stride[1]
            patch = xp[
                :,
                :,
                hs : hs + dilation[0] * (kh - 1) + 1 : dilation[0],
                ws : ws + dilation[1] * (kw - 1) + 1 : dilation[1],
            ]
            for g in range(groups):
                out[:, g * og : (g + 1) * og, i, j] = np.einsum(
                    "nchw,ochw->no", patch[:, g * cg : (g + 1) * cg], w[g * og : (g + 1) * og]
                )
    return out if b is None else out + b[None, :, None, None]


def same_pads(kernel, dilation):
    totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
    return (totals[0] // 2, totals[0] - totals[0] // 2, totals[1] // 2, totals[1] - totals[1] // 2)


def layer_gradcheck(layer, *inputs):
    """gradcheck with respect to the inputs and the layer's parameters."""
    names = [n for n, _ in layer.named_parameters()]

    def fn(*args):
        for name, p in zip(names, args[len(inputs) :]):
            layer._parameters[name] = p
        return layer(*args[: len(inputs)])

    return gradcheck(fn, [*inputs, *layer.parameters()])


CASES = [  # (in, out, kernel, stride, padding, dilation, groups, bias, mode, input HxW)
    (3, 4, 3, 1, 0, 1, 1, True, "zeros", (7, 8)),
    (1, 8, 3, 1, 1, 1, 1, True, "zeros", (6, 7)),
    (2, 3, (3, 2), (2, 3), (1, 2), (2, 1), 1, True, "zeros", (9, 10)),
    (4, 6, 3, 2, 1, 1, 2, False, "zeros", (7, 7)),
    (2, 2, 2, 1, "same", 1, 1, True, "zeros", (5, 6)),
    (3, 3, 3, 1, "same", 2, 3, True, "zeros", (6, 5)),
    (2, 3, 3, 1, "valid", 1, 1, True, "zeros", (5, 5)),
    (2, 3, 3, 1, 2, 1, 1, True, "reflect", (5, 6)),
    (2, 3, (2, 3), 1, "same", 1, 1, False, "replicate", (5, 4)),
    (2, 4, 3, (2, 1), 1, (1, 2), 2, True, "circular", (6, 7)),
]


def _pads(layer):
    if layer.padding == "same":
        return same_pads(layer.kernel_size, layer.dilation)
    if layer.padding == "valid":
        return (0, 0, 0, 0)
    ph, pw = layer.padding
    return (ph, ph, pw, pw)


@pytest.mark.parametrize("case", CASES)
def test_forward_matches_direct_convolution(rng, case):
    cin, cout, k, s, p, d, g, bias, mode, hw = case
    layer = mt.nn.Conv2d(cin, cout, k, s, p, d, g, bias, mode)
    x = rng.standard_normal((2, cin, *hw)).astype(np.float32)
    ref = conv_reference(
        x.astype(np.float64),
        layer.weight._data.astype(np.float64),
        None if layer.bias is None else layer.bias._data.astype(np.float64),
        layer.stride,
        _pads(layer),
        layer.dilation,
        g,
        mode,
    )
    out = layer(mt.tensor(x))
    assert out.dtype == np.float32 and out.shape == ref.shape
    np.testing.assert_allclose(out._data, ref, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("case", CASES)
def test_gradcheck(rng, case):
    cin, cout, k, s, p, d, g, bias, mode, hw = case
    layer = mt.nn.Conv2d(cin, cout, k, s, p, d, g, bias, mode).double()
    x = mt.tensor(rng.standard_normal((2, cin, *hw)), requires_grad=True)
    assert layer_gradcheck(layer, x)


def test_same_padding_keeps_the_size():
    for k, d in [(3, 1), (4, 1), (3, 2), ((2, 5), (3, 1))]:
        out = mt.nn.Conv2d(1, 1, k, padding="same", dilation=d)(mt.zeros(1, 1, 9, 8))
        assert out.shape == (1, 1, 9, 8)


def test_unbatched_input_is_the_batch_of_one(rng):
    layer = mt.nn.Conv2d(2, 3, 3, padding=1)
    x = rng.standard_normal((2, 5, 5)).astype(np.float32)
    out = layer(mt.tensor(x))
    assert out.shape == (3, 5, 5)
    np.testing.assert_allclose(out._data, layer(mt.tensor(x[None]))._data[0], rtol=1e-6)


def test_backward_skips_the_input_gradient_and_accepts_any_layout(rng):
    layer = mt.nn.Conv2d(2, 3, 3)
    x = mt.tensor(
        np.ascontiguousarray(
            rng.standard_normal((2, 2, 6, 6)).astype(np.float32).transpose(1, 0, 2, 3)
        ).transpose(1, 0, 2, 3)
    )  # channel-major memory, as a conv output is stored
    out = layer(x)
    out.sum().backward()
    assert x.grad is None and layer.weight.grad.shape == (3, 2, 3, 3)
    ref = conv_reference(
        x._data.astype(np.float64),
        layer.weight._data.astype(np.float64),
        layer.bias._data.astype(np.float64),
    )
    np.testing.assert_allclose(out._data, ref, rtol=1e-4, atol=1e-5)


def test_default_init_is_pytorchs():
    layer = mt.nn.Conv2d(16, 32, 3, groups=2)
    fan_in = 8 * 9
    bound = 1 / math.sqrt(fan_in)
    assert layer.weight.shape == (32, 8, 3, 3) and layer.weight.dtype == np.float32
    assert np.abs(layer.weight._data).max() <= bound
    assert np.abs(layer.weight._data).max() > 0.95 * bound
    assert np.abs(layer.bias._data).max() <= bound
    assert abs(layer.weight._data.std() - bound / math.sqrt(3)) < 0.05 * bound


def test_options_init_regularizers_activation(rng):
    layer = mt.nn.Conv2d(
        1,
        2,
        2,
        weight_init="ones",
        bias_init="zeros",
        activation="relu",
        weight_regularizer=mt.regularizers.l2(0.5),
        activity_regularizer="l1",
    )
    x = rng.standard_normal((3, 1, 4, 4)).astype(np.float32)
    window_sums = x[:, :, :-1, :-1] + x[:, :, 1:, :-1] + x[:, :, :-1, 1:] + x[:, :, 1:, 1:]
    out = layer(mt.tensor(x))
    np.testing.assert_allclose(
        out._data, np.maximum(np.repeat(window_sums, 2, axis=1), 0), rtol=1e-5, atol=1e-6
    )
    expected = 0.5 * 8 + 0.01 * np.abs(out._data).sum() / 3
    assert float(layer.regularization_loss()) == pytest.approx(expected, rel=1e-5)


def test_config_round_trip(rng):
    layer = mt.nn.Conv2d(
        2,
        4,
        (3, 2),
        stride=1,
        padding="same",
        dilation=(2, 1),
        groups=2,
        bias=False,
        padding_mode="reflect",
        activation="tanh",
        weight_init="kaiming_normal",
        weight_regularizer="l2",
        activity_regularizer=mt.regularizers.l1(0.1),
    )
    config = layer.get_config()
    clone = mt.registry.create("layer", {"name": "Conv2d", "config": config})
    assert clone.get_config() == config
    clone.load_state_dict(layer.state_dict())
    x = mt.tensor(rng.standard_normal((1, 2, 5, 5)).astype(np.float32))
    np.testing.assert_allclose(clone(x)._data, layer(x)._data)
    assert repr(clone) == repr(layer)


def test_extra_repr_like_pytorch():
    assert repr(mt.nn.Conv2d(1, 8, 3)) == "Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1))"
    assert repr(
        mt.nn.Conv2d(
            4,
            8,
            (3, 5),
            stride=2,
            padding=1,
            dilation=2,
            groups=2,
            bias=False,
            padding_mode="circular",
        )
    ) == (
        "Conv2d(4, 8, kernel_size=(3, 5), stride=(2, 2), padding=(1, 1), dilation=(2, 2), "
        "groups=2, bias=False, padding_mode=circular)"
    )
    assert "padding=same" in repr(mt.nn.Conv2d(1, 1, 3, padding="same"))


def test_summary_of_a_cnn():
    nn = mt.nn
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 10),
    )
    result = mt.nn.summarize(model, (1, 28, 28))
    rows = [(r.type, r.output_shape, r.params) for r in result.layers]
    assert rows == [
        ("Conv2d", (None, 8, 26, 26), 80),
        ("ReLU", (None, 8, 26, 26), 0),
        ("MaxPool2d", (None, 8, 13, 13), 0),
        ("Conv2d", (None, 16, 11, 11), 1168),
        ("ReLU", (None, 16, 11, 11), 0),
        ("MaxPool2d", (None, 16, 5, 5), 0),
        ("Flatten", (None, 400), 0),
        ("Linear", (None, 10), 4010),
    ]
    assert result.total_params == 5258


def test_float64_model():
    layer = mt.nn.Conv2d(1, 2, 3).double()
    out = layer(mt.zeros(1, 1, 4, 4, dtype=mt.float64))
    assert out.dtype == np.float64 and layer.weight.dtype == np.float64


def test_functional_conv2d_matches_the_module(rng):
    layer = mt.nn.Conv2d(2, 2, 3, stride=2, padding=1)
    x = mt.tensor(rng.standard_normal((1, 2, 6, 6)).astype(np.float32))
    np.testing.assert_array_equal(
        F.conv2d(x, layer.weight, layer.bias, stride=2, padding=1)._data, layer(x)._data
    )


def test_input_errors_name_the_layer_and_shapes():
    layer = mt.nn.Conv2d(3, 8, 3)
    with pytest.raises(
        ShapeError,
        match=r"Conv2d: expected 3D \(unbatched\) or 4D \(batched\) "
        r"input, got shape \(2, 3\)",
    ):
        layer(mt.zeros(2, 3))
    with pytest.raises(
        ShapeError,
        match=r"Conv2d: expected NCHW input with 3 channels "
        r"\(in_channels\), got shape \(2, 4, 8, 8\)$",
    ):
        layer(mt.zeros(2, 4, 8, 8))
    with pytest.raises(  # a channels-last image is told so, and how to reorder it
        ShapeError,
        match=r"got shape \(2, 8, 8, 3\); it looks channels-last \(NHWC\): move the channels "
        r"first with x.permute\(0, 3, 1, 2\) \(NumPy: x.transpose\(0, 3, 1, 2\)\)$",
    ):
        layer(np.zeros((2, 8, 8, 3), dtype=np.float32))
    with pytest.raises(ShapeError, match=r"x.permute\(2, 0, 1\)"):
        layer(mt.zeros(8, 8, 3))
    with pytest.raises(ShapeError, match=r"smaller than the dilated kernel \(3, 3\)"):
        layer(mt.zeros(1, 3, 2, 5))
    with pytest.raises(ShapeError, match="padding_mode='reflect' must be smaller than the input"):
        mt.nn.Conv2d(1, 1, 3, padding=2, padding_mode="reflect")(mt.zeros(1, 1, 2, 5))
    with pytest.raises(ShapeError, match="padding_mode='circular' must be at most the input"):
        mt.nn.Conv2d(1, 1, 3, padding=3, padding_mode="circular")(mt.zeros(1, 1, 2, 5))


@pytest.mark.parametrize(
    "kwargs,error,message",
    [
        (dict(groups=2), ValueError, r"in_channels \(3\) must be divisible by groups \(2\)"),
        (dict(padding="full"), ValueError, "invalid padding string 'full'"),
        (dict(padding="same", stride=2), ValueError, "'same' is not supported for strided"),
        (dict(padding_mode="mirror"), ValueError, "padding_mode must be one of"),
        (dict(kernel_size=0), ValueError, "kernel_size must be an int >= 1, got 0"),
        (dict(kernel_size=(3, 3, 3)), ValueError, "kernel_size must be an int or a pair"),
        (dict(stride=1.5), TypeError, "stride must be an int >= 1, got float 1.5"),
    ],
)
def test_constructor_errors(kwargs, error, message):
    args = dict(in_channels=3, out_channels=4, kernel_size=3)
    args.update(kwargs)
    with pytest.raises(error, match=message):
        mt.nn.Conv2d(**args)


@pytest.mark.parametrize("cin,cout,stride", [(2, 3, 1), (1, 8, 1), (2, 3, 2)])
def test_large_input_gradients_match_the_correlation_formulas(rng, cin, cout, stride):
    # Tall (row-wise im2col) and short (plain im2col) columns, stride 1 and 2, on a large input.
    layer = mt.nn.Conv2d(cin, cout, 3, stride=stride, padding=1).double()
    x = mt.tensor(rng.standard_normal((2, cin, 130, 130)), requires_grad=True)
    out = layer(x)
    delta = rng.standard_normal(out.shape)
    out.backward(delta)
    xp = np.pad(x._data, ((0, 0), (0, 0), (1, 1), (1, 1)))
    ho, wo = out.shape[2:]
    gw = np.empty((cout, cin, 3, 3))
    gx = np.zeros_like(xp)
    for p in range(3):
        for q in range(3):
            rows = slice(p, p + stride * (ho - 1) + 1, stride)
            cols = slice(q, q + stride * (wo - 1) + 1, stride)
            gw[:, :, p, q] = np.einsum("nohw,nchw->oc", delta, xp[:, :, rows, cols])
            gx[:, :, rows, cols] += np.einsum(
                "nohw,oc->nchw", delta, layer.weight._data[:, :, p, q]
            )
    np.testing.assert_allclose(layer.weight.grad, gw, rtol=1e-10)
    np.testing.assert_allclose(layer.bias.grad, delta.sum(axis=(0, 2, 3)), rtol=1e-10)
    np.testing.assert_allclose(x.grad, gx[:, :, 1:-1, 1:-1], rtol=1e-10, atol=1e-12)
