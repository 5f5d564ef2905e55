"""Shared machinery of the benchmarks: thread pinning, the environment, data, interleaved timing.

Import this module before NumPy, minitorch_es or PyTorch: it reads ``--threads N`` from the
command line (default 1) and sets ``OPENBLAS_NUM_THREADS``, ``OMP_NUM_THREADS`` and
``MKL_NUM_THREADS``, which BLAS and PyTorch read once, at import; `import_torch` also calls
``torch.set_num_threads(N)``. Both libraries therefore run on the same number of threads.
Likewise ``--openblas-coretype NAME`` sets ``OPENBLAS_CORETYPE`` (``auto`` removes it), which
chooses OpenBLAS's kernels when it loads; by default the variable is left as it is, so NumPy runs
as shipped (see `blas_info`).

Timing is interleaved: every round times each contender once, in an order that alternates
(A B, then B A), so a change of machine load hits both; the figures are the median over the
rounds and the spread of the per-round ratios.
"""

from __future__ import annotations

import gzip
import math
import os
import platform
import resource
import statistics
import sys
import time
from dataclasses import dataclass


def _from_argv(option: str) -> str | None:
    """The value of ``option`` on the command line, before argparse runs (it runs after the
    imports, too late for variables read when a library loads)."""
    argv = sys.argv
    for i, arg in enumerate(argv):
        if arg == option and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(option + "="):
            return arg.split("=", 1)[1]
    return None


THREADS = int(_from_argv("--threads") or 1)
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = str(THREADS)
# OpenBLAS's kernels (see blas_info). By default each library picks its own for the CPU, as
# shipped: PyTorch always does, so an OPENBLAS_CORETYPE inherited from the environment, which
# holds back NumPy alone, is removed ("auto"); "inherit" keeps it, another value replaces it.
# Child processes inherit what is set here.
ENV_CORETYPE = os.environ.get("OPENBLAS_CORETYPE")
CORETYPE = _from_argv("--openblas-coretype") or "auto"
if CORETYPE == "auto":
    os.environ.pop("OPENBLAS_CORETYPE", None)
elif CORETYPE != "inherit":
    os.environ["OPENBLAS_CORETYPE"] = CORETYPE

# after the variables above: OpenBLAS reads them when NumPy loads it
import blas_info  # noqa: E402
import numpy as np  # noqa: E402

MNIST_DIR = os.environ.get("MINITORCH_ES_DATA", "")  # --data-dir overrides it


def add_common_arguments(parser, data: bool = True) -> None:
    """``--threads`` and ``--openblas-coretype`` (read at import, declared here for --help and
    so that argparse accepts them) and, with ``data``, ``--data-dir``."""
    parser.add_argument(
        "--threads", type=int, default=THREADS, help="BLAS / PyTorch threads (default 1)"
    )
    parser.add_argument(
        "--openblas-coretype",
        metavar="NAME",
        default=CORETYPE,
        help="OpenBLAS's kernels: auto (the default: OpenBLAS detects the CPU, as PyTorch does "
        "for its own; an OPENBLAS_CORETYPE from the environment is removed), inherit (keep the "
        "environment's OPENBLAS_CORETYPE), or a core name such as HASWELL or SKYLAKEX",
    )
    if data:
        parser.add_argument("--data-dir", default=MNIST_DIR, help="directory of the MNIST files")


def import_torch():
    """PyTorch with ``THREADS`` intra-op threads, or None when it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(THREADS)
    return torch


def _read_idx(path: str) -> np.ndarray:
    """An MNIST IDX file (raw or .gz): a 4-byte magic whose last byte is the rank, the sizes as
    big-endian int32, then uint8 data."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        content = f.read()
    rank = content[3]
    shape = tuple(int.from_bytes(content[4 + 4 * i : 8 + 4 * i], "big") for i in range(rank))
    return np.frombuffer(content, dtype=np.uint8, offset=4 + 4 * rank).reshape(shape)


