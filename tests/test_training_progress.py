"""Progress output in the three verbose modes, with and without a terminal, and History."""

import io
import re
import sys

import numpy as np
import pytest
from test_training_toys import SGD, CrossEntropy, blobs, mlp

import minitorch_es as mt
from minitorch_es.training import History
from minitorch_es.training.progress import format_logs

LINE = re.compile(
    r"^Epoch (\d+)/3 - loss: \d\.\d{1,4} - accuracy: \d(\.\d{1,4})? - val_loss: \d\.\d{1,4} "
    r"- val_accuracy: \d(\.\d{1,4})? - lr: 0\.1 - \d+\.\ds$"
)


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def run(verbose, monkeypatch=None, stream=None):
    if stream is not None:
        monkeypatch.setattr(sys, "stdout", stream)
    x, y = blobs(40)
    model = mlp([2, 4, 2])
    trainer = mt.Trainer(
        model, optimizer=SGD(model.parameters(), lr=0.1), loss=CrossEntropy(), metrics=["accuracy"]
    )
    return trainer.fit(x, y, epochs=3, batch_size=8, validation_split=0.2, verbose=verbose)


def test_verbose_0_prints_nothing(capsys):
    run(0)
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("verbose", [1, 2])
def test_without_a_terminal_verbose_1_and_2_print_one_line_per_epoch(verbose, capsys):
    history = run(verbose)
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert err == "" and "\r" not in out and len(lines) == 3
    assert [int(LINE.match(line).group(1)) for line in lines] == [1, 2, 3]
    assert f"loss: {history.history['loss'][1]:.4g}" in lines[1]


def test_verbose_1_on_a_terminal_shows_a_bar_with_the_metrics(monkeypatch):
    stream = FakeTerminal()
    run(1, monkeypatch, stream)
    text = stream.getvalue()
    assert "Epoch 1/3" in text and "\r" in text
    assert re.search(r"loss: \d\.\d{1,4}, accuracy: \d(\.\d{1,4})?", text)  # the bar's postfix
    assert re.search(r"4/4 \[", text)  # 4 batches per epoch
    summaries = [line for line in re.split(r"[\r\n]", text) if LINE.match(line)]
    assert len(summaries) == 3


def test_verbose_2_on_a_terminal_has_no_bar(monkeypatch):
    stream = FakeTerminal()
    run(2, monkeypatch, stream)
    assert "\r" not in stream.getvalue() and len(stream.getvalue().splitlines()) == 3


def test_evaluate_verbose_prints_a_summary(capsys):
    x, y = blobs(8)
    model = mlp([2, 2])
    trainer = mt.Trainer(model, optimizer=SGD(model.parameters()), loss=CrossEntropy())
    trainer.evaluate(x, y)
    assert capsys.readouterr().out == ""
    trainer.evaluate(x, y, verbose=1)
    assert re.match(r"^evaluate - loss: \d\.\d{1,4} - \d+\.\ds$", capsys.readouterr().out)
    with pytest.raises(ValueError, match="verbose must be 0, 1 or 2"):
        trainer.evaluate(x, y, verbose=5)


def test_format_logs():
    assert (
        format_logs({"loss": 0.123456, "batch": 3, "lr": 1e-4, "tag": "x"})
        == "loss: 0.1235 - lr: 0.0001 - tag: x"
    )


# ------------------------------------------------------------------------------------- History
def test_history_records_keys_in_order_and_pads_late_keys():
    h = History()
    h.on_epoch_end(0, {"loss": 1.0})
    h.on_epoch_end(1, {"loss": np.float32(0.5), "lr": 0.1})
    assert h.epoch == [0, 1] and list(h.history) == ["loss", "lr"]
    assert h.history["loss"] == [1.0, 0.5] and type(h.history["loss"][1]) is float
    assert np.isnan(h.history["lr"][0]) and h.history["lr"][1] == 0.1


def test_history_state_round_trip_and_params(capsys):
    history = run(0)
    assert history.params["epochs"] == 3 and history.params["steps"] == 4
    again = History()
    again.load_state_dict(history.state_dict())
    assert again.history == history.history and again.epoch == history.epoch
    assert again.params == history.params
    with pytest.raises(ValueError, match="expected a dict with keys 'epoch' and 'history'"):
        again.load_state_dict({"epoch": []})


def test_epoch_axis_ticks_whole_epochs():
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    from minitorch_es.training.history import epoch_axis

    ax = Figure().subplots()
    ax.plot([1], [0.5])
    epoch_axis(ax, [1])
    assert list(ax.get_xticks()) == [1] and ax.get_xlim() == (0, 2)
    ax = Figure().subplots()
    ax.plot(range(1, 101), range(100))
    epoch_axis(ax, range(1, 101))
    ticks = ax.get_xticks()
    assert len(ticks) > 2 and all(t == int(t) for t in ticks)


def test_history_plot(monkeypatch):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    history = run(0)
    fig = history.plot()
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]
    assert [line.get_label() for line in fig.axes[0].lines] == ["loss", "val_loss"]
    assert [ax.get_title() for ax in history.plot(keys=["lr"]).axes] == ["lr"]
    one = history.plot(["loss", "val_loss"])  # one panel, both curves
    assert [[line.get_label() for line in ax.lines] for ax in one.axes] == [["loss", "val_loss"]]
    val = history.plot(["val_accuracy", "loss"])
    assert [[line.get_label() for line in ax.lines] for ax in val.axes] == [
        ["val_accuracy"],
        ["loss", "val_loss"],
    ]
    assert list(fig.axes[0].get_xticks()) == [1, 2, 3]  # whole epochs
    fig.canvas.draw()
    label = fig.axes[0].xaxis.label.get_window_extent()
    assert label.y0 >= 0 and label.y1 <= fig.bbox.height  # inside the figure, not cut off
    with pytest.raises(KeyError, match=r"no recorded \['f1'\]"):
        history.plot(keys=["f1"])
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"History.plot needs matplotlib.*minitorch-es\[plot\]"):
        history.plot()
