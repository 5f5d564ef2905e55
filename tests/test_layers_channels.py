"""Channel dropout (F.dropout1d/2d/3d, nn.Dropout1d/2d/3d) and pixel (un)shuffling: masks per
channel, scaling, warnings as PyTorch's, values and derivatives against PyTorch, errors."""

import warnings

import numpy as np
import pytest
from higher_order import check_against_torch

import minitorch_es as mt
from minitorch_es.autograd import gradcheck, gradgradcheck

F = mt.nn.functional

DROPOUTS = [
    (F.dropout1d, (6, 50, 4), (6, 50, 1)),
    (F.dropout1d, (50, 4), (50, 1)),
    (F.dropout2d, (6, 50, 3, 2), (6, 50, 1, 1)),
    (F.dropout3d, (4, 50, 2, 2, 2), (4, 50, 1, 1, 1)),
    (F.dropout3d, (50, 2, 2, 2), (50, 1, 1, 1)),
]


@pytest.mark.parametrize("fn,shape,mask_shape", DROPOUTS)
def test_whole_channels_are_dropped_and_the_rest_scaled(fn, shape, mask_shape):
    x = mt.ones(*shape, dtype=mt.float64, requires_grad=True)
    out = fn(x, p=0.25)
    values = out.numpy(force=True)
    per_channel = values.reshape(*mask_shape[:-1], -1) if len(mask_shape) else values
    assert set(np.unique(values)) <= {0.0, 1 / 0.75}
    assert (per_channel.min(-1) == per_channel.max(-1)).all()  # one value per channel
    assert 0.1 < (values == 0).mean() < 0.4
    out.backward(mt.ones(*shape, dtype=mt.float64))
    np.testing.assert_array_equal(np.asarray(x.grad), values)

    def same_mask(x):  # gradcheck calls it many times: draw the same mask each time
        mt.manual_seed(5)
        return fn(x, 0.25) * x

    small_shape = tuple(min(n, 3) for n in shape)
    small = mt.tensor(np.random.default_rng(0).standard_normal(small_shape), requires_grad=True)
    assert gradgradcheck(same_mask, (small,))


def test_a_2d_input_to_dropout2d_drops_single_entries_as_pytorchs():
    # PyTorch 2.13 warns, then treats (N, C) as channels without spatial extent: each entry is
    # its own channel, so the result is element-wise dropout (mnist_rnn's Dropout2d after an
    # LSTM relies on it).
    with pytest.warns(UserWarning, match="please use dropout instead"):
        values = mt.nn.Dropout2d(0.5)(mt.ones(64, 32)).numpy()
    assert values.shape == (64, 32) and set(np.unique(values)) == {0.0, 2.0}
    dropped_per_row = (values == 0).sum(1)
    assert ((dropped_per_row > 0) & (dropped_per_row < 32)).all()  # not whole rows


def test_the_mask_is_drawn_from_the_package_generator():
    mt.manual_seed(3)
    a = F.dropout2d(mt.ones(4, 8, 2, 2)).numpy()
    mt.manual_seed(3)
    assert np.array_equal(a, F.dropout2d(mt.ones(4, 8, 2, 2)).numpy())


def test_eval_p0_and_p1():
    x = mt.randn(2, 3, 4)
    assert F.dropout1d(x, training=False) is x and F.dropout1d(x, p=0.0) is x
    assert F.dropout1d(x, p=1.0).abs().sum().item() == 0
    layer = mt.nn.Dropout2d(0.5).eval()
    y = mt.randn(2, 3, 4, 5)
    assert layer(y) is y


def test_inplace_writes_the_input():
    x = mt.ones(4, 8, 3)
    out = F.dropout1d(x, 0.5, inplace=True)
    assert np.array_equal(x.numpy(), out.numpy()) and (x.numpy() == 0).any()
    y = mt.ones(8, 3)
    F.dropout1d(y, 0.5, inplace=True)
    assert (y.numpy() == 0).any()


