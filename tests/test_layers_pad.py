"""F.pad (constant / reflect / replicate / circular, any number of dimensions) and the padding
layers: values and derivatives against PyTorch, gradcheck, configs, every error."""

import numpy as np
import pytest
from higher_order import check_against_torch

import minitorch_es as mt
from minitorch_es.autograd import gradcheck, gradgradcheck

F = mt.nn.functional

CASES = {
    "constant_1d": ((2, 3, 5), (1, 2), "constant", 1.5),
    "constant_crop": ((2, 3, 5), (-1, 2, 1, -2), "constant", None),
    "constant_4_dims": ((2, 3, 4, 2), (1, 0, 0, 1, 2, 1, 1, 1), "constant", -2.0),
    "reflect_1d": ((2, 3, 5), (4, 2), "reflect", None),
    "reflect_2d": ((2, 2, 4, 5), (1, 3, 3, 0), "reflect", None),
    "reflect_3d_unbatched": ((2, 3, 4, 5), (1, 2, 0, 1, 2, 1), "reflect", None),
    "reflect_crop": ((2, 5), (-1, 2), "reflect", None),
    "replicate_1d_unbatched": ((3, 4), (2, 3), "replicate", None),
    "replicate_2d": ((1, 2, 3, 4), (-1, 3, 2, 2), "replicate", None),
    "replicate_3d": ((1, 2, 3, 2, 4), (1, 1, 2, 0, 0, 3), "replicate", None),
    "circular_1d": ((2, 3, 5), (5, 2), "circular", None),
    "circular_2d_crop": ((1, 2, 4, 5), (2, -1, -2, 1), "circular", None),
    "circular_3d": ((2, 3, 3, 4), (1, 2, 3, 0, 1, 1), "circular", None),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_pad_matches_pytorch(case, rng):
    shape, pads, mode, value = CASES[case]
    check_against_torch(
        f"pad/{case}",
        lambda F, x: F.pad(x, pads, mode=mode, value=value),
        {"x": rng.standard_normal(shape)},
        rtol=1e-10,
        atol=1e-10,
    )


def test_pad_in_float32_matches_pytorch(rng):
    x = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    check_against_torch(
        "pad/reflect_float32",
        lambda F, x: F.pad(x, (2, 1, 1, 3), mode="reflect"),
        {"x": x},
        rtol=1e-6,
        atol=1e-6,
    )


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_pad_gradcheck(mode, rng):
    x = mt.tensor(rng.standard_normal((2, 3, 4)), requires_grad=True)
    fn = lambda x: F.pad(x, (2, -1, 1, 2), mode=mode)  # noqa: E731
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def test_pad_against_numpy(rng):
    x = rng.standard_normal((2, 3, 4))
    for mode, np_mode in [("reflect", "reflect"), ("replicate", "edge"), ("circular", "wrap")]:
        out = F.pad(mt.tensor(x), (2, 1, 2, 0), mode=mode).numpy()
        np.testing.assert_array_equal(out, np.pad(x, ((0, 0), (2, 0), (2, 1)), mode=np_mode))
    out = F.pad(mt.tensor(x), (1, 1), value=7.0).numpy()
    np.testing.assert_array_equal(out, np.pad(x, ((0, 0), (0, 0), (1, 1)), constant_values=7.0))


def test_pad_keeps_integer_and_float32_dtypes():
    x = mt.arange(6).reshape(1, 2, 3)
    assert F.pad(x, (1, 1), value=2.7).tolist() == [[[2, 0, 1, 2, 2], [2, 3, 4, 5, 2]]]
    assert F.pad(x, (1, 1), mode="reflect").dtype == mt.int64
    assert F.pad(mt.ones(2, 3), (1, 1), mode="circular").dtype == mt.float32


def test_empty_pads_and_empty_batches():
    x = mt.randn(2, 3)
    assert F.pad(x, ()).tolist() == x.tolist()
    assert F.pad(mt.zeros(0, 2, 3), (1, 1), mode="reflect").shape == (0, 2, 5)
    assert F.pad(mt.zeros(1, 0, 3), (1, 1), mode="circular").shape == (1, 0, 5)


ERRORS = [
    (lambda: F.pad([1.0, 2.0], (1, 1)), TypeError, "must be Tensor, not list"),
    (lambda: F.pad(mt.ones(3), 1), TypeError, "must be tuple of ints, not int"),
    (lambda: F.pad(mt.ones(3), (1.5, 1)), TypeError, "element of type float at pos 0"),
    (lambda: F.pad(mt.ones(3), (1, True)), TypeError, "element of type bool at pos 1"),
    (lambda: F.pad(mt.ones(3), (1,)), RuntimeError, "divisible by 2"),
    (lambda: F.pad(mt.ones(3), (1, 1, 1, 1)), RuntimeError, "padding length 4 and input of"),
    (lambda: F.pad(mt.ones(1, 3), (1, 1), mode="zeros"), NotImplementedError, "'zeros'"),
    (lambda: F.pad(mt.ones(1, 3), (1, 1), "reflect", 1.0), RuntimeError, "doesn't take in value"),
    (lambda: F.pad(mt.ones(3), (1, 1), "reflect"), NotImplementedError, "padding size 2 is not"),
    (lambda: F.pad(mt.ones(2, 3), (1, 1, 1, 1), "replicate"), NotImplementedError, "for 2D input"),
    (lambda: F.pad(mt.ones(2, 3), (), "circular"), NotImplementedError, "padding size 0"),
    (lambda: F.pad(mt.ones(1, 3), (3, 0), "reflect"), RuntimeError, "padding (3, 0) at dimension"),
    (lambda: F.pad(mt.ones(1, 3), (0, 4), "circular"), RuntimeError, "more than once"),
    (lambda: F.pad(mt.ones(1, 5), (3, -3), "circular"), RuntimeError, "after cropping, 2"),
    (lambda: F.pad(mt.ones(1, 3), (-2, -1), "replicate"), RuntimeError, "output size 0"),
    (lambda: F.pad(mt.ones(1, 3), (-2, -2), "circular"), RuntimeError, "output size -1"),
    (lambda: F.pad(mt.ones(1, 0, 3), (1, 1), "replicate"), RuntimeError, "non-zero dimensions"),
    (lambda: F.pad(mt.ones(0, 3), (1, 1), "reflect"), RuntimeError, "but got: [0, 3]"),
    (lambda: F.pad(mt.ones(2, 3), (-4, 0)), RuntimeError, "leaves a negative size -1"),
]


@pytest.mark.parametrize("call,error,message", ERRORS)
def test_pad_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


LAYERS = [
    (mt.nn.ZeroPad1d, (1, 2), "constant", (3, 5)),
    (mt.nn.ZeroPad2d, 1, "constant", (2, 3, 4)),
    (mt.nn.ZeroPad3d, (1, 0, 0, 1, 2, 2), "constant", (1, 2, 3, 4)),
    (mt.nn.ReflectionPad1d, 2, "reflect", (2, 3, 4)),
    (mt.nn.ReflectionPad2d, (1, 2, 0, 1), "reflect", (2, 3, 4)),
    (mt.nn.ReflectionPad3d, 1, "reflect", (1, 2, 3, 4, 5)),
    (mt.nn.ReplicationPad1d, (0, 3), "replicate", (2, 4)),
    (mt.nn.ReplicationPad2d, 2, "replicate", (1, 2, 3, 4)),
    (mt.nn.ReplicationPad3d, (1, 1, 2, 2, 0, 1), "replicate", (2, 3, 4, 5)),
    (mt.nn.CircularPad1d, 1, "circular", (2, 3, 4)),
    (mt.nn.CircularPad2d, (1, 2, 2, 1), "circular", (2, 3, 4)),
    (mt.nn.CircularPad3d, 1, "circular", (1, 2, 3, 4, 5)),
]


@pytest.mark.parametrize("cls,padding,mode,shape", LAYERS)
def test_pad_layers_are_f_pad_and_round_trip_their_config(cls, padding, mode, shape, rng):
    layer = cls(padding)
    x = mt.tensor(rng.standard_normal(shape))
    pads = padding if isinstance(padding, tuple) else (padding,) * (2 * cls.dims)
    np.testing.assert_array_equal(layer(x).numpy(), F.pad(x, pads, mode=mode).numpy())
    again = mt.registry.create("layer", {"name": cls.__name__, "config": layer.get_config()})
    assert type(again) is cls and again.padding == layer.padding
    assert repr(layer) == f"{cls.__name__}({layer.padding})"


def test_constant_pad_layer(rng):
    layer = mt.nn.ConstantPad2d((1, 0, 2, 1), 3.5)
    assert repr(layer) == "ConstantPad2d(padding=(1, 0, 2, 1), value=3.5)"
    out = layer(mt.zeros(1, 2, 2))
    assert out.shape == (1, 5, 3) and out.numpy()[0, 0, 0] == 3.5
    again = mt.registry.create("layer", {"name": "ConstantPad2d", "config": layer.get_config()})
    assert again.value == 3.5 and again.padding == (1, 0, 2, 1)


def test_pad_layer_errors():
    with pytest.raises(ValueError, match=r"ZeroPad2d: padding must be an int or a tuple of 4"):
        mt.nn.ZeroPad2d((1, 2, 3))
    with pytest.raises(TypeError, match="ReflectionPad1d: padding must be an int"):
        mt.nn.ReflectionPad1d(1.5)
    with pytest.raises(ValueError, match=r"CircularPad1d: expected 2D or 3D input \(got 1D"):
        mt.nn.CircularPad1d(1)(mt.ones(3))


def test_node_names_are_pytorchs():
    x = mt.ones(1, 2, 3, requires_grad=True)
    assert F.pad(x, (1, 1)).grad_fn.name() == "ConstantPadNdBackward0"
