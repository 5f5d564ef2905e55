"""Built-in initializers: PyTorch's ``mt.nn.init`` functions and the registry's initializer classes.

An `Initializer` is a configurable callable that fills a tensor in place and returns it,
so a layer can take ``weight_init="he_normal"`` and a checkpoint can store it by name:
``mt.registry.create("initializer", "kaiming_normal", mode="fan_out")(layer.weight)``.

PyTorch-named classes wrap the ``*_`` function of the same name (same arguments and defaults).
The Keras classes (``HeNormal``, ``GlorotUniform``, ``LecunNormal`` ...) use Keras's formulas; their
fans are computed with PyTorch's weight layout, which gives the same numbers Keras computes for the
same layer. Deviation from Keras: no ``seed`` argument — every draw comes from the package
generator, so ``mt.manual_seed`` controls them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import minitorch_es as mt
from minitorch_es.validation import check_float, check_int

from . import init_functions as F

if TYPE_CHECKING:
    from minitorch_es.registry import Registry


class Initializer(mt.Configurable):
    """Base class: ``initializer(tensor)`` fills ``tensor`` in place and returns it."""

    def __call__(self, tensor: mt.Tensor) -> mt.Tensor:
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(tensor)")

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


# ------------------------------------------------------------------ PyTorch-named
class Uniform(Initializer):
    """U(a, b) (``uniform_``)."""

    def __init__(self, a: float = 0.0, b: float = 1.0) -> None:
        check_float(a, "a", "Uniform")
        check_float(b, "b", "Uniform", low=a)
        self.a, self.b = a, b

    def __call__(self, tensor: mt.Tensor) -> mt.Tensor:
        return F.uniform_(tensor, self.a, self.b)


class Normal(Initializer):
    """N(mean, std**2) (``normal_``)."""

    def __init__(self, mean: float = 0.0, std: float = 1.0) -> None:
        check_float(mean, "mean", "Normal")
        check_float(std, "std", "Normal", low=0)
        self.mean, self.std = mean, std

    def __call__(self, tensor: mt.Tensor) -> mt.Tensor:
        return F.normal_(tensor, self.mean, self.std)


class TruncatedNormal(Initializer):
    """N(mean, std**2) cut to the absolute bounds ``[a, b]`` (PyTorch's ``trunc_normal_``;
    unlike Keras's ``TruncatedNormal``, whose cut is at 2 std and whose default std is 0.05)."""

    def __init__(
        self, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0
    ) -> None:
        check_float(mean, "mean", "TruncatedNormal")
        check_float(std, "std", "TruncatedNormal", low=0, low_open=True)
        check_float(a, "a", "TruncatedNormal")
        check_float(b, "b", "TruncatedNormal", low=a, low_open=True)
        self.mean, self.std, self.a, self.b = mean, std, a, b

    def __call__(self, tensor: mt.Tensor) -> mt.Tensor:
        return F.trunc_normal_(tensor, self.mean, self.std, self.a, self.b)


class Constant(Initializer):
    """Every element ``val`` (``constant_``; the default 0.0 is Keras's, PyTorch has none)."""

    def __init__(self, val: float = 0.0) -> None:
        check_float(val, "val", "Constant")
        self.val = val

    def __call__(self, tensor: mt.Tensor) -> mt.Tensor:
        return F.constant_(tensor, self.val)


class Zeros(Initializer):
    """All zeros (``zeros_``)."""

    def __call__(self, tensor: mt.Tensor) -> mt.Tensor:
        return F.zeros_(tensor)


class Ones(Initializer):
    """All ones (``ones_``)."""

    def __call__(self, tensor: mt.Tensor) -> mt.Tensor:
        return F.ones_(tensor)


class Eye(Initializer):
    """The identity matrix, 2-D tensors only (``eye_``)."""

    def __call__(self, tensor: mt.Tensor) -> mt.Tensor:
        return F.eye_(tensor)


class Dirac(Initializer):
    """The identity convolution (``dirac_``)."""

    def __init__(self, groups: int = 1) -> None:
        self.groups = check_int(groups, "groups", "Dirac", low=1)

    def __call__(self, tensor: mt.Tensor) -> mt.Tensor:
        return F.dirac_(tensor, self.groups)


class XavierUniform(Initializer):
    """Glorot uniform with a gain (``xavier_uniform_``)."""

    def __init__(self, gain: float = 1.0) -> None:
        check_float(gain, "gain", type(self).__name__)
        self.gain = gain

    def __call__(self, tensor: mt.Tensor) -> mt.Tensor:
        return F.xavier_uniform_(tensor, self.gain)


class XavierNormal(XavierUniform):
    """Glorot normal with a gain (``xavier_normal_``)."""

    def __call__(self, tensor: mt.Tensor) -> mt.Tensor:
        return F.xavier_normal_(tensor, self.gain)


class KaimingUniform(Initializer):
    """He uniform (``kaiming_uniform_``): ``a`` is the leaky_relu slope, ``mode`` picks the fan."""

    def __init__(
        self, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
    ) -> None:
        valid = ("fan_in", "fan_out")
        if not isinstance(mode, str) or mode.lower() not in valid:
            raise ValueError(
                f"{type(self).__name__}: mode {mode!r} not supported; expected one of {valid}"
            )
        F.calculate_gain(nonlinearity, a)  # rejects an unknown nonlinearity now, not at call
        self.a, self.mode, self.nonlinearity = a, mode, nonlinearity

    def __call__(self, tensor: mt.Tensor) -> mt.Tensor:
        return F.kaiming_uniform_(tensor, self.a, self.mode, self.nonlinearity)


class KaimingNormal(KaimingUniform):
    """He normal (``kaiming_normal_``), same arguments as `KaimingUniform`."""

    def __call__(self, tensor: mt.Tensor) -> mt.Tensor:
        return F.kaiming_normal_(tensor, self.a, self.mode, self.nonlinearity)


class Orthogonal(Initializer):
    """A (semi-)orthogonal matrix times ``gain`` (``orthogonal_``)."""

    def __init__(self, gain: float = 1) -> None:
        check_float(gain, "gain", "Orthogonal")
        self.gain = gain

    def __call__(self, tensor: mt.Tensor) -> mt.Tensor:
        return F.orthogonal_(tensor, self.gain)


# --------------------------------------------------------------------- Keras-named
class _KerasScaling(Initializer):
    """Keras's variance scaling: variance = scale / fan; truncated normal or uniform."""

    scale, fan, distribution = 1.0, "fan_in", "truncated_normal"

    def __call__(self, tensor: mt.Tensor) -> mt.Tensor:
        fan_in, fan_out = F._calculate_fan_in_and_fan_out(tensor)
        fan = {"fan_in": fan_in, "fan_avg": (fan_in + fan_out) / 2}[self.fan]
        if tensor.numel() == 0:
            return tensor
        variance = self.scale / fan
        if self.distribution == "uniform":
            return F.keras_uniform_(tensor, variance)
        return F.keras_truncated_(tensor, variance)


class HeNormal(_KerasScaling):
    """Keras ``he_normal``: truncated normal (cut at 2 std), std = sqrt(2/fan_in)/0.8796."""

    scale = 2.0


class HeUniform(_KerasScaling):
    """Keras ``he_uniform``: U(-limit, limit), limit = sqrt(6 / fan_in)."""

    scale, distribution = 2.0, "uniform"


class GlorotNormal(_KerasScaling):
    """Keras ``glorot_normal``: truncated normal, std = sqrt(2/(fan_in+fan_out))/0.8796."""

    fan = "fan_avg"


class GlorotUniform(_KerasScaling):
    """Keras ``glorot_uniform``: U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out))."""

    fan, distribution = "fan_avg", "uniform"


class LecunNormal(_KerasScaling):
    """Keras ``lecun_normal``: truncated normal, std = sqrt(1/fan_in)/0.8796."""


class LecunUniform(_KerasScaling):
    """Keras ``lecun_uniform``: U(-limit, limit), limit = sqrt(3 / fan_in)."""

    distribution = "uniform"


CLASSES = (
    (Uniform, ("uniform",)),
    (Normal, ("normal",)),
    (Constant, ("constant",)),
    (Zeros, ("zeros",)),
    (Ones, ("ones",)),
    (Eye, ("eye", "identity")),
    (Dirac, ("dirac",)),
    (XavierUniform, ("xavier_uniform",)),
    (XavierNormal, ("xavier_normal",)),
    (KaimingUniform, ("kaiming_uniform",)),
    (KaimingNormal, ("kaiming_normal",)),
    (Orthogonal, ("orthogonal",)),
    (TruncatedNormal, ("trunc_normal",)),
    (HeNormal, ("he_normal",)),
    (HeUniform, ("he_uniform",)),
    (GlorotUniform, ("glorot_uniform",)),
    (GlorotNormal, ("glorot_normal",)),
    (LecunNormal, ("lecun_normal",)),
    (LecunUniform, ("lecun_uniform",)),
)


@mt.hookimpl
def minitorch_es_register(registry: Registry) -> None:
    """Register the initializer classes and export the ``mt.nn.init`` functions."""
    for cls, aliases in CLASSES:
        registry.add("initializer", cls.__name__, cls, aliases=aliases)
    registry.export("nn.init", "Initializer", Initializer)
    for fn in F.PUBLIC:
        registry.export("nn.init", fn.__name__, fn)
