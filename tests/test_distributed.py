"""Data-parallel training (issue 11): the world of one without MPI, DistributedSampler shards,
the DataLoader's sampler, DistributedOptimizer; and, launched with ``mpiexec -n 2``, equivalence
with one process on the global batch, rank-0 checkpoints with exact resume, and failing ranks
that end the job with a message instead of a hang."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from mpi_jobs import needs_mpi, run_python

import minitorch_es as mt
from minitorch_es.data import DataLoader, DistributedSampler, TensorDataset
from minitorch_es.distributed import world as world_module
from minitorch_es.distributed.world import failure_message


@pytest.fixture(autouse=True)
def _fresh_world():
    world_module._reset()
    yield
    world_module._reset()


# ------------------------------------------------------------------ world of one
def test_plain_run_is_a_world_of_one_without_mpi4py():
    code = (
        "import sys, numpy as np, minitorch_es as mt\n"
        "d = mt.distributed\n"
        "assert (d.rank(), d.world_size(), d.is_main()) == (0, 1, True)\n"
        "d.barrier()\n"
        "m = mt.nn.Linear(3, 2)\n"
        "mt.Trainer(m, 'sgd', 'mse').fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0)\n"
        "print('mpi4py' in sys.modules)\n"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in world_module.SIZE_VARIABLES + world_module.RANK_VARIABLES
    }
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("op", ["sum", "mean", "max", "min", mt.distributed.ReduceOp.PRODUCT])
def test_collectives_are_the_identity_in_a_world_of_one(op):
    a = np.array([[1.5, -2.0], [3.0, 4.0]], dtype=np.float32)
    assert mt.distributed.all_reduce(a, op) is None
    np.testing.assert_array_equal(a, [[1.5, -2.0], [3.0, 4.0]])
    t = mt.tensor([1, 2])
    version = t._version_count
    assert mt.distributed.broadcast(t, src=0) is None and t.tolist() == [1, 2]
    assert mt.distributed.all_reduce(t, async_op=True).wait() and t._version_count == version + 1
    assert mt.distributed.broadcast_object({"k": 1}) == {"k": 1}
    flags = np.array([True, False])
    mt.distributed.all_reduce(flags, "max")
    np.testing.assert_array_equal(flags, [True, False])
    out = [mt.zeros(2, dtype=mt.int64)]
    mt.distributed.all_gather(out, t)
    assert out[0].tolist() == [1, 2]
    objects, listed = [None], ["a"]
    mt.distributed.all_gather_object(objects, 5)
    mt.distributed.broadcast_object_list(listed, src=0)
    assert objects == [5] and listed == ["a"]
    assert mt.distributed.barrier() is None


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: mt.distributed.all_reduce([1.0, 2.0]), TypeError, "Tensor or a NumPy array"),
        (lambda: mt.distributed.all_reduce(np.ones(3), "prod_"), ValueError, "SUM, AVG, PRODUCT"),
        (
            lambda: mt.distributed.all_reduce(np.arange(3), "mean"),
            TypeError,
            "AVG needs a floating",
        ),
        (lambda: mt.distributed.all_reduce(np.ones(2), "bor"), TypeError, "BOR needs an integer"),
        (lambda: mt.distributed.all_reduce(np.ones(2, bool), "sum"), TypeError, "bool tensor"),
        (lambda: mt.distributed.all_reduce(np.array(["a"])), TypeError, "dtype <U1"),
        (
            lambda: mt.distributed.all_reduce(np.ones(2), group=object()),
            ValueError,
            r"group must be None or dist.group.WORLD \(subgroups are not supported\)",
        ),
        (
            lambda: mt.distributed.all_reduce(np.broadcast_to(np.ones(1), (3,))),
            ValueError,
            "read-only",
        ),
        (
            lambda: mt.distributed.broadcast(np.ones(2), src=1),
            ValueError,
            r"src \(a rank\) must be an int in \[0, 0\], got 1",
        ),
        (lambda: mt.distributed.broadcast(np.ones(2)), ValueError, "Must specify global_rank"),
        (lambda: mt.distributed.broadcast(np.ones(2), 0, group_src=0), ValueError, "both"),
        (lambda: mt.distributed.broadcast_object(1, src=-1), ValueError, "got -1"),
        (lambda: mt.distributed.all_gather([], mt.ones(2)), RuntimeError, "list of 1 tensors"),
        (
            lambda: mt.distributed.all_gather([mt.zeros(3)], mt.ones(2)),
            ValueError,
            r"tensor_list\[0\] has shape \(3,\)",
        ),
        (lambda: mt.distributed.all_gather_object([], 1), ValueError, "list of 1 entries"),
        (lambda: mt.distributed.broadcast_object_list((1,), src=0), TypeError, "must be a list"),
        (lambda: mt.distributed.barrier(device_ids=[0]), ValueError, "device_ids are for GPUs"),
        (lambda: mt.distributed.barrier(timeout=5), TypeError, "datetime.timedelta"),
        (lambda: mt.distributed.init(use_mpi="yes"), TypeError, "None, True or False"),
    ],
)
def test_collective_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_launch_detection_from_the_launcher_environment():
    detect = world_module.launched_by_mpi
    assert detect({}) is None
    assert detect({"PMI_SIZE": "1", "PMI_RANK": "0"}) is None  # mpiexec -n 1
    assert detect({"PMI_SIZE": "2"}) == "PMI_SIZE=2"
    assert detect({"OMPI_COMM_WORLD_SIZE": "4"}) == "OMPI_COMM_WORLD_SIZE=4"
    assert detect({"PMIX_RANK": "3"}) == "PMIX_RANK=3"


@pytest.mark.parametrize("env, use_mpi", [({"PMI_SIZE": "2", "PMI_RANK": "1"}, None), ({}, True)])
def test_missing_mpi4py_says_what_to_install(monkeypatch, env, use_mpi):
    for name in world_module.SIZE_VARIABLES + world_module.RANK_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setitem(sys.modules, "mpi4py", None)  # makes `from mpi4py import MPI` fail
    with pytest.raises(
        ImportError, match=r'pip install -e "\.\[mpi\]".*minitorch-es\[mpi\]'
    ) as info:
        mt.distributed.init(use_mpi=use_mpi)
    assert ("PMI_SIZE=2" if env else "use_mpi=True") in str(info.value)


def test_failure_message_names_the_rank():
    try:
        raise ValueError("boom")
    except ValueError as e:
        text = failure_message(e, rank=1, size=2)
    assert text.startswith("minitorch_es: rank 1 (of 2) failed: ValueError: boom\n")
    assert "Traceback" in text and text.endswith("because rank 1 failed\n")
    with pytest.raises(KeyError), mt.distributed.abort_on_failure():  # one rank: re-raised
        raise KeyError("k")


# ------------------------------------------------------------- DistributedSampler
@pytest.mark.parametrize(
    "drop_last, shards",
    [
        (False, [[0, 3, 6, 9], [1, 4, 7, 0], [2, 5, 8, 1]]),  # padded with the first indices
        (True, [[0, 3, 6], [1, 4, 7], [2, 5, 8]]),  # tail dropped
    ],
)
def test_sampler_shards_without_shuffle(drop_last, shards):
    data = list(range(10))
    got = [
        list(DistributedSampler(data, num_replicas=3, rank=r, shuffle=False, drop_last=drop_last))
        for r in range(3)
    ]
    assert got == shards
    assert len(DistributedSampler(data, 3, 0, drop_last=drop_last)) == len(shards[0])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(num_replicas=2, rank=2), r"Invalid rank 2, rank should be in the interval \[0, 1\]"),
        (dict(num_replicas=0, rank=0), "num_replicas must be an int >= 1"),
        (dict(num_replicas=2, rank=0, seed=-1), "seed must be an int >= 0"),
    ],
)
def test_sampler_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        DistributedSampler(range(4), **kwargs)
    with pytest.raises(TypeError, match="dataset with __len__"):
        DistributedSampler(iter([1]), 1, 0)
    with pytest.raises(ValueError, match="set_epoch: epoch must be an int >= 0"):
        DistributedSampler(range(4), 1, 0).set_epoch(-1)


def test_sampler_defaults_to_the_world_and_round_trips_its_state():
    s = DistributedSampler(range(9), seed=3)
    assert (s.num_replicas, s.rank, s.shuffle, s.drop_last) == (1, 0, True, False)
    s.set_epoch(4)
    other = DistributedSampler(range(9))
    other.load_state_dict({k: np.asarray(v) for k, v in s.state_dict().items()})
    assert list(other) == list(s)
    with pytest.raises(
        ValueError,
        match=r"num_replicas=1 but this sampler has num_replicas=2 "
        r"\(resume on the same number of ranks\)",
    ):
        DistributedSampler(range(9), 2, 0).load_state_dict(s.state_dict())
    with pytest.raises(ValueError, match="keys 'epoch' and 'seed'"):
        other.load_state_dict({"epoch": 1})


# ------------------------------------------------------------ DataLoader(sampler=)
def _labels(loader):
    return [yb.tolist() for _, yb in loader]


def test_dataloader_follows_the_sampler():
    ds = TensorDataset(np.zeros((10, 1), np.float32), np.arange(10))
    loader = DataLoader(ds, batch_size=3, sampler=DistributedSampler(ds, 2, 1, shuffle=False))
    assert len(loader) == 2 and _labels(loader) == [[1, 3, 5], [7, 9]]
    assert _labels(DataLoader(ds, batch_size=2, sampler=[9, 0, 4])) == [[9, 0], [4]]
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(ds, shuffle=True, sampler=[0])
    with pytest.raises(TypeError, match="sampler to be an iterable of indices with __len__"):
        DataLoader(ds, sampler=3)


def test_loader_state_of_one_rank_resumes_every_rank_mid_epoch():
    ds = TensorDataset(np.zeros((20, 1), np.float32), np.arange(20))

    def loader(rank):
        return DataLoader(ds, batch_size=2, sampler=DistributedSampler(ds, 2, rank, seed=5))

    full = {r: loader(r) for r in range(2)}
    for r in range(2):
        full[r].sampler.set_epoch(3)
    expected = {r: _labels(full[r]) for r in range(2)}
    it = iter(full[0])
    next(it), next(it)
    state = full[0].state_dict()  # what rank 0 writes into a checkpoint
    assert state["permutation"] is None and state["sampler"]["epoch"] == 3
    for r in range(2):
        resumed = loader(r)
        resumed.load_state_dict(state)
        assert _labels(resumed) == expected[r][2:]
    with pytest.raises(ValueError, match="has a sampler state but this loader has no sampler"):
        DataLoader(ds, batch_size=2).load_state_dict(state)
    plain = DataLoader(ds, batch_size=2)
    iter(plain)
    with pytest.raises(ValueError, match="no sampler state but this loader's DistributedSampler"):
        loader(0).load_state_dict(plain.state_dict())


def test_loader_with_a_stateless_sampler_saves_its_order():
    ds = TensorDataset(np.zeros((6, 1), np.float32), np.arange(6))
    a = DataLoader(ds, batch_size=2, sampler=[5, 1, 3, 0])
    it = iter(a)
    next(it)
    b = DataLoader(ds, batch_size=2, sampler=[0, 0, 0, 0])
    b.load_state_dict(a.state_dict())
    assert _labels(b) == [[3, 0]]
    with pytest.raises(ValueError, match=r"4 indices in range\(6\)"):
        b.load_state_dict({**a.state_dict(), "permutation": np.array([0, 9, 1, 2])})


# ----------------------------------------------------------- DistributedOptimizer
def test_distributed_optimizer_is_the_same_optimizer():
    from minitorch_es.checkpoint.checkpoint import _registered_name

    w = mt.nn.Parameter(mt.tensor([1.0, -2.0]))
    ref = mt.nn.Parameter(mt.tensor([1.0, -2.0]))
    base = mt.optim.Adam([w], lr=0.1)
    opt = mt.distributed.DistributedOptimizer(base)
    plain = mt.optim.Adam([ref], lr=0.1)
    assert isinstance(opt, mt.optim.Adam) and type(opt).__name__ == "Adam"
    assert opt.param_groups is base.param_groups and repr(opt).startswith("DistributedOptimizer(")
    scheds = [mt.optim.lr_scheduler.StepLR(o, step_size=1, gamma=0.5) for o in (opt, plain)]
    for _ in range(3):
        for o, p in ((opt, w), (plain, ref)):
            o.zero_grad()
            (p * p).sum().backward()
        opt.synchronize()
        opt.step()
        plain.step()
        for sched in scheds:
            sched.step()
    np.testing.assert_array_equal(w._data, ref._data * 1)  # bit-identical in a world of one
    assert base.state_dict()["state"][0]["step"] == 3 and base.param_groups[0]["lr"] == 0.0125
    assert _registered_name("optimizer", opt) == "Adam"  # checkpoints load into plain Adam
    assert opt.step(closure=lambda: 7) == 7
    with pytest.raises(TypeError, match="expected a minitorch_es.optim.Optimizer, got list"):
        mt.distributed.DistributedOptimizer([w])
    with pytest.raises(ValueError, match="already distributed"):
        mt.distributed.DistributedOptimizer(opt)


# --------------------------------------------------------------- with mpiexec -n 2
# Shared by the MPI children and the single-process references computed here.
COMMON = textwrap.dedent('''
    import numpy as np
    import minitorch_es as mt
    from minitorch_es.data import DataLoader, DistributedSampler, TensorDataset

    OPTIMIZERS = {"sgd": lambda p: mt.optim.SGD(p, lr=0.1, momentum=0.9),
                  "adam": lambda p: mt.optim.Adam(p, lr=0.01)}
    KEYS = ("loss", "accuracy", "val_loss", "val_accuracy")


    def data():
        rng = np.random.default_rng(0)
        return (rng.normal(size=(64, 6)).astype(np.float32), rng.integers(0, 3, 64),
                rng.normal(size=(25, 6)).astype(np.float32), rng.integers(0, 3, 25))


    def mlp(seed, dropout=0.0, norm=False):
        mt.manual_seed(seed)
        nn = mt.nn
        return nn.Sequential(nn.Linear(6, 16), nn.BatchNorm1d(16) if norm else nn.Identity(),
                             nn.Tanh(), nn.Dropout(dropout), nn.Linear(16, 3))


    def with_fit(name, batch, seed, wrap=False):
        """Trainer.fit, no shuffling: rank r's shard of global batch k is every other sample."""
        x, y, xv, yv = data()
        model = mlp(seed)
        opt = OPTIMIZERS[name](model.parameters())
        opt = mt.distributed.DistributedOptimizer(opt) if wrap else opt
        trainer = mt.Trainer(model, opt, "cross_entropy", metrics=["accuracy"])
        h = trainer.fit(x, y, epochs=3, batch_size=batch, shuffle=False, verbose=0,
                        validation_data=(xv, yv)).history
        return model, {k: np.array(h[k]) for k in KEYS}


    def with_loop(name, batch, seed, ranks):
        """A loop of one's own: DistributedSampler (shuffled, seed 5) + DistributedOptimizer."""
        x, y, _, _ = data()
        model, ds = mlp(seed), TensorDataset(x, y)
        sampler = DistributedSampler(ds, *(() if ranks > 1 else (1, 0)), seed=5)
        opt = OPTIMIZERS[name](model.parameters())
        opt = mt.distributed.DistributedOptimizer(opt) if ranks > 1 else opt
        loss_fn = mt.nn.CrossEntropyLoss()
        for epoch in range(3):
            sampler.set_epoch(epoch)
            for xb, yb in DataLoader(ds, batch_size=batch, sampler=sampler):
                opt.zero_grad()
                loss_fn(model(xb), yb).backward()
                opt.step()
        return model
