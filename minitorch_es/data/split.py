"""Splitting data: ``random_split`` (PyTorch) and ``train_test_split`` (scikit-learn)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .. import random as _random
from ..errors import warn
from ..tensor import Tensor
from ..validation import check_float, is_int, is_real
from .dataset import Subset

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from .dataset import Dataset


def _rng(random_state: int | np.random.Generator | None, where: str) -> np.random.Generator:
    """The package generator for None, a fresh one for an int seed, or a given Generator."""
    if random_state is None:
        return _random.generator()
    if isinstance(random_state, np.random.Generator):
        return random_state
    if is_int(random_state):
        return np.random.default_rng(int(random_state))
    raise TypeError(
        f"{where} expected random_state/generator to be None, an int or a numpy Generator, got "
        f"{type(random_state).__name__} ({random_state!r})"
    )


def random_split(
    dataset: Dataset, lengths: Sequence[float], generator: np.random.Generator | None = None
) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random ``Subset`` s of the given ``lengths``.

    ``lengths`` are ints summing to ``len(dataset)`` or fractions summing to 1; as in PyTorch,
    fractions get ``floor(n * frac)`` items each and the remainder is dealt out one by one,
    round-robin from the first split. The order is drawn from the package generator (or from
    ``generator``, a ``numpy.random.Generator``).

        >>> ds = mt.data.TensorDataset(mt.randn(10, 2))
        >>> train, val = mt.data.random_split(ds, [0.8, 0.2])
        >>> len(train), len(val)
        (8, 2)
    """
    n = len(dataset)
    lengths = list(lengths)
    for i, v in enumerate(lengths):
        check_float(v, f"the length at index {i}", "random_split", low=0)
    total = sum(lengths)
    # PyTorch's rule: a list summing to 1 is read as fractions (even if its entries are ints).
    if math.isclose(total, 1) and total <= 1:
        counts = []
        for i, frac in enumerate(lengths):
            if frac > 1:
                raise ValueError(
                    f"random_split: fraction at index {i} is not between 0 and 1: {frac}"
                )
            counts.append(int(math.floor(n * frac)))
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        for i, c in enumerate(counts):
            if c == 0:
                warn(f"random_split: length of split at index {i} is 0")
        lengths = counts
    elif not all(isinstance(v, numbers.Integral) for v in lengths):
        raise ValueError(
            f"random_split expected integer lengths summing to {n} or fractions summing to 1, "
            f"got {lengths} (sum {total})"
        )
    if sum(lengths) != n:
        raise ValueError(
            f"random_split: the lengths {lengths} sum to {sum(lengths)}, but the dataset has {n} "
            f"samples"
        )
    order = _rng(generator, "random_split").permutation(n)
    bounds = np.cumsum([0] + [int(v) for v in lengths])
    return [Subset(dataset, order[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]


def _split_sizes(n: int, test_size: float | None, train_size: float | None):
    """scikit-learn's rules for turning test_size / train_size into sample counts."""

    def check(value: float | None, name: str):
        if value is None:
            return
        if is_int(value):
            if not 0 < value < n:
                raise ValueError(
                    f"train_test_split: {name}={value} should be an int in "
                    f"[1, {n - 1}] (there are {n} samples) or a float in (0, 1)"
                )
        elif is_real(value):
            if not 0 < value < 1:
                raise ValueError(
                    f"train_test_split: {name}={value} should be a float in (0, 1) "
                    f"or an int in [1, {n - 1}]"
                )
        else:
            raise TypeError(
                f"train_test_split: {name} should be an int, a float or None, got {value!r}"
            )

    check(test_size, "test_size")
    check(train_size, "train_size")
    if test_size is None and train_size is None:
        test_size = 0.25

    def is_frac(v: float | None):
        return v is not None and not isinstance(v, numbers.Integral)

    if is_frac(test_size) and is_frac(train_size) and test_size + train_size > 1:
        raise ValueError(
            f"train_test_split: test_size + train_size = {test_size + train_size} should be <= 1"
        )
    n_test = (
        None
        if test_size is None
        else (math.ceil(test_size * n) if is_frac(test_size) else int(test_size))
    )
    n_train = (
        None
        if train_size is None
        else (math.floor(train_size * n) if is_frac(train_size) else int(train_size))
    )
    n_train = n - n_test if n_train is None else n_train
    n_test = n - n_train if n_test is None else n_test
    if n_train + n_test > n:
        raise ValueError(
            f"train_test_split: train ({n_train}) + test ({n_test}) samples exceed "
            f"the {n} samples available"
        )
    if n_train == 0 or n_test == 0:
        raise ValueError(
            f"train_test_split: with n_samples={n}, test_size={test_size} and "
            f"train_size={train_size}, the {'train' if n_train == 0 else 'test'} set "
            f"would be empty"
        )
    return n_train, n_test


def _allocate(counts: np.ndarray, total: int) -> np.ndarray:
    """Split ``total`` over the classes in proportion to ``counts`` (largest remainders)."""
    exact = counts * total / counts.sum()
    alloc = np.floor(exact).astype(np.int64)
    # Stable sort: ties go to the earlier class, so the split is deterministic for a seed.
    for c in np.argsort(-(exact - alloc), kind="stable")[: total - alloc.sum()]:
        alloc[c] += 1
    return alloc


def _stratified(labels: Tensor | ArrayLike, n_train: int, n_test: int, rng: np.random.Generator):
    labels = np.asarray(labels._data if isinstance(labels, Tensor) else labels)
    classes, y = (
        np.unique(labels, axis=0, return_inverse=True)
        if labels.ndim > 1
        else np.unique(labels, return_inverse=True)
    )
    y = y.reshape(-1)
    counts = np.bincount(y)
    if counts.min() < 2:
        raise ValueError(
            f"train_test_split: the least populated class in stratify has only "
            f"{counts.min()} member; every class needs at least 2"
        )
    if n_train < len(classes) or n_test < len(classes):
        raise ValueError(
            f"train_test_split: the train ({n_train}) and test ({n_test}) sizes must "
            f"be at least the number of classes ({len(classes)}) to stratify"
        )
    per_train = _allocate(counts, n_train)
    per_test = _allocate(counts - per_train, n_test)
    train, test = [], []
    for c in range(len(classes)):
        members = rng.permutation(np.flatnonzero(y == c))
        train.append(members[: per_train[c]])
        test.append(members[per_train[c] : per_train[c] + per_test[c]])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def _take(array: Tensor | np.ndarray | Sequence, idx: np.ndarray):
    if isinstance(array, Tensor):
        return Tensor(array._data[idx])
    if isinstance(array, np.ndarray):
        return array[idx]
    return [array[i] for i in idx.tolist()]


def train_test_split(
    *arrays,
    test_size: float | None = None,
    train_size: float | None = None,
    random_state: int | np.random.Generator | None = None,
    shuffle: bool = True,
    stratify: Tensor | ArrayLike | None = None,
) -> list:
    """Split arrays into random train and test subsets (``sklearn.model_selection``).

    Returns ``train_a, test_a, train_b, test_b, ...``, each of the type of its input (Tensor,
    ndarray or list). ``test_size``/``train_size`` are fractions or counts; with neither, the
    test set is 25% (rounded up). ``stratify`` (class labels) keeps class proportions in both
    sets. Without ``random_state`` the order comes from the package generator; an int seeds a
    private generator (results differ from scikit-learn's for the same seed).

        >>> x, y = np.arange(20).reshape(10, 2), np.array([0, 1] * 5)
        >>> x_tr, x_te, y_tr, y_te = mt.data.train_test_split(x, y, test_size=0.2, stratify=y)
        >>> x_tr.shape, x_te.shape, sorted(y_te.tolist())
        ((8, 2), (2, 2), [0, 1])
    """
    if not arrays:
        raise ValueError("train_test_split expected at least one array, got none")
    lengths = [len(a) for a in arrays]
    if len(set(lengths)) > 1:
        raise ValueError(
            f"train_test_split: all arrays must have the same number of samples, got "
            f"lengths {lengths}"
        )
    n = lengths[0]
    if stratify is not None and len(stratify) != n:
        raise ValueError(
            f"train_test_split: stratify has {len(stratify)} labels but the arrays have {n} samples"
        )
    n_train, n_test = _split_sizes(n, test_size, train_size)
    if not shuffle:
        if stratify is not None:
            raise ValueError("train_test_split: stratify requires shuffle=True")
        train, test = np.arange(n_train), np.arange(n_train, n_train + n_test)
    elif stratify is not None:
        train, test = _stratified(stratify, n_train, n_test, _rng(random_state, "train_test_split"))
    else:
        order = _rng(random_state, "train_test_split").permutation(n)
        test, train = order[:n_test], order[n_test : n_test + n_train]
    out = []
    for a in arrays:
        out.extend((_take(a, train), _take(a, test)))
    return out
