"""InstanceNorm1d/2d and F.instance_norm: against PyTorch (values, first and second
derivatives, running statistics, reprs, state-dict keys, signatures) and a NumPy formula,
gradcheck, the mismatch warning and every error."""

import inspect

import numpy as np
import pytest
from higher_order import check_against_torch
from torch_parity import reference

import minitorch_es as mt
from minitorch_es.autograd import gradcheck, gradgradcheck

F = mt.nn.functional


def parameters(fn) -> list[str]:
    """``name=default`` of each parameter (annotations differ between the libraries)."""
    return [f"{n}={p.default!r}" for n, p in inspect.signature(fn).parameters.items()]


CASES = {
    "sequences": ((2, 3, 5), True, True),
    "images": ((2, 2, 3, 4), True, False),
    "no_affine": ((3, 2, 4), False, False),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_instance_norm_matches_pytorch(case, rng):
    shape, weight, bias = CASES[case]
    c = shape[1]
    inputs = {"x": rng.standard_normal(shape) * 2 + 1}
    if weight:
        inputs["w"] = rng.standard_normal(c)
    if bias:
        inputs["b"] = rng.standard_normal(c)
    check_against_torch(
        f"instance_norm/{case}",
        lambda F, x, w=None, b=None: F.instance_norm(x, weight=w, bias=b, eps=1e-3),
        inputs,
        wrt=tuple(inputs),
        rtol=1e-9,
        atol=1e-9,
    )


def test_instance_norm_with_running_statistics_matches_pytorch(rng):
    inputs = {
        "x": rng.standard_normal((2, 3, 4)),
        "rm": rng.standard_normal(3),
        "rv": rng.uniform(0.5, 2.0, 3),
        "w": rng.standard_normal(3),
        "b": rng.standard_normal(3),
    }
    check_against_torch(
        "instance_norm/running",
        lambda F, x, rm, rv, w, b: F.instance_norm(x, rm, rv, w, b, use_input_stats=False),
        inputs,
        wrt=("x", "w", "b"),
        rtol=1e-9,
        atol=1e-9,
    )


def test_instance_norm_in_float32(rng):
    inputs = {"x": rng.standard_normal((2, 3, 2, 3)).astype(np.float32)}
    check_against_torch(
        "instance_norm/float32",
        lambda F, x: F.instance_norm(x),
        inputs,
        rtol=1e-4,
        atol=1e-4,
    )
    assert F.instance_norm(mt.tensor(inputs["x"])).dtype == mt.float32


def test_instance_norm_formula_and_gradcheck(rng):
    x, w, b = rng.standard_normal((2, 3, 5)), rng.standard_normal(3), rng.standard_normal(3)
    xhat = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-5)
    ts = [mt.tensor(a, requires_grad=True) for a in (x, w, b)]
    out = F.instance_norm(ts[0], weight=ts[1], bias=ts[2])
    np.testing.assert_allclose(out.numpy(force=True), xhat * w[:, None] + b[:, None])
    fn = lambda x, w, b: F.instance_norm(x, weight=w, bias=b)  # noqa: E731
    assert gradcheck(fn, ts)
    assert gradgradcheck(fn, ts)
    stats = mt.zeros(3, dtype=mt.float64), mt.ones(3, dtype=mt.float64) * 2
    fn = lambda x, w, b: F.instance_norm(x, *stats, w, b, use_input_stats=False)  # noqa: E731
    assert gradcheck(fn, ts)
    assert gradgradcheck(fn, ts)


LAYERS = {
    "1d": ("InstanceNorm1d", {}, (2, 3, 5)),
    "2d_tracking": ("InstanceNorm2d", {"affine": True, "track_running_stats": True}, (2, 3, 2, 3)),
    "1d_unbatched": ("InstanceNorm1d", {"track_running_stats": True, "momentum": 0.3}, (3, 4)),
    "2d_cumulative": ("InstanceNorm2d", {"track_running_stats": True, "momentum": None}, (3, 2, 2)),
    "1d_no_bias": ("InstanceNorm1d", {"affine": True, "bias": False, "eps": 1e-3}, (1, 3, 4)),
}


def _run(lib, name, kwargs, x1, x2):
    """Two training steps and one eval step of a fresh layer, with its buffers and repr."""
    layer = getattr(lib.nn, name)(3, **kwargs)
    if getattr(layer, "weight", None) is not None:
        with lib.no_grad():
            layer.weight.mul_(2.0)
    outs = [layer(lib.tensor(x1)), layer(lib.tensor(x2))]
    layer.eval()
    outs.append(layer(lib.tensor(x1)))
    state = layer.state_dict()
    return {
        "outs": [o.detach().numpy() for o in outs],
        "buffers": {k: np.asarray(state[k].detach().numpy()) for k in sorted(state)},
        "repr": repr(layer),
    }


