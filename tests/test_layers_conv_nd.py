"""Conv1d, ConvTranspose1d, ConvTranspose2d and F.conv1d / conv_transpose1d /
conv_transpose2d: against PyTorch (values, first and second derivatives in input, weight and
bias), gradcheck, PyTorch's printing, initialisation, output_size, configs, every error."""

import numpy as np
import pytest
from higher_order import check_against_torch

import minitorch_es as mt
from minitorch_es.autograd import gradcheck, gradgradcheck

F, nn = mt.nn.functional, mt.nn

CONV1D = {
    "plain": ((2, 4, 9), (6, 4, 3), {}),
    "strided_dilated_groups": (
        (2, 4, 9),
        (6, 2, 3),
        {"stride": 2, "padding": 1, "dilation": 2, "groups": 2},
    ),
    "same": ((2, 4, 8), (3, 4, 3), {"padding": "same", "dilation": 2}),
    "same_even_kernel": ((2, 4, 8), (3, 4, 4), {"padding": "same"}),  # the extra on the right
    "unbatched_valid": ((4, 7), (2, 4, 2), {"padding": "valid", "stride": 3}),
}


@pytest.mark.parametrize("case", sorted(CONV1D))
def test_conv1d_matches_pytorch(case, rng):
    x_shape, w_shape, options = CONV1D[case]
    arrays = {
        "x": rng.standard_normal(x_shape),
        "w": rng.standard_normal(w_shape),
        "b": rng.standard_normal(w_shape[0]),
    }
    check_against_torch(
        f"conv1d/{case}",
        lambda F, x, w, b: F.conv1d(x, w, b, **options),
        arrays,
        wrt=("x", "w", "b"),
        rtol=1e-10,
        atol=1e-10,
    )


TRANSPOSED = {
    "plain": (2, (2, 4, 3, 4), (4, 3, 2, 2), {}),
    "stride_padding_output_padding": (
        2,
        (2, 4, 3, 4),
        (4, 3, 3, 3),
        {"stride": 2, "padding": 1, "output_padding": 1},
    ),
    "rectangular_dilated": (
        2,
        (1, 4, 3, 3),
        (4, 2, 2, 3),
        {"stride": (2, 3), "padding": (1, 0), "output_padding": (1, 2), "dilation": (1, 2)},
    ),
    "output_padding_beyond_padding": (
        2,
        (1, 2, 3, 3),
        (2, 2, 2, 2),
        {"stride": 3, "output_padding": 2},
    ),
    "groups": (2, (2, 4, 3, 3), (4, 2, 3, 3), {"groups": 2, "stride": 2, "output_padding": 1}),
    "dilation_output_padding": (
        2,
        (1, 2, 3, 3),
        (2, 2, 3, 3),
        {"dilation": 3, "output_padding": 2, "padding": 1},
    ),
    "unbatched": (2, (4, 3, 3), (4, 2, 2, 2), {"stride": 2}),
    "1d": (1, (2, 4, 5), (4, 3, 3), {"stride": 2, "padding": 1, "output_padding": 1}),
    "1d_groups_dilated": (1, (2, 4, 5), (4, 1, 3), {"groups": 2, "dilation": 2}),
}


@pytest.mark.parametrize("case", sorted(TRANSPOSED))
def test_conv_transpose_matches_pytorch(case, rng):
    dims, x_shape, w_shape, options = TRANSPOSED[case]
    groups = options.get("groups", 1)
    arrays = {
        "x": rng.standard_normal(x_shape),
        "w": rng.standard_normal(w_shape),
        "b": rng.standard_normal(w_shape[1] * groups),
    }
    name = f"conv_transpose{dims}d"
    check_against_torch(
        f"{name}/{case}",
        lambda F, x, w, b: getattr(F, name)(x, w, b, **options),
        arrays,
        wrt=("x", "w", "b"),
        rtol=1e-10,
        atol=1e-10,
    )


