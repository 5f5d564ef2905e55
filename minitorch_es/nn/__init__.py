"""``mt.nn``: Module, Parameter, containers and Loss from the core; layers, activations and
losses (``mt.nn.Linear``, ``mt.nn.ReLU``, ``mt.nn.CrossEntropyLoss`` ...) from the registry."""

from ..namespaces import namespace_dir, namespace_getattr
from . import functional, init, modules, parallel, utils
from .containers import ModuleDict, ModuleList, Sequential
from .loss import Loss
from .module import IncompatibleKeys, Module, RemovableHandle
from .parameter import Parameter
from .parameter_containers import ParameterDict, ParameterList
from .summary import LayerSummary, ModelSummary, summarize, summary

__getattr__ = namespace_getattr("nn", __name__)
__dir__ = namespace_dir("nn", globals())
