"""Linear: forward against NumPy, fused backward, PyTorch's init, Keras-style options."""

import math

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es.autograd import gradcheck
from minitorch_es.errors import ShapeError
from minitorch_es.registry import RegistryError

F = mt.nn.functional


def layer_gradcheck(layer, *inputs):
    """gradcheck of ``layer(*inputs)`` with respect to the inputs and the layer's parameters
    (the float64 copies gradcheck makes are swapped into the layer's parameter table)."""
    names = [n for n, _ in layer.named_parameters()]

    def fn(*args):
        for name, p in zip(names, args[len(inputs) :]):
            layer._parameters[name] = p
        return layer(*args[: len(inputs)])

    return gradcheck(fn, [*inputs, *layer.parameters()])


def test_forward_matches_numpy_for_any_leading_dims(rng):
    layer = mt.nn.Linear(5, 3)
    w, b = layer.weight._data, layer.bias._data
    for shape in [(4, 5), (2, 3, 5), (5,)]:
        x = rng.standard_normal(shape).astype(np.float32)
        out = layer(mt.tensor(x))
        assert out.shape == shape[:-1] + (3,)
        assert out.dtype == np.float32
        np.testing.assert_allclose(out._data, x @ w.T + b, rtol=1e-5, atol=1e-6)


def test_backward_is_the_delta_rule(rng):
    layer = mt.nn.Linear(4, 3)
    x = mt.tensor(rng.standard_normal((6, 4)).astype(np.float32), requires_grad=True)
    delta = rng.standard_normal((6, 3)).astype(np.float32)
    layer(x).backward(delta)
    np.testing.assert_allclose(layer.weight.grad, delta.T @ x._data, rtol=1e-5)
    np.testing.assert_allclose(layer.bias.grad, delta.sum(0), rtol=1e-5)
    np.testing.assert_allclose(x.grad, delta @ layer.weight._data, rtol=1e-5)


@pytest.mark.parametrize("shape,bias", [((3, 4), True), ((2, 2, 4), False), ((4,), True)])
def test_gradcheck(rng, shape, bias):
    layer = mt.nn.Linear(4, 3, bias=bias).double()
    x = mt.tensor(rng.standard_normal(shape), requires_grad=True)
    assert layer_gradcheck(layer, x)


def test_unneeded_gradients_are_skipped(rng):
    layer = mt.nn.Linear(4, 2)
    layer.weight.requires_grad_(False)
    x = mt.tensor(rng.standard_normal((3, 4)).astype(np.float32))
    layer(x).sum().backward()
    assert layer.weight.grad is None and x.grad is None
    np.testing.assert_allclose(layer.bias.grad, [3.0, 3.0])


def test_bias_false_and_float64():
    layer = mt.nn.Linear(3, 2, bias=False, dtype=mt.float64)
    assert layer.bias is None and [n for n, _ in layer.named_parameters()] == ["weight"]
    assert layer.weight.dtype == np.float64
    assert layer(mt.ones(1, 3, dtype=mt.float64)).dtype == np.float64
    assert mt.nn.Linear(3, 2).double()(mt.ones(2, 3, dtype=mt.float64)).dtype == np.float64


def test_default_init_is_pytorchs():
    layer = mt.nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    for p in (layer.weight._data, layer.bias._data):
        assert np.abs(p).max() <= bound
    w = layer.weight._data
    assert np.abs(w).max() > 0.99 * bound  # uniform up to the bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound
    assert abs(w.mean()) < 0.01 * bound
    assert w.dtype == np.float32


def test_init_is_reproducible_under_manual_seed():
    mt.manual_seed(3)
    a = mt.nn.Linear(5, 4).weight._data.copy()
    mt.manual_seed(3)
    np.testing.assert_array_equal(a, mt.nn.Linear(5, 4).weight._data)


def test_weight_and_bias_init_by_name_config_and_callable():
    layer = mt.nn.Linear(
        3, 2, weight_init="ones", bias_init={"name": "constant", "config": {"val": 0.5}}
    )
    np.testing.assert_array_equal(layer.weight._data, np.ones((2, 3)))
    np.testing.assert_array_equal(layer.bias._data, [0.5, 0.5])
    layer = mt.nn.Linear(3, 2, weight_init=lambda t: mt.nn.init.constant_(t, 0.25))
    np.testing.assert_array_equal(layer.weight._data, np.full((2, 3), 0.25))
    layer = mt.nn.Linear(50, 40, weight_init="he_normal", bias_init="zeros")
    assert np.all(layer.bias._data == 0)
    assert abs(layer.weight._data.std() - math.sqrt(2 / 50)) < 0.02


