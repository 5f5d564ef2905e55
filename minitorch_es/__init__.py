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
    linalg,
    metrics,
    nn,
    ops,
    optim,
    random,
    regularizers,
    return_types,
    serialization,
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
    empty,
    eye,
    from_numpy,
    full,
    linspace,
    logspace,
    ones,
    tensor,
    zeros,
)
from .creation_like import empty_like, full_like, ones_like, zeros_like
from .devices import device, get_default_device, set_default_device
from .dtypes import (
    bool,
    cdouble,
    cfloat,
    complex64,
    complex128,
    double,
    dtype,
    finfo,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    iinfo,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    set_default_dtype,
    short,
    uint8,
    uint16,
    uint32,
    uint64,
)
from .errors import ShapeError
from .functional import *  # noqa: F403  (the method-backed functions: mt.sin, mt.sort ...)
from .functional import is_floating_point, is_tensor, numel, where
from .functional_join import (
    atleast_1d,
    atleast_2d,
    atleast_3d,
    broadcast_shapes,
    broadcast_tensors,
    broadcast_to,
    bucketize,
    cat,
    cdist,
    column_stack,
    concat,
    concatenate,
    dstack,
    einsum,
    hstack,
    meshgrid,
    repeat_interleave,
    row_stack,
    searchsorted,
    stack,
    vstack,
)
from .generator import (
    Generator,
    default_generator,
    get_rng_state,
    manual_seed,
    seed,
    set_rng_state,
)
from .hookspecs import hookimpl
from .printing import set_printoptions
from .promotion import can_cast, promote_types, result_type
from .random import initial_seed
from .registry import RegistryError, register, registry
from .sampling import (
    bernoulli,
    multinomial,
    normal,
    poisson,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
)
from .size import Size
from .tensor import Tensor
from .tensor_types import (
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
)
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
