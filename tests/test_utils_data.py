"""``mt.utils.data`` as PyTorch's ``torch.utils.data``: the same classes as ``mt.data``, with
PyTorch's collation, samplers, loader arguments and errors (compared with recorded PyTorch
answers where PyTorch's output does not depend on its random stream)."""

import collections

import numpy as np
import pytest
from torch_parity import reference

import minitorch_es as mt
from minitorch_es.utils import data

Point = collections.namedtuple("Point", "x y")


def test_utils_data_is_the_data_package_under_pytorch_names():
    for name in ("Dataset", "TensorDataset", "Subset", "DataLoader", "random_split"):
        assert getattr(data, name) is getattr(mt.data, name)
    assert data.distributed.DistributedSampler is mt.data.DistributedSampler
    assert mt.utils.data is data


# ------------------------------------------------------------------ collation, against PyTorch
def _cases(lib):
    """Sample lists built with ``lib`` (torch or mt), as tutorials' datasets return them."""
    t = lib.tensor
    return {
        "tensor_and_int": [(t([1.0, 2.0]), 0), (t([3.0, 4.0]), 1)],
        "floats_ints_bools": [(1.5, 2, True), (2.5, 3, False)],
        "numpy": [(np.array([1, 2], dtype=np.int32), np.float32(0.5))] * 2,
        "dict": [{"a": t([1.0]), "b": [1, 2], "c": "x"}, {"a": t([2.0]), "b": [3, 4], "c": "y"}],
        "list_sample": [[t(1.0), 2.0], [t(3.0), 4.0]],
        "namedtuple": [Point(1, 2.0), Point(3, 4.0)],
        "strings": ["first", "second"],
    }


class _Spec:
    """Stands for a library in `_cases` to write the cases out (their repr is the fixture's
    input, so editing a case makes its fixture stale)."""

    @staticmethod
    def tensor(value):
        return ("tensor", value)


def _describe(value, path="out"):
    """A collated batch as flat {path: array}: container types and dtypes as strings."""
    if isinstance(value, dict):
        out = {f"{path}:type": np.asarray("dict")}
        for k, v in value.items():
            out.update(_describe(v, f"{path}/{k}"))
        return out
    if isinstance(value, (list, tuple)):
        out = {f"{path}:type": np.asarray(type(value).__name__)}
        for i, v in enumerate(value):
            out.update(_describe(v, f"{path}/{i}"))
        return out
    if isinstance(value, str):
        return {path: np.asarray(value)}
    array = np.asarray(value.numpy() if hasattr(value, "numpy") else value)
    dtype = str(value.dtype).replace("torch.", "")
    return {path: array, f"{path}:dtype": np.asarray(dtype)}


@pytest.mark.parametrize("case", sorted(_cases(mt)))
def test_default_collate_matches_torch(case):
    ours = _describe(data.default_collate(_cases(mt)[case]))
    theirs = reference(
        f"utils_data/collate_{case}",
        lambda torch, spec: _describe(torch.utils.data.default_collate(_cases(torch)[case])),
        spec=np.asarray(repr(_cases(_Spec)[case])),  # a changed case makes the fixture stale
    )
    assert sorted(ours) == sorted(theirs)
    for key, value in theirs.items():
        np.testing.assert_array_equal(ours[key], value, err_msg=key)


def test_default_collate_errors():
    with pytest.raises(TypeError, match="batch must contain tensors, numpy arrays, numbers"):
        data.default_collate([object(), object()])
    with pytest.raises(TypeError, match="found an array of dtype <U1 in the batch"):
        data.default_collate([np.array(["a"]), np.array(["b"])])
    with pytest.raises(RuntimeError, match=r"\[2\] at entry 0 and \[3\] at entry 1 of key 'a'"):
        data.default_collate([{"a": mt.zeros(2)}, {"a": mt.zeros(3)}])
    with pytest.raises(ValueError, match="non-empty list of samples"):
        data.default_collate([])
    with pytest.raises(TypeError, match="expected a list of samples, got int"):
        data.default_collate(3)


def test_default_convert_turns_arrays_into_tensors_inside_containers():
    out = data.default_convert({"x": np.arange(3), "pair": (np.float32(2), "s")})
    assert isinstance(out["x"], mt.Tensor) and out["x"].tolist() == [0, 1, 2]
    assert isinstance(out["pair"], list) and out["pair"][0].dtype == mt.float32
    assert out["pair"][1] == "s"
    assert data.default_convert(Point(np.zeros(1), 3)).y == 3