def test_float32_and_gradcheck(rng):
    arrays = {
        "x": rng.standard_normal((2, 3, 4, 4)).astype(np.float32),
        "w": rng.standard_normal((3, 2, 3, 3)).astype(np.float32),
    }
    check_against_torch(
        "conv_transpose2d/float32",
        lambda F, x, w: F.conv_transpose2d(x, w, stride=2, padding=1),
        arrays,
        wrt=("x", "w"),
        rtol=1e-4,
        atol=1e-4,
    )
    x, w = mt.tensor(rng.standard_normal((1, 2, 5)), requires_grad=True), None
    w = mt.tensor(rng.standard_normal((3, 2, 2)), requires_grad=True)
    for fn in (
        lambda x, w: F.conv1d(x, w, stride=2, padding=1),
        lambda x, w: F.conv_transpose1d(x, w.transpose(0, 1), stride=2, output_padding=1),
    ):
        assert gradcheck(fn, (x, w))
        assert gradgradcheck(fn, (x, w))


def test_conv_transpose_is_the_adjoint_of_conv(rng):
    x, w = rng.standard_normal((2, 3, 7, 6)), rng.standard_normal((4, 3, 3, 2))
    y = F.conv2d(mt.tensor(x), mt.tensor(w), stride=2, padding=1).numpy()
    g = rng.standard_normal(y.shape)
    back = F.conv_transpose2d(mt.tensor(g), mt.tensor(w), stride=2, padding=1)
    assert back.shape == x.shape
    assert np.isclose((y * g).sum(), (x * back.numpy()).sum(), rtol=1e-12)


LAYERS = [
    (nn.Conv1d(3, 4, 2), "Conv1d(3, 4, kernel_size=(2,), stride=(1,))", (4, 3, 2)),
    (
        nn.Conv1d(4, 6, 3, padding="same", padding_mode="circular", groups=2, bias=False),
        "Conv1d(4, 6, kernel_size=(3,), stride=(1,), padding=same, groups=2, bias=False, "
        "padding_mode=circular)",
        (6, 2, 3),
    ),
    (
        nn.ConvTranspose2d(3, 4, 2, stride=2, output_padding=1, dilation=2),
        "ConvTranspose2d(3, 4, kernel_size=(2, 2), stride=(2, 2), dilation=(2, 2), "
        "output_padding=(1, 1))",
        (3, 4, 2, 2),
    ),
    (
        nn.ConvTranspose1d(4, 6, 3, groups=2, padding=1),
        "ConvTranspose1d(4, 6, kernel_size=(3,), stride=(1,), padding=(1,), groups=2)",
        (4, 3, 3),
    ),
]


@pytest.mark.parametrize("layer,text,shape", LAYERS, ids=lambda v: repr(v)[:40])
def test_layers_print_initialise_and_round_trip(layer, text, shape):
    assert repr(layer) == text and tuple(layer.weight.shape) == shape
    fan_in = shape[1] * int(np.prod(shape[2:]))
    assert np.abs(layer.weight.numpy(force=True)).max() <= 1 / np.sqrt(fan_in)
    if layer.bias is not None:
        assert np.abs(layer.bias.numpy(force=True)).max() <= 1 / np.sqrt(fan_in)
    config = {"name": type(layer).__name__, "config": layer.get_config()}
    assert repr(mt.registry.create("layer", config)) == text


def test_layers_compute_their_functional_forms(rng):
    x = mt.tensor(rng.standard_normal((2, 4, 7)).astype(np.float32))
    conv = nn.Conv1d(4, 3, 3, padding=2, padding_mode="reflect")
    expected = F.conv1d(F.pad(x, (2, 2), mode="reflect"), conv.weight, conv.bias)
    np.testing.assert_array_equal(conv(x).numpy(force=True), expected.numpy(force=True))
    up = nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1)
    images = mt.tensor(rng.standard_normal((2, 4, 5, 5)).astype(np.float32))
    assert up(images).shape == (2, 2, 9, 9)
    assert up(images, output_size=(10, 10)).shape == (2, 2, 10, 10)
    assert up(images, output_size=(2, 2, 10, 9)).shape == (2, 2, 10, 9)
    assert up(images[0], output_size=(10, 9)).shape == (2, 10, 9)
    expected = F.conv_transpose2d(images, up.weight, up.bias, 2, 1, (1, 0))
    np.testing.assert_array_equal(
        up(images, output_size=(10, 9)).numpy(force=True), expected.numpy(force=True)
    )
    assert mt.registry.get("layer", "Conv2DTranspose") is nn.ConvTranspose2d
    assert nn.Conv1d(2, 2, 1, dtype=mt.float64).weight.dtype == mt.float64


