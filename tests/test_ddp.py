"""DistributedDataParallel and the PyTorch-named collectives: argument checks in a world of one,
and on ``mpiexec -n 2``: averaged gradients after backward (buckets started while backward
runs), no_sync, find_unused_parameters, broadcasts, and the DDP tutorial script that matches a
one-process run on the global batch."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from mpi_jobs import needs_mpi, run_child, run_python

import minitorch_es as mt
import minitorch_es.distributed as dist
from minitorch_es.distributed import process_group
from minitorch_es.distributed import world as world_module
from minitorch_es.distributed.reducer import assign_buckets, leaves_reached
from minitorch_es.nn.parallel import DistributedDataParallel as DDP

EXAMPLE = Path(__file__).parent.parent / "examples" / "ddp_tutorial.py"
sys.path.insert(0, str(Path(__file__).parent / "pytorch_programs"))
import corpus  # noqa: E402


@pytest.fixture
def group():
    world_module._reset()
    dist.init_process_group("gloo")
    yield
    if dist.is_initialized():
        dist.destroy_process_group()
    world_module._reset()


# ------------------------------------------------------------------ world of one
def test_ddp_forwards_and_keeps_the_module(group):
    net = mt.nn.Linear(3, 2)
    model = DDP(net, bucket_cap_mb=1, find_unused_parameters=True)
    assert model.module is net and model.reducer is None  # nothing to reduce in a world of one
    assert list(model.state_dict()) == ["module.weight", "module.bias"]
    assert (model.bucket_bytes_cap, model.device_ids, model.output_device) == (1 << 20, None, None)
    x = mt.randn(4, 3)
    with model.no_sync():
        assert not model.require_backward_grad_sync
        model(x).sum().backward()
    assert model.require_backward_grad_sync
    np.testing.assert_allclose(net.weight.grad.numpy(), np.tile(x.numpy().sum(0), (2, 1)), 1e-6)
    assert DDP(net, device_ids=[], output_device=0).output_device is None  # as PyTorch's


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(device_ids=[0]), ValueError, r"device_ids and output_device arguments only work"),
        (dict(output_device=1.5), TypeError, "output_device must be None, an int"),
        (dict(bucket_cap_mb=0), ValueError, "bucket_cap_mb must be a positive number, got 0"),
        (dict(bucket_cap_mb=True), ValueError, "bucket_cap_mb must be a positive number"),
        (dict(find_unused_parameters=1), TypeError, "find_unused_parameters must be a bool"),
        (dict(broadcast_buffers="yes"), TypeError, "broadcast_buffers must be a bool"),
        (dict(dim=0.5), TypeError, "dim must be an int"),
        (dict(process_group=3), ValueError, "group must be None or dist.group.WORLD"),
    ],
)
def test_ddp_argument_errors(group, kwargs, error, match):
    with pytest.raises(error, match=match):
        DDP(mt.nn.Linear(2, 2), **kwargs)


def test_ddp_needs_a_module_with_trainable_parameters_and_a_group(group):
    with pytest.raises(TypeError, match="expected a minitorch_es.nn.Module, got list"):
        DDP([mt.nn.Linear(2, 2)])
    with pytest.raises(RuntimeError, match="is not needed when a module doesn't have any"):
        DDP(mt.nn.ReLU())
    dist.destroy_process_group()
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        DDP(mt.nn.Linear(2, 2))


def test_buckets_go_backwards_one_dtype_each_the_first_small():
    params = [
        mt.nn.Parameter(mt.zeros(n, dtype=dtype))
        for n, dtype in (
            (300_000, mt.float32),
            (10, mt.float64),
            (100_000, mt.float32),
            (5, mt.float32),
        )
    ]
    # PyTorch's rule: reverse order, the first bucket at most 1 MiB, then bucket_cap bytes
    buckets = assign_buckets(params, cap_bytes=1_500_000)
    assert [b.indices for b in buckets] == [[3, 2], [0], [1]]
    assert [b.buffer.dtype for b in buckets] == [np.float32, np.float32, np.float64]
    assert [len(b.indices) for b in assign_buckets(params, cap_bytes=8)] == [1, 1, 1, 1]


def test_leaves_reached_follows_the_graph_of_nested_outputs():
    a, b, c = (mt.ones(2, requires_grad=True) for _ in range(3))
    out = {"x": (a * 2,), "y": [b]}
    assert leaves_reached(out) == {id(a), id(b)} and id(c) not in leaves_reached(out)


# --------------------------------------------------------------- with mpiexec -n 2
@pytest.fixture(scope="module")
def ddp_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("ddp")
    proc = run_child("ddp_child", out)
    assert proc.returncode == 0, proc.stderr[-3000:]
    ranks = []
    for r in range(2):
        with np.load(out / f"rank{r}.npz") as f:
            arrays = dict(f)
        ranks.append((arrays, json.loads((out / f"rank{r}.json").read_text())))
    return ranks


@needs_mpi
def test_collectives_on_two_ranks(ddp_run):
    (a, msg), (b, _) = ddp_run
    v = np.array([[1.5, -2.0], [3.0, 4.0]], np.float32)
    both = np.stack([v, 2 * v])  # rank r holds (r + 1) * v
    expected = {
        "SUM": both.sum(0),
        "AVG": both.mean(0),
        "PRODUCT": both.prod(0),
        "MIN": both.min(0),
        "MAX": both.max(0),
    }
    for rank in (a, b):
        for op, want in expected.items():
            np.testing.assert_array_equal(rank[f"all_reduce {op}"], want, err_msg=op)
        np.testing.assert_array_equal(rank["all_reduce async AVG"], both.mean(0))
        np.testing.assert_array_equal(rank["all_reduce BXOR"], np.array([6, 3]) ^ np.array([7, 4]))
        np.testing.assert_array_equal(
            rank["all_reduce strided"], 3 * np.arange(8.0).reshape(2, 4)[:, ::2]
        )
        np.testing.assert_array_equal(rank["broadcast src=1"], 2 * v)
        np.testing.assert_array_equal(rank["all_gather"], both)
    assert msg["all_gather_object"] == [{"rank": 0}, {"rank": 1}]
    assert msg["broadcast_object_list"] == [1, "from 1"]
    assert msg["backend"] == "mpi"
    assert msg["before init"].startswith("ValueError: Default process group has not been")
    assert "world_size=3 but this process is rank 0 of 2" in msg["world_size=3"]
    assert "(rank 0 in save_checkpoint, rank 1 in barrier)" in msg["mismatch"]


def _reference_grads(weights, x, y, halves):
    """The mean over ranks of each rank's gradient, computed here in one process from the
    weights rank 0 broadcast and rank 0's running mean."""
    grads = []
    for half in halves:
        mt.manual_seed(0)
        net = ddp_net()
        offset = 0
        for p in net.parameters():
            p.data = weights[offset : offset + p.numel()].reshape(p.shape)
            offset += p.numel()
        net.norm.running_mean._data[...] = 7.0
        ((net(mt.tensor(x[half])) - mt.tensor(y[half])) ** 2).mean().backward()
        grads.append({n: p.grad.numpy() for n, p in net.named_parameters()})
    return {n: np.mean([g[n] for g in grads], axis=0) for n in grads[0]}, net


