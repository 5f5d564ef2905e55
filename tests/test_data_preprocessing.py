"""StandardScaler, MinMaxScaler and one_hot."""

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es.data import MinMaxScaler, NotFittedError, StandardScaler, one_hot

X = np.array([[1.0, 10.0, 5.0], [3.0, 20.0, 5.0], [8.0, 60.0, 5.0], [4.0, 30.0, 5.0]])


def test_standard_scaler_formula_population_std_and_constant_feature():
    scaler = StandardScaler().fit(X)
    mean = X.mean(axis=0)
    std = np.sqrt(((X - mean) ** 2).sum(axis=0) / len(X))  # ddof = 0
    np.testing.assert_allclose(scaler.mean_, mean)
    np.testing.assert_allclose(scaler.var_, std**2)
    np.testing.assert_array_equal(scaler.scale_, [std[0], std[1], 1.0])
    z = scaler.transform(X)
    np.testing.assert_allclose(z[:, :2], (X[:, :2] - mean[:2]) / std[:2])
    np.testing.assert_array_equal(z[:, 2], 0.0)  # centred, not divided by 0
    np.testing.assert_allclose(scaler.inverse_transform(z), X)
    np.testing.assert_allclose(StandardScaler().fit_transform(X), z)
    assert int(scaler.n_samples_seen_) == 4


def test_standard_scaler_with_flags_and_near_constant_float_noise():
    z = StandardScaler(with_mean=False).fit(X).transform(X)
    np.testing.assert_allclose(z[:, 0], X[:, 0] / X[:, 0].std())
    z = StandardScaler(with_std=False).fit(X).transform(X)
    np.testing.assert_allclose(z, X - X.mean(axis=0))
    # 0.1 repeated has a rounding-level variance; it must count as constant.
    assert StandardScaler().fit(np.full((10, 1), 0.1)).scale_[0] == 1.0


def test_scalers_keep_container_and_float_dtype():
    x32 = X.astype(np.float32)
    assert StandardScaler().fit_transform(x32).dtype == np.float32
    assert MinMaxScaler().fit_transform(X.astype(np.int64)).dtype == np.float64
    t = StandardScaler().fit_transform(mt.tensor(x32))
    assert isinstance(t, mt.Tensor) and t.dtype == np.float32
    ti = MinMaxScaler().fit_transform(mt.tensor(X.astype(np.int64)))
    assert isinstance(ti, mt.Tensor) and ti.dtype == mt.get_default_dtype()


def test_minmax_scaler_formula_range_and_constant_feature():
    scaler = MinMaxScaler(feature_range=(-1, 2)).fit(X)
    lo, hi = X.min(axis=0), X.max(axis=0)
    expected = (X - lo) / np.where(hi - lo == 0, 1, hi - lo) * 3 - 1
    z = scaler.transform(X)
    np.testing.assert_allclose(z, expected)
    np.testing.assert_array_equal(z[:, 2], -1.0)
    np.testing.assert_allclose(scaler.inverse_transform(z), X)
    np.testing.assert_array_equal(scaler.data_range_, hi - lo)
    outside = MinMaxScaler(clip=True).fit(X).transform(X * 2)
    assert outside.min() >= 0 and outside.max() <= 1


@pytest.mark.parametrize("cls", [StandardScaler, MinMaxScaler])
def test_state_dict_round_trip(cls):
    kwargs = {"feature_range": (2, 5)} if cls is MinMaxScaler else {}
    fitted = cls(**kwargs).fit(X)
    state = fitted.state_dict()
    assert all(isinstance(v, np.ndarray) for v in state.values())
    restored = cls()
    restored.load_state_dict(state)
    np.testing.assert_array_equal(restored.transform(X), fitted.transform(X))
    np.testing.assert_allclose(restored.inverse_transform(restored.transform(X)), X)
    state["mean_" if cls is StandardScaler else "min_"][0] = 123.0  # a copy, not a view
    np.testing.assert_array_equal(restored.transform(X), fitted.transform(X))


def test_load_state_dict_errors():
    s = StandardScaler()
    with pytest.raises(
        KeyError,
        match=r"missing keys \['var_', 'scale_', 'n_samples_seen_'\], "
        r"unexpected keys \['bogus'\]",
    ):
        s.load_state_dict({"mean_": np.zeros(2), "bogus": 1})
    with pytest.raises(ValueError, match="different shapes"):
        s.load_state_dict(
            {"mean_": np.zeros(2), "var_": np.ones(3), "scale_": np.ones(2), "n_samples_seen_": 4}
        )
    with pytest.raises(TypeError, match="expected a dict"):
        s.load_state_dict([1])


@pytest.mark.parametrize("cls", [StandardScaler, MinMaxScaler])
def test_scaler_errors(cls):
    with pytest.raises(NotFittedError, match=f"This {cls.__name__} instance is not fitted yet"):
        cls().transform(X)
    with pytest.raises(ValueError, match="not fitted"):
        cls().inverse_transform(X)
    with pytest.raises(ValueError, match=r"2-d array .* got shape \(4,\)"):
        cls().fit(X[:, 0])
    with pytest.raises(ValueError, match=r"features of shape \(2,\), but .* shape \(3,\)"):
        cls().fit(X).transform(X[:, :2])
    with pytest.raises(ValueError, match="at least one sample"):
        cls().fit(np.zeros((0, 3)))
    with pytest.raises(TypeError, match="numeric"):
        cls().fit(np.array([["a"]]))


def test_minmax_feature_range_errors():
    with pytest.raises(ValueError, match=r"smaller than the maximum, got \(1, 0\)"):
        MinMaxScaler(feature_range=(1, 0))
    with pytest.raises(ValueError, match="pair"):
        MinMaxScaler(feature_range=3)


def test_one_hot():
    out = one_hot(np.array([0, 2, 1]))
    assert isinstance(out, np.ndarray) and out.dtype == np.int64
    np.testing.assert_array_equal(out, np.eye(3, dtype=np.int64)[[0, 2, 1]])
    t = one_hot(mt.tensor([[1, 0]]), num_classes=4)
    assert isinstance(t, mt.Tensor) and t.shape == (1, 2, 4)
    np.testing.assert_array_equal(t._data[0], [[0, 1, 0, 0], [1, 0, 0, 0]])
    assert one_hot([3], -1, dtype=np.float32).dtype == np.float32
    assert one_hot(np.array([], dtype=np.int64), 3).shape == (0, 3)


@pytest.mark.parametrize(
    "labels, num_classes, error, match",
    [
        (np.array([0, 5, 1]), 3, ValueError, r"label 5 is out of range for num_classes=3"),
        (np.array([0, -2]), 3, ValueError, "got the label -2"),
        (np.array([0.0, 1.0]), None, TypeError, "integer class labels, got dtype float64"),
        (np.array([0, 1]), 0, ValueError, "num_classes to be a positive int"),
        (np.array([], dtype=np.int64), None, ValueError, "empty labels"),
    ],
)
def test_one_hot_errors(labels, num_classes, error, match):
    with pytest.raises(error, match=match):
        one_hot(labels, num_classes)
