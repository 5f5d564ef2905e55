"""make_moons and the thesis's toy datasets."""

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es.data import datasets


def test_make_moons_shape_dtype_and_balance():
    X, y = datasets.make_moons(101)
    assert X.shape == (101, 2) and X.dtype == np.float64 and y.dtype == np.int64
    assert np.bincount(y).tolist() == [50, 51]  # n // 2 on the outer moon


def test_make_moons_noise_free_points_lie_on_the_half_circles():
    X, y = datasets.make_moons(40, shuffle=False)
    outer, inner = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*outer.T), 1.0)
    assert (outer[:, 1] >= -1e-12).all()
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1, inner[:, 1] - 0.5), 1.0)
    assert (inner[:, 1] <= 0.5 + 1e-12).all()
    np.testing.assert_allclose(outer[[0, -1]], [[1, 0], [-1, 0]], atol=1e-12)
    np.testing.assert_allclose(inner[[0, -1]], [[0, 0.5], [2, 0.5]], atol=1e-12)
    assert y.tolist() == [0] * 20 + [1] * 20


def test_make_moons_shuffle_and_noise_are_reproducible():
    mt.manual_seed(4)
    a = datasets.make_moons(50, noise=0.1)
    mt.manual_seed(4)
    b = datasets.make_moons(50, noise=0.1)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    c = datasets.make_moons(50, noise=0.1, random_state=0)
    d = datasets.make_moons(50, noise=0.1, random_state=0)
    np.testing.assert_array_equal(c[0], d[0])
    clean, labels = datasets.make_moons(50, random_state=0)
    assert not np.array_equal(labels, np.sort(labels))
    distance = np.abs(c[0] - clean)
    assert 0 < distance.mean() < 0.3 and np.array_equal(c[1], labels)


def test_make_moons_pair_and_errors():
    X, y = datasets.make_moons((3, 5))
    assert np.bincount(y).tolist() == [3, 5]
    with pytest.raises(ValueError, match="n_samples >= 0, got -1"):
        datasets.make_moons(-1)
    with pytest.raises(ValueError, match="an int or a pair"):
        datasets.make_moons("many")
    with pytest.raises(ValueError, match="noise to be None or a number >= 0, got -0.5"):
        datasets.make_moons(10, noise=-0.5)
    for noise in (True, float("nan"), "0.1"):
        with pytest.raises(ValueError, match="noise to be None or a number >= 0"):
            datasets.make_moons(10, noise=noise)
    with pytest.raises(ValueError, match=r"an int or a pair \(outer, inner\), got \(2.5, 3\)"):
        datasets.make_moons((2.5, 3))
    with pytest.raises(TypeError, match="shuffle to be a bool, got 'yes'"):
        datasets.make_moons(10, shuffle="yes")


def test_xor_truth_table():
    X, y = datasets.xor()
    assert X.shape == (4, 2) and y.shape == (4, 1)
    assert X.dtype == y.dtype == np.float32
    np.testing.assert_array_equal(y[:, 0], np.logical_xor(X[:, 0], X[:, 1]))


def test_thesis_regression_values():
    x, y = datasets.thesis_regression()
    assert x.shape == y.shape == (16, 1) and x.dtype == np.float32
    assert x[:, 0].tolist() == [
        25,
        26,
        27,
        28,
        29,
        29.5,
        30.5,
        31,
        32,
        33.5,
        34,
        36.5,
        37,
        37.5,
        39,
        40,
    ]
    assert y[:, 0].tolist() == [10, 18, 12, 20, 18, 20, 22, 30, 32, 30, 35, 36, 40, 38, 37, 41]
    xs, ys = datasets.thesis_regression(scaled=True)
    np.testing.assert_allclose(xs, x / 10, rtol=1e-6)
    np.testing.assert_allclose(ys, y / 10, rtol=1e-6)
