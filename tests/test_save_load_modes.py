"""``mt.load(..., weights_only=False)`` of a whole model gives back every module's
training/eval mode, as PyTorch's unpickling of ``module.training`` does; files written before
the modes were stored load as before; a tampered list of modes is a clear error."""

import io

import numpy as np
import pytest
from checkpoint_files import edit, field, set_field
from torch_parity import reference

import minitorch_es as mt
from minitorch_es.checkpoint import CheckpointError


def _build(nn):
    """The same model in PyTorch and here: Linear, Dropout, Sequential(Linear, ReLU)."""
    return nn.Sequential(
        nn.Linear(2, 3), nn.Dropout(0.5), nn.Sequential(nn.Linear(3, 2), nn.ReLU())
    )


def _set_modes(model, modes):
    for module, flag in zip(model.modules(), modes, strict=True):
        module.training = bool(flag)


MODES = np.array([False, True, False, True, False, True])  # mixed, as after partial .eval()


def _torch_round_trip(torch, modes):
    model = _build(torch.nn)
    _set_modes(model, modes)
    buffer = io.BytesIO()
    torch.save(model, buffer)
    buffer.seek(0)
    back = torch.load(buffer, weights_only=False)
    return np.array([m.training for m in back.modules()])


@pytest.mark.parametrize("modes", [MODES, np.zeros(6, bool)], ids=["mixed", "eval"])
def test_a_whole_model_comes_back_in_the_modes_it_was_saved_in(tmp_path, modes):
    name = "nn/save_load_modes_" + ("mixed" if modes.any() else "eval")
    expected = reference(name, _torch_round_trip, modes=modes)
    model = _build(mt.nn)
    _set_modes(model, modes)
    mt.save(model, tmp_path / "m.pth")
    back = mt.load(tmp_path / "m.pth", weights_only=False)
    assert [m.training for m in back.modules()] == list(expected) == list(modes)
    x = mt.randn(4, 2)
    np.testing.assert_array_equal(back(x).numpy(force=True), model(x).numpy(force=True))


class Unregistered(mt.nn.Module):
    """A program's own class, stored by name."""

    def __init__(self, n):
        super().__init__()
        self.linear = mt.nn.Linear(n, n)
        self.dropout = mt.nn.Dropout(0.2)


def test_an_unregistered_model_and_models_in_containers_keep_their_modes(tmp_path):
    model = Unregistered(2).eval()
    model.dropout.train()
    mt.save({"net": model, "other": mt.nn.Linear(1, 1).eval()}, tmp_path / "m.pth")
    with mt.serialization.safe_globals([Unregistered]):
        back = mt.load(tmp_path / "m.pth", weights_only=False)
    assert [m.training for m in back["net"].modules()] == [False, False, True]
    assert back["other"].training is False


def test_files_without_stored_modes_load_in_training_mode_as_before(tmp_path):
    path = tmp_path / "m.pth"
    mt.save(_build(mt.nn).eval(), path)
    with edit(path) as f:
        tree = field(f, "/state", "tree")
        old = ', "training": [false, false, false, false, false, false]'
        assert old in tree
        set_field(f, "/state", "tree", tree.replace(old, ""))
    back = mt.load(path, weights_only=False)
    assert all(m.training for m in back.modules())


@pytest.mark.parametrize(
    "stored",
    ["[false, false]", "[false, false, false, false, false, 0]", '"eval"', "null"],
)
def test_tampered_modes_are_a_clear_error(tmp_path, stored):
    path = tmp_path / "m.pth"
    mt.save(_build(mt.nn).eval(), path)
    with edit(path) as f:
        tree = field(f, "/state", "tree")
        bad = tree.replace("[false, false, false, false, false, false]", stored)
        set_field(f, "/state", "tree", bad)
    with pytest.raises(CheckpointError, match=r"training modes must be a list of 6 bools"):
        mt.load(path, weights_only=False)


@pytest.mark.parametrize("registered", [True, False])
def test_an_unknown_entry_in_a_stored_model_is_refused(tmp_path, registered):
    path = tmp_path / "m.pth"
    mt.save(_build(mt.nn) if registered else Unregistered(2), path)
    with edit(path) as f:
        tree = field(f, "/state", "tree")
        set_field(f, "/state", "tree", tree.replace('"training":', '"mode":'))
    with mt.serialization.safe_globals([Unregistered]):
        with pytest.raises(CheckpointError, match=r"optionally 'training'"):
            mt.load(path, weights_only=False)
