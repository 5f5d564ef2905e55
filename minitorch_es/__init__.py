"""minitorch_es: a PyTorch-style deep-learning framework in pure Python + NumPy.

A first taste:

    import minitorch_es as mt
    x = mt.randn(4, 3, requires_grad=True)
    (x ** 2).sum().backward()
"""

from . import (  # noqa: E402  (namespaces and subpackages)
    accelerator,
    autograd,
    callbacks,
    cuda,
    data,
    distributed,
    dtypes,
    metrics,
    nn,
    ops,
    optim,
    random,
    regularizers,
    utils,
    validation,
)
from . import plugin_manager as _plugin_manager  # noqa: F401  (loads plugins on first lookup)
from .autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .checkpoint import load, load_checkpoint, load_model, save, save_checkpoint  # noqa: E402
from .config import Configurable
from .creation import (
    arange,
    as_tensor,
    eye,
    from_numpy,
    full,
    linspace,
    ones,
    ones_like,
    rand,
    randint,
    randn,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from .devices import device, get_default_device, set_default_device
from .dtypes import (
    bool,
    double,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    set_default_dtype,
    short,
    uint8,
)
from .errors import ShapeError
from .functional import (
    abs,
    argmax,
    argmin,
    cat,
    clamp,
    clip,
    concatenate,
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
    stack,
    std,
    sum,
    transpose,
    unsqueeze,
    var,
    where,
)
from .hookspecs import hookimpl
from .random import initial_seed, manual_seed
from .registry import RegistryError, register, registry
from .tensor import Tensor
from .training import Callback, History, Trainer
from .version import __version__


def compile(model: object = None, **kwargs) -> object:  # noqa: A001  (PyTorch's name)
    """``torch.compile``'s place: returns ``model`` unchanged (nothing is compiled), or a
    decorator doing the same when called without a model."""
    if model is None:
        return lambda m: m
    return model


# mt.onnx is imported eagerly (it is light: the onnx package itself is imported only by an
# export), so the core's ONNX translations are in the registry from the start.
from . import onnx  # noqa: E402
