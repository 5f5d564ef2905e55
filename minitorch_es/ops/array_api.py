"""The two array namespaces that backward formulas compute with (``ctx.xp``)."""

from . import numpy_api, tensor_api  # noqa: F401
