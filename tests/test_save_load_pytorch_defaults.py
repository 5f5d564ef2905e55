"""``mt.save`` / ``mt.load`` as PyTorch 2.13 behaves with what time_sequence_prediction does:
``torch.save(ndarray, open(path, "wb"))`` then ``torch.load(path)``. PyTorch 2.13 refuses that
load (``weights_only`` defaults to True since 2.6 and its unpickler stops at
``numpy._core.multiarray._reconstruct``, an ``UnpicklingError``); ``weights_only=False``,
an allowed ``np.ndarray`` or ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1`` load it."""

import io
import pickle

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es import serialization

WAVE = np.sin(np.arange(12, dtype=np.float64).reshape(3, 4) / 20)


@pytest.fixture
def wave_file(tmp_path, monkeypatch):
    monkeypatch.delenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD", raising=False)
    monkeypatch.delenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", raising=False)
    path = tmp_path / "traindata.pt"
    with open(path, "wb") as f:
        mt.save(WAVE, f)
    yield path
    serialization.clear_safe_globals()


def test_a_plain_array_is_refused_by_default_as_pytorch_refuses_it(wave_file):
    with pytest.raises(pickle.UnpicklingError, match=r"Weights only load failed: .*NumPy array"):
        mt.load(wave_file)
    with pytest.raises(mt.checkpoint.WeightsOnlyError, match="_reconstruct"):
        mt.load(wave_file, weights_only=True)
    back = mt.load(wave_file, weights_only=False)
    assert type(back) is np.ndarray and back.dtype == np.float64
    np.testing.assert_array_equal(back, WAVE)


def test_a_tensor_is_not_a_plain_array(tmp_path):
    mt.save({"w": mt.tensor(WAVE)}, tmp_path / "t.pt")
    np.testing.assert_array_equal(mt.load(tmp_path / "t.pt")["w"].numpy(), WAVE)


def test_allowed_arrays_load_with_weights_only(wave_file):
    with serialization.safe_globals([np.ndarray]):
        np.testing.assert_array_equal(mt.load(wave_file), WAVE)
    assert serialization.get_safe_globals() == []
    with pytest.raises(pickle.UnpicklingError):
        mt.load(wave_file)
    serialization.add_safe_globals([np.ndarray])
    np.testing.assert_array_equal(mt.load(wave_file), WAVE)
    serialization.clear_safe_globals()
    with pytest.raises(TypeError, match="expects a list of classes or functions, got str"):
        serialization.add_safe_globals("numpy.ndarray")


def test_pytorchs_environment_variables_force_the_default(wave_file, monkeypatch):
    monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")
    with pytest.warns(UserWarning, match="TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD detected"):
        np.testing.assert_array_equal(mt.load(wave_file), WAVE)
    with pytest.raises(pickle.UnpicklingError):  # an explicit weights_only=True is kept
        mt.load(wave_file, weights_only=True)
    monkeypatch.setenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "yes")
    with pytest.raises(RuntimeError, match="Only one of .* should be set, but both were set"):
        mt.load(wave_file)
    monkeypatch.delenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD")
    with pytest.raises(pickle.UnpicklingError):  # forced even against weights_only=False
        mt.load(wave_file, weights_only=False)


def test_file_objects_are_written_and_read_whole(tmp_path):
    model = mt.nn.Linear(3, 2)
    with open(tmp_path / "w.pt", "wb") as f:
        mt.save(model.state_dict(), f)
    with open(tmp_path / "w.pt", "rb") as f:
        state = mt.load(f)
    assert list(state) == ["weight", "bias"]
    np.testing.assert_array_equal(state["weight"].numpy(), model.weight.numpy(force=True))
    with pytest.raises(TypeError, match="or a binary file open for writing, got int"):
        mt.save(model.state_dict(), 3)


def test_a_bad_stream_is_an_error_naming_it(tmp_path):
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with open(tmp_path / "junk.pt", "rb") as f, pytest.raises(mt.checkpoint.CheckpointError):
        mt.load(f)


def test_errors_name_the_file_object_not_the_scratch_copy(tmp_path):
    with pytest.raises(mt.checkpoint.CheckpointError) as caught:
        mt.load(io.BytesIO(b"not a checkpoint" * 40))
    assert str(caught.value).startswith("the BytesIO given is not a minitorch_es checkpoint")
    assert "minitorch_es-" not in str(caught.value)  # the private temporary directory
    path = tmp_path / "bad.pt"
    path.write_bytes(b"not a checkpoint" * 40)
    with open(path, "rb") as f, pytest.raises(mt.checkpoint.CheckpointError, match="bad.pt"):
        mt.load(f)