def ddp_net():
    net = mt.nn.Module()
    net.first, net.norm = mt.nn.Linear(4, 8), mt.nn.BatchNorm1d(8)
    net.second, net.third, net.act = mt.nn.Linear(8, 6), mt.nn.Linear(6, 3), mt.nn.Tanh()
    net.forward = lambda x: net.third(net.act(net.second(net.act(net.norm(net.first(x))))))
    return net


@needs_mpi
def test_after_backward_every_rank_holds_the_averaged_gradient(ddp_run):
    (a, _), (b, _) = ddp_run
    assert not np.array_equal(a["rank0 weights"], b["rank0 weights"])  # seeded differently
    for rank in (a, b):
        np.testing.assert_array_equal(rank["weights after DDP()"], a["rank0 weights"])
    halves = [slice(0, 4), slice(4, 8)]
    want, _ = _reference_grads(a["weights after DDP()"], a["x"], a["y"], halves)
    for name, g in want.items():
        np.testing.assert_array_equal(a[f"grad {name}"], b[f"grad {name}"])
        np.testing.assert_allclose(a[f"grad {name}"], g, rtol=1e-5, atol=1e-7, err_msg=name)
    # rank 0's buffer (7) reached every rank at forward, then each updated it from its batch
    for r, rank in enumerate((a, b)):
        x = rank["x"][halves[r]]
        h = (
            x @ rank["weights after DDP()"][:32].reshape(8, 4).T
            + rank["weights after DDP()"][32:40]
        )
        np.testing.assert_allclose(rank["running_mean"], 0.9 * 7 + 0.1 * h.mean(0), rtol=1e-5)
    # one bucket per layer or so; the last layer's was all-reduced before backward reached the
    # layers before it (the probe sits between the second and third layers)
    assert list(a["buckets"]) == [2, 1, 1, 3, 1]
    assert list(a["started at first layer"]) == [1]