@pytest.mark.parametrize("case", sorted(LAYERS))
def test_instance_norm_layers_match_pytorch(case, rng):
    name, kwargs, shape = LAYERS[case]
    x1, x2 = rng.standard_normal(shape), rng.standard_normal(shape) + 1
    x1, x2 = x1.astype(np.float32), x2.astype(np.float32)
    ref = reference(
        f"instance_norm/layer_{case}",
        lambda torch, x1, x2: _run(torch, name, kwargs, x1, x2),
        x1=x1,
        x2=x2,
    )
    ours = _run(mt, name, kwargs, x1, x2)
    assert ours["repr"] == str(ref["repr"])
    assert sorted(ours["buffers"]) == sorted(ref["buffers"])
    for k, v in ref["buffers"].items():
        np.testing.assert_allclose(ours["buffers"][k], v, rtol=1e-5, atol=1e-6, err_msg=k)
        assert ours["buffers"][k].dtype == v.dtype
    for a, b in zip(ours["outs"], ref["outs"]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_instance_norm_signatures_match_pytorch():
    ref = reference(
        "instance_norm/signatures",
        lambda torch: [
            parameters(torch.nn.InstanceNorm1d),
            parameters(torch.nn.InstanceNorm2d),
            parameters(torch.nn.functional.instance_norm),
        ],
    )
    ours = [parameters(f) for f in (mt.nn.InstanceNorm1d, mt.nn.InstanceNorm2d, F.instance_norm)]
    assert ours == [list(r) for r in ref]


def test_instance_norm_layer_trains_and_round_trips(rng):
    layer = mt.nn.InstanceNorm2d(2, affine=True, dtype=mt.float64)
    assert layer.weight.dtype == mt.float64
    x = mt.tensor(rng.standard_normal((2, 2, 3, 3)))
    layer(x).sum().backward()
    assert layer.weight.grad is not None and layer.bias.grad is not None
    config = layer.get_config()
    again = mt.registry.create("layer", {"name": "InstanceNorm2d", "config": config})
    assert repr(again) == repr(layer)
    assert F.instance_norm(mt.zeros(0, 3, 4)).shape == (0, 3, 4)


def test_mismatched_channels_warn_without_affine():
    with pytest.warns(UserWarning, match="does not match num_features"):
        out = mt.nn.InstanceNorm1d(3)(mt.randn(2, 4, 5))
    assert out.shape == (2, 4, 5)


ERRORS = [
    (lambda: F.instance_norm(mt.ones(2, 3)), ValueError, "more than 1 spatial element"),
    (lambda: F.instance_norm(mt.ones(2, 3, 1)), ValueError, "input size [2, 3, 1]"),
    (lambda: F.instance_norm(mt.ones(3)), ValueError, "at least 2 dimensions"),
    (lambda: F.instance_norm(mt.ones(2, 3, 4).long()), NotImplementedError, "int64"),
    (lambda: F.instance_norm(mt.ones(2, 3, 4), weight=mt.ones(2)), RuntimeError, "weight of"),
    (lambda: F.instance_norm(mt.ones(2, 3, 4), bias=mt.ones(4)), RuntimeError, "bias of shape [4]"),
    (
        lambda: F.instance_norm(mt.ones(2, 3, 4), mt.zeros(2), mt.ones(2)),
        RuntimeError,
        "running_mean of shape [2] and input of shape [2, 3, 4]",
    ),
    (
        lambda: F.instance_norm(mt.ones(2, 3, 4), mt.zeros(3)),
        ValueError,
        "both be None or neither",
    ),
    (
        lambda: F.instance_norm(mt.ones(2, 3, 4), use_input_stats=False),
        ValueError,
        "required when use_input_stats=False",
    ),
    (
        lambda: F.instance_norm(mt.ones(2, 3, 4).double(), weight=mt.ones(3)),
        TypeError,
        "dtype float32",
    ),
    (lambda: F.instance_norm([1.0, 2.0]), TypeError, "input"),
    (lambda: mt.nn.InstanceNorm1d(3)(mt.ones(2, 3, 4, 5)), ValueError, "expected 2D or 3D"),
    (lambda: mt.nn.InstanceNorm2d(3)(mt.ones(3, 4)), ValueError, "expected 3D or 4D input"),
    (
        lambda: mt.nn.InstanceNorm1d(3, affine=True)(mt.ones(2, 4, 5)),
        ValueError,
        "size at dim=1 to match num_features (3), but got: 4",
    ),
    (lambda: mt.nn.InstanceNorm1d(-1), ValueError, "num_features"),
    (lambda: mt.nn.InstanceNorm2d(2, device="cuda"), RuntimeError, "cuda"),
]


@pytest.mark.parametrize("call,error,message", ERRORS)
def test_instance_norm_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
