"""``minitorch-es thesis``: the quick runs end to end through the CLI, MNIST on fake IDX files,
without MNIST and without matplotlib, and the experiments' numbers against references computed
here (the thesis's annex code in NumPy, least squares)."""

import re
import sys
from pathlib import Path

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es.cli import main
from minitorch_es.thesis import (
    EXPERIMENTS,
    Result,
    Row,
    RunConfig,
    markdown_table,
    mnist,
    moons,
    plotting,
    regression,
    runner,
    xor,
)

HAVE_MPL = plotting.available()
QUIET = ["--quick", "--no-progress", "--no-download"]


def run_cli(capsys, out, *args):
    code = main(["thesis", *args, "--out", str(out), *QUIET])
    return code, capsys.readouterr()


def test_quick_small_experiments_via_cli(tmp_path, capsys):
    code, captured = run_cli(capsys, tmp_path, "regression", "moons", "xor")
    assert code == 0
    table = captured.out
    lines = table.splitlines()
    assert lines[0].split() == ["Metric", "Thesis", "Ours", "Epochs", "Wall", "time"]
    titles = [line for line in lines if line and not line.startswith(" ")]
    assert titles[:3] == ["4.1 Regression", "4.2 Two classes (moons)", "4.3 XOR"]
    assert "4.4 MNIST" not in table  # only the chosen experiments ran
    assert max(len(line) for line in lines) <= 100  # cells wrap within their columns
    assert "\n4.3 XOR\n  GD: final error" in table  # a section per experiment
    report = (tmp_path / "report.md").read_text()
    assert "| 4.3 XOR | layers vs hand-written Function: max \\|difference\\| |" in report
    assert "| Experiment | Metric | Thesis | Ours | Epochs | Wall time |" in report
    assert "## 4.3 XOR" in report and "quick" in report
    assert "Command: `minitorch-es thesis regression moons xor --out" in report
    pngs = [
        "regression_fit.png",
        "regression_loss_surface.png",
        "moons_decision_boundaries.png",
        "moons_accuracy.png",
        "xor_gd_vs_sgd.png",
    ]
    for name in pngs:
        assert (tmp_path / name).is_file() == HAVE_MPL
        assert (f"]({name})" in report) == HAVE_MPL


def _fake_mnist(directory, rng, n_train=120, n_test=40):
    """Tiny IDX files with the real names: a bright square whose position encodes the label."""
    directory.mkdir()
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        labels = rng.integers(0, 10, n).astype(np.uint8)
        images = rng.integers(0, 30, (n, 28, 28)).astype(np.uint8)
        for i, label in enumerate(labels):
            images[i, 2 * label : 2 * label + 6, 4:10] = 255
        mt.data.datasets.write_idx(directory / f"{prefix}-images-idx3-ubyte.gz", images)
        mt.data.datasets.write_idx(directory / f"{prefix}-labels-idx1-ubyte.gz", labels)
    return directory


def test_mnist_quick_on_fake_idx_files(tmp_path, capsys, rng):
    data = _fake_mnist(tmp_path / "mnist", rng)
    code, captured = run_cli(
        capsys, tmp_path / "out", "mnist", "--data-dir", str(data), "--no-verify"
    )
    assert code == 0
    assert "4.4 MNIST MLP\n  train accuracy" in captured.out and "not run" not in captured.out
    cnn = captured.out[captured.out.index("Beyond: MNIST CNN") :].splitlines()
    assert "test accuracy" in cnn[1] and "%" in cnn[1]
    report = (tmp_path / "out" / "report.md").read_text()
    assert "| 4.4 MNIST MLP | test accuracy after the last epoch | 95.00% |" in report
    assert "| 4.4 MNIST MLP | test accuracy, weights of the best validation epoch" in report
    assert (tmp_path / "out" / "mnist_accuracy.png").is_file() == HAVE_MPL


def test_the_best_validation_epoch_is_the_first_highest():
    assert mnist.best_epoch({"val_accuracy": [0.9, 0.95, 0.93, 0.95]}) == 1


