"""The registry: add/get/create/names, aliases, normalisation, errors, namespaces, user layers."""

import functools
from collections import OrderedDict

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es import nn
from minitorch_es.registry import KINDS, Provider, Registry, RegistryError, normalize


@pytest.fixture
def restore_registry():
    """The registry is process-wide: entries a test adds are removed afterwards."""
    reg = mt.registry
    reg._load()
    saved = dict(reg._entries), dict(reg._exports), dict(reg._by_object)
    yield reg
    reg._entries, reg._exports, reg._by_object = saved


class Gain(nn.Module):
    """``x * gain``."""

    def __init__(self, gain=1.0):
        super().__init__()
        self.gain = gain

    def forward(self, x):
        return x * self.gain


class Other(Gain):
    """Another class, for clashes."""


def double(x, factor=2):
    return x * factor


def test_add_get_and_case_insensitive_names():
    r = Registry()
    r.add("activation", "LeakyReLU", Gain, aliases=("leaky", "lrelu"))
    for spelling in ("LeakyReLU", "leaky_relu", "leaky-relu", "LEAKYRELU", "leaky", "LRelu"):
        assert r.get("activation", spelling) is Gain
    assert normalize("Leaky_Re-LU") == "leakyrelu"
    assert ("activation", "leaky_relu") in r and ("layer", "leaky_relu") not in r
    assert r.names("activation") == ["LeakyReLU"] and r.names("layer") == []
    entry = r.entry("activation", "lrelu")
    assert (entry.kind, entry.name) == ("activation", "LeakyReLU")
    assert entry.aliases == ("leaky", "lrelu")
    assert str(entry.provider) == f"the module {__name__}"
    assert r.entry_of(Gain) is entry and r.entry_of(Gain(2.0)) is entry
    assert r.entry_of(Other()) is None  # an unregistered subclass is not its parent
    r.add("initializer", "KaimingNormal", Other, aliases="he_normal")  # one alias, not letters
    assert r.get("initializer", "he_normal") is Other
    assert r.entry_of(Other).aliases == ("he_normal",)
    assert r.names("initializer") == ["KaimingNormal"]
    r.add("layer", "LeakyReLU", Gain)  # the same name in another kind is another entry
    assert [(e.kind, e.name) for e in r.entries()] == [
        ("activation", "LeakyReLU"),
        ("initializer", "KaimingNormal"),
        ("layer", "LeakyReLU"),
    ]
    assert [e.kind for e in r.entries("layer")] == ["layer"]


def test_duplicates_name_both_providers_unless_override():
    r = Registry()
    dist = Provider("distribution", "a-dist", "1.0")
    r.add("layer", "Gain", Gain, aliases=("amplify",), provider=dist)
    r.add("layer", "Gain", Gain, aliases=("amplify",), provider=dist)  # the same again: harmless
    assert len(r.entries()) == 1
    with pytest.raises(RegistryError) as info:
        r.add("layer", "gain", Other, provider=Provider("builtin", "minitorch_es_plugins.x"))
    message = str(info.value)
    assert "duplicate layer name 'gain'" in message
    assert "from built-in (minitorch_es_plugins.x)" in message
    assert "from the distribution a-dist 1.0" in message and "override=True" in message
    with pytest.raises(RegistryError, match="duplicate layer name 'amplify'"):
        r.add("layer", "Fresh", Other, aliases=("AMPLIFY",))  # aliases clash too
    assert r.get("layer", "gain") is Gain and ("layer", "fresh") not in r
    r.add("layer", "Gain", Other, override=True)
    assert r.get("layer", "Gain") is Other
    # The overridden entry is gone entirely: its aliases too, and its class is unregistered.
    assert ("layer", "amplify") not in r and r.entry_of(Gain) is None
    assert [e.obj for e in r.entries("layer")] == [Other]


def test_unknown_names_list_the_registered_ones_and_close_matches():
    r = Registry()
    for name in ("Swish", "Softplus", "Sigmoid"):
        r.add("activation", name, Gain if name == "Swish" else type(name, (Gain,), {}))
    with pytest.raises(RegistryError) as info:
        r.get("activation", "swsh")
    assert str(info.value) == (
        "unknown activation 'swsh'. Did you mean 'Swish'? Registered "
        "activation names: Sigmoid, Softplus, Swish"
    )
    with pytest.raises(
        RegistryError,
        match=r"unknown layer 'Dense'. Registered layer names: "
        r"\(none\)",
    ):
        r.get("layer", "Dense")
    with pytest.raises(RegistryError, match="a activation name must be a str, got int"):
        r.get("activation", 3)
    assert issubclass(RegistryError, LookupError)


