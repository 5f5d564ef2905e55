"""``mt.save`` / ``mt.load`` with what PyTorch programs pass ``torch.save``: tensors, nested
containers, general checkpoints and whole models (rebuilt from registered classes only)."""

import pickle
from collections import OrderedDict

import h5py
import numpy as np
import pytest
from checkpoint_files import edit, field, set_field

import minitorch_es as mt
from minitorch_es.checkpoint import CheckpointError
from minitorch_es.checkpoint.payload import WeightsOnlyError
from minitorch_es.registry import RegistryError


@mt.register("layer", name="SaveLoadNet", override=True)
class SaveLoadNet(mt.nn.Module):
    """A user's model as tutorials write it: the layers are made in __init__."""

    def __init__(self, hidden=8):
        super().__init__()
        self.flatten = mt.nn.Flatten()
        self.stack = mt.nn.Sequential(
            mt.nn.Linear(4, hidden), mt.nn.ReLU(), mt.nn.Linear(hidden, 3)
        )

    def forward(self, x):
        return self.stack(self.flatten(x))


def test_a_tensor_comes_back_as_a_tensor_of_its_dtype(tmp_path):
    x = mt.arange(6).reshape(2, 3)
    mt.save(x, tmp_path / "t.pt")
    y = mt.load(tmp_path / "t.pt")
    assert isinstance(y, mt.Tensor) and y.dtype == mt.int64 and y.tolist() == x.tolist()
    w = mt.randn(2, requires_grad=True)
    mt.save([w, mt.nn.Parameter(mt.ones(2))], tmp_path / "g.pt")
    w2, p2 = mt.load(tmp_path / "g.pt")
    assert w2.requires_grad and w2.is_leaf and w2.tolist() == w.tolist()
    assert isinstance(p2, mt.nn.Parameter) and p2.requires_grad


def test_nested_containers_keep_their_types(tmp_path):
    obj = {
        "epoch": 5,
        "loss": 0.25,
        "name": "run",
        "nothing": None,
        "shape": (2, 3),
        "array": np.arange(3, dtype=np.int16),
        "tensors": [mt.zeros(2), {"inner": mt.ones(1, dtype=mt.float64)}],
        "ordered": OrderedDict([("b", 1), ("a", 2)]),
        7: "int key",
    }
    mt.save(obj, tmp_path / "n.pt")
    back = mt.load(tmp_path / "n.pt", weights_only=False)  # the plain array needs it
    assert type(back) is dict and list(back) == list(obj)
    assert back["epoch"] == 5 and back["loss"] == 0.25 and back["name"] == "run"
    assert back["nothing"] is None and back["shape"] == (2, 3) and back[7] == "int key"
    assert type(back["array"]) is np.ndarray and back["array"].dtype == np.int16
    assert isinstance(back["tensors"][0], mt.Tensor)
    assert back["tensors"][1]["inner"].dtype == mt.float64
    assert type(back["ordered"]) is OrderedDict and list(back["ordered"]) == ["b", "a"]


def test_a_state_dict_keeps_its_weights_by_name_in_the_file(tmp_path):
    model = SaveLoadNet()
    mt.save(model.state_dict(), tmp_path / "w.pth")
    with h5py.File(tmp_path / "w.pth") as f:
        assert "state/stack/0/weight" in f
    loaded = mt.load(tmp_path / "w.pth", weights_only=True)
    assert type(loaded) is type(model.state_dict()) and list(loaded) == list(model.state_dict())
    other = SaveLoadNet()
    other.load_state_dict(loaded)
    x = mt.randn(5, 2, 2)
    np.testing.assert_array_equal(other(x).numpy(force=True), model(x).numpy(force=True))