# ---------------------------------------------------------- the loader's batches, against PyTorch
LOADERS = {
    "batch_4": {"batch_size": 4},
    "drop_last": {"batch_size": 4, "drop_last": True},
    "no_batching": {"batch_size": None},
    "batch_sampler": {"batch_sampler": [[9, 0], [1, 2, 3], [5]]},
    "sampler": {"batch_size": 2, "sampler": [3, 1, 4, 1, 5]},
}


def _batches(lib, loader_kwargs):
    x = np.arange(20, dtype=np.float32).reshape(10, 2)
    ds = lib.utils.data.TensorDataset(lib.tensor(x), lib.tensor(np.arange(10)))
    loader = lib.utils.data.DataLoader(ds, **loader_kwargs)
    return {"len": len(loader), "batches": [_describe(b) for b in loader]}


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_loader_batches_match_torch(name):
    ours = _batches(mt, LOADERS[name])
    theirs = reference(f"utils_data/loader_{name}", lambda torch: _batches(torch, LOADERS[name]))
    assert ours["len"] == theirs["len"] and len(ours["batches"]) == len(theirs["batches"])
    for mine, ref in zip(ours["batches"], theirs["batches"]):
        assert sorted(mine) == sorted(ref)
        for key in ref:
            np.testing.assert_array_equal(mine[key], ref[key], err_msg=key)


def test_random_split_lengths_match_torch():
    cases = [[0.3, 0.3, 0.4], [0.5, 0.5], [4, 7], [0.1, 0.9], [0.25, 0.25, 0.25, 0.25]]
    ours = [[len(s) for s in data.random_split(range(11), c)] for c in cases]
    theirs = reference(
        "utils_data/random_split_lengths",
        lambda torch, spec: [
            [len(s) for s in torch.utils.data.random_split(range(11), c)] for c in cases
        ],
        spec=np.asarray(repr(cases)),
    )
    assert ours == [[int(n) for n in r] for r in theirs]


# ----------------------------------------------------------------------------- samplers
def test_sequential_and_random_samplers():
    assert list(data.SequentialSampler(range(4))) == [0, 1, 2, 3]
    sampler = data.RandomSampler(range(6))
    first, second = list(sampler), list(sampler)
    assert sorted(first) == sorted(second) == list(range(6)) and first != second
    longer = list(data.RandomSampler(range(4), num_samples=10))
    assert len(longer) == 10 and sorted(longer[:4]) == sorted(longer[4:8]) == [0, 1, 2, 3]
    drawn = list(data.RandomSampler(range(3), replacement=True, num_samples=50))
    assert len(drawn) == 50 and set(drawn) == {0, 1, 2}


def test_samplers_follow_their_generator_not_the_package_one():
    def order():
        return list(data.RandomSampler(range(20), generator=np.random.default_rng(7)))

    mt.manual_seed(1)
    a = order()
    mt.manual_seed(2)
    assert order() == a == np.random.default_rng(7).permutation(20).tolist()
    ds = data.TensorDataset(mt.arange(20))
    loader = data.DataLoader(ds, batch_size=20, shuffle=True, generator=np.random.default_rng(7))
    assert next(iter(loader))[0].tolist() == a


@pytest.mark.parametrize(
    "options", [{}, {"num_samples": 7}, {"replacement": True, "num_samples": 9}]
)
def test_a_loader_takes_a_random_samplers_indices_in_its_iteration_order(options):
    ds = data.TensorDataset(mt.arange(5))

    def sampler():
        return data.RandomSampler(ds, generator=np.random.default_rng(3), **options)

    expected = list(sampler())
    indices = sampler().indices()
    assert indices.dtype == np.int64 and indices.tolist() == expected
    loader = data.DataLoader(ds, batch_size=4, sampler=sampler())
    assert [v for (batch,) in loader for v in batch.tolist()] == expected