def test_bad_kinds_and_names():
    r = Registry()
    kinds = ", ".join(KINDS)
    for call in (
        lambda: r.add("layers", "X", Gain),
        lambda: r.get("activations", "x"),
        lambda: r.names("model"),
        lambda: r.entries("optimiser"),
        lambda: r.create("thing", "x"),
        lambda: r.register("widget")(Gain),
    ):
        with pytest.raises(
            RegistryError, match=f"unknown registry kind .*; the kinds are: {kinds}"
        ):
            call()
    for bad in ("", None, 3):
        with pytest.raises(RegistryError, match="the name must be a non-empty str"):
            r.add("layer", bad, Gain)
    assert set(KINDS) >= {
        "activation",
        "initializer",
        "optimizer",
        "scheduler",
        "regularizer",
        "loss",
        "layer",
        "metric",
        "callback",
    }


def test_create_from_names_configs_classes_and_instances():
    r = Registry()
    r.add("activation", "Gain", Gain)
    r.add("activation", "double", double)
    assert r.create("activation", "gain", gain=3.0).gain == 3.0
    made = r.create("activation", {"name": "Gain", "config": {"gain": 4.0}})
    assert isinstance(made, Gain) and made.get_config() == {"gain": 4.0}
    assert r.create("activation", {"name": "Gain", "config": {"gain": 4.0}}, gain=5.0).gain == 5.0
    assert r.create("activation", {"name": "Gain"}).gain == 1.0
    serialized_class = {"kind": "activation", "name": "Gain", "config": None}
    assert r.create("activation", serialized_class).gain == 1.0
    assert r.create("activation", Other, gain=6.0).gain == 6.0
    instance = Gain(7.0)
    assert r.create("activation", instance) is instance
    assert r.create("activation", "double") is double
    bound = r.create("activation", "double", factor=10)
    assert isinstance(bound, functools.partial) and bound(3) == 30
    assert r.create("activation", {"name": "double", "config": {"factor": 5}})(2) == 10


def test_create_rejects_bad_specs_and_config_dicts():
    r = Registry()
    r.add("activation", "Gain", Gain)
    with pytest.raises(RegistryError, match=r"keys 'name' and 'config' .*got keys \['config'\]"):
        r.create("activation", {"config": {}})
    with pytest.raises(RegistryError, match=r"got keys \['confg', 'name'\]"):
        r.create("activation", {"name": "Gain", "confg": {"gain": 2}})
    with pytest.raises(
        RegistryError,
        match="'config' of activation 'Gain' must be a dict of constructor arguments, got list",
    ):
        r.create("activation", {"name": "Gain", "config": [2.0]})
    with pytest.raises(
        RegistryError, match="expected a activation config, got one of kind 'optimizer'"
    ):
        r.create("activation", {"kind": "optimizer", "name": "Gain", "config": {}})
    with pytest.raises(RegistryError, match=r"cannot make a activation from 3: expected a name"):
        r.create("activation", 3)
    with pytest.raises(TypeError, match="Gain has no constructor argument 'gian'"):
        r.create("activation", {"name": "Gain", "config": {"gian": 2}})
    with pytest.raises(RegistryError, match="unknown activation 'Gian'"):
        r.create("activation", {"name": "Gian", "config": {}})


def test_export_namespace_and_lazy_loading():
    r = Registry()
    loads = []
    r._before_lookup = lambda: loads.append(1)
    r.export("nn.functional", "double", double)
    assert loads == []  # nothing looked up yet
    r.add("layer", "Gain", Gain)
    assert loads == [1]  # a user's add loads the plugins first, so clashes are the user's
    r.add("activation", "double", double)  # a function entry: by name, not an attribute
    r.add("optimizer", "OtherOpt", Other)
    assert r.namespace("nn") == {"Gain": Gain}
    assert r.namespace("nn.functional") == {"double": double}
    assert r.namespace("optim") == {"OtherOpt": Other}
    assert loads == [1]  # loaded only once
    r.names("layer")
    assert loads == [1]
    r.export("nn.functional", "double", double)  # the same object again is harmless
    with pytest.raises(
        RegistryError,
        match=r"duplicate name 'double' in mt.nn.functional: from "
        r"the module .* and from the module",
    ):
        r.export("nn.functional", "double", lambda x: x)
    r.export("nn.functional", "double", abs, override=True)
    assert r.namespace("nn.functional")["double"] is abs


