"""Configurable (automatic get_config) and the JSON encoding of configs."""

import json

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es import nn
from minitorch_es.config import (
    ConfigError,
    call_with_config,
    deserialize,
    from_config,
    from_jsonable,
    serialize,
    to_jsonable,
)


@pytest.fixture
def restore_registry():
    """The registry is process-wide: entries a test adds are removed afterwards."""
    reg = mt.registry
    reg._load()
    saved = dict(reg._entries), dict(reg._exports), dict(reg._by_object)
    yield reg
    reg._entries, reg._exports, reg._by_object = saved


class Power(nn.Module):
    """``x ** exponent``; its constructor arguments are its whole configuration."""

    def __init__(self, exponent=2, *, scale=1.0):
        super().__init__()
        self.exponent, self.scale = exponent, scale

    def forward(self, x):
        return (x**self.exponent) * self.scale


class Wrapper(nn.Module):
    """A module taking another module, an array, a dtype and a tuple."""

    def __init__(self, inner, offsets, dtype=np.float32, size=(2, 3), options=None):
        super().__init__()
        self.inner = inner


class Variadic(nn.Module):
    def __init__(self, first, *rest, flag=False, **extra):
        super().__init__()
        self.args = (first, rest, flag, extra)


def test_constructor_arguments_are_recorded_with_defaults():
    assert Power().get_config() == {"exponent": 2, "scale": 1.0}
    assert Power(3, scale=0.5).get_config() == {"exponent": 3, "scale": 0.5}

    class Child(Power):  # a subclass's own constructor is the one recorded
        def __init__(self, shift=1):
            super().__init__(exponent=4)

    assert Child(shift=5).get_config() == {"shift": 5}

    class Inherits(Power):  # no __init__ of its own: the parent's arguments
        pass

    assert Inherits(5).get_config() == {"exponent": 5, "scale": 1.0}
    assert Variadic(1, 2, 3, flag=True, k=4).get_config() == {
        "first": 1,
        "rest": [2, 3],
        "flag": True,
        "extra": {"k": 4},
    }


def test_bad_constructor_calls_name_the_class():
    with pytest.raises(TypeError, match=r"Wrapper.__init__\(\) missing 2 required positional"):
        Wrapper()
    with pytest.raises(
        TypeError,
        match=r"Power.__init__\(\) got an unexpected keyword "
        r"argument 'exp'",
    ):
        Power(exp=3)


def test_to_jsonable_and_back(restore_registry):
    restore_registry.add("layer", "T3ConfigPower", Power)
    array = np.arange(6, dtype=np.int16).reshape(2, 3)
    value = {
        "none": None,
        "flag": True,
        "n": 3,
        "x": 0.5,
        "s": "a",
        "np": np.float32(1.5),
        "seq": (1, [2, 3]),
        "dtype": np.dtype(np.float64),
        "dtype_class": np.float32,
        "array": array,
        "tensor": mt.tensor([1.0, 2.0]),
        "module": Power(3),
        "cls": Power,
    }
    encoded = to_jsonable(value)
    assert json.loads(json.dumps(encoded)) == encoded  # plain JSON all the way down
    assert encoded["np"] == 1.5 and encoded["seq"] == [1, [2, 3]]
    assert encoded["dtype"] == {"__dtype__": "float64"} == to_jsonable(np.float64)
    assert encoded["array"] == {
        "__array__": [[0, 1, 2], [3, 4, 5]],
        "dtype": "int16",
        "tensor": False,
    }
    assert encoded["tensor"]["tensor"] is True
    assert encoded["module"] == {
        "kind": "layer",
        "name": "T3ConfigPower",
        "config": {"exponent": 3, "scale": 1.0},
    }
    assert encoded["cls"] == {"kind": "layer", "name": "T3ConfigPower", "config": None}
    decoded = from_jsonable(encoded)
    assert decoded["dtype"] == np.float64 and decoded["dtype_class"] == np.float32
    assert decoded["array"].dtype == np.int16 and (decoded["array"] == array).all()
    assert isinstance(decoded["tensor"], mt.Tensor) and decoded["tensor"].tolist() == [1.0, 2.0]
    assert isinstance(decoded["module"], Power) and decoded["module"].exponent == 3
    assert decoded["cls"] is Power and decoded["seq"] == [1, [2, 3]]
    assert {k: decoded[k] for k in ("none", "flag", "n", "x", "s")} == {
        "none": None,
        "flag": True,
        "n": 3,
        "x": 0.5,
        "s": "a",
    }


def test_values_that_cannot_be_stored_say_where():
    with pytest.raises(ConfigError, match=r"opts: only dicts with str keys"):
        to_jsonable({1: "a"}, "opts")
    with pytest.raises(ConfigError, match=r"Wrapper.inner: Power is not a registered entry"):
        Wrapper(Power(), np.zeros(2)).get_config()
    with pytest.raises(ConfigError, match=r"Wrapper.options\[0\]: set is not a registered"):
        Wrapper(None, None, options=[{1, 2}]).get_config()
    assert issubclass(ConfigError, TypeError)


