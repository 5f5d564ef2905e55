"""Dropout, Flatten, Unflatten, Identity, Embedding, and the layer registry entries."""

import json

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es.autograd import gradcheck
from minitorch_es.errors import ShapeError

F = mt.nn.functional


# ------------------------------------------------------------------------------- Dropout
def test_dropout_statistics_and_scaling():
    x = mt.ones(200, 500)
    out = mt.nn.Dropout(0.3)(x)
    zero_fraction = (out._data == 0).mean()
    assert abs(zero_fraction - 0.3) < 0.01
    kept = out._data[out._data != 0]
    np.testing.assert_allclose(kept, 1 / 0.7, rtol=1e-6)
    assert out.dtype == np.float32
    assert abs(out._data.mean() - 1.0) < 0.02  # inverted dropout keeps the expectation


def test_dropout_gradient_is_the_scaled_mask(rng):
    x = mt.tensor(rng.standard_normal((50, 40)).astype(np.float32), requires_grad=True)
    out = mt.nn.Dropout(0.5)(x)
    out.backward(np.ones(out.shape, dtype=np.float32))
    mask = out._data != 0
    np.testing.assert_allclose(x.grad, mask * 2.0)
    np.testing.assert_allclose(out._data, x._data * mask * 2.0, rtol=1e-6)


def test_dropout_gradcheck_with_a_fixed_mask(rng):
    x = mt.tensor(rng.standard_normal((4, 5)), requires_grad=True)

    def fn(t):
        mt.manual_seed(7)  # the same mask on every evaluation
        return mt.nn.Dropout(0.4)(t)

    assert gradcheck(fn, [x])


def test_dropout_eval_is_identity_and_edge_probabilities(rng):
    x = mt.tensor(rng.standard_normal((3, 4)).astype(np.float32))
    layer = mt.nn.Dropout(0.9).eval()
    assert layer(x) is x
    assert mt.nn.Dropout(0.0)(x) is x
    np.testing.assert_array_equal(mt.nn.Dropout(1.0)(x)._data, np.zeros((3, 4)))
    assert F.dropout(x, 0.5, training=False) is x


def test_dropout_is_deterministic_under_manual_seed():
    mt.manual_seed(11)
    a = mt.nn.Dropout()(mt.ones(10, 10))._data
    mt.manual_seed(11)
    np.testing.assert_array_equal(a, mt.nn.Dropout()(mt.ones(10, 10))._data)
    assert not np.array_equal(a, mt.nn.Dropout()(mt.ones(10, 10))._data)


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_dropout_probability_out_of_range(p):
    with pytest.raises(
        ValueError, match=f"Dropout: dropout probability has to be between 0 and 1, but got {p}"
    ):
        mt.nn.Dropout(p)
    with pytest.raises(ValueError, match="dropout probability"):
        F.dropout(mt.ones(2), p)
    with pytest.raises(TypeError, match="Dropout: p must be a real number, got str"):
        mt.nn.Dropout("0.5")


def test_dropout_repr():
    assert repr(mt.nn.Dropout(0.2)) == "Dropout(p=0.2, inplace=False)"


