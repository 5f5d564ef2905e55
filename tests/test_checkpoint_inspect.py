"""``minitorch-es inspect``: verified, in model order, with totals and providers, without unset
arguments, quiet on a closed pipe, and non-zero on a damaged file."""

import io
import os
from collections import OrderedDict

import pytest
from checkpoint_files import flip

import minitorch_es as mt
from minitorch_es.checkpoint import describe
from minitorch_es.cli import main as cli_main


@pytest.fixture
def path(tmp_path):
    model = mt.nn.Sequential(
        OrderedDict(
            zeta=mt.nn.Linear(3, 4),
            norm=mt.nn.BatchNorm1d(4),
            alpha=mt.nn.Linear(4, 2, bias=False),
        )
    )
    optimizer = mt.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(mt.randn(5, 3)).sum().backward()
    optimizer.step()
    path = tmp_path / "run.h5"
    mt.save_checkpoint(path, model=model, optimizer=optimizer, epoch=2)
    return path


def test_parameters_in_model_order_with_totals_and_providers(path):
    lines = describe(path).splitlines()
    table = lines[lines.index("parameters and buffers (model order):") + 1 :]
    keys = [line.split()[0] for line in table[:8]]
    assert keys == [
        "zeta.weight",
        "zeta.bias",
        "norm.weight",
        "norm.bias",
        "norm.running_mean",
        "norm.running_var",
        "norm.num_batches_tracked",
        "alpha.weight",
    ]
    assert table[4].endswith("(buffer)") and not table[0].endswith("(buffer)")
    # 3*4 + 4 + 4 + 4 + 4*2 parameters; 4 + 4 + 1 buffer values (float32, int64)
    assert table[8] == (
        "  total: 32 parameters in 5 arrays (128 B); buffers: 9 values in 3 arrays (40 B)"
    )
    assert "  layer Linear: built-in (minitorch_es_plugins.layers)" in lines
    assert "  layer BatchNorm1d: built-in (minitorch_es_plugins.layers)" in lines
    assert "    (alpha) Linear(in_features=4, out_features=2, bias=False)" in lines
    assert "None" not in describe(path)  # unset arguments are not listed
    assert "  parameters with state: 5, steps: 1.0" in lines
    assert all(len(line) <= 100 for line in lines)


def test_a_damaged_file_fails_inspect(path, capsys):
    flip(path, os.path.getsize(path) // 2)
    assert cli_main(["inspect", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "failed its integrity check" in captured.err


def test_a_closed_output_ends_quietly(path, monkeypatch):
    """`minitorch-es inspect run.h5 | head -3`: head exits, the next write fails with EPIPE."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    closed = io.TextIOWrapper(io.FileIO(write_end, "w"), write_through=True)
    monkeypatch.setattr("sys.stdout", closed)
    try:
        assert cli_main(["inspect", str(path)]) == 0
        print("more output after the pipe closed", file=closed, flush=True)  # silently dropped
    finally:
        closed.close()