def test_the_general_checkpoint_of_the_pytorch_tutorial(tmp_path):
    model = SaveLoadNet()
    optimizer = mt.optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
    model(mt.randn(3, 4)).sum().backward()
    optimizer.step()
    mt.save(
        {
            "epoch": 5,
            "model_state_dict": model.state_dict(),
            "optimizer_state_dict": optimizer.state_dict(),
            "loss": 0.4,
        },
        tmp_path / "ckpt.tar",
    )
    model2 = SaveLoadNet()
    optimizer2 = mt.optim.SGD(model2.parameters(), lr=0.5)
    checkpoint = mt.load(tmp_path / "ckpt.tar", weights_only=True)
    model2.load_state_dict(checkpoint["model_state_dict"])
    optimizer2.load_state_dict(checkpoint["optimizer_state_dict"])
    assert checkpoint["epoch"] == 5 and checkpoint["loss"] == 0.4
    assert optimizer2.param_groups[0]["lr"] == 0.001
    assert optimizer2.state_dict()["state"].keys() == optimizer.state_dict()["state"].keys()


def test_a_whole_model_is_rebuilt_only_with_weights_only_false(tmp_path):
    model = SaveLoadNet(hidden=5)
    path = tmp_path / "model.pth"
    mt.save(model, path)
    with pytest.raises(WeightsOnlyError, match=r"Weights only load failed: .* \(SaveLoadNet\)"):
        mt.load(path)
    with pytest.raises(pickle.UnpicklingError, match="weights_only=False"):
        mt.load(path, weights_only=True)
    same = mt.load(path, weights_only=False)
    assert type(same) is SaveLoadNet and same.stack[0].out_features == 5
    x = mt.randn(2, 4)
    np.testing.assert_array_equal(same(x).numpy(force=True), model(x).numpy(force=True))


def test_models_inside_containers_and_built_in_models(tmp_path):
    seq = mt.nn.Sequential(mt.nn.Linear(2, 2), mt.nn.Tanh())
    mt.save({"model": seq, "epoch": 1}, tmp_path / "m.pt")
    with pytest.raises(WeightsOnlyError, match=r"\(Sequential at model\)"):
        mt.load(tmp_path / "m.pt")
    back = mt.load(tmp_path / "m.pt", weights_only=False)
    assert back["epoch"] == 1 and isinstance(back["model"], mt.nn.Sequential)
    np.testing.assert_array_equal(
        back["model"][0].weight.numpy(force=True), seq[0].weight.numpy(force=True)
    )


class NeuralNetwork(mt.nn.Module):
    """A program's own model class, not registered (word_language_model's RNNModel)."""

    def __init__(self, hidden, tie=False):
        super().__init__()
        self.encoder = mt.nn.Linear(2, hidden)
        self.decoder = mt.nn.Linear(hidden, 2)
        if tie and hidden == 2:
            self.decoder.weight = self.encoder.weight

    def forward(self, x):
        return self.decoder(self.encoder(x).tanh())


NAME = f"{__name__}.NeuralNetwork"
CLASSES = [NeuralNetwork, mt.nn.Linear]


def test_a_model_of_an_unregistered_class_loads_only_where_its_class_is_allowed(tmp_path):
    model = NeuralNetwork(3)
    path = tmp_path / "m.pth"
    mt.save(model, path)
    # Nothing named in the file is imported: the program hands the class over, as PyTorch's
    # torch.serialization.safe_globals([...]) does for its weights_only=True default.
    with pytest.raises(WeightsOnlyError, match=rf"\({NAME}\).*unless every class in it"):
        mt.load(path)
    with pytest.raises(CheckpointError, match=rf"unregistered class '{NAME}'.*safe_globals"):
        mt.load(path, weights_only=False)
    with mt.serialization.safe_globals([NeuralNetwork]):
        same = mt.load(path, weights_only=False)
        with pytest.raises(WeightsOnlyError, match=r"plugins.*Linear at encoder"):
            mt.load(path)  # weights_only=True: every class in the model must be allowed
    with mt.serialization.safe_globals(CLASSES):
        again = mt.load(path)
    x = mt.randn(4, 2)
    for loaded in (same, again):
        assert type(loaded) is NeuralNetwork and loaded.encoder.out_features == 3
        np.testing.assert_array_equal(loaded(x).numpy(force=True), model(x).numpy(force=True))


