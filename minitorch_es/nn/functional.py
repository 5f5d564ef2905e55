"""``mt.nn.functional``: the core's functional ops plus every function a plugin exports to
``"nn.functional"`` (``relu``, ``softmax``, ``cross_entropy`` ...)."""

from ..functional import *  # noqa: F401,F403
from ..functional import cat, stack, where  # noqa: F401
from ..namespaces import namespace_dir, namespace_getattr

__getattr__ = namespace_getattr("nn.functional", __name__)
__dir__ = namespace_dir("nn.functional", globals())