def test_pytorch_warnings_for_other_ranks():
    with pytest.warns(UserWarning, match="3D input to dropout2d and assuming that channel-wise 1D"):
        assert F.dropout2d(mt.ones(2, 3, 4)).shape == (2, 3, 4)
    with pytest.warns(UserWarning, match="Received a 2-D input to dropout2d, which is deprecated"):
        F.dropout2d(mt.ones(2, 3))
    with pytest.warns(UserWarning, match="Received a 3-D input to dropout3d"):
        F.dropout3d(mt.ones(2, 3, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.dropout2d(mt.ones(2, 3, 4, 5))


@pytest.mark.parametrize("cls", [mt.nn.Dropout1d, mt.nn.Dropout2d, mt.nn.Dropout3d])
def test_dropout_layers(cls):
    layer = cls(0.3, inplace=True)
    assert repr(layer) == f"{cls.__name__}(p=0.3, inplace=True)"
    again = mt.registry.create("layer", {"name": cls.__name__, "config": layer.get_config()})
    assert (again.p, again.inplace) == (0.3, True)
    assert type(mt.registry.create("layer", f"Spatial{cls.__name__[:-1]}D")) is cls


DROPOUT_ERRORS = [
    (lambda: F.dropout1d(mt.ones(2, 3, 4, 5)), RuntimeError, "Expected 2D or 3D input"),
    (lambda: F.dropout2d(mt.ones(2, 3, 4, 5), p=1.5), ValueError, "between 0 and 1, but got 1.5"),
    (lambda: F.dropout3d(mt.ones(2, 3, 4, 5, 6).long()), RuntimeError, "floating point"),
    (lambda: mt.nn.Dropout2d(-0.1), ValueError, "Dropout2d: dropout probability"),
]


@pytest.mark.parametrize("call,error,message", DROPOUT_ERRORS)
def test_dropout_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


@pytest.mark.parametrize("shape,r", [((1, 8, 2, 3), 2), ((2, 3, 9, 1, 2), 3)])
def test_pixel_shuffle_matches_pytorch_and_unshuffle_inverts_it(shape, r, rng):
    x = rng.standard_normal(shape)
    check_against_torch(f"pixel_shuffle/r{r}", lambda F, x: F.pixel_shuffle(x, r), {"x": x})
    shuffled = F.pixel_shuffle(mt.tensor(x), r)
    np.testing.assert_array_equal(F.pixel_unshuffle(shuffled, r).numpy(), x)
    check_against_torch(
        f"pixel_unshuffle/r{r}", lambda F, x: F.pixel_unshuffle(x, r), {"x": shuffled.numpy()}
    )
    c, h, w = shape[-3:]
    expected = x.reshape(*shape[:-3], c // r**2, r, r, h, w)[..., 0, 1, :, :]
    np.testing.assert_array_equal(shuffled.numpy()[..., 0::r, 1::r], expected)


def test_pixel_shuffle_layers_and_gradcheck(rng):
    x = mt.tensor(rng.standard_normal((1, 4, 2, 2)), requires_grad=True)
    assert gradcheck(lambda x: F.pixel_shuffle(x, 2), (x,))
    for layer, name in [(mt.nn.PixelShuffle(2), "upscale"), (mt.nn.PixelUnshuffle(2), "downscale")]:
        assert repr(layer) == f"{type(layer).__name__}({name}_factor=2)"
        config = {"name": type(layer).__name__, "config": layer.get_config()}
        assert repr(mt.registry.create("layer", config)) == repr(layer)
    assert mt.nn.PixelUnshuffle(2)(mt.nn.PixelShuffle(2)(x)).shape == (1, 4, 2, 2)


SHUFFLE_ERRORS = [
    (lambda: F.pixel_shuffle(mt.ones(1, 6, 2, 3), 2), RuntimeError, "input.size(-3)=6 is not"),
    (lambda: F.pixel_shuffle(mt.ones(8, 2), 2), RuntimeError, "at least 3 dimensions"),
    (lambda: F.pixel_shuffle(mt.ones(8, 2, 3), 0), RuntimeError, "positive upscale_factor"),
    (lambda: F.pixel_shuffle(mt.ones(8, 2, 3), 2.0), TypeError, "upscale_factor must be an int"),
    (lambda: F.pixel_shuffle(np.ones((8, 2, 3)), 2), TypeError, "must be a Tensor"),
    (lambda: F.pixel_unshuffle(mt.ones(1, 2, 5, 6), 2), RuntimeError, "height to be divisible"),
    (lambda: F.pixel_unshuffle(mt.ones(1, 2, 4, 5), 2), RuntimeError, "input.size(-1)=5"),
    (lambda: mt.nn.PixelShuffle(0), ValueError, "PixelShuffle: upscale_factor must be an int >= 1"),
]


@pytest.mark.parametrize("call,error,message", SHUFFLE_ERRORS)
def test_pixel_shuffle_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
