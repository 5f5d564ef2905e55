"""Exact resume across processes (issue 7): N epochs in one go == K epochs, a checkpoint, a fresh
process and ``fit(epochs=N, resume_from=...)`` -- bit for bit, for every built-in optimizer, with
Dropout, schedulers (per epoch and per batch), shuffling and a save in the middle of an epoch.

Two child processes run the whole matrix: ``first`` trains the reference, partial and crashing
runs; ``resume`` continues them with another seed (everything must come from the file). Each run
writes ``result.npz``; the tests here compare them."""

import json
import subprocess
import sys
import textwrap

import h5py
import numpy as np
import pytest
from checkpoint_files import field

import minitorch_es as mt
from minitorch_es.cli import main as cli_main
from minitorch_es.registry import RegistryError

CHILD = textwrap.dedent("""
    import json, os, shutil, sys
    import numpy as np
    import minitorch_es as mt
    from minitorch_es.training import Callback

    N, K = 5, 2                # epochs in all; the partial run stops after K (4 batches each)


    @mt.register("layer")
    class TinyNet(mt.nn.Module):
        def __init__(self, n_in=4, hidden=8, n_out=3, p=0.25):
            super().__init__()
            self.fc1, self.drop = mt.nn.Linear(n_in, hidden), mt.nn.Dropout(p)
            self.fc2 = mt.nn.Linear(hidden, n_out)

        def forward(self, x):
            return self.fc2(self.drop(mt.nn.functional.relu(self.fc1(x))))


    class Crash(Exception):
        pass


    class CrashAt(Callback):   # saves a checkpoint after (epoch, batch) and dies
        run_last = True        # so the file has every other callback's work on that batch

        def __init__(self, path, at):
            self.path, self.at = path, at

        def on_batch_end(self, batch, logs=None):
            t = self.trainer
            if self.at is not None and (t.epoch, batch) == tuple(self.at):
                mt.save_checkpoint(self.path, model=t.model, optimizer=t.optimizer,
                                   scheduler=t.scheduler, trainer=t)
                raise Crash


    class RngProbe(Callback):  # the generator state at each batch start (reads, never draws)
        def __init__(self):
            self.seen = {}

        def on_batch_begin(self, batch, logs=None):
            self.seen[f"{self.trainer.epoch}:{batch}"] = str(mt.random.get_state()["state"])


    O, S = mt.optim, mt.optim.lr_scheduler
    plateau = lambda o: S.ReduceLROnPlateau(o, factor=0.5, patience=0)
    CONFIGS = {  # name: optimizer, epoch scheduler, batch scheduler, model, shuffle
        "sgd": (lambda p: O.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
                lambda o: S.StepLR(o, step_size=2, gamma=0.5), None, "seq", True),
        "adam": (lambda p: O.Adam(p, lr=0.01, amsgrad=True), plateau, None, "seq", True),
        "adamw": (lambda p: O.AdamW(p, lr=0.01), lambda o: S.OneCycleLR(o, 0.05, total_steps=N),
                  None, "seq", True),
        "nadam": (lambda p: O.NAdam(p, lr=0.01), None,
                  lambda o: S.OneCycleLR(o, 0.05, total_steps=N * 4), "seq", True),
        "adamax": (lambda p: O.Adamax(p, lr=0.01), lambda o: S.StepLR(o, 1, gamma=0.7), None,
                   "seq", True),
        "radam": (lambda p: O.RAdam(p, lr=0.01, weight_decay=1e-3), None, None, "seq", True),
        "asgd": (lambda p: O.ASGD(p, lr=0.05, t0=3), None, None, "seq", True),
        "rprop": (lambda p: O.Rprop(p, lr=0.01), lambda o: S.StepLR(o, 2), None, "seq", True),
        "rmsprop": (lambda p: O.RMSprop(p, lr=0.01, centered=True, momentum=0.9), plateau, None,
                    "seq", True),
        "adagrad": (lambda p: O.Adagrad(p, lr=0.05, lr_decay=0.01), None, None, "seq", True),
        "adadelta": (lambda p: O.Adadelta(p), lambda o: S.StepLR(o, 2), None, "user", True),
        "unshuffled": (lambda p: O.SGD(p, lr=0.1), None, None, "seq", False),
        # EarlyStopping stops after epoch index 3, unless its counters are lost on resume.
        "early": (lambda p: O.SGD(p, lr=0.05, momentum=0.5), None, None, "seq", True),
    }
    CRASH_AT = json.loads(sys.argv[3])  # name: (epoch, batch) after which the crash run dies


    def data():
        x = np.random.default_rng(7).normal(size=(40, 4)).astype(np.float32)
        return x, (x[:, 0] + x[:, 1] > 0).astype(np.int64) + (x[:, 2] > 0.5)


    def build(name, run_dir, crash_at=None):
        make_opt, make_sched, make_batch_sched, kind = CONFIGS[name][:4]
        model = TinyNet() if kind == "user" else mt.nn.Sequential(
            mt.nn.Linear(4, 8), mt.nn.ReLU(), mt.nn.Dropout(0.25), mt.nn.Linear(8, 3))
        opt = make_opt(model.parameters())
        # Savers first: run_last makes them save after the others have updated their state.
        cbs = [mt.callbacks.ModelCheckpoint(os.path.join(run_dir, "ckpt-{epoch}.h5")),
               # mode="max" on a falling loss: only epoch 1 is "best" (bookkeeping matters)
               mt.callbacks.ModelCheckpoint(os.path.join(run_dir, "best", "b-{epoch}.h5"),
                                            mode="max", save_best_only=True),
               CrashAt(os.path.join(run_dir, "crash.h5"), crash_at),
               mt.callbacks.EarlyStopping(monitor="loss", min_delta=10.0, patience=3,
                                          restore_best_weights=True) if name == "early" else
               mt.callbacks.EarlyStopping(monitor="val_loss", patience=50),
               mt.callbacks.CSVLogger(os.path.join(run_dir, "log.csv"), append=True),
               RngProbe()]
        if name == "early":  # halves the lr after every epoch from the 2nd (never improves)
            cbs.append(mt.callbacks.ReduceLROnPlateau(monitor="loss", min_delta=10.0,
                                                      patience=1, factor=0.5))
        if make_batch_sched is not None:  # stepped by the trainer after every batch
            return mt.Trainer(model, optimizer=opt, loss="cross_entropy", callbacks=cbs,
                              scheduler=make_batch_sched(opt), scheduler_interval="step")
        return mt.Trainer(model, optimizer=opt, loss="cross_entropy", callbacks=cbs,
                          scheduler=make_sched(opt) if make_sched else None,
                          scheduler_interval="epoch")


    def fit(name, trainer, epochs, resume_from=None):
        return trainer.fit(*data(), epochs=epochs, batch_size=8, validation_split=0.2,
                           shuffle=CONFIGS[name][4], verbose=0, resume_from=resume_from)


    def record(trainer, run_dir):
        model = trainer.model
        out = {f"model:{k}": v for k, v in model.state_dict().items()}
        state = trainer.optimizer.state_dict(param_names=model.named_parameters())
        for pname, s in state["state"].items():
            out.update({f"opt:{pname}:{k}": np.asarray(v) for k, v in s.items()})
        probe = next(cb for cb in trainer.callbacks.callbacks if isinstance(cb, RngProbe))
        info = {"history": trainer.history.history, "epochs": trainer.history.epoch,
                "param_groups": state["param_groups"], "global_step": trainer.global_step,
                "epoch": trainer.epoch, "csv": open(os.path.join(run_dir, "log.csv")).read(),
                "rng": probe.seen, "optimizer": type(trainer.optimizer).__name__}
        out["mask"] = mt.nn.functional.dropout(mt.ones(64), 0.5)._data  # the next draw
        out["info"] = np.array(json.dumps(info))
        np.savez(os.path.join(run_dir, "result.npz"), **out)


    def first(root):
        for name in CONFIGS:
            for run in ("reference", "part", "crash"):
                run_dir = os.path.join(root, name, run)
                os.makedirs(run_dir)
                mt.manual_seed(0)
                trainer = build(name, run_dir, CRASH_AT[name] if run == "crash" else None)
                if run == "crash":
                    try:
                        fit(name, trainer, N)
                    except Crash:
                        continue
                    raise AssertionError("the crash did not happen")
                fit(name, trainer, N if run == "reference" else K)
                if run == "part":
                    mt.save_checkpoint(os.path.join(run_dir, "explicit.h5"), model=trainer.model,
                                       optimizer=trainer.optimizer, scheduler=trainer.scheduler,
                                       trainer=trainer, epoch=trainer.epoch)
                record(trainer, run_dir)


    SOURCES = {"modelcheckpoint": ("part", f"ckpt-{K}.h5"), "explicit": ("part", "explicit.h5"),
               "midepoch": ("crash", "crash.h5")}


    def resume(root):
        for name in CONFIGS:
            for variant, (source, filename) in SOURCES.items():
                if name == "early" and variant == "explicit":
                    continue  # restore_best_weights rewrote the weights when that fit ended
                src, run_dir = os.path.join(root, name, source), os.path.join(root, name, variant)
                os.makedirs(run_dir)
                shutil.copy(os.path.join(src, "log.csv"), os.path.join(run_dir, "log.csv"))
                mt.manual_seed(1234)  # another init and RNG: all must come from the file
                trainer = build(name, run_dir)
                fit(name, trainer, N, resume_from=os.path.join(src, filename))
                record(trainer, run_dir)
        for name in ("sgd", "adadelta"):  # rebuilt from the file alone
            model = mt.load_model(os.path.join(root, name, "part", f"ckpt-{K}.h5"))
            np.savez(os.path.join(root, name, "rebuilt.npz"), type=type(model).__name__,
                     out=model.eval()(mt.tensor(data()[0]))._data,
                     **{f"model:{k}": v for k, v in model.state_dict().items()})


    {"first": first, "resume": resume}[sys.argv[1]](sys.argv[2])
""")

