"""What an experiment hands back: table rows, figures and notes (``Result``), and the settings it
runs with (``RunConfig``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Row:
    """One line of the comparison table: the thesis's figure next to ours."""

    experiment: str
    metric: str
    thesis: str
    ours: str
    epochs: str = ""
    seconds: float | None = None

    def cells(self) -> list[str]:
        """The row as the strings printed in the table."""
        wall = "" if self.seconds is None else format_seconds(self.seconds)
        return [self.experiment, self.metric, self.thesis, self.ours, str(self.epochs), wall]


@dataclass
class FigureFile:
    """A PNG written by an experiment (``path`` relative to the output directory)."""

    caption: str
    path: str


@dataclass
class Result:
    """An experiment's outcome. ``data`` keeps the raw numbers (curves, weights) for tests and
    for readers who want more than the table. ``problem`` is set when the experiment could not
    run or crashed: one line saying what happened and what to do (the command then exits 1)."""

    name: str
    title: str
    rows: list[Row] = field(default_factory=list)
    figures: list[FigureFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)
    seconds: float = 0.0
    problem: str = ""


@dataclass
class RunConfig:
    """Settings shared by every experiment of one ``minitorch-es thesis`` run.

    ``quick`` keeps the code path and shrinks epochs / data; ``verify`` checks the MNIST files
    against their published SHA-256 (turn it off only for files of your own, e.g. tests' fake
    MNIST); ``download`` allows fetching MNIST when it is not found locally; ``progress`` shows
    the progress (bars on a terminal, periodic lines in a log, see `minitorch_es.console`).
    """

    out_dir: Path = Path("thesis-report")
    quick: bool = False
    seed: int = 0
    data_dir: str | None = None
    verify: bool = True
    download: bool = True
    progress: bool = True

    def __post_init__(self) -> None:
        self.out_dir = Path(self.out_dir)


def format_seconds(seconds: float) -> str:
    """``"0.42 s"``, ``"12.3 s"``, ``"2 min 05 s"``."""
    if seconds < 10:
        return f"{seconds:.2f} s"
    if seconds < 120:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes} min {rest:02d} s"


def percent(value: float) -> str:
    """``0.9712 -> "97.12%"``."""
    return f"{100 * value:.2f}%"
