"""``mt.nn.modules.<file>.<Class>``: PyTorch's module paths of its layer classes
(``torch.nn.modules.rnn.LSTM`` is ``torch.nn.LSTM``), which programs name when they allow
classes in ``torch.serialization.safe_globals([...])``. Each path is the same class as
``mt.nn.<Class>``, resolved through the registry when asked for (a plugin's layers included);
``import minitorch_es.nn.modules.rnn`` works as well.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from typing import Any

# PyTorch's files under torch/nn/modules/ and the classes of each that mt.nn may have.
FILES = {
    "activation": (
        "ELU", "GELU", "GLU", "Hardsigmoid", "Hardswish", "Hardtanh", "LeakyReLU", "LogSoftmax",
        "Mish", "MultiheadAttention", "ReLU", "ReLU6", "SELU", "SiLU", "Sigmoid", "Softmax",
        "Softplus", "Tanh",
    ),
    "batchnorm": ("BatchNorm1d", "BatchNorm2d"),
    "container": ("ModuleDict", "ModuleList", "ParameterDict", "ParameterList", "Sequential"),
    "conv": ("Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d"),
    "dropout": ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d"),
    "flatten": ("Flatten", "Unflatten"),
    "linear": ("Bilinear", "Identity", "Linear", "NonDynamicallyQuantizableLinear"),
    "normalization": ("GroupNorm", "LayerNorm"),
    "pooling": ("AdaptiveAvgPool2d", "AvgPool2d", "MaxPool2d"),
    "rnn": ("GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "RNNCell"),
    "sparse": ("Embedding",),
    "transformer": (
        "Transformer", "TransformerDecoder", "TransformerDecoderLayer", "TransformerEncoder",
        "TransformerEncoderLayer",
    ),
}  # fmt: skip


def _resolver(file: str, names: tuple[str, ...]) -> Callable[[str], Any]:
    def __getattr__(name: str) -> Any:
        if name in names:
            return getattr(sys.modules[__name__.rsplit(".", 1)[0]], name)  # mt.nn.<name>
        raise AttributeError(
            f"module 'minitorch_es.nn.modules.{file}' has no attribute {name!r} (PyTorch's "
            f"classes there that mt.nn may have: {', '.join(names)})"
        )

    return __getattr__


for _file, _names in FILES.items():
    _module = types.ModuleType(f"{__name__}.{_file}", f"``torch.nn.modules.{_file}``'s names.")
    _module.__getattr__ = _resolver(_file, _names)
    _module.__dir__ = lambda names=_names: sorted(names)
    sys.modules[_module.__name__] = _module
    globals()[_file] = _module

__all__ = sorted(FILES)
