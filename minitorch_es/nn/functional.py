"""``mt.nn.functional``: the core's functional ops plus every function a plugin exports to
``"nn.functional"`` (``relu``, ``softmax``, ``cross_entropy`` ...)."""

from ..functional import (  # noqa: F401  (the core ops PyTorch code reaches through F)
    abs,
    argmax,
    argmin,
    clamp,
    clip,
    exp,
    flatten,
    log,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    permute,
    reshape,
    sqrt,
    squeeze,
    std,
    sum,
    transpose,
    unsqueeze,
    var,
    where,
)
from ..functional_join import cat, concatenate, stack  # noqa: F401
from ..namespaces import namespace_dir, namespace_getattr

__getattr__ = namespace_getattr("nn.functional", __name__)
__dir__ = namespace_dir("nn.functional", globals())
