"""kill -9 during saves: a process saves a checkpoint in a loop and is killed at a random moment,
again and again. After each kill the file must load (the last complete save); temporary files
of killed saves may remain until the next save of the same path, which removes them.

    python benchmarks/checkpoint_kill9.py              # 12 kills
    python benchmarks/checkpoint_kill9.py --kills 50 --megabytes 16
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import textwrap
import time

SAVER = textwrap.dedent("""
    import sys
    import numpy as np
    import minitorch_es as mt
    path, n = sys.argv[1], int(sys.argv[2])
    model = mt.nn.Linear(n, 256)
    optimizer = mt.optim.Adam(model.parameters(), lr=0.01)
    print("ready", flush=True)
    for epoch in range(10**9):
        mt.save_checkpoint(path, model=model, optimizer=optimizer, epoch=epoch)
""")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=12)
    parser.add_argument("--megabytes", type=float, default=4.0, help="size of the model's weight")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    import minitorch_es as mt

    rng = random.Random(args.seed)
    n = max(1, int(args.megabytes * 2**20 / 4 / 256))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "run.h5")
        in_a_save = loads = existed = 0
        most = 0
        for _ in range(args.kills):
            proc = subprocess.Popen(
                [sys.executable, "-c", SAVER, path, str(n)], stdout=subprocess.PIPE, text=True
            )
            assert proc.stdout.readline().strip() == "ready"
            time.sleep(rng.uniform(0.05, 1.0))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            proc.stdout.close()
            temporaries = [name for name in os.listdir(tmp) if name.endswith(".tmp")]
            in_a_save += bool(temporaries)
            most = max(most, len(temporaries))
            if os.path.exists(path):  # not yet if the kill came before the first save ended
                existed += 1
                mt.load_checkpoint(path, restore_rng=False)  # raises if the file is not whole
                loads += 1
        left = sum(name.endswith(".tmp") for name in os.listdir(tmp))
        mt.save_checkpoint(path, model=mt.nn.Linear(2, 2))
        after = sorted(os.listdir(tmp))
    print(f"{args.kills} kills of a process saving a {args.megabytes:g} MB checkpoint in a loop:")
    print(f"  killed inside a save (a temporary file left): {in_a_save}")
    print(f"  temporary files present at once, at most: {most}; before the next save: {left}")
    print(f"  the file existed after {existed} kills and loaded after {loads} of them")
    print(f"  files after the next save: {after}")
    return 0 if after == ["run.h5"] and loads == existed else 1


if __name__ == "__main__":
    sys.exit(main())