N, K = 5, 2
NAMES = [
    "sgd",
    "adam",
    "adamw",
    "nadam",
    "adamax",
    "radam",
    "asgd",
    "rprop",
    "rmsprop",
    "adagrad",
    "adadelta",
    "unshuffled",
    "early",
]
CRASH_AT = {
    "sgd": (2, 1),
    "adam": (2, 3),
    "adamw": (3, 0),
    "nadam": (2, 2),
    "adamax": (3, 3),
    "radam": (2, 2),
    "asgd": (2, 3),
    "rprop": (3, 1),
    "rmsprop": (2, 1),
    "adagrad": (4, 2),
    "adadelta": (2, 1),
    "unshuffled": (3, 2),
    "early": (2, 3),
}
SOURCE = {"modelcheckpoint": "part", "explicit": "part", "midepoch": "crash"}
MATRIX = [(n, v) for n in NAMES for v in SOURCE if (n, v) != ("early", "explicit")]


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp("resume")
    script = root / "child.py"
    script.write_text(CHILD)
    for mode in ("first", "resume"):  # each a fresh process
        done = subprocess.run(
            [sys.executable, str(script), mode, str(root / "runs"), json.dumps(CRASH_AT)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, f"child {mode} failed:\n{done.stderr}"
    return root / "runs"


def best_files(root, name, run):
    """What ModelCheckpoint(save_best_only=True) wrote in that run."""
    folder = root / name / run / "best"
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def result(root, name, run):
    with np.load(root / name / run / "result.npz") as z:
        arrays = {k: z[k] for k in z.files}
    return arrays, json.loads(str(arrays.pop("info")))


@pytest.mark.parametrize("name,variant", MATRIX)
def test_resumed_run_is_bit_identical(root, name, variant):
    ref, ref_info = result(root, name, "reference")
    got, info = result(root, name, variant)
    assert sorted(got) == sorted(ref)
    for key, value in ref.items():  # parameters, optimizer state, the next dropout mask
        assert got[key].dtype == value.dtype, key
        np.testing.assert_array_equal(got[key], value, err_msg=key)
    for key in ("history", "epochs", "param_groups", "global_step", "epoch", "csv"):
        assert json.dumps(info[key]) == json.dumps(ref_info[key]), key  # exact float text
    # The generator continues where it stopped: same state at every batch after the resume.
    e, b = (K, 0) if variant != "midepoch" else (CRASH_AT[name][0], CRASH_AT[name][1] + 1)
    assert info["rng"] == {
        k: v for k, v in ref_info["rng"].items() if tuple(map(int, k.split(":"))) >= (e, b)
    }


def test_the_matrix_covers_every_built_in_optimizer(root):
    assert sorted(p.name for p in root.iterdir()) == sorted(NAMES)
    built_in = {
        n
        for n in mt.registry.names("optimizer")
        if str(mt.registry.entry("optimizer", n).provider).startswith("built-in")
    } - {"LBFGS"}  # steps only with a closure, which fit does not pass
    assert built_in == {result(root, n, "reference")[1]["optimizer"] for n in NAMES}


def test_the_matrix_is_not_vacuous(root):
    """What would break if a piece of state were lost really shows in the reference runs."""
    _, early = result(root, "early", "reference")
    assert early["epochs"] == [0, 1, 2, 3]  # stopped by EarlyStopping's counters, not by N
    assert early["history"]["lr"] == [0.05, 0.05, 0.025, 0.0125]  # the lr callback's counters
    _, sgd = result(root, "sgd", "reference")
    assert sgd["history"]["lr"] == [0.05, 0.05, 0.025, 0.025, 0.0125]  # StepLR(2, 0.5)
    assert best_files(root, "sgd", "reference") == {"b-1.h5"}  # a lost `best`: b-3 on resume
    masks = [result(root, n, "reference")[0]["mask"] for n in ("sgd", "early")]  # 5 vs 4 epochs
    assert 0 < masks[0].sum() < 128 and not np.array_equal(*masks)


@pytest.mark.parametrize(
    "name,variant", [("sgd", "modelcheckpoint"), ("adam", "midepoch"), ("early", "midepoch")]
)
def test_callback_bookkeeping_survives_resume(root, name, variant):
    _, ref = result(root, name, "reference")
    _, after = result(root, name, variant)
    written = best_files(root, name, SOURCE[variant]) | best_files(root, name, variant)
    assert written == best_files(root, name, "reference")
    lines = after["csv"].splitlines()  # CSVLogger(append=True): one header, one row per epoch
    assert lines[0].startswith("epoch,") and [ln.split(",")[0] for ln in lines[1:]] == [
        str(e) for e in ref["epochs"]
    ]


def test_file_holds_everything_issue_7_lists(root):
    for name, filename, batches in (
        ("adam", "crash/crash.h5", 4),
        ("rmsprop", "crash/crash.h5", 2),
        ("sgd", "part/ckpt-2.h5", None),
    ):
        with h5py.File(root / name / filename, "r") as f:
            assert field(f, "/", "format_version") == "2" and field(f, "/", "framework_version")
            assert field(f, "/", "created")
            assert json.loads(field(f, "/", "rng_state"))["state"]["state"] > 0
            assert json.loads(field(f, "model", "config"))["name"] == "Sequential"
            assert f["model/state/0/weight"].shape == (8, 4)
            assert len(field(f, "/", "content_sha256")) == 64
            optimizer = json.loads(field(f, "optimizer/state", "tree"))  # keyed by name
            assert sorted(optimizer["state"]) == ["0.bias", "0.weight", "3.bias", "3.weight"]
            buffer = {"adam": "max_exp_avg_sq", "rmsprop": "grad_avg", "sgd": "momentum_buffer"}
            moment = optimizer["state"]["0.weight"][buffer[name]]["__dataset__"]
            assert f["optimizer/state"][moment].shape == (8, 4)
            assert field(f, "scheduler", "type") in ("ReduceLROnPlateau", "StepLR")
            trainer = json.loads(field(f, "trainer/state", "tree"))
            assert set(trainer["callbacks"]) >= {
                "EarlyStopping",
                "ModelCheckpoint",
                "ModelCheckpoint_1",
                "CSVLogger",
            }
            assert {"wait", "best"} <= set(trainer["callbacks"]["EarlyStopping"])
            assert trainer["accumulators"]["batches"] == batches
            loader = trainer["train_loader"]
            assert loader["index"] == (4 if batches is None else batches)
            permutation = f["trainer/state"][loader["permutation"]["__dataset__"]]
            assert sorted(permutation[()]) == list(range(32))
            assert len(loader["permutation"]["sha256"]) == 64
            assert trainer["epoch"] == 2 and trainer["global_step"] == 8 + (batches or 0)
            assert trainer["scheduler"]["last_epoch"] == 2
            assert list(trainer["history"]["history"]) == [
                "loss",
                "accuracy",
                "val_loss",
                "val_accuracy",
                "lr",
            ]


def test_rebuild_from_file_in_a_fresh_process(root):
    for name, kind, (w1, b1, w2, b2) in (
        ("sgd", "Sequential", ("0.weight", "0.bias", "3.weight", "3.bias")),
        ("adadelta", "TinyNet", ("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias")),
    ):
        with np.load(root / name / "rebuilt.npz") as z:
            rebuilt = {k: z[k] for k in z.files}
        assert str(rebuilt["type"]) == kind
        with h5py.File(root / name / "part" / "ckpt-2.h5", "r") as f:
            saved = {k: f["model/state"][k.replace(".", "/")][()] for k in (w1, b1, w2, b2)}
        for k, v in saved.items():
            np.testing.assert_array_equal(rebuilt[f"model:{k}"], v)
        x = np.random.default_rng(7).normal(size=(40, 4)).astype(np.float32)  # the child's data
        expected = np.maximum(x @ saved[w1].T + saved[b1], 0) @ saved[w2].T + saved[b2]
        np.testing.assert_allclose(rebuilt["out"], expected, rtol=1e-5, atol=1e-6)
    # Here TinyNet was never registered: the error names it and where it came from.
    with pytest.raises(RegistryError, match="layer 'TinyNet' was provided by the module __main__"):
        mt.load_model(root / "adadelta" / "part" / "ckpt-2.h5")


def test_inspect_a_checkpoint_written_by_fit(root, capsys):
    _, part = result(root, "adam", "part")
    assert cli_main(["inspect", str(root / "adam" / "part" / "ckpt-2.h5")]) == 0
    out = capsys.readouterr().out
    assert "trainer: epoch 2, global step 8\n" in out and "scheduler: ReduceLROnPlateau" in out
    for key in ("loss", "accuracy", "val_loss", "lr"):
        assert f"  {key}: last {part['history'][key][-1]:.6g} (2 epochs)" in out
    assert cli_main(["inspect", str(root / "adam" / "crash" / "crash.h5")]) == 0
    assert "trainer: epoch 2, global step 12, 4 batches into epoch 3" in capsys.readouterr().out