X1, W1 = mt.ones(1, 3, 8), mt.ones(4, 3, 2)
ERRORS = [
    (lambda: F.conv1d(mt.ones(1, 2, 3, 4), W1), RuntimeError, "Expected 2D (unbatched) or 3D"),
    (lambda: F.conv1d(mt.ones(1, 5, 8), W1), RuntimeError, "to have 3 channels, but got 5"),
    (lambda: F.conv1d(mt.ones(1, 3, 1), W1, dilation=2), RuntimeError, "Kernel size: (3)"),
    (lambda: F.conv1d(X1, W1, padding="same", stride=2), ValueError, "strided convolutions"),
    (lambda: F.conv1d(X1, W1, padding="full"), ValueError, "invalid padding string 'full'"),
    (lambda: F.conv1d(X1, W1, stride=(1, 2)), ValueError, "stride must be an int or a tuple of 1"),
    (lambda: F.conv1d(X1, mt.ones(4, 3)), RuntimeError, "expected a 3-D weight"),
    (lambda: F.conv1d(X1, W1, groups=0), ValueError, "groups must be an int >= 1"),
    (
        lambda: F.conv_transpose2d(mt.ones(1, 2, 4, 4), mt.ones(4, 2, 2, 2)),
        RuntimeError,
        "transposed=1",
    ),
    (
        lambda: F.conv_transpose2d(mt.ones(4, 4), mt.ones(4, 2, 2, 2)),
        RuntimeError,
        "3D (unbatched)",
    ),
    (
        lambda: F.conv_transpose2d(mt.ones(1, 4, 2, 2), mt.ones(4, 2, 3, 3), padding=3),
        RuntimeError,
        "too small",
    ),
    (
        lambda: F.conv_transpose2d(
            mt.ones(1, 4, 2, 2), mt.ones(4, 2, 3, 3), stride=2, output_padding=2
        ),
        RuntimeError,
        "smaller than either stride or dilation",
    ),
    (
        lambda: F.conv_transpose1d(mt.ones(1, 4, 2), mt.ones(4, 2, 3), padding="same"),
        TypeError,
        "padding must be an int",
    ),
    (
        lambda: nn.ConvTranspose2d(3, 4, 2, padding_mode="reflect"),
        ValueError,
        'Only "zeros" padding mode',
    ),
    (lambda: nn.Conv1d(3, 4, 2, groups=2), ValueError, "in_channels must be divisible by groups"),
    (lambda: nn.Conv1d(3, 4, 2, padding_mode="bogus"), ValueError, "padding_mode must be one of"),
    (lambda: nn.Conv1d(3, 4, (2, 2)), ValueError, "kernel_size must be an int or a tuple of 1"),
    (lambda: nn.Conv1d(3, 4, 2, stride=2, padding="same"), ValueError, "strided convolutions"),
    (lambda: nn.Conv1d(3, 4, 2, device="cuda"), RuntimeError, "cuda"),
    (
        lambda: nn.ConvTranspose2d(4, 2, 3, stride=2)(mt.ones(1, 4, 4, 4), output_size=(12, 9)),
        ValueError,
        "valid sizes range from [9, 9] to [10, 10]",
    ),
    (
        lambda: nn.ConvTranspose2d(4, 2, 3)(mt.ones(1, 4, 4, 4), output_size=(6,)),
        ValueError,
        "must have 2 or 4 elements",
    ),
]


@pytest.mark.parametrize("call,error,message", ERRORS)
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
