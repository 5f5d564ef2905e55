"""``minitorch-es thesis``: the experiments of *Neural Networks from Scratch* (chapter 4, and the
figures of section 3.6) run with this framework, compared with the thesis's numbers.

    from minitorch_es.thesis import RunConfig, run
    results = run(["regression", "xor"], RunConfig(out_dir="report", quick=True))
    results[0].rows        # the table rows; results[0].figures: the PNG files written

Each experiment lives in its own module (``regression``, ``moons``, ``xor``, ``mnist``,
``figures``) with a ``run(config) -> Result``.
"""

from .report import format_table, markdown_table, write_report
from .result import FigureFile, Result, Row, RunConfig
from .runner import EXPERIMENTS, check_names, main, run, run_one

__all__ = [
    "run",
    "run_one",
    "main",
    "check_names",
    "EXPERIMENTS",
    "RunConfig",
    "Result",
    "Row",
    "FigureFile",
    "format_table",
    "markdown_table",
    "write_report",
]
