"""Feature scaling (scikit-learn's ``StandardScaler`` / ``MinMaxScaler``) and ``one_hot``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..dtypes import get_default_dtype
from ..tensor import Tensor
from ..validation import is_int

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, DTypeLike


class NotFittedError(ValueError, AttributeError):
    """A scaler was used before ``fit`` (as scikit-learn's ``NotFittedError``)."""


def _features(X: Tensor | ArrayLike, where: str) -> np.ndarray:
    arr = np.asarray(X._data if isinstance(X, Tensor) else X)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{where} expected numeric data, got dtype {arr.dtype}")
    if arr.ndim < 2:
        raise ValueError(
            f"{where} expected a 2-d array (n_samples, n_features), got shape "
            f"{arr.shape}; reshape a single feature with X.reshape(-1, 1)"
        )
    return arr


def _like(result: np.ndarray, X: Tensor | ArrayLike):
    """``result`` with the container type of ``X`` and a floating dtype (X's when it has one)."""
    if isinstance(X, Tensor):
        dtype = X._data.dtype if X._data.dtype.kind == "f" else get_default_dtype()
        return Tensor(result.astype(dtype, copy=False))
    src = np.asarray(X)
    return result.astype(src.dtype if src.dtype.kind == "f" else np.float64, copy=False)


class _Scaler:
    """Shared machinery: input checks, fit_transform and the fitted state as arrays."""

    _state_keys: tuple = ()  # fitted statistics, all of one shape (but 0-d counters)
    _param_keys: tuple = ()  # constructor settings the statistics depend on

    def _check_fitted(self, where: str) -> None:
        if not all(hasattr(self, k) for k in self._state_keys):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet; call "
                f"fit(X) before {where}()"
            )

    def _input(self, X: Tensor | ArrayLike, where: str) -> np.ndarray:
        self._check_fitted(where)
        arr = _features(X, f"{type(self).__name__}.{where}")
        expected = self._stat_shape()
        if arr.shape[1:] != expected:
            raise ValueError(
                f"{type(self).__name__}.{where}: X has features of shape "
                f"{arr.shape[1:]}, but the scaler was fitted on features of shape "
                f"{expected}"
            )
        return arr.astype(np.float64, copy=False)

    def _stat_shape(self) -> tuple:
        return getattr(self, self._state_keys[0]).shape

    def fit_transform(self, X: Tensor | ArrayLike) -> Tensor | np.ndarray:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    def state_dict(self) -> dict:
        """The fitted statistics as NumPy arrays (e.g. to store in a checkpoint)."""
        self._check_fitted("state_dict")
        keys = self._state_keys + self._param_keys
        return {k: np.array(getattr(self, k), copy=True) for k in keys}

    def load_state_dict(self, state: dict) -> None:
        """Restore statistics saved by ``state_dict()``."""
        name = type(self).__name__
        if not isinstance(state, dict):
            raise TypeError(f"{name}.load_state_dict expected a dict, got {type(state).__name__}")
        keys = self._state_keys + self._param_keys
        missing = [k for k in keys if k not in state]
        unexpected = [k for k in state if k not in keys]
        if missing or unexpected:
            raise KeyError(
                f"{name}.load_state_dict: missing keys {missing}, unexpected keys {unexpected}"
            )
        arrays = {
            k: np.array(state[k], dtype=np.int64 if k.startswith("n_") else np.float64)
            for k in self._state_keys
        }
        shapes = {k: a.shape for k, a in arrays.items() if a.ndim > 0}
        if len(set(shapes.values())) > 1:
            raise ValueError(
                f"{name}.load_state_dict: the statistics have different shapes {shapes}"
            )
        for k in self._param_keys:
            setattr(self, k, tuple(np.asarray(state[k]).tolist()))
        for k, a in arrays.items():
            setattr(self, k, a)


class StandardScaler(_Scaler):
    """Standardize features: ``z = (x - mean_) / scale_`` (``sklearn.preprocessing``).

    ``scale_`` is the population standard deviation (``ddof=0``); features of (numerically)
    zero variance get ``scale_ = 1``, so they are centred but not scaled. ``mean_``, ``var_``
    and ``scale_`` are always computed; ``with_mean=False`` / ``with_std=False`` only skip the
    centring / scaling in ``transform``. ``copy`` is accepted for scikit-learn compatibility;
    results are always new arrays.

        >>> mt.data.StandardScaler().fit_transform(np.array([[0.], [2.]]))
        array([[-1.],
               [ 1.]])
    """

    _state_keys = ("mean_", "var_", "scale_", "n_samples_seen_")

    def __init__(self, *, copy: bool = True, with_mean: bool = True, with_std: bool = True):
        self.copy = copy
        self.with_mean = with_mean
        self.with_std = with_std

    def fit(self, X: Tensor | ArrayLike, y: Any = None) -> StandardScaler:
        """Compute the per-feature mean and standard deviation of ``X`` (n_samples, ...)."""
        arr = _features(X, "StandardScaler.fit").astype(np.float64, copy=False)
        if arr.shape[0] == 0:
            raise ValueError("StandardScaler.fit expected at least one sample, got 0")
        n = arr.shape[0]
        self.mean_ = arr.mean(axis=0)
        self.var_ = arr.var(axis=0)
        self.n_samples_seen_ = np.asarray(n, dtype=np.int64)
        # A constant feature can show a tiny nonzero variance from rounding; bound that error.
        eps = np.finfo(np.float64).eps
        constant = self.var_ <= n * eps * self.var_ + (n * self.mean_ * eps) ** 2
        self.scale_ = np.where(constant, 1.0, np.sqrt(self.var_))
        return self

    def transform(self, X: Tensor | ArrayLike) -> Tensor | np.ndarray:
        """Standardize ``X`` with the fitted statistics; returns the type of ``X``."""
        arr = self._input(X, "transform")
        out = arr - self.mean_ if self.with_mean else arr.copy()
        if self.with_std:
            out /= self.scale_
        return _like(out, X)

    def inverse_transform(self, X: Tensor | ArrayLike) -> Tensor | np.ndarray:
        """Undo ``transform``: ``x = z * scale_ + mean_``."""
        arr = self._input(X, "inverse_transform")
        out = arr * self.scale_ if self.with_std else arr.copy()
        if self.with_mean:
            out += self.mean_
        return _like(out, X)