def mnist_paths(data_dir: str = MNIST_DIR, split: str = "train") -> dict | None:
    """The MNIST files of ``split`` ("train" or "t10k"; raw or .gz) in ``data_dir``, by kind
    ("images", "labels"), or None when they are missing."""
    paths = {}
    for kind, rank in (("images", 3), ("labels", 1)):
        name = f"{split}-{kind}-idx{rank}-ubyte"
        found = [data_dir and os.path.join(data_dir, name + ext) for ext in ("", ".gz")]
        found = [p for p in found if p and os.path.exists(p)]
        if not found:
            return None
        paths[kind] = found[0]
    return paths


def mnist(data_dir: str = MNIST_DIR, size: int = 28, flat: bool = False, split: str = "train"):
    """MNIST images of ``split`` ("train" or "t10k"), ``(N, 1, size, size)`` float32,
    normalised as in the PyTorch examples (padded with black pixels when ``size`` is 32:
    LeNet-5's input) or flattened, and int64 labels. Read with NumPy alone, so a PyTorch
    process never imports minitorch_es. Without the files: random data of the same shape
    (the timing is the same)."""
    paths = mnist_paths(data_dir, split)
    if paths is not None:
        images = _read_idx(paths["images"])
        labels = _read_idx(paths["labels"]).astype(np.int64)
    else:
        rng, n = np.random.default_rng(0), 60000 if split == "train" else 10000
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, n)
    margin = (size - 28) // 2
    x = np.zeros((len(images), 1, size, size), dtype=np.float32)  # padding: black pixels
    x[:, 0, margin : margin + 28, margin : margin + 28] = images
    x -= 0.1307 * 255  # in place: the data's footprint is one float32 array
    x *= 1 / (0.3081 * 255)
    return (x.reshape(len(x), -1) if flat else x), labels


