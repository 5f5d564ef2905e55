"""The comparison table (printed and in markdown) and ``report.md`` with the figures."""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

import numpy as np

from minitorch_es.console import format_table as format_columns

from . import plotting
from .result import format_seconds

QUICK_MODE = "quick (few epochs, MNIST subset: the same code, not the real figures)"
COLUMNS = ["Experiment", "Metric", "Thesis", "Ours", "Epochs", "Wall time"]


def table_cells(results) -> list[list[str]]:
    """Every row of every result as strings."""
    return [row.cells() for result in results for row in result.rows]


def format_table(results) -> str:
    """The printed table: a section per experiment (the first column becomes its title), its
    rows indented beneath, cells wrapped so every line fits the console's 100 columns."""
    rows: list = []
    title = None
    for cells in table_cells(results):
        if cells[0] != title:
            title = cells[0]
            rows.append(title)
        rows.append(cells[1:])
    return format_columns(COLUMNS[1:], rows, indent=2)


def markdown_table(results) -> str:
    """The same table in GitHub markdown."""

    def line(cells):
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    rows = [line(COLUMNS), line(["---"] * len(COLUMNS))]
    return "\n".join(rows + [line(r) for r in table_cells(results)])


def machine() -> str:
    """``"2 cores, Linux x86_64, Python 3.11.7, NumPy 2.4.6"``."""
    return (
        f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}, Python "
        f"{platform.python_version()}, NumPy {np.__version__}"
    )


def write_report(results, config, seconds: float, command: str | None = None) -> Path:
    """Write ``config.out_dir/report.md``: settings, the table, then each experiment's notes and
    figures. Returns its path."""
    out = Path(config.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    experiments = ", ".join(r.name for r in results)
    parts = [
        "# minitorch_es reproduces *Neural Networks from Scratch*",
        "",
        (f"Command: `{command}`  " if command else f"Experiments: {experiments}  "),
        f"Date: {time.strftime('%Y-%m-%d %H:%M:%S')}; machine: {machine()}  ",
        f"Mode: {QUICK_MODE if config.quick else 'full'}; seed {config.seed}; "
        f"total wall time {format_seconds(seconds)}",
        "",
        "## Comparison with the thesis",
        "",
        markdown_table(results),
        "",
    ]
    if not plotting.available():
        parts += [f"**No figures:** {PLOTS_MISSING}", ""]
    for result in results:
        parts += [f"## {result.title}", ""]
        parts += [note + "\n" for note in result.notes]
        for fig in result.figures:
            parts += [f"![{fig.caption}]({fig.path})", "", f"*{fig.caption}*", ""]
    path = out / "report.md"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


PLOTS_MISSING = f"matplotlib is not installed; {plotting.PLOT_HINT}."
