"""Keras-style layer options shared by the layers with weights.

``weight_init`` / ``bias_init`` (initializers), ``weight_regularizer`` / ``bias_regularizer`` /
``activity_regularizer`` (regularizers), ``weight_constraint`` / ``bias_constraint``
(constraints) and ``activation`` are given as anything ``mt.registry.create`` accepts: a name, a
``{"name", "config"}`` dict, a class, an instance or a callable. ``None`` keeps PyTorch's
behaviour (its default initialisation, no penalty, no constraint, no activation). Weight and bias
regularizers and constraints are attached to the parameters (``layer.weight.regularizer``),
where every optimizer applies them; the activity regularizer stays on the layer. The layer's
constructor records the specs as given, so ``get_config()`` round-trips.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

import minitorch_es as mt
from minitorch_es.nn import Module

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from minitorch_es import Tensor
    from minitorch_es.nn import Parameter

# layer option -> (parameter, attribute of the parameter, registry kind)
PARAMETER_OPTIONS = {
    "weight_regularizer": ("weight", "regularizer", "regularizer"),
    "bias_regularizer": ("bias", "regularizer", "regularizer"),
    "weight_constraint": ("weight", "constraint", "constraint"),
    "bias_constraint": ("bias", "constraint", "constraint"),
}


def setup_weights(
    layer: Module,
    weight_shape: tuple[int, ...],
    bias: bool,
    dtype: DTypeLike | None,
    *,
    weight_init: Any,
    bias_init: Any,
    activation: Any,
    **options: Any,
) -> None:
    """What every layer with a weight and an optional bias (of size ``weight_shape[0]``) does in
    its constructor: create the parameters, record the options, and draw the initial values
    with the layer's ``reset_parameters``."""
    layer.weight = new_parameter(weight_shape, dtype)
    if bias:
        layer.bias = new_parameter((weight_shape[0],), dtype)
    else:
        layer.register_parameter("bias", None)
    layer.weight_init, layer.bias_init = weight_init, bias_init
    setup_penalties(layer, **options)
    setup_activation(layer, activation)
    layer.reset_parameters()


def setup_penalties(layer: Module, **specs: Any) -> None:
    """Attach each ``<param>_regularizer`` / ``<param>_constraint`` spec to its parameter and
    keep ``activity_regularizer`` on the layer (None for none)."""
    for option, spec in specs.items():
        if option == "activity_regularizer":
            value = None if spec is None else mt.registry.create("regularizer", spec)
            object.__setattr__(layer, option, value)
            continue
        name, attribute, kind = PARAMETER_OPTIONS[option]
        if spec is None:
            continue
        param = getattr(layer, name)
        if param is None:
            raise ValueError(
                f"{type(layer).__name__}: {option} is given but the layer has no {name} "
                f"({name}=False)"
            )
        setattr(param, attribute, mt.registry.create(kind, spec))


def setup_activation(layer: Module, spec: Any) -> None:
    """Resolve ``activation`` and store it as ``layer.activation``.

    An activation with parameters (e.g. PReLU) becomes a child module, so it is trained and
    saved; a parameterless one stays a plain attribute, which keeps the layer a single row of
    ``summary()`` (as a Keras ``Dense(..., activation="relu")``).
    """
    act = None if spec is None else mt.registry.create("activation", spec)
    if isinstance(act, Module) and any(True for _ in act.parameters()):
        layer.activation = act
    else:
        object.__setattr__(layer, "activation", act)


def finish(layer: Module, out: Tensor) -> Tensor:
    """The tail of a forward pass: activation, then the activity penalty on the result."""
    act = layer.activation
    if act is not None:
        if isinstance(act, Module) and act.training != layer.training:
            act.train(layer.training)  # an unregistered activation still follows train/eval
        out = act(out)
    mt.regularizers.apply_activity_regularizer(layer, out)
    return out


def initialize(param: Parameter, spec: Any, default: Callable[[Parameter], Any]) -> None:
    """Fill ``param`` with the initializer ``spec``, or call ``default(param)`` when None."""
    with mt.no_grad():
        if spec is None:
            default(param)
            return
        init = mt.registry.create("initializer", spec)
        result = init(param)
        # Initializers fill the tensor in place (PyTorch); one that returns fresh values is
        # accepted too, as long as the shape matches.
        if result is not None and result is not param:
            values = np.asarray(getattr(result, "data", result))
            if values.shape != param.shape:
                raise mt.ShapeError(
                    f"initializer {spec!r} returned shape {values.shape} for a parameter of "
                    f"shape {tuple(param.shape)}"
                )
            param.data[...] = values


def default_weight_init(param: Parameter) -> None:
    """PyTorch's default for Linear/Conv weights: ``kaiming_uniform_(w, a=sqrt(5))``, i.e.
    U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    mt.nn.init.kaiming_uniform_(param, a=math.sqrt(5))


def default_bias_init(fan_in: int) -> Callable[[Parameter], None]:
    """PyTorch's default for Linear/Conv biases: U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""

    def init(param: Parameter) -> None:
        bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        mt.nn.init.uniform_(param, -bound, bound)

    return init


def parameter_dtype(dtype: DTypeLike | None = None) -> np.dtype:
    """The dtype of a layer's parameters: ``dtype`` or the default floating dtype."""
    dtype = mt.get_default_dtype() if dtype is None else np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"layer parameters must be floating point, got dtype={dtype}")
    return dtype


def check_device(device: str | mt.device | None, layer: str) -> None:
    """PyTorch's ``device=`` factory argument of a layer: parameters live on the CPU, the only
    device there is, so any other is refused, naming the layer."""
    try:
        mt.devices.check_device(device)
    except (RuntimeError, TypeError, ValueError) as e:
        raise type(e)(f"{layer}: {e}") from None


def new_parameter(shape: tuple[int, ...], dtype: DTypeLike | None = None) -> Parameter:
    """An uninitialised Parameter of the given (or default floating) dtype."""
    return mt.nn.Parameter(np.empty(shape, dtype=parameter_dtype(dtype)))


def options_repr(layer: Module) -> str:
    """``, activation=ReLU()`` style suffix for ``extra_repr`` (empty when no option is set)."""
    parts = []
    act = layer.__dict__.get("activation")  # a child activation prints as a child instead
    if act is not None:
        parts.append(f"activation={getattr(act, '__name__', None) or act!r}")
    for option, (name, attribute, _) in PARAMETER_OPTIONS.items():
        value = getattr(getattr(layer, name, None), attribute, None)
        if value is not None:
            parts.append(f"{option}={value!r}")
    reg = layer.__dict__.get("activity_regularizer")
    if reg is not None:
        parts.append(f"activity_regularizer={reg!r}")
    return "".join(", " + p for p in parts)
