"""The package's console policy: one set of rules for everything minitorch_es prints (the
Trainer's progress and epoch lines, callbacks' messages, the ``minitorch-es`` command).

* On a terminal, progress is a tqdm bar, redrawn in place and cleared when done.
* Anywhere else (a pipe, a file, a CI log, a notebook's captured output) progress is plain
  lines, at most one every ``LINE_INTERVAL`` seconds, without carriage returns or escape
  sequences; a task shorter than that prints no progress at all.
* Disabled (``verbose=0``, ``--no-progress``), progress prints nothing.
* Every line fits ``WIDTH`` columns: tables wrap their cells, long lines wrap between their
  parts, and numbers are rounded to 4 significant digits (`format_number`).
"""

from __future__ import annotations

import math
import numbers
import shutil
import sys
import textwrap
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import zip_longest
from typing import Any, TextIO

WIDTH = 100  # columns of every line printed
LINE_INTERVAL = 10.0  # seconds between two progress lines when not on a terminal


def is_terminal(stream: TextIO | None) -> bool:
    """Whether ``stream`` is an interactive terminal (progress bars are drawn only there)."""
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def format_number(value: Any) -> str:
    """A number rounded for people: 4 significant digits (whole units from 10 000 up),
    integers as they are.

        >>> [format_number(v) for v in (0.96123, 1.4976573657989503, 0.001, 12345.6, 3, 1e-07)]
        ['0.9612', '1.498', '0.001', '12346', '3', '1e-07']
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return str(int(value))
    if isinstance(value, numbers.Real) or hasattr(value, "__float__"):
        number = float(value)
        if not math.isfinite(number):
            return str(number)
        return f"{number:.0f}" if 1e4 <= abs(number) < 1e15 else f"{number:.4g}"
    return str(value)


def log_parts(logs: Mapping[str, Any], skip: Iterable[str] = ()) -> list[str]:
    """``["loss: 0.1234", "accuracy: 0.9612"]``: each entry of ``logs`` but ``skip``."""
    skip = set(skip)
    return [f"{key}: {format_number(value)}" for key, value in logs.items() if key not in skip]


def join_parts(parts: Sequence[str], width: int = WIDTH, sep: str = " - ") -> str:
    """``parts`` joined by ``sep`` on lines of at most ``width`` columns; a line that would be
    too long continues on the next one, indented by 4 (a single part is never split)."""
    lines, line = [], ""
    for part in parts:
        candidate = part if not line else line + sep + part
        if line and len(candidate) > width:
            lines.append(line + sep.rstrip())
            line = "    " + part
        else:
            line = candidate
    return "\n".join([*lines, line])


def format_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str] | str],
    width: int = WIDTH,
    indent: int = 0,
    gap: int = 2,
) -> str:
    """Aligned columns under ``header`` and a rule; cells wrap so that each line fits
    ``width``. A row that is a plain string is printed as a section title (not indented).

        >>> print(format_table(["name", "note"], ["Group", ["a", "a rather long note"]], width=16))
        name  note
        ----  ----------
        Group
        a     a rather
              long note
    """
    cells = [[str(c) for c in row] for row in rows if not isinstance(row, str)]
    natural = [max(len(c) for c in column) for column in zip(header, *cells)]
    widths = _fit(natural, [len(h) for h in header], width - indent - gap * (len(header) - 1))
    pad = " " * indent

    def lines(row: Sequence[str]) -> list[str]:
        wrapped = [textwrap.wrap(c, w, break_on_hyphens=False) or [""] for c, w in zip(row, widths)]
        return [
            (pad + (" " * gap).join(c.ljust(w) for c, w in zip(parts, widths))).rstrip()
            for parts in zip_longest(*wrapped, fillvalue="")
        ]

    out = lines(header) + [pad + (" " * gap).join("-" * w for w in widths)]
    for row in rows:
        out += [row] if isinstance(row, str) else lines([str(c) for c in row])
    return "\n".join(out)


def _fit(natural: list[int], minimum: list[int], budget: int) -> list[int]:
    """Column widths: the natural ones, the widest narrowed one column at a time until they
    fit ``budget`` (none below its header or 6 columns)."""
    widths = list(natural)
    floors = [min(n, max(m, 6)) for n, m in zip(natural, minimum)]
    while sum(widths) > budget:
        shrinkable = [i for i, w in enumerate(widths) if w > floors[i]]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda i: widths[i])
        widths[widest] -= 1
    return widths


class Progress:
    """Progress of a task of ``total`` steps (None: unknown), shown by the policy above.

        with Progress(3, "demo", unit="epoch", enabled=False) as progress:
            for epoch in range(3):
                progress.update(1, loss=0.5)

    ``update(n, **logs)`` advances by ``n`` and shows ``logs`` (rounded) beside the count;
    ``write(line)`` prints a line without breaking a bar. ``stream`` defaults to stderr;
    ``interval`` (default `LINE_INTERVAL`) spaces the plain lines; ``scale`` shows a bar's
    counts with k/M prefixes (bytes).
    """

    def __init__(
        self,
        total: int | None,
        desc: str,
        unit: str = "it",
        *,
        stream: TextIO | None = None,
        enabled: bool = True,
        interval: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        scale: bool = False,
    ) -> None:
        self.total, self.desc, self.unit = total, desc, unit
        self.stream = stream if stream is not None else sys.stderr
        self.mode = "off" if not enabled else "bar" if is_terminal(self.stream) else "lines"
        self.count = 0
        self.logs: dict[str, Any] = {}
        self.interval = LINE_INTERVAL if interval is None else interval
        self.clock = clock
        self.start = self.last = clock()
        self.bar = None
        if self.mode == "bar":
            from tqdm import tqdm

            columns = min(WIDTH, shutil.get_terminal_size((WIDTH, 24)).columns)
            self.bar = tqdm(
                total=total,
                desc=desc,
                unit=unit,
                unit_scale=scale,
                file=self.stream,
                leave=False,
                ncols=columns,
            )

    def update(self, n: int = 1, **logs: Any) -> None:
        """Advance by ``n`` steps; ``logs`` (loss, accuracy ...) are shown with the count."""
        self.count += n
        self.logs.update(logs)
        if self.bar is not None:
            if logs:
                self.bar.set_postfix_str(", ".join(log_parts(self.logs)), refresh=False)
            self.bar.update(n)
        elif self.mode == "lines" and self.clock() - self.last >= self.interval:
            self.last = self.clock()
            print(self.line(), file=self.stream, flush=True)

    def line(self) -> str:
        """The plain progress line: ``"desc: epoch 12/50 (24%) - loss: 0.31 - 14 s"``."""
        count = f"{self.unit} {self.count}"
        if self.total:
            count += f"/{self.total} ({100 * self.count // self.total}%)"
        seconds = f"{self.clock() - self.start:.0f} s"
        return join_parts([f"{self.desc}: {count}", *log_parts(self.logs), seconds])

    def write(self, line: str) -> None:
        """Print ``line`` now (above the bar on a terminal); nothing when disabled."""
        if self.bar is not None:
            self.bar.write(line, file=self.stream)
        elif self.mode == "lines":
            print(line, file=self.stream, flush=True)

    def close(self) -> None:
        """Clear the bar (a finished task leaves no progress behind)."""
        if self.bar is not None:
            self.bar.refresh()  # a fast task finishes inside tqdm's redraw interval
            self.bar.close()
            self.bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def progress_range(n: int, desc: str, unit: str = "epoch", enabled: bool = True) -> Iterator[int]:
    """``range(n)``, its progress shown on stderr by the policy above."""
    with Progress(n, desc, unit, enabled=enabled) as progress:
        for i in range(n):
            yield i
            progress.update(1)
