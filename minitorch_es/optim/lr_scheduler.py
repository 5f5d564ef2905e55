"""``mt.optim.lr_scheduler``: the `LRScheduler` base from the core; StepLR, CosineAnnealingLR,
... from the registry (the built-in plugins and any installed ones)."""

from ..namespaces import namespace_dir, namespace_getattr
from .scheduler import LRScheduler  # noqa: F401  (re-exported)

__getattr__ = namespace_getattr("optim.lr_scheduler", __name__)
__dir__ = namespace_dir("optim.lr_scheduler", globals())
