"""Sequential, ModuleList and ModuleDict."""

from collections import OrderedDict

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es import nn
from minitorch_es.config import ConfigError


class Scale(nn.Module):
    """Multiplies by a learnable scalar (a minimal layer with one parameter)."""

    def __init__(self, factor=2.0):
        super().__init__()
        self.factor = nn.Parameter(mt.tensor([factor]))

    def forward(self, x):
        return x * self.factor


def test_sequential_applies_modules_in_order():
    seq = nn.Sequential(Scale(2.0), Scale(3.0), Scale(-1.0))
    x = mt.tensor([[1.0, 2.0]])
    np.testing.assert_allclose(seq(x)._data, x._data * -6.0)
    assert [n for n, _ in seq.named_parameters()] == ["0.factor", "1.factor", "2.factor"]
    assert len(seq) == 3 and [m.factor.item() for m in seq] == [2.0, 3.0, -1.0]
    assert seq[0] is list(seq)[0] and seq[-1] is list(seq)[2]
    np.testing.assert_allclose(nn.Sequential()(x)._data, x._data)  # empty: identity


def test_sequential_from_an_ordered_dict_keeps_the_names():
    a, b = Scale(2.0), Scale(5.0)
    seq = nn.Sequential(OrderedDict([("encoder", a), ("decoder", b)]))
    assert [n for n, _ in seq.named_children()] == ["encoder", "decoder"]
    assert seq.encoder is a and seq[1] is b
    assert list(seq.state_dict()) == ["encoder.factor", "decoder.factor"]
    np.testing.assert_allclose(seq(mt.tensor([1.0]))._data, [10.0])


def test_sequential_slicing_setitem_append_and_delete():
    mods = [Scale(float(i)) for i in range(4)]
    seq = nn.Sequential(*mods)
    part = seq[1:3]
    assert isinstance(part, nn.Sequential) and list(part) == mods[1:3]
    assert list(part._modules) == ["1", "2"]  # as PyTorch, a slice keeps the keys
    new = Scale(9.0)
    seq[-1] = new
    assert seq[3] is new
    assert seq.append(Scale(7.0)) is seq and len(seq) == 5
    del seq[0]
    assert list(seq._modules) == ["0", "1", "2", "3"] and seq[0] is mods[1]
    seq.append(Scale(8.0))  # renumbered on delete, so nothing is overwritten
    assert [m.factor.item() for m in seq] == [1.0, 2.0, 9.0, 7.0, 8.0]
    del seq[1:3]
    assert [m.factor.item() for m in seq] == [1.0, 7.0, 8.0]


def test_sequential_errors():
    seq = nn.Sequential(Scale(), Scale())
    with pytest.raises(IndexError, match="index 2 is out of range for a container of 2 modules"):
        seq[2]
    with pytest.raises(IndexError, match="index -3 is out of range"):
        seq[-3] = Scale()
    with pytest.raises(TypeError, match="expected a Module at position/key 1, got int"):
        nn.Sequential(Scale(), 3)
    with pytest.raises(TypeError, match="expected a Module at position/key 2, got function"):
        seq.append(lambda x: x)
    with pytest.raises(TypeError, match="str is not a Module subclass"):
        nn.Sequential(OrderedDict([("a", "relu")]))


def test_module_list():
    layers = nn.ModuleList([Scale(1.0), Scale(2.0)])
    assert len(layers) == 2 and layers[-1].factor.item() == 2.0
    assert layers.append(Scale(3.0)) is layers
    assert layers.extend([Scale(4.0), Scale(5.0)]) is layers
    assert [m.factor.item() for m in layers] == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert [n for n, _ in layers.named_parameters()][-1] == "4.factor"
    sliced = layers[1:3]
    assert isinstance(sliced, nn.ModuleList) and [m.factor.item() for m in sliced] == [2.0, 3.0]
    layers[0] = Scale(10.0)
    assert layers[0].factor.item() == 10.0
    assert len(nn.ModuleList()) == 0

    class Holder(nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = nn.ModuleList([Scale(2.0), Scale(3.0)])

        def forward(self, x):
            for block in self.blocks:
                x = block(x)
            return x

    holder = Holder()
    assert [n for n, _ in holder.named_parameters()] == ["blocks.0.factor", "blocks.1.factor"]
    np.testing.assert_allclose(holder(mt.tensor([1.0]))._data, [6.0])
    with pytest.raises(IndexError, match="index 5 is out of range for a container of 5"):
        layers[5]
    with pytest.raises(TypeError, match="expected a Module at position/key 5, got str"):
        layers.append("relu")
    with pytest.raises(NotImplementedError):  # a ModuleList is not callable, as in PyTorch
        layers(mt.tensor([1.0]))


def test_module_dict():
    d = nn.ModuleDict({"a": Scale(1.0), "b": Scale(2.0)})
    d["c"] = Scale(3.0)
    d.update({"d": Scale(4.0)})
    assert list(d) == ["a", "b", "c", "d"] and len(d) == 4
    assert "c" in d and "z" not in d
    assert list(d.keys()) == ["a", "b", "c", "d"]
    assert [m.factor.item() for m in d.values()] == [1.0, 2.0, 3.0, 4.0]
    assert [k for k, _ in d.items()] == list(d.keys())
    del d["a"]
    assert list(d) == ["b", "c", "d"] and d.b is d["b"]
    assert [n for n, _ in d.named_parameters()] == ["b.factor", "c.factor", "d.factor"]
    with pytest.raises(KeyError, match=r"ModuleDict has no key 'z'; keys: \['b', 'c', 'd'\]"):
        d["z"]
    with pytest.raises(KeyError, match="can't contain '.'"):
        d["x.y"] = Scale()
    with pytest.raises(KeyError, match="attribute 'items' already exists on ModuleDict"):
        d["items"] = Scale()
    with pytest.raises(TypeError, match="expected a Module at position/key 'e', got float"):
        d["e"] = 1.0


def test_containers_round_trip_through_their_configs():
    model = nn.Sequential(nn.ModuleList([nn.Sequential()]), nn.ModuleDict({"x": nn.Sequential()}))
    config = model.get_config()
    assert config == {
        "layers": [
            [
                "0",
                {
                    "kind": "layer",
                    "name": "ModuleList",
                    "config": {
                        "modules": [
                            {"kind": "layer", "name": "Sequential", "config": {"layers": []}}
                        ]
                    },
                },
            ],
            [
                "1",
                {
                    "kind": "layer",
                    "name": "ModuleDict",
                    "config": {
                        "modules": {
                            "x": {"kind": "layer", "name": "Sequential", "config": {"layers": []}}
                        }
                    },
                },
            ],
        ]
    }
    rebuilt = mt.registry.create("layer", {"name": "Sequential", "config": config})
    assert repr(rebuilt) == repr(model)
    assert isinstance(rebuilt[0], nn.ModuleList) and isinstance(rebuilt[1]["x"], nn.Sequential)
    for name in ("Sequential", "ModuleList", "ModuleDict"):
        entry = mt.registry.entry("layer", name)
        assert entry.obj is getattr(nn, name)
        assert str(entry.provider) == "built-in (minitorch_es.nn)"
    with pytest.raises(ConfigError, match=r"Sequential\[0\]: Scale is not a registered entry"):
        nn.Sequential(Scale()).get_config()