@needs_mpi
def test_no_sync_accumulates_locally_then_averages_the_sum(ddp_run):
    (a, _), (b, _) = ddp_run
    assert not np.array_equal(a["local after no_sync"], b["local after no_sync"])
    local = [rank["local after no_sync"] for rank in (a, b)]
    grads = [rank["grad third.weight"] for rank in (a, b)]  # the synced step's own gradient
    want = np.mean(local, axis=0) + grads[0]  # weights unchanged: same per-rank gradients
    for rank in (a, b):
        np.testing.assert_allclose(rank["synced after no_sync"], want, rtol=1e-5, atol=1e-7)


@needs_mpi
def test_find_unused_parameters(ddp_run):
    (a, msg0), (b, msg1) = ddp_run
    # `spare` ran on rank 0 only: rank 1 contributes zeros, both get the average
    np.testing.assert_array_equal(a["spare grad"], b["spare grad"])
    assert np.abs(a["spare grad"]).sum() > 0
    assert msg0["never grad"] == msg1["never grad"] == "None"  # no rank used it: untouched
    for msg, rank in ((msg0, 0), (msg1, 1)):
        assert msg["unused"].startswith("RuntimeError: Expected to have finished reduction")
        assert f"did not receive grad for rank {rank}: " in msg["unused"]
        assert "find_unused_parameters=True" in msg["unused"]
        assert "wrap different models" in msg["different models"]
        assert "device_ids [0]" in msg["device_ids"]


@needs_mpi
def test_trainer_fit_of_a_ddp_model_averages_once(ddp_run):
    (a, _), (b, _) = ddp_run
    np.testing.assert_array_equal(a["fit ddp"], b["fit ddp"])
    np.testing.assert_allclose(a["fit ddp"], a["fit plain"], rtol=1e-6, atol=1e-7)


@needs_mpi
def test_the_ddp_tutorial_on_two_ranks_matches_one_process_on_the_global_batch(tmp_path):
    two = run_python(EXAMPLE, "--batch-size", 16, "--save", tmp_path / "two.pt", ranks=2)
    assert two.returncode == 0, two.stderr[-3000:]
    one = run_python(EXAMPLE, "--batch-size", 32, "--save", tmp_path / "one.pt", ranks=0)
    assert one.returncode == 0, one.stderr[-3000:]
    assert two.stdout.count("epoch 3:") == 1  # rank 0 prints
    a, b = mt.load(tmp_path / "two.pt"), mt.load(tmp_path / "one.pt")
    assert list(a) == ["net1.weight", "net1.bias", "net2.weight", "net2.bias"]
    for key in a:  # 48 SGD steps; weights of order 1
        np.testing.assert_allclose(a[key].numpy(), b[key].numpy(), rtol=0, atol=1e-6, err_msg=key)


def test_the_ddp_tutorial_is_pytorchs_program_with_its_imports_changed():
    source = EXAMPLE.read_text()
    changes = corpus.changed_lines(source)
    assert len(changes) == 7
    for original, _ in changes:
        assert original.startswith(("import torch", "from torch"))
    assert "import torch.distributed as dist" in corpus.to_torch(source)


def test_process_group_state_is_reset_by_destroy(group):
    assert dist.is_initialized() and process_group.timeout().total_seconds() == 1800
    with pytest.raises(ValueError, match="trying to initialize the default process group twice"):
        dist.init_process_group("mpi")
