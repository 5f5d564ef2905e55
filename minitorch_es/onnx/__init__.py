"""ONNX export (``mt.onnx.export``, PyTorch's ``torch.onnx.export``): a model traced in eval
mode, each op translated to ONNX nodes, checked by ``onnx.checker``.

Importing ``mt.onnx`` needs nothing beyond the core; exporting needs the ``onnx`` extra
(``pip install 'minitorch-es[onnx]'``). Translations are registry entries of kind ``"onnx"``:
the core registers those of its primitive ops here, plugins theirs with `add_translation`.
"""

from ..autograd import function as _function
from ..registry import registry as _registry
from . import primitives as _primitives
from .arguments import DEFAULT_OPSET
from .call import Call
from .export import export
from .graph import Dim, GraphBuilder
from .translation import ExportError, Translation, add_translation

_primitives.register(_registry)


def is_in_onnx_export() -> bool:
    """True while `export` traces a model, as ``torch.onnx.is_in_onnx_export``: code that
    would change a tensor in place (``ReLU(inplace=True)``) computes out of place then, since
    the traced graph records only operations that make new tensors."""
    return _function._tracer is not None


__all__ = [
    "Call",
    "DEFAULT_OPSET",
    "Dim",
    "ExportError",
    "GraphBuilder",
    "Translation",
    "add_translation",
    "export",
    "is_in_onnx_export",
]
