"""BatchNorm1d/2d and LayerNorm: formulas, running statistics, gradients, errors."""

import numpy as np
import pytest
from torch_parity import reference

import minitorch_es as mt
from minitorch_es.autograd import gradcheck
from minitorch_es.errors import ShapeError

F = mt.nn.functional


def layer_gradcheck(layer, *inputs):
    """gradcheck with respect to the inputs and the layer's parameters."""
    names = [n for n, _ in layer.named_parameters()]

    def fn(*args):
        for name, p in zip(names, args[len(inputs) :]):
            layer._parameters[name] = p
        return layer(*args[: len(inputs)])

    return gradcheck(fn, [*inputs, *layer.parameters()])


def bn_reference(x, weight, bias, mean=None, var=None, eps=1e-5):
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    if mean is None:
        mean, var = x.mean(axis=axes), x.var(axis=axes)  # biased
    xhat = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    return xhat * weight.reshape(shape) + bias.reshape(shape)


BN = [
    (mt.nn.BatchNorm1d, (6, 4)),
    (mt.nn.BatchNorm1d, (5, 4, 3)),
    (mt.nn.BatchNorm2d, (3, 4, 5, 2)),
]


def _randomize(layer, rng):
    layer.weight._data[...] = rng.standard_normal(layer.weight.shape)
    layer.bias._data[...] = rng.standard_normal(layer.bias.shape)


@pytest.mark.parametrize("cls,shape", BN)
def test_batch_norm_train_eval_and_running_stats(rng, cls, shape):
    layer = cls(4)
    _randomize(layer, rng)
    w, b = layer.weight._data.astype(np.float64), layer.bias._data.astype(np.float64)
    axes = (0,) + tuple(range(2, len(shape)))
    count = np.prod([shape[a] for a in axes])
    run_mean, run_var = np.zeros(4), np.ones(4)
    for _ in range(2):
        x = (rng.standard_normal(shape) * 2 + 1).astype(np.float32)
        out = layer(mt.tensor(x))
        assert out.dtype == np.float32
        x64 = x.astype(np.float64)
        np.testing.assert_allclose(out._data, bn_reference(x64, w, b), rtol=1e-4, atol=1e-5)
        run_mean = 0.9 * run_mean + 0.1 * x64.mean(axis=axes)
        run_var = 0.9 * run_var + 0.1 * x64.var(axis=axes) * count / (count - 1)  # unbiased
    np.testing.assert_allclose(layer.running_mean, run_mean, rtol=1e-5)
    np.testing.assert_allclose(layer.running_var, run_var, rtol=1e-5)
    assert int(layer.num_batches_tracked) == 2
    layer.eval()
    x = rng.standard_normal(shape).astype(np.float32)
    np.testing.assert_allclose(
        layer(mt.tensor(x))._data,
        bn_reference(x.astype(np.float64), w, b, run_mean, run_var),
        rtol=1e-4,
        atol=1e-5,
    )
    assert int(layer.num_batches_tracked) == 2  # eval does not count


def test_momentum_none_is_a_cumulative_average(rng):
    layer = mt.nn.BatchNorm1d(3, momentum=None)
    batches = [rng.standard_normal((5, 3)).astype(np.float32) for _ in range(3)]
    for x in batches:
        layer(mt.tensor(x))
    np.testing.assert_allclose(
        layer.running_mean, np.mean([x.mean(0) for x in batches], 0), rtol=1e-5
    )
    np.testing.assert_allclose(
        layer.running_var, np.mean([x.var(0, ddof=1) for x in batches], 0), rtol=1e-5
    )


def test_without_running_stats_or_affine(rng):
    layer = mt.nn.BatchNorm2d(2, affine=False, track_running_stats=False).eval()
    assert layer.running_mean is None and list(layer.parameters()) == []
    assert set(layer.state_dict()) == set()
    x = rng.standard_normal((3, 2, 4, 4))
    np.testing.assert_allclose(
        layer(mt.tensor(x))._data, bn_reference(x, np.ones(2), np.zeros(2)), rtol=1e-10
    )


def test_state_dict_holds_the_buffers():
    layer = mt.nn.BatchNorm2d(3)
    assert list(layer.state_dict()) == [
        "weight",
        "bias",
        "running_mean",
        "running_var",
        "num_batches_tracked",
    ]
    assert layer.running_mean.dtype == np.float32 and layer.num_batches_tracked.dtype == np.int64
    assert mt.nn.BatchNorm2d(3).double().running_var.dtype == np.float64


@pytest.mark.parametrize("cls,shape", BN)
@pytest.mark.parametrize("train", [True, False])
def test_batch_norm_gradcheck(rng, cls, shape, train):
    layer = cls(4).double()
    _randomize(layer, rng)
    layer.running_mean[...] = rng.standard_normal(4)
    layer.running_var[...] = rng.uniform(0.5, 2, 4)
    layer.train(train)
    x = mt.tensor(rng.standard_normal(shape), requires_grad=True)
    assert layer_gradcheck(layer, x)


def test_reset_running_stats_and_repr():
    layer = mt.nn.BatchNorm1d(2)
    layer(mt.randn(4, 2))
    layer.reset_running_stats()
    np.testing.assert_array_equal(layer.running_mean, [0, 0])
    np.testing.assert_array_equal(layer.running_var, [1, 1])
    assert int(layer.num_batches_tracked) == 0
    assert repr(layer) == (
        "BatchNorm1d(2, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"
    )