def test_reset_parameters_redraws_with_the_same_initializer():
    layer = mt.nn.Linear(3, 2, weight_init="ones")
    layer.weight._data[...] = 7
    layer.reset_parameters()
    np.testing.assert_array_equal(layer.weight._data, np.ones((2, 3)))


def test_unknown_initializer_is_an_error():
    with pytest.raises(RegistryError, match="unknown initializer 'nope'"):
        mt.nn.Linear(3, 2, weight_init="nope")


def test_weight_and_bias_regularizers(rng):
    layer = mt.nn.Linear(3, 2, weight_regularizer="l2", bias_regularizer=mt.regularizers.l1(0.5))
    assert isinstance(layer.weight.regularizer, mt.regularizers.L2)
    assert isinstance(layer.bias.regularizer, mt.regularizers.L1)
    assert layer.activity_regularizer is None
    w, b = layer.weight._data, layer.bias._data
    expected = 0.01 * (w.astype(np.float64) ** 2).sum() + 0.5 * np.abs(b).sum()
    assert float(layer.regularization_loss()) == pytest.approx(expected, rel=1e-5)


def test_activity_regularizer_is_divided_by_the_batch(rng):
    layer = mt.nn.Linear(3, 2, activity_regularizer=mt.regularizers.l2(0.1))
    out = layer(mt.tensor(rng.standard_normal((4, 3)).astype(np.float32)))
    expected = 0.1 * (out._data.astype(np.float64) ** 2).sum() / 4
    assert float(layer.regularization_loss()) == pytest.approx(expected, rel=1e-5)


def test_thesis_mnist_layer():
    model = mt.nn.Sequential(
        mt.nn.Linear(784, 64, activation="relu", activity_regularizer=mt.regularizers.l2(0.001)),
        mt.nn.Linear(64, 10),
    )
    x = mt.randn(8, 784)
    hidden = model[0](x)
    assert hidden._data.min() >= 0
    expected = 0.001 * (hidden._data.astype(np.float64) ** 2).sum() / 8
    model(x)
    assert float(model.regularization_loss()) == pytest.approx(expected, rel=1e-4)


@pytest.mark.parametrize(
    "spec", ["leaky_relu", {"name": "leaky_relu", "config": {"negative_slope": 0.2}}, "LeakyReLU"]
)
def test_activation_by_name_and_config(rng, spec):
    layer = mt.nn.Linear(3, 4, activation=spec)
    slope = 0.2 if isinstance(spec, dict) else 0.01
    x = rng.standard_normal((5, 3)).astype(np.float32)
    z = x @ layer.weight._data.T + layer.bias._data
    np.testing.assert_allclose(layer(mt.tensor(x))._data, np.where(z > 0, z, slope * z), rtol=1e-5)


def test_activation_as_class_instance_and_callable(rng):
    x = mt.tensor(rng.standard_normal((5, 3)).astype(np.float32))
    for spec in (mt.nn.Tanh, mt.nn.Tanh(), lambda t: F.tanh(t)):
        layer = mt.nn.Linear(3, 2, activation=spec)
        z = x._data @ layer.weight._data.T + layer.bias._data
        np.testing.assert_allclose(layer(x)._data, np.tanh(z), rtol=1e-5)
    # A parameterless activation is not a child module: the layer stays one summary row.
    assert list(mt.nn.Linear(3, 2, activation="relu").children()) == []


def test_activation_with_parameters_is_trained_and_saved():
    class Scale(mt.nn.Module):
        def __init__(self):
            super().__init__()
            self.alpha = mt.nn.Parameter(np.ones(1, dtype=np.float32))

        def forward(self, x):
            return x * self.alpha

    layer = mt.nn.Linear(3, 2, activation=Scale())
    assert "activation.alpha" in layer.state_dict()
    layer(mt.ones(1, 3)).sum().backward()
    assert layer.activation.alpha.grad is not None


def test_activation_follows_train_and_eval():
    layer = mt.nn.Linear(3, 2, activation=mt.nn.Dropout(0.5))
    layer.eval()
    x = mt.ones(4, 3)
    np.testing.assert_allclose(layer(x)._data, (x._data @ layer.weight._data.T + layer.bias._data))
    assert layer.activation.training is False