def test_two_classes_cannot_share_a_namespace_attribute():
    r = Registry()

    class Identity:
        pass

    class OtherIdentity:
        pass

    r.add("layer", "Identity", Identity)
    r.add("activation", "Identity", Identity)  # the same class under two kinds is fine
    with pytest.raises(RegistryError, match=r"both be mt.nn.Identity"):
        r.add("loss", "Identity", OtherIdentity)
    r.add("optimizer", "Identity", OtherIdentity)  # mt.optim is another namespace
    r.add("loss", "Identity", OtherIdentity, override=True)


def test_provider_descriptions():
    assert str(Provider("builtin", "minitorch_es.nn")) == "built-in (minitorch_es.nn)"
    assert str(Provider("distribution", "pkg", "0.3.0")) == "the distribution pkg 0.3.0"
    assert str(Provider("distribution", "pkg")) == "the distribution pkg"
    assert str(Provider("module", "my_code")) == "the module my_code"


def test_registered_classes_appear_in_the_public_namespaces(restore_registry):
    @mt.register("layer", aliases=("t3_reg_gain_alias",))
    class T3RegGain(Gain):
        pass

    @mt.register("optimizer", name="T3RegOpt")
    class _Opt(mt.optim.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, dict(lr=lr))

    @mt.register("regularizer")
    class T3RegPenalty(mt.regularizers.Regularizer):
        def __call__(self, x):
            return x.sum()

    assert mt.nn.T3RegGain is T3RegGain and "T3RegGain" in dir(mt.nn)
    assert mt.optim.T3RegOpt is _Opt and mt.regularizers.T3RegPenalty is T3RegPenalty
    assert mt.registry.get("layer", "t3_reg_gain_alias") is T3RegGain
    assert str(mt.registry.entry("layer", "T3RegGain").provider) == f"the module {__name__}"
    with pytest.raises(
        AttributeError,
        match=r"module 'minitorch_es.nn' has no attribute "
        r"'T3RegMissing' \(registered names there: "
        r".*T3RegGain",
    ):
        mt.nn.T3RegMissing
    with pytest.raises(RegistryError, match="duplicate layer name 't3reggain'"):
        mt.register("layer", name="T3RegGain")(Other)
    mt.register("layer", name="T3RegGain", override=True)(Other)
    assert mt.nn.T3RegGain is Other


def test_a_user_layer_is_creatable_by_name_and_round_trips(restore_registry):
    @mt.register("layer")
    class T3RegAffine(nn.Module):
        """A user layer: only __init__ and forward, no config code."""

        def __init__(self, in_features, out_features, scale=1.0):
            super().__init__()
            self.scale = scale
            self.weight = nn.Parameter(mt.randn(out_features, in_features))

        def forward(self, x):
            return (x @ self.weight.T) * self.scale

    layer = mt.registry.create("layer", "t3_reg_affine", in_features=3, out_features=2)
    assert isinstance(layer, T3RegAffine) and layer.weight.shape == (2, 3)
    assert layer.get_config() == {"in_features": 3, "out_features": 2, "scale": 1.0}
    again = mt.registry.create("layer", {"name": "T3RegAffine", "config": layer.get_config()})
    assert again.get_config() == layer.get_config()

    model = nn.Sequential(
        OrderedDict([("encoder", T3RegAffine(3, 4, scale=0.5)), ("decoder", T3RegAffine(4, 1))])
    )
    config = model.get_config()
    assert config["layers"][0] == [
        "encoder",
        {
            "kind": "layer",
            "name": "T3RegAffine",
            "config": {"in_features": 3, "out_features": 4, "scale": 0.5},
        },
    ]
    rebuilt = mt.registry.create("layer", {"name": "Sequential", "config": config})
    assert [n for n, _ in rebuilt.named_children()] == ["encoder", "decoder"]
    assert rebuilt.encoder.scale == 0.5
    rebuilt.load_state_dict(model.state_dict())
    x = mt.randn(5, 3)
    np.testing.assert_array_equal(rebuilt(x)._data, model(x)._data)


def test_namespace_view_follows_overrides_and_removals():
    r = Registry()

    class A:
        pass

    class B:
        pass

    r.add("layer", "Thing", A)
    assert r.namespace("nn")["Thing"] is A
    assert r.namespace("nn") is r.namespace("nn")  # cached between changes
    r.add("layer", "Thing", B, override=True)  # same number of entries, new object
    assert r.namespace("nn")["Thing"] is B
    r.export("nn", "helper", len)
    assert r.namespace("nn")["helper"] is len
