"""Test-suite wide settings: isolation from installed plugins, and a fresh seed per test."""

import os

os.environ.setdefault("MINITORCH_ES_DISABLE_PLUGIN_AUTOLOAD", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import minitorch_es as mt  # noqa: E402


@pytest.fixture(autouse=True)
def _seeded():
    """Every test starts from the same generator state and default dtype."""
    mt.manual_seed(0)
    mt.set_default_dtype(mt.float32)
    yield


@pytest.fixture
def rng():
    """An independent NumPy generator for building reference data in tests."""
    return np.random.default_rng(1234)