def test_tied_weights_and_models_inside_containers(tmp_path):
    model = NeuralNetwork(2, tie=True)
    mt.save({"net": model, "epoch": 3}, tmp_path / "m.pth")
    with mt.serialization.safe_globals(CLASSES):
        back = mt.load(tmp_path / "m.pth")
    assert back["epoch"] == 3 and back["net"].decoder.weight is back["net"].encoder.weight
    np.testing.assert_array_equal(
        back["net"].encoder.weight.numpy(force=True), model.encoder.weight.numpy(force=True)
    )


def test_a_registered_model_loads_with_weights_only_when_its_classes_are_allowed(tmp_path):
    mt.save(SaveLoadNet(hidden=4), tmp_path / "m.pth")
    classes = [SaveLoadNet, mt.nn.Flatten, mt.nn.Sequential, mt.nn.Linear, mt.nn.ReLU]
    with mt.serialization.safe_globals(classes):
        assert mt.load(tmp_path / "m.pth").stack[0].out_features == 4
    with mt.serialization.safe_globals(classes[:-1]):
        with pytest.raises(WeightsOnlyError, match=r"ReLU at stack.1 is not allowed"):
            mt.load(tmp_path / "m.pth")


def test_an_unregistered_model_whose_arguments_cannot_be_stored_is_refused(tmp_path):
    class Holder(mt.nn.Module):
        def __init__(self, thing):
            super().__init__()
            self.thing = thing

    path = tmp_path / "m.pth"
    with pytest.raises(CheckpointError, match=r"whole model Holder at net: .*state_dict\(\)"):
        mt.save({"net": Holder({1, 2})}, path)
    assert not path.exists()


def test_stored_arguments_are_checked_as_an_architecture_is(tmp_path):
    class Holder(mt.nn.Module):
        def __init__(self, values):
            super().__init__()
            self.values = mt.nn.Parameter(mt.tensor(values))

    mt.save(Holder(np.ones(2)), tmp_path / "m.pth")
    with h5py.File(tmp_path / "m.pth", "r") as f:
        tree = bytes(f["state/.tree"][()]).decode()
    stored = '[1.0, 1.0], "dtype": "float64"'  # the argument, not the weights' reference
    assert tree.count(stored) == 1
    with edit(tmp_path / "m.pth") as f:
        del f["state/.tree"]
        bad = tree.replace(stored, '[1.0, 1.0], "dtype": "object"')
        f.create_dataset("state/.tree", data=np.frombuffer(bad.encode(), np.uint8))
    with mt.serialization.safe_globals([Holder]):
        with pytest.raises(CheckpointError, match=r"dtype 'object' is not one of"):
            mt.load(tmp_path / "m.pth", weights_only=False)


class Changing(mt.nn.Module):
    """A class whose code changed between the save and the load."""

    width, broken = 3, False

    def __init__(self, n):
        super().__init__()
        if Changing.broken:
            raise ValueError("this constructor refuses now")
        self.linear = mt.nn.Linear(n, Changing.width)


def test_a_class_that_no_longer_builds_or_matches_is_an_error_naming_the_file(tmp_path):
    mt.save(Changing(2), tmp_path / "m.pth")
    with mt.serialization.safe_globals([Changing]):
        Changing.width = 4
        with pytest.raises(CheckpointError, match=r"(?s)does not match.*size mismatch"):
            mt.load(tmp_path / "m.pth", weights_only=False)
        Changing.width, Changing.broken = 3, True
        with pytest.raises(CheckpointError, match=r"cannot rebuild Changing .*refuses now"):
            mt.load(tmp_path / "m.pth", weights_only=False)
    Changing.broken = False


