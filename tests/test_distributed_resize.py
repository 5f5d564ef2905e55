"""A data-parallel fit reads each epoch in the order one process reads it, so N ranks x b equal
one process x N*b even shuffled; checkpoints hold every rank's state and resume on another
number of ranks (2 -> 1, 1 -> 2) with the same global steps; evaluate and predict on 2 ranks
equal one process exactly. The jobs run once (tests/mpi_children/resize_child.py)."""

import json

import h5py
import numpy as np
import pytest
from checkpoint_files import field
from mpi_jobs import needs_mpi, run_child

import minitorch_es as mt
from minitorch_es.data.shard import ShardSampler, restate_position
from minitorch_es.training.errors import TrainingError
from minitorch_es.utils.data import DataLoader, RandomSampler, SequentialSampler, TensorDataset


# ------------------------------------------------------------------ in one process
def test_shards_interleave_one_order_padded_like_a_distributed_sampler():
    base = RandomSampler(range(10))
    shards = [ShardSampler(base, 3, r) for r in range(3)]
    got = []
    for s in shards:  # each rank draws the epoch's order as one process would
        mt.manual_seed(4)
        got.append(list(s))
    mt.manual_seed(4)
    order = list(RandomSampler(range(10)))
    padded = order + order[:2]
    assert got == [padded[0::3], padded[1::3], padded[2::3]] and len(shards[0]) == 4
    agreed = ShardSampler(base, 2, 1, agree=lambda o: o.__setitem__(slice(None), o[::-1]))
    mt.manual_seed(4)
    assert list(agreed) == order[::-1][1::2]  # what `agree` made of the order is used


def test_a_shard_state_restores_the_epoch_order_on_any_number_of_ranks():
    a = ShardSampler(RandomSampler(range(9)), 2, 0)
    first = list(a)
    state = a.state_dict()
    assert state["kind"] == "shard" and state["num_replicas"] == 2 and state["shuffled"]
    b = ShardSampler(RandomSampler(range(9)), 3, 2)
    b.load_state_dict(state)
    assert list(b) == list(np.resize(a.order, 9)[2::3])  # the same global order, resharded
    assert list(a) != first  # a new epoch draws again
    seq = ShardSampler(SequentialSampler(range(5)), 2, 1)
    list(seq)
    assert seq.state_dict()["order"] is None  # sequential: nothing to store
    with pytest.raises(ValueError, match="saved for 9 samples, shuffled=True, but this loader"):
        seq.load_state_dict(state)
    with pytest.raises(ValueError, match="expected the state of a ShardSampler"):
        seq.load_state_dict({"epoch": 1})
    with pytest.raises(ValueError, match=r"the order must be 9 indices"):
        b.load_state_dict({**state, "order": np.arange(4)})
    with pytest.raises(ValueError, match=r"rank must be in \[0, 1\], got 2"):
        ShardSampler(seq.base, 2, 2)


def _saved(index, batch_size, ranks=2, order=(3, 1, 0, 2, 5, 4, 7, 6)):
    return {
        "epoch": 1,
        "permutation": None,
        "index": index,
        "num_samples": 8,
        "batch_size": batch_size,
        "shuffle": False,
        "drop_last": False,
        "sampler": {
            "kind": "shard",
            "order": np.array(order),
            "shuffled": True,
            "num_replicas": ranks,
            "num_samples": 8,
        },
    }


def test_restating_a_position_keeps_the_global_steps():
    ds = TensorDataset(mt.arange(8))
    local = DataLoader(ds, batch_size=4, shuffle=True)
    state, batches = restate_position(_saved(1, 2), local, 1)  # 2 ranks x 2 -> 1 x 4
    assert (state["index"], batches, state["batch_size"], state["shuffle"]) == (1, 1, 4, True)
    assert state["permutation"].tolist() == [3, 1, 0, 2, 5, 4, 7, 6] and "sampler" not in state
    local.load_state_dict(state)
    assert [xb.tolist() for (xb,) in local] == [[5, 4, 7, 6]]  # the second global batch
    back, _ = restate_position(
        state, DataLoader(ds, batch_size=1, sampler=ShardSampler(RandomSampler(ds), 4, 3)), 1
    )  # 1 x 4 -> 4 x 1
    assert back["sampler"]["num_replicas"] == 4 and back["index"] == 1
    end, none = restate_position(_saved(2, 2), local, None)  # between epochs: any batch size
    assert (end["index"], none) == (len(local), None)
    same = _saved(1, 2)
    assert (
        restate_position(same, DataLoader(ds, 2, sampler=ShardSampler(RandomSampler(ds), 2, 0)), 1)[
            0
        ]
        is same
    )
    with pytest.raises(
        ValueError, match=r"a global batch of 4\); 1 rank\(s\) x 2 continue it only"
    ):
        restate_position(_saved(1, 2), DataLoader(ds, batch_size=2, shuffle=True), 1)
    with pytest.raises(ValueError, match=r"was shuffled but this fit is not \(shuffle=False\)"):
        restate_position(_saved(1, 2), DataLoader(ds, batch_size=4), 1)


