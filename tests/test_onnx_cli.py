"""``minitorch-es export``: a checkpoint written by ``fit`` becomes an ONNX file that ONNX
Runtime runs with the model's outputs, and every bad input is a one-line error."""

import numpy as np
import pytest
from onnx_helpers import TOLERANCE, expected, onnx, session

import minitorch_es as mt
from minitorch_es.cli import main

nn = mt.nn


@pytest.fixture
def fitted(tmp_path, rng):
    """The checkpoint ModelCheckpoint wrote after one epoch of fit (a small CNN)."""
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(4 * 4 * 4, 3, activation="tanh"),
    )
    x = rng.normal(size=(32, 1, 8, 8)).astype(np.float32)
    y = rng.integers(0, 3, size=32)
    path = tmp_path / "run.h5"
    checkpoint = mt.callbacks.ModelCheckpoint(path, monitor="loss")
    trainer = mt.Trainer(model, optimizer="adam", loss="cross_entropy", callbacks=[checkpoint])
    trainer.fit(x, y, epochs=1, batch_size=8, verbose=0)
    return path, x


def test_export_a_checkpoint_written_by_fit(fitted, tmp_path, capsys):
    path, x = fitted
    out = tmp_path / "model.onnx"
    assert main(["export", str(path), "--out", str(out), "--input-shape", "1", "8", "8"]) == 0
    line = capsys.readouterr().out.strip()
    assert line == (
        f"{out}: opset 20; inputs input[batch, 1, 8, 8] float32; outputs output[batch, 3] "
        f"float32; 243 parameters"  # conv 36 + 4, batch norm 8, linear 192 + 3
    )
    proto = onnx.load(str(out))
    onnx.checker.check_model(proto, full_check=True)
    model = mt.load_model(path)
    for batch in (x[:5], x):
        (got,) = session(proto).run(None, {"input": batch})
        np.testing.assert_allclose(got, expected(model, batch)[0], rtol=0, atol=TOLERANCE)


def test_the_input_shape_can_come_from_the_checkpoint(tmp_path, capsys, rng):
    path, out = tmp_path / "mlp.h5", tmp_path / "mlp.onnx"
    mt.save_checkpoint(path, model=nn.Sequential(nn.Linear(4, 2)), input_shape=[4])
    assert main(["export", str(path), "--out", str(out), "--opset", "17"]) == 0
    assert "opset 17; inputs input[batch, 4] float32; outputs output[batch, 2]" in (
        capsys.readouterr().out
    )


def test_errors(tmp_path, capsys):
    model = nn.Sequential(nn.Linear(4, 2))
    plain, bad = tmp_path / "plain.h5", tmp_path / "bad.h5"
    mt.save_checkpoint(plain, model=model)
    mt.save_checkpoint(bad, model=model, input_shape=[4, -1])
    out = str(tmp_path / "m.onnx")
    cases = [
        ([str(plain)], "does not record the input shape: pass --input-shape"),
        ([str(bad)], "metadata 'input_shape' must be a list of positive ints, got [4, -1]"),
        ([str(tmp_path / "none.h5"), "--input-shape", "4"], "checkpoint file not found"),
        ([str(plain), "--input-shape", "5"], "Linear: expected input with last dimension 4"),
        ([str(plain), "--input-shape", "4", "--opset", "7"], "opset_version must be an int"),
        ([str(plain), "--input-shape", "4", "--input-dtype", "nope"], "data type 'nope' not"),
    ]
    for args, message in cases:
        assert main(["export", *args, "--out", out]) == 1
        error = capsys.readouterr().err
        assert error.startswith("minitorch-es export: ") and message in error, error
    assert not (tmp_path / "m.onnx").exists()
    with pytest.raises(SystemExit):
        main(["export", str(plain), "--out", out, "--input-shape", "0"])
    assert "expected a positive int, got '0'" in capsys.readouterr().err
