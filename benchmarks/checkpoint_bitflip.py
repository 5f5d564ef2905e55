"""Bit-flip sweep over a small checkpoint (an MLP, Adam and StepLR, with metadata):
every variant must raise CheckpointError. Counted: silent differences (loaded, but not what was
saved), other exceptions, hangs.

    python benchmarks/checkpoint_bitflip.py             # every bit of every byte
    python benchmarks/checkpoint_bitflip.py --reseal    # the same, integrity header recomputed
    python benchmarks/checkpoint_bitflip.py --step 13 --bits 0   # a sample

Plain flips are what a disk or a transfer does; the integrity header (a SHA-256 of the file in
the HDF5 user block) must stop each one before libhdf5 parses the file. ``--reseal`` recomputes
that header after the flip, so the damage reaches libhdf5, the reader's structural checks and
the per-array and attribute digests (a flip of the user block itself is then undone, so only
the bytes after it are swept). Each variant is loaded with ``load_checkpoint`` into fresh
objects and with ``load_model``; loads run in worker processes, and a worker silent for
``--timeout`` seconds is killed and its variant counted as a hang.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import os
import selectors
import subprocess
import sys
import tempfile
import time

import numpy as np

USERBLOCK = 512


def objects():
    """A fresh model, optimizer and scheduler (the same every call)."""
    import minitorch_es as mt

    mt.manual_seed(0)
    model = mt.nn.Sequential(mt.nn.Linear(3, 4), mt.nn.ReLU(), mt.nn.Linear(4, 2))
    optimizer = mt.optim.Adam(model.parameters(), lr=0.01)
    scheduler = mt.optim.lr_scheduler.StepLR(optimizer, step_size=2)
    return model, optimizer, scheduler


def build(path: str) -> None:
    """Write the swept checkpoint: one training step taken, so Adam has state."""
    import minitorch_es as mt

    model, optimizer, scheduler = objects()
    model(mt.randn(5, 3)).pow(2).mean().backward()
    optimizer.step()
    scheduler.step()
    mt.save_checkpoint(
        path, model=model, optimizer=optimizer, scheduler=scheduler, epoch=1, note="flips"
    )


def fingerprint(path: str) -> str:
    """A digest of everything loading ``path`` produces (raises what loading raises)."""
    import minitorch_es as mt

    model, optimizer, scheduler = objects()
    info = mt.load_checkpoint(path, model=model, optimizer=optimizer, scheduler=scheduler)
    rebuilt = mt.load_model(path)
    h = hashlib.sha256()
    for part in (
        model.state_dict(),
        optimizer.state_dict(),
        scheduler.state_dict(),
        info["epoch"],
        info["metadata"],
        mt.random.get_state(),
        rebuilt.get_config(),
        rebuilt.state_dict(),
        repr(rebuilt),
    ):
        _feed(h, part)
    return h.hexdigest()


def _feed(h, value) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            h.update(repr(k).encode())
            _feed(h, v)
    elif isinstance(value, (list, tuple)):
        h.update(b"[" if isinstance(value, list) else b"(")
        for v in value:
            _feed(h, v)
    elif isinstance(value, np.ndarray) or hasattr(value, "__array__"):
        a = np.asarray(value)
        h.update(f"{a.dtype}{a.shape}".encode() + np.ascontiguousarray(a).tobytes())
    else:
        h.update(repr(value).encode())


def outcome(original: bytes, variant_path: str, offset: int, bit: int, reseal: bool, good: str):
    """Load the variant with bit ``bit`` of byte ``offset`` flipped: "error" (CheckpointError),
    "same" (loads identically), "diff" (loads, differently) or "exc:<type>: <message>"."""
    from minitorch_es.checkpoint import CheckpointError

    data = bytearray(original)
    data[offset] ^= 1 << bit
    with open(variant_path, "wb") as f:
        f.write(data)
    if reseal:
        from minitorch_es.checkpoint.seal import seal

        with open(variant_path, "r+b") as f:
            seal(f)
    try:
        return "same" if fingerprint(variant_path) == good else "diff"
    except CheckpointError:
        return "error"
    except Exception as e:  # noqa: BLE001 - exactly what the sweep counts
        return f"exc:{type(e).__name__}: {str(e)[:120]}"


def worker(original_path: str, reseal: bool) -> None:
    """Read ``offset:bit`` items from stdin; print ``offset bit outcome`` for each, one line
    each, as soon as it is known."""
    import warnings

    warnings.simplefilter("ignore")
    items = _decode(sys.stdin.read())
    original = open(original_path, "rb").read()
    good = fingerprint(original_path)
    with tempfile.TemporaryDirectory() as tmp:
        variant = os.path.join(tmp, "variant.h5")
        for offset, bit in items:
            print(offset, bit, outcome(original, variant, offset, bit, reseal, good), flush=True)


def sweep(items, original_path, reseal, workers, timeout):
    """Run the items in ``workers`` processes; returns {item: outcome}."""
    # Several chunks per worker, so that a hang costs one restart, not a worker's whole share.
    pending = collections.deque(_chunks(items, max(workers, min(workers * 8, len(items) // 500))))
    running, results = {}, {}
    selector = selectors.DefaultSelector()

    def start(chunk):
        proc = subprocess.Popen(
            [sys.executable, __file__, "--worker", original_path]
            + (["--reseal"] if reseal else []),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        proc.stdin.write(_encode(chunk))
        proc.stdin.close()
        running[proc] = [collections.deque(chunk), time.monotonic() + timeout + 60]
        selector.register(proc.stdout, selectors.EVENT_READ, proc)

    def stop(proc):
        selector.unregister(proc.stdout)
        proc.kill()
        proc.wait()
        del running[proc]

    while pending or running:
        while pending and len(running) < workers:
            start(pending.popleft())
        for key, _ in selector.select(timeout=1.0):
            proc = key.data
            line = proc.stdout.readline()
            todo = running[proc][0]
            if not line:  # finished (or died: its remaining items are counted as crashes)
                for item in todo:
                    results[item] = "exc:worker died"
                stop(proc)
                continue
            offset, bit, result = line.rstrip("\n").split(" ", 2)
            results[todo.popleft()] = result
            running[proc][1] = time.monotonic() + timeout
        for proc, (todo, deadline) in list(running.items()):
            if time.monotonic() > deadline:  # a hang: count it, go on with the rest
                results[todo.popleft()] = "hang"
                stop(proc)
                if todo:
                    pending.appendleft(list(todo))
    return results


def _chunks(items, n):
    size = max(1, -(-len(items) // n))
    return [items[i : i + size] for i in range(0, len(items), size)]


def _encode(items):
    return ",".join(f"{o}:{b}" for o, b in items)


def _decode(text):
    return [tuple(map(int, pair.split(":"))) for pair in text.split(",") if pair]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reseal", action="store_true", help="recompute the integrity header")
    parser.add_argument("--step", type=int, default=1, help="sweep every STEP-th byte")
    parser.add_argument("--bits", default="01234567", help="which bits of each byte to flip")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds before a hang")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.reseal)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "small.h5")
        build(path)
        size = os.path.getsize(path)
        first = USERBLOCK if args.reseal else 0
        items = [(o, int(b)) for o in range(first, size, args.step) for b in args.bits]
        began = time.monotonic()
        results = sweep(items, path, args.reseal, args.workers, args.timeout)
        seconds = time.monotonic() - began
    counts = collections.Counter(
        r if not r.startswith("exc:") else "other exception" for r in results.values()
    )
    mode = "resealed" if args.reseal else "plain"
    print(
        f"{mode} sweep of a {size}-byte checkpoint (MLP + Adam + StepLR): bytes "
        f"{first}..{size - 1} step {args.step}, bits {args.bits}: {len(items)} variants in "
        f"{seconds:.0f} s"
    )
    for name in ("error", "same", "diff", "other exception", "hang"):
        label = {
            "error": "CheckpointError",
            "same": "loaded identically (bytes the reader never uses)",
            "diff": "SILENT DIFFERENCE",
        }.get(name, name)
        print(f"  {label}: {counts.get(name, 0)}")
    bad = sorted((item, r) for item, r in results.items() if r not in ("error", "same"))
    for (offset, bit), result in bad[:20]:
        print(f"    byte {offset} bit {bit}: {result}")
    allowed = {"error", "same"} if args.reseal else {"error"}
    return 0 if set(results.values()) <= allowed else 1


if __name__ == "__main__":
    sys.exit(main())