def random_images(n: int, shape: tuple, classes: int = 10, seed: int = 0):
    """Standard-normal float32 images and random int64 labels (CIFAR-shaped workloads)."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, *shape), dtype=np.float32), rng.integers(0, classes, n)


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB: ``VmHWM`` of /proc/self/status, the high
    water mark of this program's own memory (``ru_maxrss`` would also count the memory of the
    process that spawned it, which a child inherits across fork and exec on Linux)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def environment(data_dir: str | None = None) -> list[str]:
    """Lines describing the machine, its load, both libraries' builds and threads, and (given
    ``data_dir``) the data the workloads read."""
    torch = import_torch()
    blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
    threads = ", ".join(
        f"{v}={os.environ.get(v)}" for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")
    )
    cpu_model = blas_info.cpu_identity().get("model name") or platform.processor() or "?"
    source = "from the environment" if CORETYPE == "inherit" else f"--openblas-coretype {CORETYPE}"
    if ENV_CORETYPE is not None and CORETYPE == "auto":
        source += f"; the environment's OPENBLAS_CORETYPE={ENV_CORETYPE} removed"
    lines = [
        f"machine: {cpu_model}, {os.cpu_count()} CPUs; load average "
        + " ".join(f"{x:.2f}" for x in os.getloadavg()),
        f"python {platform.python_version()} on {platform.system()} {platform.release()}",
        f"numpy {np.__version__}, BLAS {blas.get('name', '?')} {blas.get('version', '')}; "
        f"{threads}",
        *blas_info.lines(source),
    ]
    if torch is not None:
        lines.append(
            f"torch {torch.__version__}: {torch.get_num_threads()} intra-op threads, "
            f"{torch.get_num_interop_threads()} inter-op, mkldnn "
            f"{torch.backends.mkldnn.is_available()}, CPU capability "
            f"{torch.backends.cpu.get_cpu_capability()}"
        )
    else:
        lines.append("torch: not installed (`pip install torch==2.13.0` to compare)")
    if data_dir is not None:
        found = mnist_paths(data_dir) is not None
        where = f"MNIST from {data_dir}" if found else f"random data (no MNIST in {data_dir!r})"
        lines.append(f"data: {where}")
    return lines


def interleave(contenders: dict, rounds: int, warmup: int = 1) -> dict[str, dict[str, list]]:
    """Wall-clock and CPU seconds of each zero-argument callable in ``contenders``, once per
    round, the order reversed every other round, after ``warmup`` untimed rounds:
    ``{name: {"wall": [...], "cpu": [...]}}``. On a loaded machine the process's CPU time
    (``time.process_time``, all its threads) shows the work apart from waiting for a core."""
    names = list(contenders)
    times = {name: {"wall": [], "cpu": []} for name in names}
    for r in range(warmup + rounds):
        for name in names if r % 2 == 0 else names[::-1]:
            wall, cpu = time.perf_counter(), time.process_time()
            contenders[name]()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            if r >= warmup:
                times[name]["wall"].append(wall)
                times[name]["cpu"].append(cpu)
    return times


@dataclass
class Row:
    """One line of a comparison table: two series of timings (or sizes) of the same work, and
    optionally the two series of CPU times."""

    workload: str
    ours: list
    theirs: list
    unit: str = "ms"
    scale: float = 1e3
    reference: str = "PyTorch"
    cpu: tuple | None = None  # (ours, theirs): CPU seconds per round

    @classmethod
    def timed(cls, workload: str, times: dict, pair: tuple, per: float = 1.0, **options):
        """A row from `interleave`'s ``times`` of the contenders ``pair = (ours, theirs)``,
        every figure divided by ``per`` (steps per round)."""
        wall, cpu = ([[t / per for t in times[n][c]] for n in pair] for c in ("wall", "cpu"))
        return cls(workload, *wall, cpu=tuple(cpu), **options)

    def cells(self) -> list[str]:
        """workload, minitorch_es median, reference median, median ratio, ratio spread, median
        ratio of CPU times."""

        def fmt(xs):
            value = statistics.median(xs) * self.scale
            return f"{value:,.0f} {self.unit}" if value >= 100 else f"{value:.3g} {self.unit}"

        ratios = sorted(a / b if b else math.inf for a, b in zip(self.ours, self.theirs))
        if len(ratios) >= 4:
            q1, _, q3 = statistics.quantiles(ratios, n=4)
            spread = f"{q1:.2f}-{q3:.2f} (IQR, n={len(ratios)})"
        elif len(ratios) > 1:
            spread = f"{ratios[0]:.2f}-{ratios[-1]:.2f} (range, n={len(ratios)})"
        else:
            spread = "single run"
        cpu = "-"
        if self.cpu:
            cpu = f"{statistics.median(a / b for a, b in zip(*self.cpu)):.2f}x"
        name = self.workload
        if self.reference != "PyTorch":
            name += f" [vs {self.reference}]"
        ratio = f"{statistics.median(ratios):.2f}x"
        return [name, fmt(self.ours), fmt(self.theirs), ratio, spread, cpu]


def compared(label: str, contenders: dict, rounds: int, per: float = 1.0, **options) -> Row:
    """`interleave` ``contenders`` (``minitorch_es`` and, when installed, ``PyTorch``, or the
    two names given as ``pair=``) and make their `Row`; without PyTorch the row compares
    minitorch_es with itself."""
    pair = options.pop("pair", ("minitorch_es", "PyTorch"))
    times = interleave(contenders, rounds)
    times.setdefault(pair[1], times[pair[0]])
    return Row.timed(label, times, pair, per, **options)


HEADER = [
    "workload",
    "minitorch_es",
    "PyTorch (or reference)",
    "ratio",
    "ratio spread",
    "CPU-time ratio",
]


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table."""
    lines = [HEADER, *(r.cells() for r in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER))]
    out = ["| " + " | ".join(c.ljust(w) for c, w in zip(line, widths)) + " |" for line in lines]
    out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)
