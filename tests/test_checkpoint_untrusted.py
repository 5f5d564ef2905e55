"""Crafted checkpoints: every file an attacker who knows the format could write (digests
recomputed, so only the reader's structural checks stand in the way) raises CheckpointError,
from every entry point, without reading outside the file or allocating what the file does not
hold."""

import contextlib
import json
import os
import signal

import h5py
import numpy as np
import pytest
from checkpoint_files import edit, field, set_field

import minitorch_es as mt
from minitorch_es.checkpoint import CheckpointError, describe
from minitorch_es.cli import main as cli_main


def make_objects():
    mt.manual_seed(0)
    model = mt.nn.Sequential(mt.nn.Linear(2, 3), mt.nn.ReLU(), mt.nn.Linear(3, 1))
    optimizer = mt.optim.Adam(model.parameters(), lr=0.01)
    scheduler = mt.optim.lr_scheduler.StepLR(optimizer, step_size=2)
    model(mt.randn(4, 2)).pow(2).mean().backward()
    optimizer.step()
    return model, optimizer, scheduler


@pytest.fixture
def ckpt(tmp_path):
    model, optimizer, scheduler = make_objects()
    path = tmp_path / "crafted.h5"
    mt.save_checkpoint(path, model=model, optimizer=optimizer, scheduler=scheduler, epoch=1)
    return path


@pytest.fixture
def fifo(tmp_path):
    """A named pipe: opening it for reading blocks until a writer comes, so a reader that
    followed a reference to it would hang (turned into a failure by `no_hang`)."""
    path = tmp_path / "secret"
    os.mkfifo(path)
    return path


@contextlib.contextmanager
def no_hang(seconds=5):
    def fail(*_):
        raise AssertionError("the reader blocked: it followed a reference outside the file")

    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def every_loader(path):
    """Each entry point that reads the file; each must refuse it."""
    model, optimizer, scheduler = make_objects()
    return {
        "load_checkpoint": lambda: mt.load_checkpoint(
            path, model=model, optimizer=optimizer, scheduler=scheduler
        ),
        "load_model": lambda: mt.load_model(path),
        "load": lambda: mt.load(path, weights_only=False),
        "describe": lambda: describe(path),
    }


def assert_refused(path, match, capsys=None):
    for name, load in every_loader(path).items():
        with no_hang(), pytest.raises(CheckpointError, match=match):
            load()
            pytest.fail(f"{name} accepted the file")
    if capsys is not None:
        capsys.readouterr()
        assert cli_main(["inspect", str(path)]) == 1
        err = capsys.readouterr().err
        assert err.startswith("minitorch-es inspect: ") and "\x1b" not in err


def replace_dataset(f, name, **kwargs):
    """Replace dataset ``name`` (keeping its tree reference valid for the new content)."""
    del f[name]
    return f.create_dataset(name, **kwargs)


WEIGHT = "model/state/0/weight"  # Linear(2, 3).weight: float32 (3, 2)


# ----------------------------------------------------------------- reading other files
def test_external_storage_is_refused_before_reading(ckpt, fifo, capsys):
    with edit(ckpt) as f:
        replace_dataset(f, WEIGHT, shape=(3, 2), dtype="float32", external=[(str(fifo), 0, 24)])
    assert_refused(ckpt, "uses external storage", capsys)


def test_external_link_is_refused_before_following(ckpt, fifo, capsys):
    with edit(ckpt) as f:
        del f[WEIGHT]
        f[WEIGHT] = h5py.ExternalLink(str(fifo), "/weight")
    assert_refused(ckpt, f"'/{WEIGHT}' is a external link to .*secret", capsys)


def test_soft_link_is_refused(ckpt, capsys):
    with edit(ckpt) as f:
        del f[WEIGHT]
        f[WEIGHT] = h5py.SoftLink("/model/state/2/weight")
    assert_refused(ckpt, "soft link to '/model/state/2/weight'", capsys)


def test_virtual_dataset_is_refused_before_reading(ckpt, fifo, capsys):
    layout = h5py.VirtualLayout(shape=(3, 2), dtype="float32")
    layout[:] = h5py.VirtualSource(str(fifo), "weight", shape=(3, 2))
    with edit(ckpt) as f:
        del f[WEIGHT]
        f.create_virtual_dataset(WEIGHT, layout)
    assert_refused(ckpt, "virtual dataset", capsys)