def test_subset_weighted_and_batch_samplers():
    assert sorted(data.SubsetRandomSampler([10, 30, 20])) == [10, 20, 30]
    weights = mt.tensor([0.0, 1.0, 3.0, 0.0])
    drawn = list(data.WeightedRandomSampler(weights, 400))
    assert set(drawn) == {1, 2} and 0.6 < drawn.count(2) / 400 < 0.9
    distinct = list(data.WeightedRandomSampler([1, 1, 1, 0], 3, replacement=False))
    assert sorted(distinct) == [0, 1, 2]
    batches = data.BatchSampler(data.SequentialSampler(range(7)), 3, drop_last=True)
    assert list(batches) == [[0, 1, 2], [3, 4, 5]] and len(batches) == 2


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: data.RandomSampler(range(3), replacement=1), TypeError, "replacement should be"),
        (lambda: data.RandomSampler(range(3), num_samples=0), ValueError, "num_samples=0"),
        (lambda: data.RandomSampler(range(3), generator=3.5), TypeError, "numpy Generator"),
        (lambda: data.WeightedRandomSampler([[1.0]], 2), ValueError, r"shape \(1, 1\)"),
        (lambda: data.WeightedRandomSampler([1.0, -1.0], 2), ValueError, "finite numbers >= 0"),
        (lambda: data.WeightedRandomSampler([0.0, 0.0], 2), ValueError, "sum to 0"),
        (
            lambda: data.WeightedRandomSampler([1.0, 0.0], 2, replacement=False),
            ValueError,
            "num_samples=2 without replacement from 1 indices",
        ),
        (lambda: data.BatchSampler(range(3), 0, False), ValueError, "batch_size=0"),
        (lambda: data.BatchSampler(range(3), 2, 1), ValueError, "drop_last=1"),
    ],
)
def test_sampler_argument_errors(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_a_sampler_must_implement_iter():
    with pytest.raises(NotImplementedError, match="Sampler must implement __iter__"):
        iter(data.Sampler())


# ------------------------------------------------------------------------------ datasets
class Countdown(data.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n, 0, -1))

    def __len__(self):
        return self.n


class Stream(data.IterableDataset):
    def __iter__(self):
        return iter([np.zeros(2, np.float32)] * 3)


def test_concat_and_chain_datasets():
    a, b = data.TensorDataset(mt.arange(3)), data.TensorDataset(mt.arange(10, 12))
    both = data.ConcatDataset([a, b])
    assert [both[i][0].item() for i in range(-5, 5)] == [0, 1, 2, 10, 11] * 2
    assert (a + b).cumulative_sizes == [3, 5]
    with pytest.raises(IndexError, match="index 5 is out of range for 5 samples"):
        both[5]
    with pytest.raises(TypeError, match="indices must be integers"):
        both["1"]
    with pytest.raises(ValueError, match="should not be an empty iterable"):
        data.ConcatDataset([])
    with pytest.raises(TypeError, match="does not support IterableDataset"):
        data.ConcatDataset([a, Countdown(2)])
    with pytest.raises(TypeError, match="dataset 0 must be map-style"):
        data.ConcatDataset([3])
    chained = Countdown(2) + Countdown(1)
    assert list(chained) == [2, 1, 1] and len(data.ChainDataset([Countdown(1)])) == 1
    with pytest.raises(TypeError, match="dataset 1 is a TensorDataset"):
        list(data.ChainDataset([Countdown(1), a]))
    with pytest.raises(TypeError, match="iterate it, not index it"):
        Countdown(2)[0]


def test_loader_over_an_iterable_dataset():
    batches = [b.tolist() for b in data.DataLoader(Countdown(5), batch_size=2)]
    assert batches == [[5, 4], [3, 2], [1]]
    assert len(data.DataLoader(Countdown(5), batch_size=2)) == 3
    assert len(data.DataLoader(Countdown(5), batch_size=2, drop_last=True)) == 2
    assert [b.tolist() for b in data.DataLoader(Countdown(5), 2, drop_last=True)] == [
        [5, 4],
        [3, 2],
    ]
    assert [b for b in data.DataLoader(Countdown(2), batch_size=None)] == [2, 1]
    assert [b.shape for b in data.DataLoader(Stream(), batch_size=None)] == [(2,)] * 3
    with pytest.raises(TypeError, match="has no len"):
        len(data.DataLoader(Stream()))
    for kwargs, name in (
        ({"shuffle": True}, "shuffle"),
        ({"sampler": [0]}, "sampler"),
        ({"batch_sampler": [[0]]}, "batch_sampler"),
    ):
        with pytest.raises(ValueError, match=f"expected unspecified {name} option"):
            data.DataLoader(Countdown(3), **kwargs)


def test_iterable_loader_state_restarts_epochs_only():
    loader = data.DataLoader(Countdown(4), batch_size=2)
    it = iter(loader)
    next(it)
    state = loader.state_dict()
    assert state["index"] == 1 and state["num_samples"] is None
    with pytest.raises(ValueError, match="cannot be resumed mid-epoch"):
        data.DataLoader(Countdown(4), batch_size=2).load_state_dict(state)
    other = data.DataLoader(Countdown(4), batch_size=2)
    other.load_state_dict({**state, "index": 0})
    assert [b.tolist() for b in other] == [[4, 3], [2, 1]]


# -------------------------------------------------------------------------------- loader
def _tds(n=10):
    return data.TensorDataset(mt.arange(n) * 10, mt.arange(n))


