"""The fixture mechanism that lets PyTorch comparisons run without PyTorch."""

import numpy as np
import pytest
import torch_parity
from torch_parity import StaleFixture, reference


@pytest.fixture
def fixtures(tmp_path, monkeypatch):
    monkeypatch.setattr(torch_parity, "FIXTURES", tmp_path)
    return tmp_path


class FakeTorch:
    """Stands in for the torch module while recording."""

    calls = 0

    @classmethod
    def compute(cls, torch, x):
        cls.calls += 1
        return {"y": x * 2, "parts": [x.sum(), None, (x[:1],)]}


def record(monkeypatch, name, **inputs):
    import sys

    monkeypatch.setattr(torch_parity, "RECORD", True)
    monkeypatch.setitem(sys.modules, "torch", FakeTorch)
    out = reference(name, FakeTorch.compute, **inputs)
    monkeypatch.setattr(torch_parity, "RECORD", False)
    return out


def test_recorded_structure_comes_back(fixtures, monkeypatch):
    x = np.arange(3.0)
    recorded = record(monkeypatch, "group/case", x=x)
    read = reference("group/case", pytest.fail, x=x)  # compute is not called when reading
    for out in (recorded, read):
        np.testing.assert_array_equal(out["y"], x * 2)
        assert out["parts"][0] == 3.0 and out["parts"][1] is None
        np.testing.assert_array_equal(out["parts"][2][0], x[:1])
    assert (fixtures / "group" / "case.npz").exists()


def test_changed_inputs_are_a_stale_fixture(fixtures, monkeypatch):
    record(monkeypatch, "case", x=np.arange(3.0))
    with pytest.raises(StaleFixture, match="input 'x' differs"):
        reference("case", pytest.fail, x=np.arange(3.0) + 1)
    with pytest.raises(StaleFixture, match="not given now"):
        reference("case", pytest.fail)


def test_missing_fixture_fails_instead_of_skipping(fixtures):
    with pytest.raises(StaleFixture, match="record_torch_fixtures"):
        reference("nothing/here", pytest.fail, x=np.zeros(1))


def test_fixture_names_are_paths(fixtures):
    with pytest.raises(ValueError, match="lowercase"):
        reference("../escape", pytest.fail)
