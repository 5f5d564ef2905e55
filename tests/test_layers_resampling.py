"""F.interpolate and the Upsample layers: every mode against PyTorch (values and first and
second derivatives), float32 positions, gradcheck, configs, every error."""

import numpy as np
import pytest
from higher_order import check_against_torch

import minitorch_es as mt
from minitorch_es.autograd import gradcheck, gradgradcheck

F = mt.nn.functional

SHAPES = {3: (2, 2, 5), 4: (1, 2, 5, 4), 5: (1, 2, 3, 4, 3)}
CASES = {
    "nearest_3d_size": (3, "nearest", None, {"size": 7}),
    "nearest_4d_scale": (4, "nearest", None, {"scale_factor": 1.7}),
    "nearest_4d_double": (4, "nearest", None, {"scale_factor": 2}),
    "nearest_5d_shrink": (5, "nearest", None, {"size": (2, 3, 5)}),
    "nearest_exact_4d": (4, "nearest-exact", None, {"scale_factor": (0.6, 1.5)}),
    "linear": (3, "linear", False, {"size": 8}),
    "linear_corners": (3, "linear", True, {"scale_factor": 0.7}),
    "bilinear": (4, "bilinear", False, {"scale_factor": 1.7}),
    "bilinear_recompute": (
        4,
        "bilinear",
        False,
        {"scale_factor": 1.7, "recompute_scale_factor": True},
    ),
    "bilinear_corners": (4, "bilinear", True, {"size": (3, 7)}),
    "bicubic": (4, "bicubic", False, {"size": (8, 3)}),
    "bicubic_corners": (4, "bicubic", True, {"scale_factor": 1.5}),
    "trilinear": (5, "trilinear", None, {"scale_factor": (1.5, 0.5, 2)}),
    "trilinear_corners": (5, "trilinear", True, {"size": 4}),
    "area": (4, "area", None, {"size": (3, 3)}),
    "area_scale": (3, "area", None, {"scale_factor": 0.5}),
    "bilinear_antialias": (4, "bilinear", False, {"size": (2, 3), "antialias": True}),
    "bicubic_antialias": (4, "bicubic", True, {"scale_factor": (0.4, 1.5), "antialias": True}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_interpolate_matches_pytorch(case, rng):
    ndim, mode, corners, options = CASES[case]
    check_against_torch(
        f"interpolate/{case}",
        lambda F, x: F.interpolate(x, mode=mode, align_corners=corners, **options),
        {"x": rng.standard_normal(SHAPES[ndim])},
        rtol=1e-10,
        atol=1e-10,
    )


@pytest.mark.parametrize("mode", ["nearest", "bilinear", "bicubic"])
def test_interpolate_in_float32_samples_where_pytorch_does(mode, rng):
    # scale 1/3 is not exact in float32: positions and weights must be computed as PyTorch's
    x = rng.standard_normal((1, 2, 7, 6)).astype(np.float32)
    check_against_torch(
        f"interpolate/float32_{mode}",
        lambda F, x: F.interpolate(x, scale_factor=3.0, mode=mode),
        {"x": x},
        rtol=1e-5,
        atol=1e-5,
    )


@pytest.mark.parametrize("mode", ["nearest", "linear", "area"])
def test_interpolate_gradcheck(mode, rng):
    x = mt.tensor(rng.standard_normal((2, 2, 5)), requires_grad=True)
    fn = lambda x: F.interpolate(x, size=7, mode=mode)  # noqa: E731
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def test_interpolate_against_numpy():
    x = np.arange(6.0).reshape(1, 1, 2, 3)
    out = F.interpolate(mt.tensor(x), scale_factor=2).numpy()
    np.testing.assert_array_equal(out, x.repeat(2, axis=2).repeat(2, axis=3))
    out = F.interpolate(mt.tensor(x), size=(3, 5), mode="bilinear", align_corners=True).numpy()
    np.testing.assert_allclose(out[0, 0, 1], [1.5, 2.0, 2.5, 3.0, 3.5])
    out = F.interpolate(mt.tensor(x), size=(1, 1), mode="area").numpy()
    assert out.item() == x.mean()


def test_nearest_keeps_integer_dtypes():
    x = mt.tensor([[[1, 2, 3]]], dtype=mt.uint8)
    out = F.interpolate(x, size=6)
    assert out.dtype == mt.uint8 and out.tolist() == [[[1, 1, 2, 2, 3, 3]]]


UPSAMPLE = [
    (mt.nn.Upsample, {"scale_factor": 2}, {"scale_factor": 2}, "scale_factor=2.0, mode='nearest'"),
    (
        mt.nn.Upsample,
        {"size": (3, 5), "mode": "bicubic", "align_corners": True},
        {"size": (3, 5), "mode": "bicubic", "align_corners": True},
        "size=(3, 5), mode='bicubic'",
    ),
    (
        mt.nn.Upsample,
        {"scale_factor": (1.5, 2), "mode": "bilinear", "recompute_scale_factor": True},
        {"scale_factor": (1.5, 2), "mode": "bilinear", "recompute_scale_factor": True},
        "scale_factor=(1.5, 2.0), mode='bilinear'",
    ),
    (mt.nn.UpsamplingNearest2d, {"size": 5}, {"size": 5}, "size=5, mode='nearest'"),
    (
        mt.nn.UpsamplingBilinear2d,
        {"scale_factor": 1.5},
        {"scale_factor": 1.5, "mode": "bilinear", "align_corners": True},
        "scale_factor=1.5, mode='bilinear'",
    ),
]


@pytest.mark.parametrize("cls,args,same,text", UPSAMPLE)
def test_upsample_layers(cls, args, same, text, rng):
    layer = cls(**args)
    x = mt.tensor(rng.standard_normal((2, 3, 4, 5)))
    np.testing.assert_array_equal(layer(x).numpy(), F.interpolate(x, **same).numpy())
    assert repr(layer) == f"{cls.__name__}({text})"
    again = mt.registry.create("layer", {"name": cls.__name__, "config": layer.get_config()})
    assert type(again) is cls
    np.testing.assert_array_equal(again(x).numpy(), layer(x).numpy())


X = mt.ones(1, 2, 3, 4)
ERRORS = [
    (lambda: F.interpolate(np.ones((1, 1, 2)), size=3), TypeError, "must be a Tensor"),
    (lambda: F.interpolate(X, size=5, align_corners=True), ValueError, "align_corners option"),
    (lambda: F.interpolate(X, size=5, scale_factor=2), ValueError, "only one of size or scale"),
    (lambda: F.interpolate(X), ValueError, "either size or scale_factor"),
    (lambda: F.interpolate(X, size=(2,)), ValueError, "same number of spatial dimensions"),
    (lambda: F.interpolate(X, scale_factor=(2, 2, 2)), ValueError, "scale_factor of (2, 2, 2)"),
    (lambda: F.interpolate(X, size=(2.5, 3)), TypeError, "types ['float', 'int']"),
    (lambda: F.interpolate(X, scale_factor="2"), TypeError, "scale_factor to be one Real"),
    (lambda: F.interpolate(X, scale_factor=float("nan")), ValueError, "must be finite"),
    (lambda: F.interpolate(X, size=5, mode="linear"), NotImplementedError, "needs 3D input"),
    (lambda: F.interpolate(X, size=5, mode="lanczos"), NotImplementedError, "(got lanczos)"),
    (lambda: F.interpolate(X[0, 0], size=5), NotImplementedError, "(got 2D)"),
    (lambda: F.interpolate(X, size=5, recompute_scale_factor=True), ValueError, "not meaningful"),
    (lambda: F.interpolate(X, size=(0, 2)), RuntimeError, "output (0, 2)"),
    (lambda: F.interpolate(X, scale_factor=0.2), RuntimeError, "output (0, 0)"),
    (lambda: F.interpolate(mt.ones(1, 0, 3), size=5), RuntimeError, "non-empty 3D"),
    (lambda: F.interpolate(mt.ones(1, 1, 0), size=5), RuntimeError, "input (0,)"),
    (lambda: F.interpolate(X, size=2, antialias=True), ValueError, "Anti-alias option"),
    (lambda: F.interpolate(X.long(), size=2, mode="bilinear"), NotImplementedError, "int64"),
    (lambda: mt.nn.Upsample(size=2, scale_factor=2), ValueError, "only one of size"),
]


@pytest.mark.parametrize("call,error,message", ERRORS)
def test_interpolate_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
