"""``minitorch-es inspect``: what a checkpoint holds, verified and read without building
anything. Every string from the file is escaped before it is shown, and lines are kept
within 100 columns."""

from __future__ import annotations

import os
import textwrap
from typing import Any

import numpy as np

from ..printable import printable
from .format import SECTIONS
from .reader import CheckpointReader, open_checkpoint
from .trees import references

WIDTH = 100


def describe(path: str | os.PathLike) -> str:
    """A readable report of a checkpoint file, after verifying all of it (the integrity
    header, the fields and every array's SHA-256): header, metadata, architecture with
    each class's provider, parameters and buffers in model order with their total, optimizer,
    scheduler and trainer progress (``minitorch-es inspect``)."""
    with open_checkpoint(path) as ck:
        groups = [g for g in ("/state", *(f"/{s}/state" for s in SECTIONS)) if ck.has(g)]
        trees = {g: ck.tree(g) for g in groups}  # reads and verifies every array
        arrays = sum(len(references(ck.tree_json(g), g)) for g in groups)
        root = ck.fields["/"]
        lines = [
            f"file: {printable(os.fspath(path))}",
            *_wrap(
                f"format version: {root['format_version']}   kind: {root['kind']}   written by "
                f"minitorch_es {printable(root['framework_version'], 20)} on "
                f"{printable(root['created'], 30)}"
            ),
            f"integrity: verified (SHA-256 of the file, of its fields and of {arrays} arrays)",
        ]
        metadata = ck.json("/", "metadata", {})
        if isinstance(metadata, dict) and metadata:
            lines += _wrap(
                "metadata: " + ", ".join(f"{_key(k)}={_show(v)}" for k, v in metadata.items())
            )
        if ck.kind == "state_dict":
            lines += ["state dict:", *_arrays(trees["/state"], None)]
        if ck.has("/model"):
            lines += _model(ck, trees["/model/state"])
        if ck.has("/optimizer"):
            lines += _optimizer(ck, trees["/optimizer/state"])
        if ck.has("/scheduler"):
            lines.append(f"scheduler: {printable(ck.text('/scheduler', 'type'), 60)}")
        if ck.has("/trainer"):
            lines += _trainer(trees["/trainer/state"])
        if "rng_state" in root:
            lines.append("rng state: stored")
        lines += _ranks(ck.json("/", "ranks"))
    return "\n".join(line.rstrip() for line in lines)


def _ranks(ranks: Any) -> list[str]:
    """Which ranks saved a checkpoint of a job of several, and where each was in its data."""
    if not isinstance(ranks, list):
        return []
    where = [
        f"rank {_show(r.get('rank'))} at batch {_show(r['data_position'].get('index'))}"
        for r in ranks
        if isinstance(r, dict) and isinstance(r.get("data_position"), dict)
    ]
    shown = ", ".join(where[:16]) + (", ..." if len(where) > 16 else "")
    return _wrap(f"saved by {len(ranks)} ranks" + (f": {shown}" if where else ""))


def _model(ck: CheckpointReader, state: Any) -> list[str]:
    lines = ["model architecture:"]
    config = ck.json("/model", "config")
    if config is None:
        why = printable(ck.text("/model", "config_error", "unknown"), 200)
        lines += _wrap(f"  (not stored: {why})")
    else:
        lines += _architecture(config, 2)
    providers = ck.json("/model", "providers", {})
    if isinstance(providers, dict) and providers:
        lines.append("providers:")
        for entry, provider in providers.items():
            lines += _wrap(f"  {_key(entry).replace(':', ' ', 1)}: {printable(provider, 80)}", 4)
    parameters = ck.json("/model", "parameters")
    names = (
        set(parameters)
        if isinstance(parameters, list) and all(isinstance(p, str) for p in parameters)
        else None
    )
    lines.append("parameters and buffers (model order):")
    lines += _arrays(state, names)
    return lines


def _arrays(tree: Any, parameters: set | None) -> list[str]:
    rows = _flatten(tree, "")
    width = min(48, max([len(_key(k)) for k, _ in rows], default=0))
    lines, counts = [], {"parameter": [0, 0, 0], "buffer": [0, 0, 0]}
    for key, array in rows:
        role = "buffer" if parameters is not None and key not in parameters else "parameter"
        for i, amount in enumerate((1, array.size, array.nbytes)):
            counts[role][i] += amount
        tag = "  (buffer)" if role == "buffer" else ""
        lines.append(f"  {_key(key):<{width}}  {str(array.shape):<16} {array.dtype!s:<8}{tag}")
    n, values, nbytes = counts["parameter"]
    what = "parameters" if parameters is not None else "values"
    total = f"  total: {values:,} {what} in {n} arrays ({_bytes(nbytes)})"
    n, values, nbytes = counts["buffer"]
    if n:
        total += f"; buffers: {values:,} values in {n} arrays ({_bytes(nbytes)})"
    return [*lines, total]


def _flatten(tree: Any, prefix: str) -> list[tuple[str, np.ndarray]]:
    """The arrays of a decoded tree with their dotted paths, in order."""
    if isinstance(tree, np.ndarray):
        return [(prefix, tree)]
    if isinstance(tree, dict):
        items = [(f"{prefix}.{k}" if prefix else str(k), v) for k, v in tree.items()]
    elif isinstance(tree, (list, tuple)):
        items = [(f"{prefix}[{i}]", v) for i, v in enumerate(tree)]
    else:
        return []
    return [row for key, value in items for row in _flatten(value, key)]