def test_nested_modules_round_trip_through_the_registry(restore_registry):
    restore_registry.add("layer", "T3ConfigPower", Power)
    restore_registry.add("layer", "T3ConfigWrapper", Wrapper)
    model = Wrapper(
        Power(3, scale=2.0), np.array([0.5, 1.5]), dtype=np.float64, options={"mode": "fast"}
    )
    spec = serialize(model)
    assert spec["kind"] == "layer" and spec["name"] == "T3ConfigWrapper"
    assert spec["config"]["inner"]["config"] == {"exponent": 3, "scale": 2.0}
    rebuilt = deserialize(json.loads(json.dumps(spec)))
    assert isinstance(rebuilt, Wrapper) and isinstance(rebuilt.inner, Power)
    assert rebuilt.inner.get_config() == {"exponent": 3, "scale": 2.0}
    assert rebuilt.get_config() == model.get_config()
    created = mt.registry.create("layer", {"name": "t3_config_wrapper", "config": spec["config"]})
    assert created.get_config()["size"] == [2, 3]  # tuples come back as lists (JSON)
    assert deserialize({"kind": "layer", "name": "T3ConfigPower", "config": None}) is Power


def test_call_with_config_spreads_variadics_and_rejects_unknown_keys():
    v = call_with_config(Variadic, {"first": 1, "rest": [2, 3], "flag": True, "extra": {"k": 4}})
    assert v.args == (1, (2, 3), True, {"k": 4})
    assert from_config(Power, {"exponent": 5}).get_config() == {"exponent": 5, "scale": 1.0}
    with pytest.raises(
        ConfigError,
        match=r"Power has no constructor argument 'power' \(config "
        r"keys: \['power'\]; accepted: \['exponent', 'scale'\]",
    ):
        call_with_config(Power, {"power": 3})
    assert call_with_config(Variadic, {"first": 0, "other": 1}).args[3] == {"other": 1}
    with pytest.raises(ConfigError, match="Variadic: the config lacks the argument 'first'"):
        call_with_config(Variadic, {"rest": [1]})


# ------------------------------------ the Loss and Regularizer bases (Configurable Modules)
class SquaredError(nn.Loss):
    """Per-element ``(input - target) ** 2``, reduced by the base class."""

    def forward(self, input, target):
        return self.reduce((input - target) ** 2)


class AbsPenalty(mt.regularizers.Regularizer):
    """``factor * sum(|x|)``."""

    def __init__(self, factor=0.1):
        self.factor = factor

    def __call__(self, x):
        return (x.abs() * self.factor).sum()


def test_loss_base_reductions_and_validation(rng):
    a, t = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    per_element = (a - t) ** 2
    for reduction, expected in [
        ("mean", per_element.mean()),
        ("sum", per_element.sum()),
        ("none", per_element),
    ]:
        out = SquaredError(reduction)(mt.tensor(a), mt.tensor(t))
        np.testing.assert_allclose(out._data, expected, rtol=1e-12)
    loss = SquaredError("sum")
    assert isinstance(loss, nn.Module) and loss.get_config() == {"reduction": "sum"}
    assert repr(loss) == "SquaredError(reduction='sum')"
    assert repr(SquaredError()) == "SquaredError()"
    with pytest.raises(ValueError, match=r"SquaredError: reduction must be one of .*got 'avg'"):
        SquaredError("avg")
    with pytest.raises(NotImplementedError, match="implement forward\\(input, target\\)"):
        nn.Loss()(mt.ones(1), mt.ones(1))


def test_regularizer_base_and_regularization_loss(restore_registry):
    class Penalised(nn.Module):
        """``x @ weight.T`` with a weight and an activity regularizer."""

        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(mt.randn(2, 2))
            self.weight.regularizer = AbsPenalty(0.5)
            self.activity_regularizer = AbsPenalty(2.0)

        def forward(self, x):
            out = x @ self.weight.T
            mt.regularizers.apply_activity_regularizer(self, out)
            return out

    model = nn.Sequential(Penalised(), Power(2))
    weight = model[0].weight._data
    # No forward yet: only the weight penalty.
    assert model.regularization_loss().item() == pytest.approx(0.5 * np.abs(weight).sum())
    x = mt.randn(4, 2)
    model(x)
    expected = 0.5 * np.abs(weight).sum() + 2.0 * np.abs(x._data @ weight.T).sum() / 4
    assert model.regularization_loss().item() == pytest.approx(expected, rel=1e-5)
    assert Power().regularization_loss().item() == 0.0
    assert repr(AbsPenalty(0.25)) == "AbsPenalty(factor=0.25)"
    restore_registry.add("regularizer", "T3ConfigAbsPenalty", AbsPenalty)
    config = {"name": "T3ConfigAbsPenalty", "config": AbsPenalty(0.75).get_config()}
    assert mt.registry.create("regularizer", config).factor == 0.75
    with pytest.raises(NotImplementedError, match="implement __call__"):
        mt.regularizers.Regularizer()(mt.ones(1))