def test_mnist_fake_files_fail_the_checksum_unless_no_verify(tmp_path, capsys, rng):
    data = _fake_mnist(tmp_path / "mnist", rng)
    code, captured = run_cli(capsys, tmp_path / "out", "mnist", "--data-dir", str(data))
    assert code == 1
    assert "not run: MNIST fails its SHA-256 check" in captured.out
    assert captured.err == (
        "MNIST fails its SHA-256 check: use the original files, --no-verify for your own, or "
        "--skip mnist\n"
    )


def test_without_mnist_the_other_experiments_still_run(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("MINITORCH_ES_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "empty").mkdir()
    args = ("regression", "mnist", "--data-dir", str(tmp_path / "empty"))
    code, captured = run_cli(capsys, tmp_path / "out", *args)
    assert code == 1  # an experiment that cannot run fails the command ...
    assert "4.1 Regression" in captured.out
    assert captured.out.count("not run: MNIST not found") == 2  # the MLP and CNN rows
    # ... and one line says what to do
    assert captured.err == (
        "MNIST not found: pass --data-dir DIR or set MINITORCH_ES_DATA, or skip it with "
        "--skip mnist\n"
    )
    report = (tmp_path / "out" / "report.md").read_text()
    assert "Looked in:" in report and "--data-dir" in report
    code, captured = run_cli(capsys, tmp_path / "out", *args, "--skip", "mnist")
    assert code == 0 and "MNIST" not in captured.out and captured.err == ""


def test_a_data_dir_that_does_not_exist_is_a_usage_error(tmp_path, capsys):
    code, captured = run_cli(capsys, tmp_path, "xor", "--data-dir", str(tmp_path / "nowhere"))
    assert code == 2 and captured.out == ""
    assert captured.err == (
        f"minitorch-es thesis: no directory {tmp_path / 'nowhere'} (--data-dir names the one "
        f"holding the MNIST files)\n"
    )
    assert not (tmp_path / "report.md").exists()


def test_a_missing_directory_in_the_environment_falls_through_to_the_cache(
    tmp_path, capsys, monkeypatch, rng
):
    cache = tmp_path / "cache" / "minitorch_es"
    cache.mkdir(parents=True)
    _fake_mnist(cache / "mnist", rng)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("MINITORCH_ES_DATA", str(tmp_path / "not-here"))
    code, captured = run_cli(capsys, tmp_path / "out", "mnist", "--no-verify")
    assert code == 0 and "not run" not in captured.out


def test_progress_in_a_log_is_plain_lines(tmp_path, capsys):
    code = main(["thesis", "regression", "xor", "--quick", "--out", str(tmp_path)])
    captured = capsys.readouterr()  # not a terminal: no bars
    assert code == 0
    assert not re.search(r"[\r\x1b]", captured.out + captured.err)
    done = [re.sub(r"[\d.]+ s", "T", line) for line in captured.err.splitlines()]
    assert done == ["regression: done, T (1/2)", "xor: done, T (2/2)"]
    assert all(len(line) <= 100 for line in (captured.out + captured.err).splitlines())


def test_without_matplotlib_the_table_is_printed_and_the_report_says_why(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    assert not plotting.available()
    code, captured = run_cli(capsys, tmp_path, "regression", "xor")
    assert code == 0
    assert "4.3 XOR" in captured.out
    assert "pip install minitorch-es[plot]" in captured.out
    assert not list(tmp_path.glob("*.png"))
    report = (tmp_path / "report.md").read_text()
    assert "pip install minitorch-es[plot]" in report and "![" not in report


def test_unknown_experiment_is_an_error_listing_the_choices(tmp_path, capsys):
    code = main(["thesis", "xor", "regresion", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "'regresion'" in err and "regression, moons, xor, mnist, figures" in err
    assert not (tmp_path / "report.md").exists()


def test_a_crashing_experiment_is_reported_and_the_others_run(tmp_path, capsys, monkeypatch):
    def broken(config):
        raise RuntimeError("boom")

    monkeypatch.setitem(EXPERIMENTS, "xor", broken)
    code, captured = run_cli(capsys, tmp_path, "xor", "regression")
    assert code == 1
    assert "failed: RuntimeError: boom" in captured.out and "4.1 Regression" in captured.out
    assert captured.err == "xor failed (RuntimeError: boom); its traceback is in report.md\n"
    assert "Traceback" in (tmp_path / "report.md").read_text()


def test_markdown_table_escapes_pipes():
    result = Result("x", "x", rows=[Row("e", "a|b", "t", "o", "3", 1.5)])
    assert "| e | a\\|b | t | o | 3 | 1.50 s |" in markdown_table([result])


# ------------------------------------------------------------------ regression
def _annex_regression(epochs):
    """The annex's loop, verbatim in NumPy: returns the weights [bias, w] and errors."""
    x, y = mt.data.datasets.thesis_regression()
    x, y = x.astype(np.float64) / 10, y.astype(np.float64) / 10
    x = np.insert(x, 0, np.ones(len(x)), axis=1)
    np.random.seed(714)
    weights = np.random.random((2, 1)) * 3
    errors = []
    for _ in range(epochs):
        output = x @ weights
        errors.append(np.sum((output - y) ** 2))
        weights -= 0.01 * ((output - y).T @ x).T
    return weights.ravel(), np.array(errors)


def test_regression_follows_the_annex_step_by_step():
    _, path = regression.train(epochs=200)
    (bias, weight), errors = _annex_regression(200)
    np.testing.assert_allclose(path[:-1, 2], errors, rtol=1e-12)
    np.testing.assert_allclose(path[-1, :2], [weight, bias], rtol=1e-12)


def test_regression_converges_to_least_squares():
    _, path = regression.train(epochs=6000)
    x, y = (a.astype(np.float64).ravel() / 10 for a in mt.data.datasets.thesis_regression())
    slope, intercept = np.polyfit(x, y, 1)
    np.testing.assert_allclose(path[-1, :2], [slope, intercept], atol=1e-5)
    assert regression.least_squares()[:2] == pytest.approx((slope, intercept), abs=1e-10)


# ------------------------------------------------------------------------- XOR
def _annex_xor_gd(wih, who, epochs):
    """The annex's XOR gradient descent in NumPy (sigmoidderiv(a) = a (1 - a))."""
    x, y = (a.astype(np.float64) for a in mt.data.datasets.xor())
    sigmoid = lambda z: 1 / (1 + np.exp(-z))
    wih, who, losses = wih.copy(), who.copy(), []
    for _ in range(epochs):
        a1 = sigmoid(x @ wih)
        a2 = sigmoid(a1 @ who)
        losses.append(np.sum((a2 - y) ** 2))
        da2, dz2 = a2 - y, a2 * (1 - a2)
        updatewho = (da2 * dz2).T @ a1
        updatewih = (((da2 * dz2) @ who.T) * (a1 * (1 - a1))).T @ x
        who -= updatewho.T
        wih -= updatewih.T
    return np.array(losses)


def test_xor_layers_and_function_agree_with_each_other_and_with_the_annex():
    out = xor.compare({"gd": 300, "sgd": 100}, seed=3)
    assert out["max_diff"] < 1e-12
    mt.manual_seed(3)
    wih, who = xor.initial_weights()
    reference = _annex_xor_gd(wih, who, 300)
    for name in ("layers", "function"):
        np.testing.assert_allclose(out["gd"][name]["epoch"], reference, rtol=1e-10)
    sgd = out["sgd"]["layers"]
    assert len(sgd["update"]) == 4 * 100
    np.testing.assert_allclose(sgd["epoch"], sgd["update"].reshape(100, 4).sum(axis=1))


def test_xor_function_backward_matches_finite_differences(rng):
    x = mt.tensor(mt.data.datasets.xor()[0], dtype=mt.float64)
    wih = mt.tensor(rng.normal(size=(2, 5)), requires_grad=True)
    who = mt.tensor(rng.normal(size=(5, 1)), requires_grad=True)
    assert mt.autograd.gradcheck(xor.ThesisXORFunction.apply, (x, wih, who))


def test_xor_oscillation_measure():
    assert xor.rising_share([3, 2, 1, 0.5]) == 0.0
    assert xor.rising_share([1, 2, 1, 2, 1]) == 0.5
    assert xor.first_below([1.0, 0.5, 0.01, 0.2], 0.05) == 3
    assert xor.first_below([1.0], 0.05) is None


# ----------------------------------------------------------------------- moons
def test_moons_models_have_the_thesis_architectures():
    model = moons.build_model((100, 70, 50), "sigmoid")
    shapes = [tuple(p.shape) for name, p in model.named_parameters() if name.endswith("weight")]
    assert shapes == [(100, 2), (70, 100), (50, 70), (1, 50)]
    out = model(mt.randn(7, 2))
    assert out.shape == (7, 1) and np.all((out._data > 0) & (out._data < 1))


def test_moons_first_epoch():
    assert moons.first_epoch([0.5, 0.93, 0.936, 0.94], 0.936) == 3
    assert moons.first_epoch([0.5, 0.9], 0.936) is None


# ----------------------------------------------------------------------- MNIST
def test_mnist_models_map_images_to_ten_logits():
    assert mnist.mlp()(mt.zeros(3, 784)).shape == (3, 10)
    assert mnist.cnn()(mt.zeros(2, 1, 28, 28)).shape == (2, 10)
    penalised = mnist.mlp()[0].activity_regularizer
    assert penalised is not None and penalised.get_config()["l2"] == pytest.approx(0.001)


def test_mnist_load_reports_why_it_is_unavailable(tmp_path, monkeypatch):
    monkeypatch.delenv("MINITORCH_ES_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    reason = mnist.load(RunConfig(data_dir=str(tmp_path), download=False))
    assert isinstance(reason, mnist.Unavailable) and reason.short == "MNIST not found"
    assert "Downloading is disabled" in reason.detail and "--skip mnist" in reason.hint


def test_run_returns_results_for_the_python_api(tmp_path):
    results = runner.run(["regression"], RunConfig(out_dir=tmp_path, quick=True, progress=False))
    assert [r.name for r in results] == ["regression"]
    assert results[0].rows[0].seconds > 0 and len(results[0].figures) == 2 * HAVE_MPL


# --------------------------------------------------------------------- figures
def test_figures_activation_derivatives_and_vanishing_gradients(tmp_path):
    result = runner.run_one("figures", RunConfig(out_dir=tmp_path, quick=True, progress=False))
    assert "error" not in result.data
    x = result.data["x"]
    sigmoid = 1 / (1 + np.exp(-x))
    values, grad, _ = result.data["curves"]["sigmoid"]
    np.testing.assert_allclose(values, sigmoid, rtol=1e-12)
    np.testing.assert_allclose(grad, sigmoid * (1 - sigmoid), rtol=1e-10)
    _, relu_grad, _ = result.data["curves"]["relu"]
    np.testing.assert_array_equal(relu_grad, (x > 0).astype(float))
    np.testing.assert_allclose(result.data["softmax"], [0.70, 0.25, 0.05], rtol=1e-6)
    sigmoid_norms = result.data["vanishing"]["sigmoid"][0]
    relu_norms = result.data["vanishing"]["relu_he"][0]
    assert sigmoid_norms[0] / sigmoid_norms[-1] < 1e-4  # the first layer barely learns
    assert relu_norms[0] / relu_norms[-1] > 1e-2
    assert len(result.figures) == 2 * HAVE_MPL


def test_the_example_scripts_compile():
    examples = Path(__file__).resolve().parents[1] / "examples"
    names = [
        "regression",
        "two_moons",
        "xor",
        "mnist_mlp",
        "mnist_cnn",
        "gan_mnist",
        "activations",
        "vanishing_gradients",
    ]
    for name in names:
        path = examples / f"{name}.py"
        compile(path.read_text(encoding="utf-8"), str(path), "exec")  # no .pyc written
