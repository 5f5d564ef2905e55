"""DataLoader: batching, shuffling, determinism and exact mid-epoch resume."""

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es.data import DataLoader, Dataset, Subset, TensorDataset, default_collate


class ListDataset(Dataset):
    """A plain (non-Tensor) dataset, to exercise the per-sample collate path."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return np.array([i, i * i], dtype=np.float32), int(i)


def _tds(n=10):
    return TensorDataset(np.arange(n * 2, dtype=np.float32).reshape(n, 2), np.arange(n))


def _labels(loader):
    return [b[1].tolist() for b in loader]


def test_batches_shapes_last_partial_batch_and_len():
    loader = DataLoader(_tds(10), batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 and len(batches) == 3
    assert [b[0].shape for b in batches] == [(4, 2), (4, 2), (2, 2)]
    # PyTorch's default_collate: a tuple sample (a TensorDataset's) gives a list of fields.
    assert all(isinstance(b, list) and isinstance(b[0], mt.Tensor) for b in batches)
    assert batches[2][1].tolist() == [8, 9]
    assert batches[0][0].dtype == np.float32 and batches[0][1].dtype == np.int64


def test_drop_last():
    loader = DataLoader(_tds(10), batch_size=4, drop_last=True)
    assert len(loader) == 2
    assert _labels(loader) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert len(DataLoader(_tds(3), batch_size=4, drop_last=True)) == 0


def test_fast_path_matches_per_sample_collate():
    ds = _tds(11)
    fast = list(DataLoader(ds, batch_size=4))
    slow = list(DataLoader(ds, batch_size=4, collate_fn=default_collate))
    for f, s in zip(fast, slow):
        for a, b in zip(f, s):
            np.testing.assert_array_equal(a._data, b._data)
            assert a.dtype == b.dtype


def test_batches_are_copies_not_views_of_the_dataset():
    ds = _tds(4)
    ((x, _),) = DataLoader(ds, batch_size=4)
    x._data[...] = -1
    assert ds.arrays[0].min() >= 0


def test_shuffle_changes_order_keeps_the_set_and_differs_per_epoch():
    loader = DataLoader(_tds(50), batch_size=8, shuffle=True)
    first = np.concatenate(_labels(loader))
    second = np.concatenate(_labels(loader))
    assert sorted(first) == list(range(50)) and sorted(second) == list(range(50))
    assert not np.array_equal(first, np.arange(50))
    assert not np.array_equal(first, second)


def test_iterable_many_times_without_shuffle():
    loader = DataLoader(_tds(5), batch_size=2)
    assert _labels(loader) == _labels(loader) == [[0, 1], [2, 3], [4]]


def test_determinism_under_manual_seed():
    mt.manual_seed(42)
    loader = DataLoader(_tds(30), batch_size=7, shuffle=True)
    a = [_labels(loader) for _ in range(3)]
    mt.manual_seed(42)
    b = _labels(DataLoader(_tds(30), batch_size=7, shuffle=True))
    mt.manual_seed(42)
    c = [_labels(loader) for _ in range(3)]
    assert a == c and a[0] == b
    assert a[0] != a[1]


def test_generic_dataset_uses_default_collate():
    loader = DataLoader(ListDataset(5), batch_size=2, shuffle=True)
    for x, y in loader:
        assert x.dtype == np.float32 and y.dtype == np.int64
        np.testing.assert_array_equal(x._data[:, 0], y._data)


def test_subset_of_tensor_dataset_uses_its_indices():
    sub = Subset(_tds(10), [9, 2, 5])
    assert _labels(DataLoader(sub, batch_size=2)) == [[9, 2], [5]]


def test_custom_collate_fn_receives_samples():
    loader = DataLoader(_tds(5), batch_size=2, collate_fn=lambda samples: len(samples))
    assert list(loader) == [2, 2, 1]


def test_default_collate_structures_and_errors():
    batch = default_collate([{"a": 1.5, "b": True}, {"a": 2.5, "b": False}])
    assert batch["a"].dtype == np.float64 and batch["b"].dtype == np.bool_
    assert default_collate([np.zeros(2), np.ones(2)]).shape == (2, 2)
    with pytest.raises(RuntimeError, match=r"\[2\] at entry 0 and \[3\] at entry 1 of field 0"):
        default_collate([(np.zeros(2),), (np.zeros(3),)])
    with pytest.raises(RuntimeError, match="sample 0 of the batch has 2 fields but sample 1 has 1"):
        default_collate([(1, 2), (1,)])


@pytest.mark.parametrize("bs", [0, -3, 2.5, True, "4"])
def test_bad_batch_size(bs):
    with pytest.raises(ValueError, match=f"batch_size to be a positive int, got {bs!r}"):
        DataLoader(_tds(4), batch_size=bs)


def test_empty_dataset_and_bad_arguments():
    with pytest.raises(ValueError, match="empty dataset"):
        DataLoader(ListDataset(0))
    with pytest.raises(TypeError, match="map-style dataset"):
        DataLoader(42)
    with pytest.raises(TypeError, match="collate_fn to be callable"):
        DataLoader(_tds(3), collate_fn=3)


def _run(loader, epochs, stop_at=None):
    """Train-like loop; returns the batches seen and, at ``stop_at = (epoch, batches done)``,
    a checkpoint (loader state, RNG state, number of batches seen so far)."""
    seen, saved = [], None
    for epoch in range(epochs):
        it = iter(loader)
        done = 0
        if (epoch, done) == stop_at:
            saved = (loader.state_dict(), mt.random.get_state(), len(seen))
        for batch in it:
            mt.randn(1)  # the model draws from the same generator between batches
            seen.append(batch[1].tolist())
            done += 1
            if (epoch, done) == stop_at:
                saved = (loader.state_dict(), mt.random.get_state(), len(seen))
    return seen, saved


@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("cut", [0, 1, 3, 4])
@pytest.mark.parametrize("dataset", [_tds(14), ListDataset(14)], ids=["tensor", "generic"])
def test_mid_epoch_resume_equals_uninterrupted_run(shuffle, cut, dataset):
    """3 epochs of 4 batches; checkpoint after ``cut`` batches of the second epoch; a fresh
    loader resumed from it (plus the RNG state) must continue the sequence exactly."""
    mt.manual_seed(7)
    full, (state, rng_state, done) = _run(
        DataLoader(dataset, batch_size=4, shuffle=shuffle), 3, stop_at=(1, cut)
    )
    assert state["epoch"] == 2 and state["index"] == cut
    assert (state["permutation"] is None) == (not shuffle)

    mt.manual_seed(999)  # some other stream, overwritten by the restore below
    resumed = DataLoader(dataset, batch_size=4, shuffle=shuffle)
    resumed.load_state_dict(state)
    mt.random.set_state(rng_state)
    # An unfinished epoch is continued by the next iteration; a finished one is not.
    epochs_left = 2 if cut < 4 else 1
    rest, _ = _run(resumed, epochs_left)
    assert rest == full[done:]
    assert resumed.state_dict()["epoch"] == 3


def test_state_dict_round_trips_through_numpy_values():
    loader = DataLoader(_tds(10), batch_size=3, shuffle=True)
    it = iter(loader)
    next(it)
    state = loader.state_dict()
    # As a checkpoint would read it back: NumPy scalars instead of Python ints.
    stored = {k: (np.asarray(v) if v is not None else None) for k, v in state.items()}
    other = DataLoader(_tds(10), batch_size=3, shuffle=True)
    other.load_state_dict(stored)
    assert _labels(other) == [b[1].tolist() for b in it]


def test_fresh_iteration_restarts_an_abandoned_epoch():
    loader = DataLoader(_tds(6), batch_size=2)
    it = iter(loader)
    next(it)
    assert loader.state_dict()["index"] == 1
    assert _labels(loader) == [[0, 1], [2, 3], [4, 5]]
    assert loader.state_dict()["epoch"] == 2


@pytest.mark.parametrize(
    "change, match",
    [
        ({"index": 5}, r"index must be an int in \[0, 4\]"),
        ({"epoch": -1}, "epoch must be an int >= 0"),
        ({"permutation": np.array([0, 0, 1, 2, 3, 4, 5, 6, 7, 8])}, "permutation of range"),
        ({"permutation": None}, "no permutation"),
        ({"batch_size": 2}, "saved with batch_size=2 but this loader has batch_size=3"),
        ({"num_samples": 11}, "num_samples=11"),
    ],
)
def test_load_state_dict_rejects_inconsistent_states(change, match):
    loader = DataLoader(_tds(10), batch_size=3, shuffle=True)
    list(loader)
    state = {**loader.state_dict(), **change}
    with pytest.raises(ValueError, match=match):
        DataLoader(_tds(10), batch_size=3, shuffle=True).load_state_dict(state)


def test_load_state_dict_missing_keys():
    with pytest.raises(KeyError, match="lacks the keys"):
        DataLoader(_tds(3)).load_state_dict({"epoch": 1})
    with pytest.raises(TypeError, match="expected a dict"):
        DataLoader(_tds(3)).load_state_dict([1, 2])
