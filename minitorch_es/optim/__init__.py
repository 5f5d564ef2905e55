"""``mt.optim``: the Optimizer base from the core; SGD, Adam, ... from the registry."""

from ..namespaces import namespace_dir, namespace_getattr
from . import lr_scheduler
from .arena import ParameterArena, StepState
from .optimizer import Optimizer, required

__getattr__ = namespace_getattr("optim", __name__)
__dir__ = namespace_dir("optim", globals())