def test_loader_attributes_are_pytorchs():
    loader = data.DataLoader(_tds(), batch_size=4, shuffle=True)
    assert isinstance(loader.sampler, data.RandomSampler) and loader.shuffle
    assert isinstance(loader.batch_sampler, data.BatchSampler)
    assert loader.collate_fn is data.default_collate
    plain = data.DataLoader(_tds(), batch_size=None)
    assert isinstance(plain.sampler, data.SequentialSampler) and plain.batch_sampler is None
    assert plain.collate_fn is data.default_convert
    custom = data.DataLoader(_tds(), batch_sampler=[[0, 1]])
    assert custom.batch_size is None and custom.drop_last is False


def test_worker_and_memory_options_load_the_same_batches_in_process():
    calls = []
    loader = data.DataLoader(
        _tds(),
        batch_size=3,
        num_workers=2,
        pin_memory=True,
        worker_init_fn=calls.append,
        persistent_workers=True,
        prefetch_factor=2,
        timeout=5,
    )
    same = data.DataLoader(_tds(), batch_size=3)
    assert [b[1].tolist() for b in loader] == [b[1].tolist() for b in same]
    assert calls == [] and data.get_worker_info() is None


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"num_workers": -1}, ValueError, "num_workers option should be non-negative"),
        ({"num_workers": 1.5}, TypeError, "num_workers to be an int"),
        ({"timeout": -1}, ValueError, "timeout option should be non-negative"),
        ({"prefetch_factor": 2}, ValueError, "prefetch_factor option could only be specified"),
        ({"persistent_workers": True}, ValueError, "persistent_workers option needs"),
        ({"batch_sampler": [[0]], "batch_size": 2}, ValueError, "mutually exclusive with batch"),
        ({"batch_sampler": [[0]], "drop_last": True}, ValueError, "mutually exclusive with batch"),
        ({"batch_size": None, "drop_last": True}, ValueError, "disables auto-batching"),
        ({"batch_sampler": 3}, TypeError, "batch_sampler to be an iterable"),
    ],
)
def test_loader_argument_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        data.DataLoader(_tds(), **kwargs)


def test_loader_checks_what_its_sampler_yields():
    class Liar(data.Sampler):
        def __iter__(self):
            return iter([0, 1])

        def __len__(self):
            return 3

    with pytest.raises(ValueError, match="yielded 2 indices but its len"):
        list(data.DataLoader(_tds(), sampler=Liar()))


def test_a_batch_sampler_resumes_mid_epoch():
    class Shuffled(data.Sampler):
        """Batches of random sizes, so the saved state must carry them."""

        def __iter__(self):
            order = mt.random.generator().permutation(10).tolist()
            return iter([order[:3], order[3:4], order[4:9], order[9:]])

        def __len__(self):
            return 4

    loader = data.DataLoader(_tds(), batch_sampler=Shuffled())
    it = iter(loader)
    next(it), next(it)
    state = loader.state_dict()
    assert state["batch_sizes"].tolist() == [3, 1, 5, 1]
    rest = [b[1].tolist() for b in it]
    resumed = data.DataLoader(_tds(), batch_sampler=Shuffled())
    resumed.load_state_dict(state)
    assert [b[1].tolist() for b in resumed] == rest
    with pytest.raises(ValueError, match="batch_sizes must be 1-d positive ints"):
        resumed.load_state_dict({**state, "batch_sizes": np.array([3, 0, 6, 1])})
    with pytest.raises(ValueError, match="permutation must be 9 indices in range"):
        resumed.load_state_dict({**state, "batch_sizes": np.array([3, 1, 5])})


def test_without_batching_a_loader_yields_converted_samples_and_resumes():
    loader = data.DataLoader(_tds(4), batch_size=None, shuffle=True)
    it = iter(loader)
    first = next(it)
    assert isinstance(first, list) and first[0].shape == ()
    state = loader.state_dict()
    rest = [s[1].item() for s in it]
    again = data.DataLoader(_tds(4), batch_size=None, shuffle=True)
    again.load_state_dict(state)
    assert [s[1].item() for s in again] == rest and len(again) == 4


def test_distributed_sampler_under_utils_data():
    ds = _tds(10)
    sampler = data.distributed.DistributedSampler(ds, num_replicas=2, rank=0, seed=3)
    sampler.set_epoch(1)
    one = list(sampler)
    sampler.set_epoch(2)
    assert len(one) == 5 and list(sampler) != one
    loader = data.DataLoader(ds, batch_size=5, sampler=sampler)
    assert [b[1].tolist() for b in loader] == [list(sampler)]
