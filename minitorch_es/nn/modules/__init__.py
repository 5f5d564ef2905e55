"""``mt.nn.modules.<file>.<Class>``: PyTorch's module paths of its layer classes
(``torch.nn.modules.rnn.LSTM`` is ``torch.nn.LSTM``), which programs name when they allow
classes in ``torch.serialization.safe_globals([...])``. Each of PyTorch's files is here as a
module whose names are ``mt.nn``'s, resolved through the registry when asked for (a plugin's
layers included): the path finds the class wherever PyTorch keeps it, and is the same object
as ``mt.nn.<Class>``. ``import minitorch_es.nn.modules.rnn`` works as well.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from typing import Any

# PyTorch's files under torch/nn/modules/ (the files, not their classes: which class lives in
# which file is PyTorch's detail, and the registry knows the classes).
FILES = (
    "activation", "adaptive", "batchnorm", "channelshuffle", "container", "conv", "distance",
    "dropout", "flatten", "fold", "instancenorm", "linear", "loss", "module", "normalization",
    "padding", "pixelshuffle", "pooling", "rnn", "sparse", "transformer", "upsampling",
)  # fmt: skip


def _resolver(file: str) -> Callable[[str], Any]:
    def __getattr__(name: str) -> Any:
        nn = sys.modules[__name__.rsplit(".", 1)[0]]
        if name.startswith("__") or not hasattr(nn, name):
            raise AttributeError(
                f"module 'minitorch_es.nn.modules.{file}' has no attribute {name!r} (it holds "
                f"the classes of mt.nn, and mt.nn has no {name!r})"
            )
        return getattr(nn, name)

    return __getattr__


for _file in FILES:
    _module = types.ModuleType(f"{__name__}.{_file}", f"``torch.nn.modules.{_file}``'s names.")
    _module.__getattr__ = _resolver(_file)
    sys.modules[_module.__name__] = _module
    globals()[_file] = _module

__all__ = list(FILES)
