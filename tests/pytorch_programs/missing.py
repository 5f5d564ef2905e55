"""Which PyTorch names each corpus program uses that minitorch_es lacks (needs torch):

    python tests/pytorch_programs/missing.py [NAME ...]

A static reading of the program's original form: every ``torch...`` attribute it reaches
through its imports (``torch.sin``, ``F.one_hot``, ``torch.accelerator.is_available``), every
keyword it passes to them (``torch.randn(..., device=)``), and every attribute or method of
``torch.Tensor`` it uses on any object (``x.mm(w)``, ``y.grad_fn``), checked against
minitorch_es. It finds what a program reaches by name, not behaviour (printing, semantics),
which the comparison of outputs checks.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import sys

import corpus


def _resolve(path: str):
    """The object at dotted ``path`` (a module, then attributes), or None."""
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for name in parts[i:]:
            obj = getattr(obj, name, None)
            if obj is None:
                return None
        return obj
    return None


def _aliases(tree: ast.Module) -> dict[str, str]:
    """Local name -> dotted torch path, from the program's imports."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "torch":
                    out[a.asname or a.name.split(".")[0]] = a.name if a.asname else "torch"
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "torch":
            for a in node.names:
                out[a.asname or a.name] = f"{node.module}.{a.name}"
    return out


def _dotted(node: ast.AST) -> list[str] | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id, *reversed(parts)]
    return None


def _accepts(obj, keyword: str) -> bool:
    try:
        params = inspect.signature(obj).parameters
    except (TypeError, ValueError):
        return True
    return keyword in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def missing(program: corpus.Program) -> list[str]:
    import torch

    import minitorch_es

    tree = ast.Module(
        [node for path in program.files() for node in ast.parse(path.read_text()).body], []
    )
    tree = ast.parse(corpus.to_torch(ast.unparse(tree)))
    aliases = _aliases(tree)
    others = {  # names of other modules (np, math ...): their attributes are not Tensor's
        a.asname or a.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for a in node.names
    } - set(aliases)
    found: dict[str, None] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            chain = _dotted(node)
            if chain and chain[0] in aliases:
                path = ".".join([aliases[chain[0]], *chain[1:]])
                ours = "minitorch_es" + path[len("torch") :]
                if _resolve(path) is not None and _resolve(ours) is None:
                    found[path] = None
            elif (
                not (chain and chain[0] in others)
                and hasattr(torch.Tensor, node.attr)
                and not hasattr(minitorch_es.Tensor, node.attr)
            ):
                if not node.attr.startswith("_"):
                    found[f"Tensor.{node.attr}"] = None
        if isinstance(node, ast.Call):
            chain = _dotted(node.func)
            if chain and chain[0] in aliases:
                path = ".".join([aliases[chain[0]], *chain[1:]])
                ours = _resolve("minitorch_es" + path[len("torch") :])
                if ours is not None:
                    for kw in node.keywords:
                        if kw.arg and not _accepts(ours, kw.arg):
                            found[f"{path}({kw.arg}=)"] = None
    return list(found)


if __name__ == "__main__":
    names = sys.argv[1:] or [p.name for p in corpus.CORPUS]
    for name in names:
        print(f"{name}: {', '.join(missing(corpus.BY_NAME[name])) or '-'}")
