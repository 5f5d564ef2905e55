"""Runs one corpus program as ``python driver.py PROGRAM.py [--seed S] [--call NAME ...] --
[ARGS ...]``: ``sys.argv`` becomes ``[PROGRAM.py, *ARGS]`` and the program runs as
``__main__``, or, with ``--call``, is imported and the named functions are called (a test
module such as micrograd's).

Python's ``random`` and NumPy's global generator are seeded with ``S`` (0 by default) so that
programs drawing from them repeat themselves. ``--seed`` also seeds the library (``torch`` when
recording PyTorch's outputs) and shifts every ``manual_seed(s)`` the program calls to
``manual_seed(s + S)``, so several recordings show which printed numbers depend on random draws.
"""

import argparse
import importlib
import os
import random
import runpy
import sys

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("program")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--call", action="append", default=[])
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else len(argv)
    opts = parser.parse_args(argv[:split])
    args = argv[split + 1 :]
    seed = opts.seed or 0
    random.seed(seed)
    np.random.seed(seed)
    if opts.seed is not None:
        library = importlib.import_module(os.environ.get("CORPUS_TORCH", "minitorch_es"))
        original = library.manual_seed
        original(seed)
        library.manual_seed = lambda s: original(s + seed)
    sys.argv = [opts.program, *args]
    # As ``python PROGRAM.py`` would, put the program's folder first on the path (in the
    # driver's place): a program of several files imports its own modules.
    sys.path[0] = os.path.dirname(os.path.abspath(opts.program))
    if opts.call:
        module = importlib.import_module(os.path.splitext(os.path.basename(opts.program))[0])
        for name in opts.call:
            getattr(module, name)()
            print(f"{name} passed")
    else:
        runpy.run_path(opts.program, run_name="__main__")


if __name__ == "__main__":
    main()