# --------------------------------------------------------------- with mpiexec -n 2
@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("resize")
    jobs = [
        (1, ["full"]),
        (2, ["full", "evaluate:2-4.h5", "resume:1-2.h5", "resume:1-mid.h5"]),
        (0, ["resume:2-2.h5", "resume:2-mid.h5", "evaluate:2-4.h5"]),
    ]
    for ranks, tasks in jobs:
        proc = run_child("resize_child", out, *tasks, ranks=ranks)
        assert proc.returncode == 0, proc.stderr[-3000:]

    def load(name):
        with np.load(out / f"{name}.npz") as f:
            return dict(f)

    return out, load


def _close(a, b, keys=None):
    for key in keys or a:
        if key.startswith("history") and ("accuracy" in key or "lr" in key):
            np.testing.assert_array_equal(a[key], b[key], err_msg=key)
        else:  # float32 rounding of a mean of two half-batch means vs one mean
            np.testing.assert_allclose(a[key], b[key], rtol=1e-6, atol=1e-6, err_msg=key)


@needs_mpi
def test_two_ranks_shuffled_equal_one_process_on_the_global_batch(runs):
    _, load = runs
    one, two = load("full-on1"), load("full-on2")
    assert set(one) == set(two) and len(one["history loss"]) == 4
    _close(two, one)


@needs_mpi
@pytest.mark.parametrize("saved", ["2-2.h5", "2-mid.h5"])
def test_a_two_rank_checkpoint_resumes_on_one(runs, saved):
    _, load = runs
    resumed = load(f"resume-{saved}-on1")
    _close(resumed, load("full-on2"))  # as if the 2 ranks had gone on
    _close(resumed, load("full-on1"))


@needs_mpi
@pytest.mark.parametrize("saved", ["1-2.h5", "1-mid.h5"])
def test_a_one_process_checkpoint_resumes_on_two_ranks(runs, saved):
    _, load = runs
    _close(load(f"resume-{saved}-on2"), load("full-on1"))


@needs_mpi
def test_the_file_holds_every_ranks_generator_and_data_position(runs):
    out, _ = runs
    with h5py.File(out / "2-mid.h5") as f:
        ranks = json.loads(field(f, "/", "ranks"))
        rng = json.loads(field(f, "/", "rng_state"))
    assert [r["rank"] for r in ranks] == [0, 1]
    for r in ranks:  # 2 steps of 8 samples per rank into the second epoch
        assert r["data_position"] == {"epoch": 2, "index": 2, "batch_size": 8}
        assert r["rng_state"] == rng  # fit keeps the ranks' generators in step
    with h5py.File(out / "1-mid.h5") as f:
        assert "/.ranks" not in f  # one process: its own state is the file's
    text = mt.checkpoint.describe(out / "2-mid.h5")
    assert "saved by 2 ranks: rank 0 at batch 2, rank 1 at batch 2" in text


@needs_mpi
def test_evaluate_and_predict_on_two_ranks_equal_one_process_exactly(runs):
    _, load = runs
    one, two = load("evaluate-2-4.h5-on1"), load("evaluate-2-4.h5-on2")
    assert two["predict"].shape == (45, 3) and two["predict dataset"].shape == (45, 3)
    for key in one:
        np.testing.assert_array_equal(two[key], one[key], err_msg=key)


@needs_mpi
def test_a_mid_epoch_resume_needs_the_same_global_batch(runs):
    out, _ = runs
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(96, 5)).astype(np.float32), rng.integers(0, 3, 96)
    net = mt.nn.Sequential(mt.nn.Linear(5, 12), mt.nn.Tanh(), mt.nn.Linear(12, 3))
    trainer = mt.Trainer(net, mt.optim.Adam(net.parameters()), metrics=["accuracy"])
    with (
        pytest.raises(TrainingError, match=r"use batch_size=16, or resume from a checkpoint"),
        pytest.warns(UserWarning, match="ModelCheckpoint', 'SaveMidEpoch'] are ignored"),
    ):
        trainer.fit(x, y, epochs=4, batch_size=8, resume_from=out / "2-mid.h5", verbose=0)
