"""Every built-in layer and activation is exported and run in ONNX Runtime by one of the
``test_onnx_*`` files: a layer added to the catalog without an export test fails here. Every
Primitive op of the core and of the built-in plugins has an ONNX translation, or a reason
why not in `NOT_EXPORTED`."""

import importlib
import pkgutil
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


# Primitives with no ONNX translation, each with the reason. Every other Primitive of the core
# and of the built-in plugins must have one: a new op without a translation fails below.
NOT_EXPORTED = {
    # Only in backward passes (gradients and second derivatives), never in a forward pass.
    "minitorch_es_plugins.activation_ops.NormalCDFFunction": "GELU's second derivative",
    "minitorch_es_plugins.layers.pooling_ops.LinearKernelFunction": "pooling's backward",
    "minitorch_es_plugins.layers.conv_ops.ConvTranspose2dFunction": "Conv2d's input gradient "
    "(ConvTranspose layers call its subclass ConvTransposeFunction, which has a translation)",
    "minitorch_es_plugins.layers.conv_ops.Conv2dWeightGradFunction": "Conv2d's weight gradient",
    # Called only inside RNN/LSTM/GRU and their cells, which are translated as whole modules.
    "minitorch_es_plugins.layers.recurrent_kernels.RNNSequence": "inside RNN and RNNCell",
    "minitorch_es_plugins.layers.recurrent_kernels.LSTMSequence": "inside LSTM and LSTMCell",
    "minitorch_es_plugins.layers.recurrent_kernels.GRUSequence": "inside GRU and GRUCell",
}


def _primitives() -> set[str]:
    """Every public Primitive class of the core and of the built-in plugins."""
    import minitorch_es_plugins
    from minitorch_es.autograd import Primitive

    for package in (mt, minitorch_es_plugins):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return {
        f"{c.__module__}.{c.__qualname__}"
        for c in subclasses(Primitive)
        if c.__module__.startswith("minitorch_es") and not c.__name__.startswith("_")
    }


def test_every_primitive_has_a_translation_or_a_reason():
    from minitorch_es.onnx.translation import translations

    everything = _primitives()
    translated = {f"{c.__module__}.{c.__qualname__}" for c in translations(mt.registry)}
    missing = sorted(everything - translated - set(NOT_EXPORTED))
    assert missing == [], f"Primitives with no ONNX translation and no reason: {missing}"
    stale = sorted(set(NOT_EXPORTED) - (everything - translated))
    assert stale == [], f"NOT_EXPORTED lists ops that are translated or gone: {stale}"