class MinMaxScaler(_Scaler):
    """Scale each feature to ``feature_range``: ``x * scale_ + min_`` (``sklearn.preprocessing``).

    ``scale_ = (max - min of the range) / (data_max_ - data_min_)``; a constant feature
    (zero range) is mapped to the range's minimum. ``clip=True`` clips transformed values
    that fall outside the range. ``copy`` is accepted for scikit-learn compatibility.

        >>> mt.data.MinMaxScaler().fit_transform(np.array([[1.], [3.], [5.]]))
        array([[0. ],
               [0.5],
               [1. ]])
    """

    _state_keys = ("min_", "scale_", "data_min_", "data_max_", "data_range_")
    _param_keys = ("feature_range",)

    def __init__(
        self, feature_range: tuple[float, float] = (0, 1), *, copy: bool = True, clip: bool = False
    ):
        try:
            low, high = feature_range
        except (TypeError, ValueError):
            raise ValueError(
                f"MinMaxScaler expected feature_range as a pair (min, max), got {feature_range!r}"
            ) from None
        if not low < high:
            raise ValueError(
                f"MinMaxScaler: the minimum of feature_range must be smaller than the "
                f"maximum, got {tuple(feature_range)}"
            )
        self.feature_range = (low, high)
        self.copy = copy
        self.clip = clip

    def fit(self, X: Tensor | ArrayLike, y: Any = None) -> MinMaxScaler:
        """Compute the per-feature minimum and maximum of ``X`` (n_samples, ...)."""
        arr = _features(X, "MinMaxScaler.fit").astype(np.float64, copy=False)
        if arr.shape[0] == 0:
            raise ValueError("MinMaxScaler.fit expected at least one sample, got 0")
        self.data_min_ = arr.min(axis=0)
        self.data_max_ = arr.max(axis=0)
        self.data_range_ = self.data_max_ - self.data_min_
        low, high = self.feature_range
        safe_range = np.where(self.data_range_ == 0, 1.0, self.data_range_)
        self.scale_ = (high - low) / safe_range
        self.min_ = low - self.data_min_ * self.scale_
        return self

    def transform(self, X: Tensor | ArrayLike) -> Tensor | np.ndarray:
        """Scale ``X`` into ``feature_range``; returns the type of ``X``."""
        arr = self._input(X, "transform")
        out = arr * self.scale_ + self.min_
        if self.clip:
            np.clip(out, *self.feature_range, out=out)
        return _like(out, X)

    def inverse_transform(self, X: Tensor | ArrayLike) -> Tensor | np.ndarray:
        """Undo ``transform``: ``x = (z - min_) / scale_``."""
        arr = self._input(X, "inverse_transform")
        return _like((arr - self.min_) / self.scale_, X)


def one_hot(
    labels: Tensor | ArrayLike, num_classes: int | None = None, dtype: DTypeLike | None = None
) -> Tensor | np.ndarray:
    """One-hot encode integer class labels (``torch.nn.functional.one_hot``).

    Returns ``labels.shape + (num_classes,)`` of ``dtype`` (default int64), a Tensor for a
    Tensor input and an ndarray otherwise. ``num_classes=None`` (or -1) means
    ``max(labels) + 1``.

        >>> mt.data.one_hot(np.array([0, 2]), 3)
        array([[1, 0, 0],
               [0, 0, 1]])
    """
    arr = np.asarray(labels._data if isinstance(labels, Tensor) else labels)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"one_hot expected integer class labels, got dtype {arr.dtype}")
    if num_classes is not None and num_classes != -1:
        if not (is_int(num_classes) and num_classes >= 1):
            raise ValueError(
                f"one_hot expected num_classes to be a positive int, None or -1, got "
                f"{num_classes!r}"
            )
    if arr.size:
        low = arr.min()
        if low < 0:
            raise ValueError(f"one_hot: labels must be >= 0, got the label {int(low)}")
        top = int(arr.max())
    elif num_classes is None or num_classes == -1:
        raise ValueError("one_hot cannot infer num_classes from empty labels; pass num_classes")
    if num_classes is None or num_classes == -1:
        num_classes = top + 1
    elif arr.size and top >= num_classes:
        raise ValueError(
            f"one_hot: label {top} is out of range for num_classes={num_classes} "
            f"(labels must be in [0, {num_classes - 1}])"
        )
    out = np.zeros(arr.shape + (int(num_classes),), dtype=np.int64 if dtype is None else dtype)
    np.put_along_axis(out, arr[..., None].astype(np.intp), 1, axis=-1)
    return Tensor(out) if isinstance(labels, Tensor) else out