def batch_norms_without_bias(lib, x, g):
    """Reprs, parameter names and the output and weight gradient of BatchNorm2d(bias=False)."""
    layers = [
        lib.nn.BatchNorm1d(3, bias=False),
        lib.nn.BatchNorm2d(3, affine=False, bias=False),
        lib.nn.BatchNorm2d(3, momentum=None, track_running_stats=False),
    ]
    layer = lib.nn.BatchNorm2d(3, bias=False).double()
    xt = lib.tensor(x)
    out = layer(xt)
    (out * lib.tensor(g)).sum().backward()
    return {
        "reprs": np.array([repr(m) for m in layers]),
        "names": np.array([n for m in layers for n, _ in m.named_parameters()]),
        "keys": np.array(list(layer.state_dict())),
        "out": out.detach(),
        "weight_grad": layer.weight.grad,
    }


def test_batch_norm_without_bias_matches_pytorch(rng):
    x, g = rng.standard_normal((4, 3, 2, 2)), rng.standard_normal((4, 3, 2, 2))
    expected = reference("layers/batch_norm_without_bias", batch_norms_without_bias, x=x, g=g)
    got = batch_norms_without_bias(mt, x, g)
    for key in ("reprs", "names", "keys"):
        assert got[key].tolist() == expected[key].tolist()
    for key in ("out", "weight_grad"):
        np.testing.assert_allclose(got[key].numpy(), expected[key], rtol=1e-12, atol=1e-12)


def test_batch_norm_errors():
    with pytest.raises(ShapeError, match=r"BatchNorm2d: expected 4D input, got shape \(2, 3\)"):
        mt.nn.BatchNorm2d(3)(mt.zeros(2, 3))
    with pytest.raises(ShapeError, match=r"BatchNorm1d: expected 2D or 3D input"):
        mt.nn.BatchNorm1d(3)(mt.zeros(2, 3, 4, 4))
    with pytest.raises(
        ShapeError,
        match=r"BatchNorm1d: expected input with 3 channels "
        r"\(num_features\) in dimension 1, got shape \(8, 4\)",
    ):
        mt.nn.BatchNorm1d(3)(mt.zeros(8, 4))
    with pytest.raises(ShapeError, match="expected more than 1 value per channel when training"):
        mt.nn.BatchNorm1d(3)(mt.zeros(1, 3))
    assert mt.nn.BatchNorm1d(3).eval()(mt.zeros(1, 3)).shape == (1, 3)


@pytest.mark.parametrize("normalized,shape", [(5, (3, 5)), ((4, 5), (2, 3, 4, 5)), ((6,), (6,))])
def test_layer_norm_forward_and_gradcheck(rng, normalized, shape):
    layer = mt.nn.LayerNorm(normalized)
    _randomize(layer, rng)
    x = rng.standard_normal(shape).astype(np.float32)
    dims = len(layer.normalized_shape)
    axes = tuple(range(len(shape) - dims, len(shape)))
    x64 = x.astype(np.float64)
    mean, var = x64.mean(axis=axes, keepdims=True), x64.var(axis=axes, keepdims=True)
    ref = (x64 - mean) / np.sqrt(var + 1e-5) * layer.weight._data + layer.bias._data
    out = layer(mt.tensor(x))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out._data, ref, rtol=1e-4, atol=1e-5)
    assert layer_gradcheck(layer.double(), mt.tensor(x64, requires_grad=True))


def test_layer_norm_without_affine_or_bias(rng):
    x = rng.standard_normal((3, 4))
    plain = mt.nn.LayerNorm(4, elementwise_affine=False)
    assert list(plain.parameters()) == []
    ref = (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(plain(mt.tensor(x))._data, ref, rtol=1e-10)
    no_bias = mt.nn.LayerNorm(4, bias=False).double()
    assert no_bias.bias is None
    assert layer_gradcheck(no_bias, mt.tensor(x, requires_grad=True))
    assert repr(no_bias) == "LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=False)"


def test_layer_norm_error():
    with pytest.raises(
        ShapeError,
        match=r"LayerNorm: expected input with trailing dimensions "
        r"\(4, 5\) \(normalized_shape\), got shape \(2, 5, 4\)",
    ):
        mt.nn.LayerNorm((4, 5))(mt.zeros(2, 5, 4))


def test_functional_forms(rng):
    x = mt.tensor(rng.standard_normal((4, 3)).astype(np.float32))
    rm, rv = np.zeros(3, np.float32), np.ones(3, np.float32)
    out = F.batch_norm(x, rm, rv, training=True, momentum=0.5)
    np.testing.assert_allclose(out._data, mt.nn.BatchNorm1d(3)(x)._data, rtol=1e-6)
    np.testing.assert_allclose(rm, 0.5 * x._data.mean(0), rtol=1e-5)
    np.testing.assert_allclose(F.layer_norm(x, 3)._data, mt.nn.LayerNorm(3)(x)._data, rtol=1e-6)
    with pytest.raises(ValueError, match="running_mean and running_var are required"):
        F.batch_norm(x, None, None, training=False)


def test_config_round_trip():
    for layer in (
        mt.nn.BatchNorm1d(3, eps=1e-3, momentum=None, affine=False),
        mt.nn.BatchNorm2d(2, track_running_stats=False),
        mt.nn.LayerNorm((2, 3), eps=1e-6, bias=False),
    ):
        name = type(layer).__name__
        clone = mt.registry.create("layer", {"name": name, "config": layer.get_config()})
        assert clone.get_config() == layer.get_config() and repr(clone) == repr(layer)
