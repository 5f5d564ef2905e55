"""Every built-in layer and activation is exported and run in ONNX Runtime by one of the
``test_onnx_*`` files: a layer added to the catalog without an export test fails here."""

import re
from pathlib import Path

import minitorch_es as mt

# Containers of parameters, with no forward of their own: nothing to export.
NO_FORWARD = {"ParameterList", "ParameterDict"}


def test_every_registered_layer_and_activation_has_an_onnx_test():
    here = Path(__file__).parent
    text = "".join(p.read_text() for p in sorted(here.glob("test_onnx_*.py")))
    names = {
        entry.obj.__name__
        for kind in ("layer", "activation")
        for entry in mt.registry.entries(kind)
        if entry.obj.__module__.startswith(("minitorch_es", "minitorch_es_plugins"))
    }
    untested = sorted(n for n in names - NO_FORWARD if not re.search(rf"\b{n}\b", text))
    assert untested == [], f"no ONNX export test names {untested}"
