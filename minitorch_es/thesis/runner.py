"""The experiment registry and the runner behind ``minitorch-es thesis``."""

from __future__ import annotations

import sys
import time
import traceback

import minitorch_es as mt
from minitorch_es.console import WIDTH, Progress

from . import figures, mnist, moons, plotting, regression, report, xor
from .result import Result, Row, RunConfig, format_seconds

# name -> function(config) -> Result, in the order of the thesis.
EXPERIMENTS = {
    "regression": regression.run,
    "moons": moons.run,
    "xor": xor.run,
    "mnist": mnist.run,
    "figures": figures.run,
}


def check_names(names, skip=()) -> list[str]:
    """The experiments to run (all when ``names`` is empty) less those in ``skip``, or a
    ValueError naming the unknown ones and what exists."""
    names, skip = list(names or EXPERIMENTS), list(skip or ())
    unknown = [n for n in names + skip if n not in EXPERIMENTS]
    if unknown:
        raise ValueError(
            f"unknown experiment(s) {', '.join(map(repr, unknown))}; choose from "
            f"{', '.join(EXPERIMENTS)} (none: all of them)"
        )
    return [n for n in dict.fromkeys(names) if n not in skip]  # keep order, drop repeats


def run_one(name: str, config: RunConfig) -> Result:
    """One experiment, seeded with ``config.seed``; a crash becomes a row saying so (the
    traceback goes in the notes) so the other experiments still run."""
    mt.manual_seed(config.seed)
    start = time.perf_counter()
    try:
        return EXPERIMENTS[name](config)
    except Exception as e:  # noqa: BLE001 - reported in the table and the exit status
        result = Result(name, name, seconds=time.perf_counter() - start)
        result.rows.append(Row(name, "(experiment)", "", f"failed: {type(e).__name__}: {e}"))
        result.notes.append("```\n" + traceback.format_exc() + "```")
        result.data["error"] = e
        error = f"{type(e).__name__}: {e}".splitlines()[0]
        error = error if len(error) <= 50 else error[:47] + "..."
        result.problem = f"{name} failed ({error}); its traceback is in report.md"
        return result


def run(names=None, config: RunConfig | None = None) -> list[Result]:
    """Run the named experiments (all by default) and return their results."""
    config = config or RunConfig()
    names = check_names(names)
    results = []
    with Progress(len(names), "thesis", unit="experiment", enabled=config.progress) as overall:
        for i, name in enumerate(names):
            overall.update(1 if i else 0, running=name)  # the count of finished experiments
            results.append(run_one(name, config))
            last = results[-1]
            status = "failed" if "error" in last.data else "not run" if last.problem else "done"
            overall.write(
                f"{name}: {status}, {format_seconds(last.seconds)} ({len(results)}/{len(names)})"
            )
    return results


def main(names, config: RunConfig, command: str | None = None, stream=None) -> int:
    """Run, print the table, write the report; 0 if every experiment ran, 1 otherwise (with a
    line on stderr per experiment saying what to do)."""
    stream = stream or sys.stdout
    start = time.perf_counter()
    results = run(names, config)
    seconds = time.perf_counter() - start
    path = report.write_report(results, config, seconds, command)
    print(report.format_table(results), file=stream)
    print(f"\ntotal wall time {format_seconds(seconds)} on {report.machine()}", file=stream)
    if not plotting.available():
        print(report.PLOTS_MISSING, file=stream)
    print(f"report: {path}", file=stream, flush=True)
    problems = [r.problem for r in results if r.problem]
    for problem in problems:  # one line each, saying what to do
        print(problem if len(problem) <= WIDTH else problem[: WIDTH - 3] + "...", file=sys.stderr)
    return 1 if problems else 0