# -------------------------------------------------------------------------- reshaping
def test_flatten(rng):
    x = mt.tensor(rng.standard_normal((2, 3, 4, 5)).astype(np.float32), requires_grad=True)
    assert mt.nn.Flatten()(x).shape == (2, 60)
    assert mt.nn.Flatten(0, 1)(x).shape == (6, 4, 5)
    assert mt.nn.Flatten(-2)(x).shape == (2, 3, 20)
    out = mt.nn.Flatten()(x)
    np.testing.assert_array_equal(out._data, x._data.reshape(2, 60))
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, np.ones(x.shape))
    assert repr(mt.nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"


def test_flatten_errors():
    with pytest.raises(
        ShapeError,
        match=r"Flatten: start_dim=3 is out of range for an input "
        r"with 2 dimensions",
    ):
        mt.nn.Flatten(3)(mt.zeros(2, 3))
    with pytest.raises(ShapeError, match="Flatten: start_dim=2 comes after end_dim=1"):
        mt.nn.Flatten(2, 1)(mt.zeros(2, 3, 4))


def test_unflatten(rng):
    x = mt.tensor(rng.standard_normal((2, 784)).astype(np.float32))
    out = mt.nn.Unflatten(1, (1, 28, 28))(x)
    np.testing.assert_array_equal(out._data, x._data.reshape(2, 1, 28, 28))
    assert mt.nn.Unflatten(-1, (4, -1))(x).shape == (2, 4, 196)
    assert repr(mt.nn.Unflatten(1, (2, 3))) == "Unflatten(dim=1, unflattened_size=(2, 3))"


def test_unflatten_errors():
    with pytest.raises(
        ShapeError,
        match=r"Unflatten: unflattened_size \(5, 5\) does not fit "
        r"dimension 1 of size 24",
    ):
        mt.nn.Unflatten(1, (5, 5))(mt.zeros(2, 24))
    with pytest.raises(ShapeError, match=r"Unflatten: unflattened_size \(5, -1\) does not fit"):
        mt.nn.Unflatten(1, (5, -1))(mt.zeros(2, 24))
    with pytest.raises(ValueError, match="only one entry of unflattened_size can be -1"):
        mt.nn.Unflatten(1, (-1, -1))
    with pytest.raises(TypeError, match="unflattened_size must be a non-empty tuple"):
        mt.nn.Unflatten(1, 5)


def test_identity_ignores_arguments():
    identity = mt.registry.get("layer", "Identity")(3, unused=True)
    x = mt.ones(2)
    assert identity(x) is x


# -------------------------------------------------------------------------- Embedding
def test_embedding_lookup_and_gradient(rng):
    layer = mt.nn.Embedding(10, 3)
    idx = np.array([[1, 2, 1], [9, 0, 1]])
    out = layer(mt.tensor(idx))
    assert out.shape == (2, 3, 3) and out.dtype == np.float32
    np.testing.assert_array_equal(out._data, layer.weight._data[idx])
    g = rng.standard_normal(out.shape).astype(np.float32)
    out.backward(g)
    expected = np.zeros((10, 3), dtype=np.float32)
    np.add.at(expected, idx.ravel(), g.reshape(-1, 3))  # repeated indices accumulate
    np.testing.assert_allclose(layer.weight.grad, expected, rtol=1e-6)


def test_embedding_gradcheck(rng):
    layer = mt.nn.Embedding(5, 2).double()
    idx = mt.tensor(np.array([0, 3, 3, 4]))
    assert gradcheck(lambda w: F.embedding(idx, w), [layer.weight])


def test_embedding_padding_idx():
    layer = mt.nn.Embedding(6, 4, padding_idx=-1)
    assert layer.padding_idx == 5
    np.testing.assert_array_equal(layer.weight._data[5], np.zeros(4))
    layer(mt.tensor(np.array([5, 5, 2]))).sum().backward()
    np.testing.assert_array_equal(layer.weight.grad[5], np.zeros(4))
    np.testing.assert_array_equal(layer.weight.grad[2], np.ones(4))
    assert repr(layer) == "Embedding(6, 4, padding_idx=5)"


def test_embedding_init_is_standard_normal():
    w = mt.nn.Embedding(2000, 50).weight._data
    assert abs(w.mean()) < 0.01 and abs(w.std() - 1) < 0.01
    np.testing.assert_array_equal(
        mt.nn.Embedding(3, 2, weight_init="ones").weight._data, np.ones((3, 2))
    )


def test_embedding_options_and_config_round_trip():
    layer = mt.nn.Embedding(
        4, 2, padding_idx=1, weight_init="zeros", weight_regularizer="l2", activity_regularizer="l1"
    )
    clone = mt.registry.create("layer", {"name": "Embedding", "config": layer.get_config()})
    assert clone.get_config() == layer.get_config()
    assert isinstance(clone.weight.regularizer, mt.regularizers.L2)
    layer.weight._data[...] = 1
    out = layer(mt.tensor(np.array([[0, 2]])))
    assert float(layer.regularization_loss()) == pytest.approx(0.01 * 8 + 0.01 * 4)
    assert out.shape == (1, 2, 2)


def test_embedding_from_pretrained():
    table = np.arange(6, dtype=np.float32).reshape(3, 2)
    layer = mt.nn.Embedding.from_pretrained(table)
    assert layer.weight.requires_grad is False
    np.testing.assert_array_equal(layer(mt.tensor(np.array([2])))._data, [[4, 5]])
    assert mt.nn.Embedding.from_pretrained(mt.tensor(table), freeze=False).weight.requires_grad


def test_embedding_errors():
    layer = mt.nn.Embedding(10, 3)
    with pytest.raises(
        IndexError,
        match=r"Embedding: index 12 is out of range for "
        r"num_embeddings=10 \(valid: 0..9\)",
    ):
        layer(mt.tensor(np.array([1, 12])))
    with pytest.raises(IndexError, match="index -1 is out of range"):
        layer(mt.tensor(np.array([-1])))
    with pytest.raises(TypeError, match="Embedding: expected integer indices"):
        layer(mt.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"padding_idx must be within num_embeddings \(10\)"):
        mt.nn.Embedding(10, 3, padding_idx=10)
    with pytest.raises(mt.ShapeError, match="embeddings must be 2-D"):
        mt.nn.Embedding.from_pretrained(np.zeros(3))


# --------------------------------------------------------------------------- registry
LAYER_NAMES = [
    "Linear",
    "Conv2d",
    "MaxPool2d",
    "AvgPool2d",
    "AdaptiveAvgPool2d",
    "Flatten",
    "Unflatten",
    "Identity",
    "Dropout",
    "BatchNorm1d",
    "BatchNorm2d",
    "LayerNorm",
    "Embedding",
]


def test_every_layer_is_registered_and_in_mt_nn():
    for name in LAYER_NAMES:
        cls = mt.registry.get("layer", name)
        assert cls.__name__ == name and getattr(mt.nn, name) is cls
    assert mt.registry.get("layer", "dense") is mt.nn.Linear
    assert mt.registry.get("layer", "conv2d") is mt.nn.Conv2d
    assert mt.registry.get("layer", "MaxPooling2D") is mt.nn.MaxPool2d
    for fn in (
        "linear",
        "conv2d",
        "max_pool2d",
        "avg_pool2d",
        "adaptive_avg_pool2d",
        "dropout",
        "batch_norm",
        "layer_norm",
        "embedding",
    ):
        assert callable(getattr(F, fn))


@pytest.mark.parametrize(
    "make",
    [
        lambda: mt.nn.Linear(3, 2, activation="relu", weight_regularizer="l2"),
        lambda: mt.nn.Conv2d(1, 2, 3, padding="same", padding_mode="circular", activation="tanh"),
        lambda: mt.nn.MaxPool2d(3, 2, 1, ceil_mode=True),
        lambda: mt.nn.AvgPool2d(2, count_include_pad=False),
        lambda: mt.nn.AdaptiveAvgPool2d(3),
        lambda: mt.nn.Flatten(0, 2),
        lambda: mt.nn.Unflatten(1, (2, -1)),
        lambda: mt.registry.get("layer", "Identity")(),
        lambda: mt.nn.Dropout(0.25),
        lambda: mt.nn.BatchNorm1d(3, momentum=0.2),
        lambda: mt.nn.BatchNorm2d(3, eps=1e-3),
        lambda: mt.nn.LayerNorm([2, 3]),
        lambda: mt.nn.Embedding(5, 2, padding_idx=0, activity_regularizer="l2"),
    ],
)
def test_config_round_trip_through_a_sequential(make):
    model = mt.nn.Sequential(make())
    config = json.loads(json.dumps(mt.config.serialize(model)))
    clone = mt.config.deserialize(config)
    assert mt.config.serialize(clone) == config
    assert repr(clone) == repr(model)
