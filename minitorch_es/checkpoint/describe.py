"""``minitorch-es inspect``: what a checkpoint holds, read without building anything."""

from __future__ import annotations

import json
import os
from typing import Any

import h5py

from .hdf5 import open_h5, read_dataset


def describe(path: str | os.PathLike) -> str:
    """A readable report of a checkpoint file: header, metadata, architecture, arrays with
    shapes and dtypes, optimizer, scheduler and trainer progress (``minitorch-es inspect``)."""
    lines = []
    with open_h5(path) as f:
        a = f.attrs
        lines.append(f"file: {path}")
        lines.append(
            f"format version: {a.get('format_version')}   framework: "
            f"{a.get('framework')} {a.get('framework_version')}   created: "
            f"{a.get('created')}   kind: {a.get('kind')}"
        )
        meta = json.loads(a.get("metadata", "{}"))
        if meta:
            lines.append("metadata: " + ", ".join(f"{k}={v}" for k, v in meta.items()))
        if "state" in f:
            lines += ["state dict:", *_arrays(f["state"])]
        if "model" in f:
            g = f["model"]
            lines.append("model architecture:")
            if "config" in g.attrs:
                lines += ["  " + ln for ln in _architecture(json.loads(g.attrs["config"]))]
            else:
                lines.append(f"  (not stored: {g.attrs.get('config_error', 'unknown')})")
            lines.append("model parameters and buffers:")
            lines += _arrays(g["state"])
        if "optimizer" in f:
            g = f["optimizer"]
            lines.append(f"optimizer: {g.attrs.get('type')} {g.attrs.get('config', '{}')}")
            tree = json.loads(g["state"].attrs["tree"])
            steps = {v.get("step") for v in tree.get("state", {}).values() if isinstance(v, dict)}
            lines.append(
                f"  parameters with state: {len(tree.get('state', {}))}, steps: "
                f"{sorted(s for s in steps if s is not None)}"
            )
        if "scheduler" in f:
            lines.append(f"scheduler: {f['scheduler'].attrs.get('type')}")
        if "trainer" in f:
            g = f["trainer"]["state"]
            tree = json.loads(g.attrs["tree"])
            line = f"trainer: epoch {tree.get('epoch')}, global step {tree.get('global_step')}"
            batches = (tree.get("accumulators") or {}).get("batches")
            if batches is not None:  # saved in the middle of an epoch
                line += f", {batches} batches into epoch {tree.get('epoch', 0) + 1}"
            lines.append(line)
            history = tree.get("history", {})
            hist = history.get("history", history) if isinstance(history, dict) else {}
            for k, v in hist.items():
                v = _values(g, v, f"{path}: trainer")
                if isinstance(v, list) and v:
                    lines.append(
                        f"  {k}: last {v[-1]:.6g} ({len(v)} epochs)"
                        if isinstance(v[-1], (int, float))
                        else f"  {k}: {v}"
                    )
        if "rng_state" in a:
            lines.append("rng state: stored")
        if "ranks" in a:  # written by a job of several ranks: each rank's own state
            ranks = json.loads(a["ranks"])
            where = [
                f"rank {r.get('rank')} at batch {r['data_position']['index']}"
                for r in ranks
                if isinstance(r.get("data_position"), dict)
            ]
            lines.append(
                f"saved by {len(ranks)} ranks" + (f": {', '.join(where)}" if where else "")
            )
    return "\n".join(lines)


def _values(group: h5py.Group, value: Any, where: str):
    """A History column: stored as a dataset (``{"__dataset__": name}``) or a JSON list."""
    if isinstance(value, dict) and set(value) == {"__dataset__"}:
        return read_dataset(group, value["__dataset__"], where).reshape(-1).tolist()
    return value


def _arrays(group: h5py.Group) -> list[str]:
    out = []

    def visit(name: str, obj: Any):
        if isinstance(obj, h5py.Dataset) and not name.startswith("__arrays__"):
            shape = () if int(obj.attrs.get("ndim", obj.ndim)) == 0 else obj.shape
            out.append(f"  {name.replace('/', '.'):<40} {str(shape):<16} {obj.dtype}")

    group.visititems(visit)
    return out


def _architecture(spec: Any, indent: int = 0) -> list[str]:
    if not isinstance(spec, dict) or "name" not in spec:
        return []
    config = spec.get("config") or {}
    children = []
    simple = {}
    for k, v in config.items():
        nested = _nested(v)
        if nested:
            children += nested
        else:
            simple[k] = v
    args = ", ".join(f"{k}={v}" for k, v in simple.items())
    lines = [" " * indent + f"{spec['name']}({args})"]
    for label, child in children:
        sub = _architecture(child, indent + 2)
        if sub:
            sub[0] = " " * (indent + 2) + f"({label}) " + sub[0].lstrip()
        lines += sub
    return lines


def _nested(value: Any):
    if isinstance(value, dict) and "kind" in value and "name" in value:
        return [("", value)]
    if isinstance(value, list):
        found = []
        for i, v in enumerate(value):
            if isinstance(v, list) and len(v) == 2 and isinstance(v[1], dict) and "kind" in v[1]:
                found.append((str(v[0]), v[1]))
            elif isinstance(v, dict) and "kind" in v:
                found.append((str(i), v))
        return found
    return []