# ----------------------------------------------------------------- what the format writes
@pytest.mark.parametrize(
    "dtype, match",
    [
        ("complex64", "stored as complex64"),
        ("S4", "stored as \\|S4"),
        (">f4", "stored as >f4"),
        (h5py.string_dtype(), "stored as object"),
        (np.dtype([("a", "f4"), ("b", "f4")]), "stored as"),
        ("float32", "stored as float32 \\(2, 3\\)"),  # the shape, transposed
    ],
)
def test_unexpected_dtypes_and_shapes_are_refused(ckpt, dtype, match):
    shape = (2, 3) if dtype == "float32" else (3, 2)
    with edit(ckpt) as f:
        replace_dataset(f, WEIGHT, shape=shape, dtype=dtype)
    assert_refused(ckpt, match)


def test_chunked_compressed_storage_is_refused(ckpt):
    with edit(ckpt) as f:
        data = f[WEIGHT][()]
        replace_dataset(f, WEIGHT, data=data, chunks=(1, 2), compression="gzip")
    assert_refused(ckpt, "chunked or filtered storage")


def test_huge_declared_shape_without_storage_is_refused(ckpt):
    with edit(ckpt) as f:  # 6.4 GB declared, nothing stored: reading would allocate it
        replace_dataset(f, WEIGHT, shape=(40000, 40000), dtype="float32")
        tree = json.loads(field(f, "model/state", "tree"))
        tree["0.weight"]["shape"] = [40000, 40000]
        set_field(f, "model/state", "tree", json.dumps(tree))
    assert_refused(ckpt, "0 bytes stored for 6400000000 declared")


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda f: f.attrs.__setitem__("extra", "x"), "'/': has HDF5 attributes"),
        (lambda f: f[WEIGHT].attrs.__setitem__("ndim", 2), f"'/{WEIGHT}': has HDF5 attributes"),
        (lambda f: set_field(f, "/", "extra", "x"), "'/.extra': a field the format does not"),
        (lambda f: set_field(f, "/", "metadata", np.arange(3)), "expected UTF-8 bytes"),
        (lambda f: set_field(f, "/", "metadata", np.array([0xFF], np.uint8)), "not UTF-8"),
        (lambda f: f.create_group(".hidden"), "'/.hidden': a group named like a field"),
        (lambda f: f.create_group(b"model/state/\xff"), "a name that is not UTF-8 text, b'.xff'"),
        (lambda f: f.create_group("model/state/9"), "'/model/state/9': a group that holds no"),
        (lambda f: f.create_group("junk"), "'/junk': not a part of a checkpoint file"),
        (lambda f: f.create_dataset("model/state/x", data=[1.0]), "no tree references"),
        (lambda f: f.__delitem__("model/state/2/bias"), "'/model/state/2/bias': the dataset is"),
        (lambda f: f.__setitem__("model/type", np.dtype("f4")), "named datatype"),
        (lambda f: f["model"].__setitem__("state/2/again", f["model/state/0"]), "no tree"),
    ],
    ids=[
        "attribute",
        "dataset-attribute",
        "unknown-field",
        "field-type",
        "field-encoding",
        "dot-group",
        "non-utf8-name",
        "empty-group",
        "section",
        "unreferenced",
        "missing",
        "named-datatype",
        "hard-link-cycle",
    ],
)
def test_structure_the_format_does_not_write_is_refused(ckpt, change, match):
    with edit(ckpt) as f:
        change(f)
    assert_refused(ckpt, match)


@pytest.mark.parametrize(
    "tree, match",
    [
        ({"0.weight": {"__dataset__": "0/weight"}}, "malformed array reference"),
        ({"__int__x": 1}, "a dict key '__int__x' that the format does not write"),
        ({"__weird__": 1}, "a dict key '__weird__'"),
        ({"a": {"__tuple__": 1}}, "a malformed tuple"),
        ({"a\x1b[2J": 1}, "non-printable"),
        ("[" * 100_000 + "]" * 100_000, "nested deeper than 100"),
        ("{" * 3, "not valid JSON"),
    ],
)
def test_malformed_trees_are_refused(ckpt, tree, match):
    with edit(ckpt) as f:
        for name in list(f["scheduler/state"]):
            del f["scheduler/state"][name]
        set_field(f, "scheduler/state", "tree", tree if isinstance(tree, str) else json.dumps(tree))
    model, optimizer, scheduler = make_objects()
    with pytest.raises(CheckpointError, match=match):
        mt.load_checkpoint(ckpt, model=model, scheduler=scheduler)


