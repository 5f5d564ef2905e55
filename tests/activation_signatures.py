"""Signatures of functional forms and Modules as ``name=default`` strings, comparable between
minitorch_es and PyTorch (whose C functions have no ``inspect`` signature: their docstring's
first line gives it)."""

from __future__ import annotations

import ast
import inspect

import numpy as np


def signature(fn) -> np.ndarray:
    """One ``name`` or ``name=repr(default)`` string per parameter of ``fn``."""
    try:
        params = inspect.signature(fn).parameters.values()
        parts = [
            (p.name, p.default) for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]
    except ValueError:  # a C function: "relu_(input) -> Tensor" on its docstring's first line
        line = fn.__doc__.strip().splitlines()[0].split("->")[0]
        call = ast.parse(line.strip(), mode="eval").body
        parts = [(a.id, inspect.Parameter.empty) for a in call.args]
        parts += [
            (k.arg, eval(compile(ast.Expression(k.value), "doc", "eval"))) for k in call.keywords
        ]
    return np.array([n if d is inspect.Parameter.empty else f"{n}={d!r}" for n, d in parts])


def torch_signatures(torch, functions: list[str], modules: list[str]) -> dict:
    """PyTorch's signatures of ``F.<functions>`` and ``nn.<modules>``."""
    F = torch.nn.functional
    out = {f"F.{n}": signature(getattr(F, n)) for n in functions}
    out.update({f"nn.{n}": signature(getattr(torch.nn, n)) for n in modules})
    return out


def check_signatures(mt, expected: dict) -> None:
    """Assert that minitorch_es's signatures are ``expected`` (from `torch_signatures`)."""
    for key, theirs in expected.items():
        space, name = key.split(".")
        ours = signature(getattr(mt.nn.functional if space == "F" else mt.nn, name))
        assert ours.tolist() == theirs.tolist(), key