def test_config_round_trip_with_every_option(rng):
    layer = mt.nn.Linear(
        3,
        2,
        bias=True,
        activation={"name": "leaky_relu", "config": {"negative_slope": 0.3}},
        weight_init="xavier_uniform",
        bias_init="zeros",
        weight_regularizer=mt.regularizers.l2(0.02),
        bias_regularizer="l1",
        activity_regularizer=mt.regularizers.l1_l2(0.1, 0.2),
    )
    config = layer.get_config()
    clone = mt.registry.create("layer", {"name": "Linear", "config": config})
    assert clone.get_config() == config
    clone.load_state_dict(layer.state_dict())
    x = mt.tensor(rng.standard_normal((4, 3)).astype(np.float32))
    np.testing.assert_allclose(clone(x)._data, layer(x)._data)
    assert clone.weight.regularizer.l2 == 0.02 and clone.activity_regularizer.l1 == 0.1
    assert float(clone.regularization_loss()) == pytest.approx(float(layer.regularization_loss()))


def test_extra_repr():
    assert repr(mt.nn.Linear(784, 64)) == "Linear(in_features=784, out_features=64, bias=True)"
    assert "activation=ReLU()" in repr(mt.nn.Linear(2, 2, activation="relu", bias=False))


def test_summary_of_an_mlp():
    model = mt.nn.Sequential(mt.nn.Linear(784, 64, activation="relu"), mt.nn.Linear(64, 10))
    result = mt.nn.summarize(model, (784,))
    rows = [(r.name, r.type, r.output_shape, r.params) for r in result.layers]
    assert rows == [("0", "Linear", (None, 64), 784 * 64 + 64), ("1", "Linear", (None, 10), 650)]
    assert result.total_params == result.trainable_params == 50890


def test_wrong_input_size_names_the_layer_and_shapes():
    layer = mt.nn.Linear(784, 64)
    with pytest.raises(
        ShapeError,
        match=r"Linear: expected input with last dimension 784 "
        r"\(in_features\), got shape \(128, 785\)",
    ):
        layer(mt.zeros(128, 785))
    with pytest.raises(ShapeError, match=r"got shape \(\)"):
        layer(mt.tensor(1.0))


def test_bad_constructor_arguments():
    with pytest.raises(TypeError, match="Linear: in_features must be an int >= 0, got float"):
        mt.nn.Linear(3.0, 2)
    with pytest.raises(ValueError, match="Linear: out_features must be an int >= 0, got -1"):
        mt.nn.Linear(3, -1)
    with pytest.raises(TypeError, match="floating point"):
        mt.nn.Linear(3, 2, dtype=mt.int64)
    with pytest.raises(RegistryError, match="cannot make a activation from 5"):
        mt.nn.Linear(3, 2, activation=5)


def test_functional_linear_matches_the_module(rng):
    layer = mt.nn.Linear(3, 2)
    x = mt.tensor(rng.standard_normal((4, 3)).astype(np.float32))
    np.testing.assert_array_equal(F.linear(x, layer.weight, layer.bias)._data, layer(x)._data)
    np.testing.assert_allclose(F.linear(x, layer.weight)._data, x._data @ layer.weight._data.T)


def test_input_dtype_must_match_the_weight_as_in_pytorch():
    layer = mt.nn.Linear(3, 2)
    with pytest.raises(
        TypeError,
        match=r"Linear: expected an input of dtype float32 .* got float64; convert the input "
        r"\(x.to\(mt.float32\)\) or the model \(model.to\(mt.float64\)\)",
    ):
        layer(mt.randn(4, 3, dtype=mt.float64))
    # A NumPy array is told how to convert an array (it has no .float()).
    with pytest.raises(
        TypeError, match=r"got uint8; convert the input \(x.astype\(np.float32\)\)$"
    ):
        layer(np.zeros((4, 3), dtype=np.uint8))
    with pytest.raises(TypeError, match=r"a Tensor x: x.to\(mt.float32\), a NumPy array x: x."):
        F.linear(mt.randn(4, 3, dtype=mt.float64), layer.weight)
    assert layer.double()(mt.randn(4, 3, dtype=mt.float64)).dtype == mt.float64
    conv = mt.nn.Conv2d(1, 2, 3)
    with pytest.raises(TypeError, match="conv2d: expected an input of dtype float32"):
        conv(mt.randn(1, 1, 5, 5, dtype=mt.float64))
