"""The console policy: bars on a terminal, plain periodic lines elsewhere, nothing when
disabled; lines within 100 columns; numbers rounded for people; callbacks' messages after the
epoch line."""

import io
import re

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es import console
from minitorch_es.console import Progress, format_number, format_table, join_parts

CONTROL = re.compile(r"[\r\x1b]")


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_numbers_are_rounded_to_four_significant_digits():
    assert format_number(1.4976573657989503) == "1.498"
    assert format_number(np.float32(0.25)) == "0.25"
    assert format_number(np.int64(7)) == "7"
    assert format_number(float("nan")) == "nan"
    assert format_number(-123456.7) == "-123457"
    assert format_number("text") == "text"


def test_join_parts_wraps_between_parts():
    parts = ["Epoch 1/5"] + [f"metric_{i}: 0.1234" for i in range(8)]
    text = join_parts(parts, width=60)
    lines = text.splitlines()
    assert max(map(len, lines)) <= 60 and len(lines) > 1
    assert all(line.startswith("    ") for line in lines[1:])
    assert text.replace("\n    ", " ").replace(" - ", "|").split("|") == [
        p.strip() for p in " - ".join(parts).split(" - ")
    ]
    assert join_parts(["short", "line"]) == "short - line"


def test_format_table_wraps_cells_to_the_width_and_keeps_every_word():
    long = "a metric whose name alone is far wider than any column could ever be " * 2
    rows = ["Section title", [long, "x" * 30, "99.27% (>= 99.00% from epoch 3)", "5", "2.1 s"]]
    text = format_table(["Metric", "Thesis", "Ours", "Epochs", "Wall time"], rows, indent=2)
    lines = text.splitlines()
    assert max(map(len, lines)) <= 100
    assert lines[0].startswith("  Metric") and set(lines[1].strip()) == {"-", " "}
    assert lines[2] == "Section title"
    assert " ".join(" ".join(lines[3:]).split()).count("far wider") == 2
    narrow = format_table(["a", "b"], [["1", "2"]])
    assert narrow.splitlines() == ["a  b", "-  -", "1  2"]


def test_progress_when_piped_prints_plain_lines_at_most_every_interval():
    stream, clock = io.StringIO(), Clock()
    with Progress(100, "train", unit="epoch", stream=stream, interval=10, clock=clock) as p:
        for step in range(100):
            clock.now = step * 0.5  # 50 s in all
            p.update(1, loss=1 / (step + 1))
    lines = stream.getvalue().splitlines()
    assert len(lines) == 4  # at 10, 20, 30 and 40 s
    assert lines[0] == "train: epoch 21/100 (21%) - loss: 0.04762 - 10 s"
    assert not CONTROL.search(stream.getvalue())


def test_progress_is_silent_when_disabled_and_a_bar_on_a_terminal():
    quiet = io.StringIO()
    with Progress(3, "x", stream=quiet, enabled=False, interval=0) as p:
        p.update(3, loss=1.0)
        p.write("done")
    assert quiet.getvalue() == ""
    terminal = FakeTerminal()
    with Progress(3, "x", stream=terminal) as p:
        p.update(3, loss=0.5)
        p.write("a line above the bar")
    text = terminal.getvalue()
    assert "\r" in text and "a line above the bar\n" in text and "loss: 0.5" in text
    assert max(len(line) for line in re.split(r"[\r\n]", text)) <= 100


def fit(verbose, callbacks=(), epochs=2, **logs_extra):
    x = np.random.default_rng(0).normal(size=(32, 3)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    mt.manual_seed(0)
    model = mt.nn.Sequential(mt.nn.Linear(3, 4), mt.nn.ReLU(), mt.nn.Linear(4, 2))
    trainer = mt.Trainer(model, optimizer="sgd", callbacks=list(callbacks))
    return trainer.fit(x, y, epochs=epochs, batch_size=8, validation_split=0.25, verbose=verbose)


def test_fit_piped_prints_periodic_plain_lines_within_an_epoch(monkeypatch, capsys):
    monkeypatch.setattr(console, "LINE_INTERVAL", 0.0)  # a line after every batch
    fit(1, epochs=1)
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert not CONTROL.search(out)
    assert [line.split(" - ")[0] for line in lines[:3]] == [
        "Epoch 1/1: batch 1/3 (33%)",
        "Epoch 1/1: batch 2/3 (66%)",
        "Epoch 1/1: batch 3/3 (100%)",
    ]
    assert lines[3].startswith("Epoch 1/1 - loss: ") and len(lines) == 4


class ManyMetrics(mt.Callback):
    def on_epoch_end(self, epoch, logs=None):
        logs.update({f"custom_metric_{i}": 0.123456789 for i in range(6)})


def test_a_long_epoch_line_wraps_within_100_columns(capsys):
    fit(2, callbacks=[ManyMetrics()], epochs=1)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) > 1 and max(map(len, lines)) <= 100
    assert "custom_metric_5: 0.1235" in lines[-1] and lines[1].startswith("    ")


@pytest.mark.parametrize("verbose", [0, 2])
def test_model_checkpoint_says_which_file_after_the_epoch_line(tmp_path, capsys, verbose):
    path = str(tmp_path / "best-{epoch}.h5")
    saver = mt.callbacks.ModelCheckpoint(path, save_best_only=True, verbose=1)
    fit(verbose, callbacks=[saver])
    lines = capsys.readouterr().out.splitlines()
    messages = [line for line in lines if "saving the model" in line]
    first = messages[0]
    assert re.fullmatch(
        r"Epoch 1: val_loss improved from inf to \d\.\d{1,4}, saving the model to "
        + re.escape(str(tmp_path / "best-1.h5")),
        first,
    )
    if verbose:
        assert lines[0].startswith("Epoch 1/2 - loss") and lines[1] == first
    every = mt.callbacks.ModelCheckpoint(str(tmp_path / "last.h5"), verbose=1)
    fit(0, callbacks=[every], epochs=1)
    assert capsys.readouterr().out == f"Epoch 1: saving the model to {tmp_path / 'last.h5'}\n"
