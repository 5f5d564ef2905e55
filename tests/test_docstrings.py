"""Every public name of the API has a docstring, and every ``>>>`` example in the package runs.

The walk covers the public namespaces a user imports from (``mt``, ``mt.nn``, ``mt.optim`` ...,
including the entries the built-in plugins publish there) and, for each class found, the public
methods and properties it defines itself. An override without a docstring passes when a base
class documents the method (``forward``, ``get_lr`` ...), because the docs describe it there.
"""

from __future__ import annotations

import dataclasses
import doctest
import importlib
import inspect
import pathlib
import types

import numpy as np
import pytest

import minitorch_es as mt

NAMESPACES = (
    "minitorch_es",
    "minitorch_es.nn",
    "minitorch_es.nn.functional",
    "minitorch_es.nn.init",
    "minitorch_es.optim",
    "minitorch_es.optim.lr_scheduler",
    "minitorch_es.regularizers",
    "minitorch_es.metrics",
    "minitorch_es.callbacks",
    "minitorch_es.data",
    "minitorch_es.data.datasets",
    "minitorch_es.utils.data",
    "minitorch_es.utils.data.distributed",
    "minitorch_es.autograd",
    "minitorch_es.autograd.functional",
    "minitorch_es.checkpoint",
    "minitorch_es.training",
    "minitorch_es.onnx",
)
OUR_PACKAGES = ("minitorch_es", "minitorch_es_plugins")


def _ours(obj) -> bool:
    return (getattr(obj, "__module__", None) or "").split(".")[0] in OUR_PACKAGES


def _auto_doc(cls) -> bool:
    """True when a class's docstring is the signature dataclasses/namedtuple write for it."""
    doc = cls.__doc__ or ""
    return (dataclasses.is_dataclass(cls) or issubclass(cls, tuple)) and doc.startswith(
        f"{cls.__name__}("
    )


def _own_members(cls):
    """(name, object) of the public methods and properties a class defines itself or gets from
    one of our mixins (``Tensor``'s math methods live in ``TensorMath``)."""
    seen = set()
    for owner in cls.__mro__:
        if owner is not cls and not (_ours(owner) and owner.__name__ not in _EXPORTED_BASES):
            continue
        for name, raw in vars(owner).items():
            if name.startswith("_") or name in seen:
                continue
            seen.add(name)
            if isinstance(raw, (staticmethod, classmethod)):
                yield name, raw.__func__
            elif isinstance(raw, (property, types.FunctionType)):
                yield name, raw


# Public base classes are walked on their own; only private mixins are folded into subclasses.
_EXPORTED_BASES = {
    "Module",
    "Configurable",
    "Loss",
    "Optimizer",
    "LRScheduler",
    "Callback",
    "Metric",
    "Regularizer",
    "Dataset",
    "Function",
    "Tensor",
    "Parameter",
}


def _documented_on_base(cls, name: str) -> bool:
    return any(
        (getattr(vars(base).get(name), "__doc__", None) or "").strip() for base in cls.__mro__[1:]
    )


def _public_api():
    """(qualified name, object, owning class or None) for every public name to document."""
    seen: set[int] = set()
    for ns_name in NAMESPACES:
        ns = importlib.import_module(ns_name)
        yield ns_name, ns, None
        for name in dir(ns):
            obj = getattr(ns, name)
            if name.startswith("_") or isinstance(obj, types.ModuleType) or not _ours(obj):
                continue
            if not (inspect.isclass(obj) or callable(obj)) or id(obj) in seen:
                continue
            seen.add(id(obj))
            yield f"{ns_name}.{name}", obj, None
            if inspect.isclass(obj):
                for member_name, member in _own_members(obj):
                    yield f"{ns_name}.{name}.{member_name}", member, obj


def _missing():
    missing = []
    for qualname, obj, owner in _public_api():
        doc = (getattr(obj, "__doc__", None) or "").strip()
        if inspect.isclass(obj) and _auto_doc(obj):
            doc = ""
        if owner is not None and not doc and _documented_on_base(owner, qualname.rsplit(".")[-1]):
            continue
        if not doc:
            missing.append(qualname)
    return missing


def test_every_public_name_has_a_docstring():
    assert _missing() == []


def test_the_walk_reaches_the_plugin_catalog_and_class_members():
    names = {q for q, _, _ in _public_api()}
    # Registry-published names, properties and methods of core classes are part of the walk.
    for expected in (
        "minitorch_es.nn.Linear",
        "minitorch_es.nn.functional.relu",
        "minitorch_es.optim.Adam",
        "minitorch_es.optim.lr_scheduler.StepLR",
        "minitorch_es.Tensor.backward",
        "minitorch_es.Tensor.shape",
        "minitorch_es.nn.Module.state_dict",
        "minitorch_es.nn.init.kaiming_normal_",
        "minitorch_es.metrics.Accuracy",
        "minitorch_es.callbacks.EarlyStopping",
        "minitorch_es.data.DataLoader",
        "minitorch_es.Trainer.fit",
    ):
        assert expected in names


def test_the_check_catches_a_missing_docstring(monkeypatch):
    # Proof that the walk looks at methods: strip one docstring and it is reported.
    monkeypatch.setattr(mt.nn.Module.zero_grad, "__doc__", None)
    assert _missing() == ["minitorch_es.nn.Module.zero_grad"]


# --------------------------------------------------------------------------- doctests
def _package_files():
    import minitorch_es_plugins

    for pkg in (mt, minitorch_es_plugins):
        root = pathlib.Path(pkg.__path__[0])
        for path in sorted(root.rglob("*.py")):
            rel = path.relative_to(root).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            yield ".".join([pkg.__name__, *parts]), path


DOCTEST_MODULES = [name for name, path in _package_files() if ">>> " in path.read_text("utf-8")]


def test_doctest_modules_are_found():
    assert DOCTEST_MODULES, "no module has >>> examples any more; update this test"


@pytest.mark.parametrize("module_name", DOCTEST_MODULES)
def test_examples_render_as_code_blocks(module_name):
    # The docs render docstrings as Markdown after inspect.cleandoc: an example that is not
    # indented relative to some prose line would become a ">>>" blockquote, not code.
    module = importlib.import_module(module_name)
    flat = [
        t.name
        for t in doctest.DocTestFinder().find(module)
        if t.docstring
        and any(line.startswith(">>>") for line in inspect.cleandoc(t.docstring).splitlines())
    ]
    assert flat == []


@pytest.mark.parametrize("module_name", DOCTEST_MODULES)
def test_docstring_examples_run(module_name):
    module = importlib.import_module(module_name)
    mt.manual_seed(0)
    result = doctest.testmod(
        module,
        extraglobs={"mt": mt, "np": np},
        verbose=False,
        report=True,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} doctest example(s) failed in {module_name}"
