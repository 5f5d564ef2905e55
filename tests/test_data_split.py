"""random_split (PyTorch) and train_test_split (scikit-learn)."""

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es.data import Subset, TensorDataset, random_split, train_test_split


def _ds(n):
    return TensorDataset(np.arange(n))


def _members(subset):
    return sorted(int(subset[i][0].item()) for i in range(len(subset)))


def test_random_split_integer_lengths_partition_the_dataset():
    parts = random_split(_ds(10), [3, 7])
    assert [len(p) for p in parts] == [3, 7] and all(isinstance(p, Subset) for p in parts)
    assert sorted(_members(parts[0]) + _members(parts[1])) == list(range(10))
    assert _members(parts[0]) != [0, 1, 2] or _members(parts[1]) != list(range(3, 10))


def test_random_split_fractions_follow_pytorch_rounding():
    # floor(10 * 0.33) = 3 each, the remainder 1 goes to the first split.
    assert [len(p) for p in random_split(_ds(10), [0.33, 0.33, 0.34])] == [4, 3, 3]
    # floor: 2, 2, 2 -> remainder 1 round-robin from the first.
    assert [len(p) for p in random_split(_ds(7), [0.3, 0.3, 0.4])] == [3, 2, 2]
    assert [len(p) for p in random_split(_ds(5), [0.5, 0.5])] == [3, 2]


def test_random_split_zero_length_fraction_warns():
    with pytest.warns(UserWarning, match="index 1 is 0"):
        random_split(_ds(2), [0.9, 0.1])


def test_random_split_is_deterministic_under_manual_seed():
    mt.manual_seed(3)
    a = [_members(p) for p in random_split(_ds(20), [0.5, 0.5])]
    mt.manual_seed(3)
    b = [_members(p) for p in random_split(_ds(20), [0.5, 0.5])]
    assert a == b
    own = [_members(p) for p in random_split(_ds(20), [10, 10], generator=np.random.default_rng(0))]
    assert own == [
        _members(p) for p in random_split(_ds(20), [10, 10], generator=np.random.default_rng(0))
    ]


@pytest.mark.parametrize(
    "lengths, match",
    [
        ([3, 3], r"sum to 6, but the dataset has 10"),
        ([0.5, 0.6], r"integer lengths summing to 10 or fractions summing to 1"),
        ([-1, 11], "length at index 0 must be a real number >= 0, got -1"),
    ],
)
def test_random_split_errors(lengths, match):
    with pytest.raises(ValueError, match=match):
        random_split(_ds(10), lengths)
    with pytest.raises(TypeError, match="length at index 0 must be a real number >= 0, got str"):
        random_split(_ds(10), ["a", 10])


def test_train_test_split_default_sizes_and_return_order():
    x = np.arange(20).reshape(10, 2)
    y = np.arange(10)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y)
    assert len(x_te) == 3 and len(x_tr) == 7  # ceil(0.25 * 10) = 3
    np.testing.assert_array_equal(x_tr[:, 0] // 2, y_tr)
    np.testing.assert_array_equal(x_te[:, 0] // 2, y_te)
    assert sorted(np.concatenate([y_tr, y_te]).tolist()) == list(range(10))


@pytest.mark.parametrize(
    "kwargs, sizes",
    [
        ({"test_size": 0.2}, (8, 2)),
        ({"test_size": 3}, (7, 3)),
        ({"train_size": 0.5}, (5, 5)),
        ({"train_size": 4}, (4, 6)),
        ({"train_size": 0.5, "test_size": 0.2}, (5, 2)),
        ({"test_size": 0.33}, (6, 4)),
    ],
)
def test_train_test_split_sizes(kwargs, sizes):
    tr, te = train_test_split(np.arange(10), **kwargs)
    assert (len(tr), len(te)) == sizes


def test_train_test_split_types_follow_inputs():
    t_tr, t_te, l_tr, l_te = train_test_split(mt.arange(8), list("abcdefgh"), test_size=2)
    assert isinstance(t_tr, mt.Tensor) and isinstance(l_te, list) and len(l_te) == 2
    assert [chr(ord("a") + i) for i in t_te.tolist()] == l_te


def test_train_test_split_no_shuffle_and_random_state():
    tr, te = train_test_split(np.arange(10), shuffle=False, test_size=0.3)
    assert tr.tolist() == list(range(7)) and te.tolist() == [7, 8, 9]
    a = train_test_split(np.arange(50), random_state=5)
    mt.manual_seed(123)
    b = train_test_split(np.arange(50), random_state=5)
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    mt.manual_seed(1)
    c = train_test_split(np.arange(50))
    mt.manual_seed(1)
    d = train_test_split(np.arange(50))
    assert all(np.array_equal(u, v) for u, v in zip(c, d))


def test_stratify_keeps_class_proportions():
    y = np.array([0] * 60 + [1] * 30 + [2] * 10)
    x = np.arange(100)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.2, stratify=y)
    assert np.bincount(y_te).tolist() == [12, 6, 2]
    assert np.bincount(y_tr).tolist() == [48, 24, 8]
    np.testing.assert_array_equal(y[x_te], y_te)
    assert len(set(x_tr.tolist()) | set(x_te.tolist())) == 100
    # Order within the sets is shuffled, not grouped by class.
    assert not np.array_equal(np.sort(y_tr), y_tr)


def test_stratify_with_uneven_proportions_sums_correctly():
    y = np.array([0] * 7 + [1] * 5 + [2] * 3)
    tr, te = train_test_split(y, test_size=0.4, stratify=y)
    assert len(te) == 6 and len(tr) == 9
    assert all(abs(np.sum(te == c) - 0.4 * np.sum(y == c)) < 1 for c in range(3))


@pytest.mark.parametrize(
    "args, kwargs, error, match",
    [
        ((np.arange(5), np.arange(4)), {}, ValueError, r"lengths \[5, 4\]"),
        ((), {}, ValueError, "at least one array"),
        ((np.arange(5),), {"test_size": 1.5}, ValueError, "test_size=1.5 should be a float in"),
        (
            (np.arange(5),),
            {"test_size": 5},
            ValueError,
            r"test_size=5 should be an int in \[1, 4\]",
        ),
        ((np.arange(5),), {"test_size": "a"}, TypeError, "test_size should be an int"),
        ((np.arange(5),), {"test_size": 0.6, "train_size": 0.6}, ValueError, "should be <= 1"),
        ((np.arange(5),), {"test_size": 3, "train_size": 3}, ValueError, "exceed the 5 samples"),
        ((np.arange(5),), {"stratify": [0, 1, 0, 1]}, ValueError, "stratify has 4 labels"),
        ((np.arange(4),), {"stratify": [0, 1, 0, 1], "shuffle": False}, ValueError, "shuffle=True"),
        ((np.arange(4),), {"stratify": [0, 0, 0, 1]}, ValueError, "least populated class"),
        (
            (np.arange(6),),
            {"stratify": [0, 0, 1, 1, 2, 2], "test_size": 2},
            ValueError,
            "number of classes",
        ),
        ((np.arange(5),), {"random_state": "x"}, TypeError, "random_state"),
    ],
)
def test_train_test_split_errors(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        train_test_split(*args, **kwargs)