''')

CHILD = COMMON + textwrap.dedent("""
    import sys
    mode, out = sys.argv[1], sys.argv[2]
    rank = mt.distributed.rank()


    import minitorch_es.checkpoint.checkpoint as checkpoint_module
    create = checkpoint_module.create


    def logged_write(path, *args):                  # leaves a mark for each rank that writes
        open(f"{path}.rank{rank}", "w").close()
        return create(path, *args)


    checkpoint_module.create = logged_write


    class SaveMidEpoch(mt.Callback):                # a checkpoint after batch 2 of epoch 2
        def on_batch_end(self, batch, logs=None):
            t = self.trainer
            if mode == "first" and t._epoch_index == 1 and batch == 1:
                mt.save_checkpoint(f"{out}/mid.h5", model=t.model, optimizer=t.optimizer,
                                   scheduler=t.scheduler, trainer=t)


    class Boom(mt.Callback):
        def on_batch_end(self, batch, logs=None):
            if rank == 1 and batch == 1:
                raise ValueError("boom on purpose")


    def checkpointed(tag, resume_from=None):
        x, y, xv, yv = data()
        model = mlp(3 if resume_from is None else 11 + rank, dropout=0.3, norm=True)
        opt = mt.optim.Adam(model.parameters(), lr=0.01)
        trainer = mt.Trainer(model, opt, "cross_entropy", metrics=["accuracy"],
                             scheduler=mt.optim.lr_scheduler.StepLR(opt, 1, gamma=0.7),
                             callbacks=[mt.callbacks.ModelCheckpoint(out + "/ckpt-{epoch}.h5"),
                                        SaveMidEpoch()])
        h = trainer.fit(x, y, epochs=4, batch_size=8, validation_data=(xv, yv), verbose=2,
                        resume_from=resume_from).history
        np.savez(f"{out}/{tag}-rank{rank}.npz", *[a for _, a in model.state_dict().items()],
                 **{k: np.array(h[k]) for k in KEYS})


    if mode == "first":
        found = {}
        for name in OPTIMIZERS:
            model, hist = with_fit(name, 8, seed=rank)   # rank 1 starts from other weights
            found.update({f"fit-{name}-{i}": p._data for i, p in enumerate(model.parameters())})
            found.update({f"fit-{name}-{k}": v for k, v in hist.items()})
            model = with_loop(name, 8, seed=rank, ranks=2)
            found.update({f"loop-{name}-{i}": p._data for i, p in enumerate(model.parameters())})
        model, _ = with_fit("adam", 8, seed=rank, wrap=True)   # fit takes a DistributedOptimizer
        found.update({f"wrapped-{i}": p._data for i, p in enumerate(model.parameters())})
        np.savez(f"{out}/equivalence-rank{rank}.npz", **found)
        checkpointed("full")
    elif mode == "resume":
        checkpointed("from-epoch", f"{out}/ckpt-2.h5")
        checkpointed("from-mid-epoch", f"{out}/mid.h5")
    elif mode == "exception":
        x, y, _, _ = data()
        mt.Trainer(mlp(0), callbacks=[Boom()]).fit(x, y, epochs=50, batch_size=4, verbose=0)
    elif mode == "nan":
        x, y, _, _ = data()
        x[3] = np.nan                                # sample 3 is in rank 1's shard
        mt.Trainer(mlp(0), metrics=None).fit(x, y, epochs=2, batch_size=4, shuffle=False,
                                             verbose=0)
    elif mode == "uncaught":
        if rank == 1:
            raise RuntimeError("outside fit")
        mt.distributed.barrier()                     # rank 0 would wait here forever
    elif mode == "early_exit":
        if rank == 1:
            sys.exit(0)                              # no exception: the excepthook never runs
        mt.distributed.barrier()                     # rank 0 would wait here forever
    elif mode == "finalized":
        from mpi4py import MPI
        mt.distributed.barrier()
        MPI.Finalize()                               # the script shuts MPI down itself
        print(f"rank {rank} done", flush=True)
    elif mode == "late_rank":
        import datetime, time
        mt.distributed.init_process_group(timeout=datetime.timedelta(seconds=1))
        mt.distributed.barrier()
        if rank == 0:
            time.sleep(3)                            # busy alone past the timeout: not an error
        print(f"rank {rank} done", flush=True)
""")


def _launch(tmp_path, mode, timeout=120):
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    return run_python(script, mode, tmp_path, ranks=2, timeout=timeout)


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    """One 2-rank job: the equivalence runs, then a checkpointed run (shared by two tests)."""
    out = tmp_path_factory.mktemp("mpi")
    proc = _launch(out, "first")
    assert proc.returncode == 0, proc.stderr
    return out, proc


def _load(path):
    with np.load(path) as f:
        return dict(f)


@needs_mpi
def test_two_ranks_with_batch_b_equal_one_process_with_batch_2b(first_run):
    out, _ = first_run
    ranks = [_load(out / f"equivalence-rank{r}.npz") for r in range(2)]
    for key in ranks[0]:
        np.testing.assert_array_equal(ranks[0][key], ranks[1][key], err_msg=key)  # in lockstep
    for i in range(4):
        np.testing.assert_array_equal(ranks[0][f"wrapped-{i}"], ranks[0][f"fit-adam-{i}"])
    ns = {}
    exec(COMMON, ns)
    for name in ns["OPTIMIZERS"]:
        model, hist = ns["with_fit"](name, 16, seed=0)
        reference = {f"fit-{name}-{i}": p._data for i, p in enumerate(model.parameters())}
        reference.update({f"fit-{name}-{k}": v for k, v in hist.items()})
        model = ns["with_loop"](name, 16, seed=0, ranks=1)
        reference.update({f"loop-{name}-{i}": p._data for i, p in enumerate(model.parameters())})
        for key, want in reference.items():
            # Float32 rounding (a few ulps after 12 steps): the mean of two half-batch means vs
            # one mean over the whole batch. Weights and logged losses are all of order 1.
            np.testing.assert_allclose(ranks[0][key], want, rtol=1e-6, atol=5e-7, err_msg=key)
        for key in (f"fit-{name}-accuracy", f"fit-{name}-val_accuracy"):
            np.testing.assert_array_equal(ranks[0][key], reference[key], err_msg=key)


@needs_mpi
def test_rank_zero_writes_checkpoints_and_two_ranks_resume_bit_for_bit(first_run):
    out, first = first_run
    assert sorted(p.name for p in out.glob("*.h5.rank*")) == [
        *(f"ckpt-{e}.h5.rank0" for e in range(1, 5)),
        "mid.h5.rank0",
    ]  # written once, by rank 0
    assert first.stdout.count("Epoch 4/4 - loss") == 1  # logs from rank 0 only
    proc = _launch(out, "resume")
    assert proc.returncode == 0, proc.stderr
    for rank in range(2):
        full = _load(out / f"full-rank{rank}.npz")
        for tag in ("from-epoch", "from-mid-epoch"):
            resumed = _load(out / f"{tag}-rank{rank}.npz")
            assert resumed.keys() == full.keys()
            for key in full:
                np.testing.assert_array_equal(resumed[key], full[key], err_msg=f"{tag} {key}")
    assert not list(out.glob("*.rank1"))


@needs_mpi
@pytest.mark.parametrize(
    "mode, message",
    [
        ("exception", "minitorch_es: rank 1 (of 2) failed: ValueError: boom on purpose"),
        ("nan", "NonFiniteLossError: fit: the loss became nan on rank 1 at epoch 1, step 1/8"),
        ("uncaught", "minitorch_es: rank 1 (of 2) failed: RuntimeError: outside fit"),
        ("early_exit", "(rank 0 in barrier, rank 1 in the end of the program); a rank ended"),
    ],
)
def test_a_failing_rank_ends_the_job_with_a_message(tmp_path, mode, message):
    proc = _launch(tmp_path, mode, timeout=60)  # a hang would fail here with TimeoutExpired
    assert proc.returncode != 0
    assert message in proc.stderr, proc.stderr[-3000:]
    assert "aborting all 2 ranks" in proc.stderr


@needs_mpi
def test_a_rank_that_ends_first_waits_for_a_busy_one_and_says_why(tmp_path):
    proc = _launch(tmp_path, "late_rank", timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "rank 0 done" in proc.stdout and "rank 1 done" in proc.stdout
    waiting = "the end of the program on rank 1: not every rank reached the end of the program"
    assert waiting in proc.stderr


@needs_mpi
def test_a_script_that_shuts_mpi_down_itself_ends_cleanly(tmp_path):
    proc = _launch(tmp_path, "finalized", timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "rank 0 done" in proc.stdout and "rank 1 done" in proc.stdout
