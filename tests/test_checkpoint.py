"""HDF5 checkpoints: round trips, rebuild from file, atomicity and every error path."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import h5py
import numpy as np
import pytest
from checkpoint_files import edit, field, flip, set_field

import minitorch_es as mt
from minitorch_es.checkpoint import CheckpointError, describe
from minitorch_es.cli import main as cli_main
from minitorch_es.optim import Optimizer
from minitorch_es.registry import RegistryError, registry


@mt.register("layer", name="CkptDense", override=True)
class CkptDense(mt.nn.Module):
    def __init__(self, in_features, out_features, scale=1.0):
        super().__init__()
        self.weight = mt.nn.Parameter(mt.randn(out_features, in_features) * scale)
        self.bias = mt.nn.Parameter(mt.zeros(out_features))
        self.register_buffer("calls", np.zeros((), dtype=np.int64))

    def forward(self, x):
        self.calls += 1
        return x @ self.weight.T + self.bias


@mt.register("optimizer", name="CkptMomentum", override=True)
class CkptMomentum(Optimizer):
    def __init__(self, params, lr=0.1, momentum=0.9):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    def _update(self, group, param, grad, state, step):
        buf = state.buffer("momentum_buffer")
        buf *= group["momentum"]
        buf += grad
        param -= group["lr"] * buf


@mt.register("optimizer", name="CkptPlain", override=True)
class CkptPlain(Optimizer):
    def __init__(self, params, lr=0.1):
        super().__init__(params, dict(lr=lr))

    def _update(self, group, param, grad, state, step):
        param -= group["lr"] * grad


def make_model():
    return mt.nn.Sequential(CkptDense(3, 4), CkptDense(4, 2, scale=0.5))


def train_steps(model, opt, n=3):
    x = mt.tensor(np.arange(15, dtype=np.float32).reshape(5, 3) / 10)
    for _ in range(n):
        opt.zero_grad()
        (model(x) ** 2).mean().backward()
        opt.step()


def assert_same_state(a, b):
    sa, sb = a.state_dict(), b.state_dict()
    assert list(sa) == list(sb)
    for k in sa:
        np.testing.assert_array_equal(sa[k], sb[k])


@pytest.fixture
def saved(tmp_path):
    model = make_model()
    opt = CkptMomentum(model.parameters(), lr=0.05)
    train_steps(model, opt)
    path = tmp_path / "ckpt.h5"
    mt.save_checkpoint(path, model=model, optimizer=opt, epoch=3, note="hello")
    return path, model, opt


def test_state_dict_round_trip(tmp_path):
    model = make_model()
    mt.save(model.state_dict(), tmp_path / "w.h5")
    loaded = mt.load(tmp_path / "w.h5")
    assert list(loaded) == list(model.state_dict())
    assert loaded["0.calls"].shape == () and loaded["0.calls"].dtype == np.int64
    other = make_model()
    other.load_state_dict(loaded)
    assert_same_state(model, other)


def test_optimizer_state_dict_round_trip_with_int_keys(tmp_path):
    model = make_model()
    opt = CkptMomentum(model.parameters())
    train_steps(model, opt)
    mt.save(opt.state_dict(), tmp_path / "o.h5")
    loaded = mt.load(tmp_path / "o.h5")
    assert set(loaded["state"]) == {0, 1, 2, 3}
    np.testing.assert_array_equal(
        loaded["state"][0]["momentum_buffer"], opt.state_dict()["state"][0]["momentum_buffer"]
    )


def test_checkpoint_restores_model_optimizer_rng_and_metadata(saved):
    path, model, opt = saved
    model2 = make_model()
    opt2 = CkptMomentum(model2.parameters(), lr=0.05)
    out = mt.load_checkpoint(path, model=model2, optimizer=opt2)
    assert out["epoch"] == 3 and out["metadata"]["note"] == "hello"
    assert_same_state(model, model2)
    for p, q in zip(model.parameters(), model2.parameters()):
        np.testing.assert_array_equal(
            opt.state[p]["momentum_buffer"], opt2.state[q]["momentum_buffer"]
        )
        assert opt2.state[q]["step"] == 3
    # continuing both gives identical parameters
    train_steps(model, opt, 2)
    train_steps(model2, opt2, 2)
    assert_same_state(model, model2)


def test_rng_state_is_restored(tmp_path):
    model = make_model()
    mt.manual_seed(7)
    mt.save_checkpoint(tmp_path / "r.h5", model=model)
    after_save = mt.randn(4).numpy()
    mt.manual_seed(99)
    mt.load_checkpoint(tmp_path / "r.h5", model=make_model())
    np.testing.assert_array_equal(mt.randn(4).numpy(), after_save)


def test_optimizer_state_is_keyed_by_parameter_name(saved):
    path, model, _ = saved
    with h5py.File(path, "r") as f:
        tree = json.loads(field(f, "optimizer/state", "tree"))
    assert set(tree["state"]) == {"0.weight", "0.bias", "1.weight", "1.bias"}
    assert tree["param_groups"][0]["params"] == ["0.weight", "0.bias", "1.weight", "1.bias"]


def test_load_model_rebuilds_from_file_alone(saved):
    path, model, _ = saved
    rebuilt = mt.load_model(path)
    assert isinstance(rebuilt, mt.nn.Sequential) and isinstance(rebuilt[1], CkptDense)
    assert rebuilt[1].get_config() == {"in_features": 4, "out_features": 2, "scale": 0.5}
    assert_same_state(model, rebuilt)


def test_load_model_names_the_missing_class_and_its_provider(saved):
    path, _, _ = saved
    entries = {k: v for k, v in registry._entries.items() if v.obj is CkptDense}
    for k in entries:
        del registry._entries[k]
    try:
        with pytest.raises(RegistryError, match="layer 'CkptDense' was provided by the module"):
            mt.load_model(path)
    finally:
        registry._entries.update(entries)


def test_loading_never_imports_what_the_file_names(tmp_path):
    path = tmp_path / "evil.h5"
    mt.save_checkpoint(path, model=make_model())
    with edit(path) as f:
        set_field(
            f,
            "model",
            "config",
            json.dumps({"kind": "layer", "name": "os.system", "config": {"command": "echo pwned"}}),
        )
    with pytest.raises(RegistryError, match="'os.system'"):
        mt.load_model(path)


def test_unserialisable_model_still_saves_weights(tmp_path):
    class Local(mt.nn.Module):  # not registered
        def __init__(self):
            super().__init__()
            self.w = mt.nn.Parameter(mt.ones(2))

    mt.save_checkpoint(tmp_path / "l.h5", model=Local())
    target = Local()
    target.w._data[...] = 0
    mt.load_checkpoint(tmp_path / "l.h5", model=target)
    np.testing.assert_array_equal(target.w._data, [1, 1])
    with pytest.raises(CheckpointError, match="not a registered entry"):
        mt.load_model(tmp_path / "l.h5")


def test_missing_file(tmp_path):
    with pytest.raises(CheckpointError, match="not found"):
        mt.load_checkpoint(tmp_path / "nope.h5", model=make_model())


def test_not_hdf5(tmp_path):
    path = tmp_path / "text.h5"
    path.write_text("just text")
    with pytest.raises(CheckpointError, match="not a minitorch_es checkpoint"):
        mt.load(path)


def test_hdf5_but_not_a_checkpoint(tmp_path):
    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as f:
        f["x"] = [1, 2]
    with pytest.raises(CheckpointError, match="not a minitorch_es checkpoint"):
        mt.load(path)


def test_truncated_file(saved):
    path, _, _ = saved
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="truncated or corrupted|not an HDF5"):
        mt.load_checkpoint(path, model=make_model())


def test_corrupted_dataset_is_detected_and_named(saved):
    path, _, _ = saved
    with h5py.File(path, "r") as f:
        offset = f["model/state/0/weight"].id.get_offset()
    flip(path, offset + 2)
    with pytest.raises(CheckpointError, match="failed its integrity check"):
        mt.load_checkpoint(path, model=make_model())
    with edit(path):  # the file digest recomputed: the array's own SHA-256 still tells
        pass
    with pytest.raises(CheckpointError, match="'/model/state/0/weight'.*does not match its SHA"):
        mt.load_checkpoint(path, model=make_model())


def test_newer_format_version_is_refused(saved):
    path, _, _ = saved
    data = path.read_bytes()
    path.write_bytes(data.replace(b"format 2\n", b"format 3\n", 1))
    with pytest.raises(CheckpointError, match="version 3, newer than this library reads"):
        mt.load_checkpoint(path, model=make_model())


def test_model_mismatch_lists_every_difference(saved):
    path, _, _ = saved
    other = mt.nn.Sequential(CkptDense(3, 5), CkptDense(5, 2), CkptDense(2, 2))
    with pytest.raises(CheckpointError) as info:
        mt.load_checkpoint(path, model=other)
    msg = str(info.value)
    assert "missing keys: 2.weight, 2.bias, 2.calls" in msg
    assert "0.weight: expected shape (5, 3), got (4, 3)" in msg
    assert "1.weight: expected shape (2, 5), got (2, 4)" in msg


def test_strict_false_and_key_map_for_renamed_layers(saved):
    path, model, _ = saved
    from collections import OrderedDict

    renamed = mt.nn.Sequential(OrderedDict(encoder=CkptDense(3, 4), head=CkptDense(4, 2)))
    mapping = {
        "0.weight": "encoder.weight",
        "0.bias": "encoder.bias",
        "0.calls": "encoder.calls",
        "1.weight": "head.weight",
        "1.bias": "head.bias",
        "1.calls": "head.calls",
    }
    mt.load_checkpoint(path, model=renamed, map=mapping)
    np.testing.assert_array_equal(renamed.head.weight._data, model[1].weight._data)
    partial = mt.nn.Sequential(OrderedDict(encoder=CkptDense(3, 4)))
    mt.load_checkpoint(path, model=partial, strict=False, map=lambda k: k.replace("0.", "encoder."))
    np.testing.assert_array_equal(partial.encoder.weight._data, model[0].weight._data)


def test_optimizer_of_another_type_is_refused(saved):
    path, _, _ = saved
    model = make_model()
    with pytest.raises(
        CheckpointError, match="CkptMomentum optimizer, cannot load it into a CkptPlain"
    ):
        mt.load_checkpoint(path, model=model, optimizer=CkptPlain(model.parameters()))


def test_optimizer_with_other_parameters_is_refused(saved):
    path, _, _ = saved
    model = make_model()
    opt = CkptMomentum(list(model.parameters())[:2])
    with pytest.raises(CheckpointError, match="optimizer does not match"):
        mt.load_checkpoint(path, model=model, optimizer=opt)


def test_section_absent(tmp_path):
    mt.save_checkpoint(tmp_path / "m.h5", model=make_model())
    model = make_model()
    with pytest.raises(CheckpointError, match="no optimizer state"):
        mt.load_checkpoint(tmp_path / "m.h5", model=model, optimizer=CkptPlain(model.parameters()))


def test_save_into_missing_directory(tmp_path):
    with pytest.raises(CheckpointError, match="does not exist"):
        mt.save(make_model().state_dict(), tmp_path / "no" / "dir.h5")


def test_failed_save_keeps_previous_file_and_leaves_no_temp(tmp_path):
    path = tmp_path / "keep.h5"
    model = make_model()
    mt.save(model.state_dict(), path)
    before = path.read_bytes()
    with pytest.raises(CheckpointError):
        mt.save({"bad": np.array(["text"])}, path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["keep.h5"]


def test_kill_during_save_leaves_previous_checkpoint_loadable(tmp_path):
    path = tmp_path / "big.h5"
    script = textwrap.dedent(f"""
        import numpy as np, minitorch_es as mt, sys
        state = {{"w": np.random.default_rng(0).standard_normal((2000, 2000)).astype("float32")}}
        mt.save(state, {str(path)!r})
        print("first", flush=True)
        i = 0
        while True:
            state["w"] += 1
            mt.save(state, {str(path)!r})
            i += 1
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "first"
        time.sleep(0.4)  # well inside one of the following saves (each takes ~0.1-0.3 s)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    w = mt.load(path, weights_only=False)["w"]  # a plain array
    assert w.shape == (2000, 2000)
    offsets = w - np.random.default_rng(0).standard_normal((2000, 2000)).astype("float32")
    assert np.allclose(offsets, offsets.flat[0], atol=1e-3)  # one complete version, not a mix


def test_inspect_describes_without_building(saved, capsys):
    path, _, _ = saved
    assert cli_main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert "format version: 2   kind: checkpoint   written by minitorch_es" in out
    assert "integrity: verified" in out
    assert "Sequential()" in out and "CkptDense(in_features=4, out_features=2, scale=0.5)" in out
    assert "0.weight" in out and "(4, 3)" in out and "float32" in out
    assert "optimizer: CkptMomentum(lr=0.05, momentum=0.9)" in out
    assert "epoch=3" in out
    assert describe(path).splitlines()[0] == f"file: {path}"


def test_inspect_reports_bad_files(tmp_path, capsys):
    assert cli_main(["inspect", str(tmp_path / "missing.h5")]) == 1
    assert "not found" in capsys.readouterr().err