def test_two_references_to_one_dataset_are_refused(ckpt):
    with edit(ckpt) as f:
        tree = json.loads(field(f, "model/state", "tree"))
        tree["2.bias"] = tree["0.bias"]
        set_field(f, "model/state", "tree", json.dumps(tree))
        del f["model/state/2/bias"]
    assert_refused(ckpt, "referenced twice")


# ----------------------------------------------------------------- architectures
def set_config(path, config):
    with edit(path) as f:
        set_field(f, "model", "config", config if isinstance(config, str) else json.dumps(config))


def linear(n_in, n_out):
    return {
        "kind": "layer",
        "name": "Linear",
        "config": {"in_features": n_in, "out_features": n_out},
    }


def test_huge_declared_layer_is_refused_before_it_is_filled(ckpt):
    """Linear(40000, 40000) beside a few bytes of weights: refused when its 6.4 GB weight is
    registered, before an initializer writes to it (memory measured in a subprocess)."""
    set_config(ckpt, {"kind": "layer", "name": "Sequential", "config": {"layers": [
        ["0", linear(40000, 40000)], ["1", {"kind": "activation", "name": "ReLU", "config": {}}],
        ["2", linear(3, 1)]]}})  # fmt: skip
    with pytest.raises(CheckpointError, match="declares more than the file stores: Linear.weight"):
        mt.load_model(ckpt)
    import subprocess
    import sys

    script = (  # VmHWM: this process's peak (ru_maxrss would include the forking parent's)
        "import re, minitorch_es as mt\n"
        f"try:\n    mt.load_model({str(ckpt)!r})\nexcept mt.checkpoint.CheckpointError:\n    pass\n"
        "print(re.search(r'VmHWM:\\s*(\\d+)', open('/proc/self/status').read())[1])\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) < 400_000  # kB: the interpreter and libraries, not 6.4 GB


@pytest.mark.parametrize(
    "config, match",
    [
        ({"kind": "layer", "name": "Linear\x1b[2J", "config": {}}, "'Linear\\\\x1b\\[2J'"),
        ({"kind": "nope", "name": "Linear", "config": {}}, "a malformed entry"),
        ({"kind": "layer", "name": 5, "config": {}}, "a malformed entry"),
        ({"kind": "layer", "name": "Linear", "config": []}, "a malformed entry"),
        ([1, 2], "not a registered entry"),
        ({**linear(2, 3), "config": {"in_features": 2, "out_features": 3,
          "dtype": {"__dtype__": "V1000000000"}}}, "dtype 'V1000000000' is not one of"),
        ({**linear(2, 3), "config": {"in_features": "two"}}, "cannot rebuild the model"),
        ({"kind": "optimizer", "name": "SGD", "config": {"lr": 0.1}}, "cannot rebuild|a Module"),
        ("[" * 100_000 + "]" * 100_000, "nested deeper than 100"),
    ],
)  # fmt: skip
def test_malformed_architectures_are_refused(ckpt, config, match):
    set_config(ckpt, config)
    with pytest.raises(CheckpointError, match=match) as info:
        mt.load_model(ckpt)
    assert "\x1b" not in str(info.value)


def test_a_huge_whole_model_in_an_mt_save_file_is_refused_before_it_is_filled(tmp_path):
    """The same bound for ``mt.load(..., weights_only=False)`` of a whole model."""
    path = tmp_path / "model.pt"
    mt.save({"net": make_objects()[0]}, path)
    with edit(path) as f:
        tree = field(f, "/state", "tree")
        set_field(f, "/state", "tree", tree.replace('"out_features": 3', '"out_features": 40000'))
        tree = field(f, "/state", "tree")
        set_field(f, "/state", "tree", tree.replace('"in_features": 2', '"in_features": 40000'))
    with pytest.raises(CheckpointError, match="declares more than the file stores: Linear.weight"):
        mt.load(path, weights_only=False)


def test_ranks_are_described_escaped(ckpt):
    evil = "\x1b[2J"
    with edit(ckpt) as f:
        ranks = [{"rank": evil, "rng_state": {}, "data_position": {"index": evil}}] * 20
        set_field(f, "/", "ranks", json.dumps(ranks))
    text = describe(ckpt).replace("\n    ", " ")  # long lines are wrapped
    assert "\x1b" not in text and "saved by 20 ranks: rank '\\x1b[2J' at batch" in text
    assert text.count("rank '") == 16 and text.endswith(", ...")


def test_deeply_nested_metadata_is_refused(ckpt):
    with edit(ckpt) as f:
        deep = json.loads("[" * 150 + "]" * 150)
        set_field(f, "/", "metadata", json.dumps({"epoch": 1, "deep": deep}))
    assert_refused(ckpt, "'/.metadata': nested deeper than 100")


# ----------------------------------------------------------------- states that do not fit
@pytest.mark.parametrize(
    "section, tree, match",
    [
        ("scheduler", {"last_epoch": {"a": 1}}, r"scheduler state\['last_epoch'\]: expected a num"),
        ("scheduler", {"step": 5}, r"the scheduler state: unexpected keys \['step'\]"),
        ("optimizer", {"state": {}, "param_groups": [{"lr": "0.1"}]}, r"\['lr'\]: expected a n"),
        ("scheduler", [1, 2], "the scheduler state is a list, not a dict"),
        ("model", {"0.weight": "text"}, "the model does not match"),
    ],
)
def test_states_that_do_not_fit_are_checkpoint_errors(ckpt, section, tree, match):
    with edit(ckpt) as f:
        for name in list(f[f"{section}/state"]):
            del f[f"{section}/state"][name]
        set_field(f, f"{section}/state", "tree", json.dumps(tree))
    model, optimizer, scheduler = make_objects()
    with pytest.raises(CheckpointError, match=match):
        mt.load_checkpoint(ckpt, model=model, optimizer=optimizer, scheduler=scheduler)


@pytest.mark.parametrize(
    "name, value, match",
    [
        ("rng_state", json.dumps({"bit_generator": "MT19937"}), "the random generator does not"),
        ("metadata", json.dumps({"epoch": "one"}), "the stored epoch 'one' is not an int"),
        ("metadata", json.dumps([1]), "the metadata is not a dict"),
        ("ranks", json.dumps([1]), "'/.ranks' is not a list of each rank's state"),
        ("ranks", json.dumps({"0": {}}), "'/.ranks' is not a list of each rank's state"),
        ("ranks", json.dumps([{"rank": 0}]), "'/.ranks' holds no generator state for rank 0"),
        ("ranks", json.dumps([{"rng_state": [1]}]), "the random generator does not"),
    ],
)
def test_bad_root_values_are_checkpoint_errors(ckpt, name, value, match):
    with edit(ckpt) as f:
        set_field(f, "/", name, value)
    model, optimizer, scheduler = make_objects()
    with pytest.raises(CheckpointError, match=match):
        mt.load_checkpoint(ckpt, model=model)


# ----------------------------------------------------------------- terminal injection
def test_inspect_escapes_every_string_from_the_file(ckpt, capsys):
    evil = "\x1b[2J\x1b[Hchecksums verified OK\u202e\r"
    with edit(ckpt) as f:
        set_field(f, "/", "metadata", json.dumps({"epoch": 1, evil: evil}))
        set_field(f, "/", "framework_version", evil)
        set_field(f, "scheduler", "type", evil)
        config = json.loads(field(f, "model", "config"))
        config["config"]["layers"][0][0] = evil
        config["config"]["layers"][0][1]["config"]["note"] = evil
        set_field(f, "model", "config", json.dumps(config))
        set_field(f, "model", "providers", json.dumps({"layer:Linear": evil}))
    assert cli_main(["inspect", str(ckpt)]) == 0
    out = capsys.readouterr().out
    assert not any(c in out for c in "\x1b\r\u202e")
    assert "\\x1b[2J\\x1b[Hchecksums verified OK\\u202e\\x0d" in out


def test_an_unregistered_class_is_both_a_checkpoint_and_a_registry_error(ckpt):
    from minitorch_es.checkpoint import UnregisteredEntryError
    from minitorch_es.registry import RegistryError

    set_config(ckpt, {"kind": "layer", "name": "NotRegistered", "config": {}})
    with pytest.raises(UnregisteredEntryError) as info:
        mt.load_model(ckpt)
    assert isinstance(info.value, CheckpointError) and isinstance(info.value, RegistryError)
    assert "layer 'NotRegistered' was provided by an unknown provider" in str(info.value)