def _optimizer(ck: CheckpointReader, state: Any) -> list[str]:
    config = ck.json("/optimizer", "config", {})
    args = (
        ", ".join(f"{_key(k)}={_show(v)}" for k, v in config.items() if v is not None)
        if isinstance(config, dict)  # None is an optional argument left unset, as below
        else ""
    )
    lines = _wrap(f"optimizer: {printable(ck.text('/optimizer', 'type'), 60)}({args})", 4)
    per_param = state.get("state") if isinstance(state, dict) else None
    if isinstance(per_param, dict):
        steps = sorted(
            {_show(_number(v.get("step"))) for v in per_param.values() if isinstance(v, dict)}
        )
        lines.append(f"  parameters with state: {len(per_param)}, steps: {', '.join(steps) or '-'}")
    return lines


def _trainer(state: Any) -> list[str]:
    state = state if isinstance(state, dict) else {}
    epoch = state.get("epoch")
    line = f"trainer: epoch {_show(epoch)}, global step {_show(state.get('global_step'))}"
    batches = (
        (state.get("accumulators") or {}).get("batches")
        if isinstance(state.get("accumulators"), dict)
        else None
    )
    if type(batches) is int and type(epoch) is int:  # saved in the middle of an epoch
        line += f", {batches} batches into epoch {epoch + 1}"
    lines = [line]
    history = state.get("history")
    columns = history.get("history", history) if isinstance(history, dict) else None
    for name, values in columns.items() if isinstance(columns, dict) else ():
        values = np.asarray(values).reshape(-1) if _numeric(values) else None
        if values is not None and values.size:
            lines.append(f"  {_key(name)}: last {float(values[-1]):.6g} ({values.size} epochs)")
    return lines


def _architecture(spec: Any, indent: int, label: str = "") -> list[str]:
    if not isinstance(spec, dict) or "name" not in spec:
        return []
    config = spec.get("config") if isinstance(spec.get("config"), dict) else {}
    children, simple = [], {}
    for k, v in config.items():
        nested = _nested(v)
        if nested:
            children += nested
        elif v is not None:  # None is every optional argument left unset
            simple[k] = v
    args = ", ".join(f"{_key(k)}={_show(v)}" for k, v in simple.items())
    prefix = f"({_key(label)}) " if label else ""
    lines = _wrap(" " * indent + f"{prefix}{printable(spec['name'], 60)}({args})", indent + 4)
    for child_label, child in children:
        lines += _architecture(child, indent + 2, child_label)
    return lines


def _nested(value: Any) -> list[tuple[str, dict]]:
    if _entry(value) and isinstance(value.get("config"), dict) and value["kind"] == "layer":
        return [("", value)]
    if isinstance(value, list):
        found = []
        for i, v in enumerate(value):
            if isinstance(v, list) and len(v) == 2 and _entry(v[1]):
                found.append((str(v[0]), v[1]))
            elif _entry(v):
                found.append((str(i), v))
        return found if len(found) == len(value) else []
    return []


def _entry(value: Any) -> bool:
    return isinstance(value, dict) and {"kind", "name", "config"} <= set(value)


def _show(value: Any, limit: int = 60) -> str:
    """A value from the file as a short, escaped string."""
    if isinstance(value, str):
        return printable(repr(value), limit)
    if value is None or isinstance(value, (bool, int, float)):
        return printable(repr(value), limit)
    if _entry(value):
        config = value["config"] if isinstance(value["config"], dict) else {}
        args = ", ".join(f"{_key(k)}={_show(v, 20)}" for k, v in config.items() if v is not None)
        return printable(f"{printable(value['name'], 30)}({args})", limit)
    if isinstance(value, dict) and "__dtype__" in value:
        return printable(value["__dtype__"], 20)
    if isinstance(value, dict) and "__array__" in value:
        return f"array(dtype={printable(value.get('dtype'), 20)})"
    if isinstance(value, (list, tuple)):
        return printable(
            "["
            + ", ".join(_show(v, 20) for v in value[:8])
            + (", ...]" if len(value) > 8 else "]"),
            limit,
        )
    if isinstance(value, dict):
        return printable(
            "{" + ", ".join(f"{_key(k)}: {_show(v, 20)}" for k, v in list(value.items())[:8]) + "}",
            limit,
        )
    if isinstance(value, np.ndarray):
        return f"array{value.shape}"
    return printable(type(value).__name__, limit)


def _number(value: Any) -> Any:
    """A 0-d numeric array (an optimizer's ``step``, as PyTorch's ``tensor(3.)``) as its number."""
    if isinstance(value, np.ndarray) and value.shape == () and _numeric(value):
        return value.item()
    return value


def _key(key: Any) -> str:
    return printable(key, 48)


def _numeric(values: Any) -> bool:
    if isinstance(values, np.ndarray):
        return values.dtype.kind in "biuf"
    return isinstance(values, list) and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in values
    )


def _wrap(line: str, indent: int = 4) -> list[str]:
    if len(line) <= WIDTH:
        return [line]
    return textwrap.wrap(
        line, WIDTH, subsequent_indent=" " * indent, break_long_words=True, break_on_hyphens=False
    )


def _bytes(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:,} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n} B"