def test_what_cannot_be_saved(tmp_path):
    with pytest.raises(CheckpointError, match="cannot store a set at a/0"):
        mt.save({"a": [{1, 2}]}, tmp_path / "x")
    with pytest.raises(CheckpointError, match="dict keys must be str or int, got 1.5"):
        mt.save({1.5: 0}, tmp_path / "x")
    with pytest.raises(TypeError, match="expects a file path"):
        mt.save(mt.zeros(1), 3)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("where", ["cpu", mt.device("cpu"), {"cuda:0": "cpu"}, lambda s, loc: s])
def test_map_location_as_pytorch_accepts_it(tmp_path, where):
    mt.save(mt.ones(2), tmp_path / "t")
    assert mt.load(tmp_path / "t", map_location=where).tolist() == [1.0, 1.0]


def test_map_location_to_a_missing_device_is_refused(tmp_path):
    mt.save(mt.ones(2), tmp_path / "t")
    with pytest.raises(RuntimeError, match="'cuda' is not available"):
        mt.load(tmp_path / "t", map_location="cuda")


def test_files_upgraded_from_minitorch_es_0_1_load_as_before(tmp_path):
    mt.save({"w": mt.ones(2)}, tmp_path / "old.h5")
    with edit(tmp_path / "old.h5") as f:
        del f["/.types"]  # an upgraded file of 0.1, whose mt.save did not record types
    old = mt.load(tmp_path / "old.h5")
    assert type(old) is OrderedDict and type(old["w"]) is np.ndarray


@pytest.mark.parametrize(
    "types, match",
    [
        ("{not json", "'/.types': not valid JSON"),
        ('[[["w"], "Pickle"]]', "list of stored types is malformed"),
        ('[[[["w"]], "Tensor"]]', "list of stored types is malformed"),
        ('[[["nope"], "Tensor"]]', "missing path"),
        ('[[[], "Tensor"]]', "expected an array, found dict"),
        ('[[[], "tuple"]]', "expected a list, found dict"),
        ('[[["w"], "OrderedDict"]]', "expected a dict at w, found ndarray"),
        ('[[["w"], "Module"]]', r"expected a model .* at w, found ndarray"),
        ('[[["i"], "Tensor+grad"]]', "cannot make a Tensor\\+grad at i of the stored value"),
        ('[[["i"], "Parameter"]]', "cannot make a Parameter at i of the stored value"),
        ('[[["nope", 3], "Module"]]', "Weights only load failed: .* whole model \\(a model"),
    ],
)
def test_a_tampered_type_list_is_a_clear_error(tmp_path, types, match):
    path = tmp_path / "t.pt"
    mt.save({"w": mt.ones(2), "i": np.arange(2)}, path)
    with edit(path) as f:
        set_field(f, "/", "types", types)
    weights_only = "Weights only" in match
    with pytest.raises(CheckpointError, match=match) as info:
        mt.load(path, weights_only=weights_only)
    assert "\x1b" not in str(info.value)


def _saved_model_edited(tmp_path, old, new):
    """A saved Sequential(Linear(2, 2)) whose stored architecture has ``old`` replaced (the
    file re-sealed, as a crafted file would be)."""
    path = tmp_path / "m.pt"
    mt.save(mt.nn.Sequential(mt.nn.Linear(2, 2)), path)
    with edit(path) as f:
        tree = field(f, "/state", "tree")
        assert old in tree
        set_field(f, "/state", "tree", tree.replace(old, new))
    return path


def test_a_stored_model_naming_an_unregistered_class_builds_nothing(tmp_path):
    path = _saved_model_edited(tmp_path, '"name": "Linear"', '"name": "Evil"')
    with pytest.raises(RegistryError, match="layer 'Evil' was provided by"):
        mt.load(path, weights_only=False)


def test_a_stored_model_whose_weights_do_not_fit_is_a_checkpoint_error(tmp_path):
    path = _saved_model_edited(tmp_path, '"out_features": 2', '"out_features": 3')
    with pytest.raises(CheckpointError, match=r"does not match the checkpoint(.|\n)*size mismatch"):
        mt.load(path, weights_only=False)
