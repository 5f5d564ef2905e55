"""Checkpoints of format version 1 (minitorch_es 0.1): refused with a message that names the
version and the way out, and converted on request by ``mt.checkpoint.upgrade``.

The fixtures were written by minitorch_es 0.1 (commit 917e4fc): an MLP + Adam + StepLR
checkpoint, the MLP's state dict, and the arrays they hold (format1_expected.npz)."""

import json
import pathlib
import shutil

import h5py
import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es.checkpoint import CheckpointError, describe, upgrade

FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "checkpoints"


def objects():
    model = mt.nn.Sequential(mt.nn.Linear(3, 4), mt.nn.ReLU(), mt.nn.Linear(4, 2))
    optimizer = mt.optim.Adam(model.parameters(), lr=0.01)
    return model, optimizer, mt.optim.lr_scheduler.StepLR(optimizer, step_size=2)


@pytest.fixture
def old(tmp_path):
    for name in ("format1.h5", "format1_state_dict.h5"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    return tmp_path


def test_format_1_is_refused_naming_the_version_and_the_way_out(old):
    path = old / "format1.h5"
    with pytest.raises(CheckpointError) as info:
        mt.load_checkpoint(path, model=objects()[0])
    message = str(info.value)
    assert "format version 1 (minitorch_es 0.1)" in message
    assert f"mt.checkpoint.upgrade({str(path)!r})" in message


def test_upgrade_converts_everything_exactly(old):
    expected = np.load(FIXTURES / "format1_expected.npz")
    assert upgrade(old / "format1.h5") == str(old / "format1.h5")
    model, optimizer, scheduler = objects()
    info = mt.load_checkpoint(old / "format1.h5", model, optimizer, scheduler)
    assert info["epoch"] == 1 and info["metadata"]["note"] == "format 1"
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, expected[key])
    state = optimizer.state_dict(param_names=model.named_parameters())["state"]
    for name, buffers in state.items():
        assert buffers["step"] == 1
        for buffer in ("exp_avg", "exp_avg_sq"):
            np.testing.assert_array_equal(buffers[buffer], expected[f"adam.{name}.{buffer}"])
    assert scheduler.last_epoch == 1
    rebuilt = mt.load_model(old / "format1.h5")
    np.testing.assert_array_equal(np.asarray(rebuilt[2].bias), expected["2.bias"])
    assert "integrity: verified" in describe(old / "format1.h5")


def test_upgrade_a_state_dict_to_another_file(old):
    out = upgrade(old / "format1_state_dict.h5", old / "new.h5")
    assert out == str(old / "new.h5")
    expected = np.load(FIXTURES / "format1_expected.npz")
    loaded = mt.load(out)
    assert list(loaded) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    for key, value in loaded.items():
        np.testing.assert_array_equal(value, expected[key])
    with pytest.raises(CheckpointError, match="format version 1"):
        mt.load(old / "format1_state_dict.h5")  # the original is left as it was


def test_upgrade_refuses_what_it_should_not_read(old, tmp_path):
    mt.save({"w": np.ones(2)}, tmp_path / "new.h5")
    with pytest.raises(CheckpointError, match="not a minitorch_es checkpoint of format version 1"):
        upgrade(tmp_path / "new.h5")  # already the current format
    with h5py.File(old / "format1.h5", "r+") as f:
        del f["model/state/0/weight"]
        f["model/state/0/weight"] = h5py.ExternalLink("/etc/passwd", "/x")
    with pytest.raises(CheckpointError, match="'/model/state/0/weight' is a link"):
        upgrade(old / "format1.h5")
    (tmp_path / "text.h5").write_text("text")
    with pytest.raises(CheckpointError, match="cannot read .* as a checkpoint of format version 1"):
        upgrade(tmp_path / "text.h5")


def test_upgrade_keeps_the_types_mt_save_recorded_in_format_1(old):
    """Format-1 files of mt.save written since it took tensors and containers carry their
    types as an attribute (as main wrote them before format 2): the upgrade keeps them."""
    path = old / "types.h5"
    with h5py.File(path, "w") as f:
        f.attrs.update(format_version=1, framework="minitorch_es", kind="state_dict")
        f.attrs["types"] = json.dumps([[["w"], "Tensor"], [["shape"], "tuple"]])
        state = f.create_group("state")
        state.create_dataset("w", data=np.arange(3.0))
        state["w"].attrs["ndim"] = 1
        state.attrs["tree"] = json.dumps({"w": {"__dataset__": "w"}, "shape": [2, 3]})
    upgrade(path)
    loaded = mt.load(path)
    assert isinstance(loaded["w"], mt.Tensor) and loaded["w"].tolist() == [0.0, 1.0, 2.0]
    assert loaded["shape"] == (2, 3)
