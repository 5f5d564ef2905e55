"""The experiment registry and the runner behind ``minitorch-es thesis``."""

from __future__ import annotations

import sys
import time
import traceback

import minitorch_es as mt

from . import figures, mnist, moons, plotting, regression, report, xor
from .result import Result, Row, RunConfig

# name -> function(config) -> Result, in the order of the thesis.
EXPERIMENTS = {
    "regression": regression.run,
    "moons": moons.run,
    "xor": xor.run,
    "mnist": mnist.run,
    "figures": figures.run,
}


def check_names(names) -> list[str]:
    """The experiments to run (all when ``names`` is empty), or a ValueError naming the
    unknown ones and what exists."""
    names = list(names or EXPERIMENTS)
    unknown = [n for n in names if n not in EXPERIMENTS]
    if unknown:
        raise ValueError(
            f"unknown experiment(s) {', '.join(map(repr, unknown))}; choose from "
            f"{', '.join(EXPERIMENTS)} (none: all of them)"
        )
    return list(dict.fromkeys(names))  # keep order, drop repeats


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
        return result


def run(names=None, config: RunConfig | None = None) -> list[Result]:
    """Run the named experiments (all by default) and return their results."""
    config = config or RunConfig()
    names = check_names(names)
    results = []
    bar = None
    if config.progress:
        from tqdm import tqdm

        names = bar = tqdm(names, desc="thesis", unit="experiment")
    for name in names:
        if bar is not None:
            bar.set_postfix_str(name)
        results.append(run_one(name, config))
        if bar is not None:
            bar.write(f"{name}: {results[-1].seconds:.1f} s", file=sys.stderr)
    return results


def main(names, config: RunConfig, command: str | None = None, stream=None) -> int:
    """Run, print the table, write the report; 0 if every experiment ran, 1 otherwise."""
    stream = stream or sys.stdout
    start = time.perf_counter()
    results = run(names, config)
    seconds = time.perf_counter() - start
    path = report.write_report(results, config, seconds, command)
    print(report.format_table(results), file=stream)
    print(f"\ntotal wall time {seconds:.1f} s on {report.machine()}", file=stream)
    if not plotting.available():
        print(report.PLOTS_MISSING, file=stream)
    print(f"report: {path}", file=stream)
    return 1 if any("error" in r.data for r in results) else 0
