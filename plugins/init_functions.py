"""``mt.nn.init``: PyTorch's in-place initializers (``kaiming_uniform_``, ``xavier_normal_`` ...).

Each ``*_`` function fills ``tensor.data`` in place (the same ndarray, so a parameter stays a view
of its optimizer's buffer), keeps the dtype, never records a graph, draws from
``minitorch_es.random.generator()`` (or the numpy ``generator`` given) and returns the tensor.
Fans follow PyTorch's weight layout: ``fan_in = size(1) * receptive field``, ``fan_out = size(0) *
receptive field`` — for ``Linear.weight (out, in)`` and conv weights ``(out, in/groups, kh, kw)``
these are exactly the values Keras computes for the same layer from its ``(in, out)`` /
``(kh, kw, in, out)`` kernels.
"""

from __future__ import annotations

import math

import numpy as np

import minitorch_es as mt
from minitorch_es.errors import warn
from minitorch_es.validation import check_float, is_int, is_real

_UNIT_GAIN = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
)


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """PyTorch's recommended gain for a nonlinearity (``relu`` -> sqrt(2), ``tanh`` -> 5/3,
    ``selu`` -> 3/4, ``leaky_relu`` -> sqrt(2 / (1 + slope**2)) with slope ``param`` or 0.01)."""
    if nonlinearity in _UNIT_GAIN:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif is_real(param):
            slope = float(param)
        else:
            raise ValueError(
                f"calculate_gain('leaky_relu', param): the negative slope must be a "
                f"number, got {param!r}"
            )
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(
        f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; expected one of "
        f"{', '.join(_UNIT_GAIN)}, tanh, relu, leaky_relu, selu"
    )


def _calculate_fan_in_and_fan_out(tensor: mt.Tensor):
    """``(fan_in, fan_out)`` of a weight with PyTorch's layout ``(out, in, *kernel)``."""
    shape = _array(tensor, "_calculate_fan_in_and_fan_out").shape
    if len(shape) < 2:
        raise ValueError(
            f"fan in and fan out can not be computed for a tensor with fewer than 2 "
            f"dimensions (got shape {shape}); expected (out, in, *kernel)"
        )
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _calculate_correct_fan(tensor: mt.Tensor, mode: str) -> int:
    valid = ("fan_in", "fan_out")
    if not isinstance(mode, str) or mode.lower() not in valid:
        raise ValueError(f"mode {mode!r} not supported; expected one of {valid}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode.lower() == "fan_in" else fan_out


# ------------------------------------------------------------------------------ helpers
def _array(tensor: mt.Tensor, where: str) -> np.ndarray:
    if not isinstance(tensor, mt.Tensor):
        raise TypeError(
            f"{where}: expected a minitorch_es Tensor or Parameter, got {type(tensor).__name__}"
        )
    return tensor.numpy(force=True)


def _float_array(tensor: mt.Tensor, where: str) -> np.ndarray:
    arr = _array(tensor, where)
    if arr.dtype.kind != "f":
        raise TypeError(f"{where}: expected a floating-point tensor, got dtype {arr.dtype}")
    return arr


def _draw_dtype(arr: np.ndarray):
    # NumPy draws natively in float32/float64 only; other float types are cast afterwards.
    return arr.dtype if arr.dtype in (np.float32, np.float64) else np.float64


def _gen(generator: np.random.Generator | None):
    return generator if generator is not None else mt.random.generator()


def _no_op_if_empty(arr: np.ndarray, where: str) -> bool:
    if arr.size == 0:
        warn(f"{where}: initializing a zero-element tensor is a no-op")
        return True
    return False


# ----------------------------------------------------------------------- fills
def uniform_(
    tensor: mt.Tensor, a: float = 0.0, b: float = 1.0, generator: np.random.Generator | None = None
) -> mt.Tensor:
    """Fill with U(a, b)."""
    arr = _float_array(tensor, "uniform_")
    a, b = check_float(a, "a", "uniform_"), check_float(b, "b", "uniform_")
    if a > b:
        raise ValueError(f"uniform_ expects a <= b, got a={a} > b={b}")
    draw = _gen(generator).random(arr.shape, dtype=_draw_dtype(arr))
    arr[...] = draw * (b - a) + a
    return tensor


def normal_(
    tensor: mt.Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    generator: np.random.Generator | None = None,
) -> mt.Tensor:
    """Fill with N(mean, std**2)."""
    arr = _float_array(tensor, "normal_")
    mean, std = check_float(mean, "mean", "normal_"), check_float(std, "std", "normal_")
    if std < 0:
        raise ValueError(f"normal_ expects std >= 0, got std={std}")
    draw = _gen(generator).standard_normal(arr.shape, dtype=_draw_dtype(arr))
    arr[...] = draw * std + mean
    return tensor


def trunc_normal_(
    tensor: mt.Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator: np.random.Generator | None = None,
) -> mt.Tensor:
    """Fill with N(mean, std**2) truncated to ``[a, b]`` (absolute bounds, as PyTorch).

    Deviation: sampled by rejection (exactly the truncated distribution) instead of PyTorch's
    inverse CDF, so ``[a, b]`` must keep at least 1e-4 of the probability mass.
    """
    where = "trunc_normal_"
    arr = _float_array(tensor, where)
    mean, std = check_float(mean, "mean", where), check_float(std, "std", where)
    a, b = check_float(a, "a", where), check_float(b, "b", where)
    if std <= 0:
        raise ValueError(f"{where} expects std > 0, got std={std}")
    if not a < b:
        raise ValueError(f"{where} expects a < b, got a={a}, b={b}")
    cdf = lambda x: 0.5 * (1 + math.erf((x - mean) / (std * math.sqrt(2))))  # noqa: E731
    mass = cdf(b) - cdf(a)
    if mass < 1e-4:
        raise ValueError(
            f"{where}: [a, b] = [{a}, {b}] holds only {mass:.2e} of N({mean}, "
            f"{std}**2); move the bounds closer to the mean"
        )
    gen, dtype = _gen(generator), _draw_dtype(arr)
    out = np.empty(arr.size, dtype=np.float64)
    todo = np.arange(arr.size)
    while todo.size:
        draw = gen.standard_normal(int(todo.size / mass) + 16) * std + mean
        draw = draw[(draw >= a) & (draw <= b)][: todo.size]
        out[todo[: draw.size]] = draw
        todo = todo[draw.size :]
    # Rounding to a narrower dtype must not step outside [a, b].
    arr[...] = np.clip(out.astype(dtype), a, b).reshape(arr.shape)
    return tensor


def constant_(tensor: mt.Tensor, val: float) -> mt.Tensor:
    """Fill with ``val``."""
    _array(tensor, "constant_")[...] = val
    return tensor


def zeros_(tensor: mt.Tensor) -> mt.Tensor:
    """Fill with 0."""
    return constant_(tensor, 0)


def ones_(tensor: mt.Tensor) -> mt.Tensor:
    """Fill with 1."""
    return constant_(tensor, 1)


def eye_(tensor: mt.Tensor) -> mt.Tensor:
    """Fill a 2-D tensor with the identity (ones on the main diagonal, zeros elsewhere)."""
    arr = _array(tensor, "eye_")
    if arr.ndim != 2:
        raise ValueError(f"eye_: only 2-D tensors are supported, got shape {arr.shape}")
    arr[...] = 0
    np.fill_diagonal(arr, 1)
    return tensor


def dirac_(tensor: mt.Tensor, groups: int = 1) -> mt.Tensor:
    """Fill a 3/4/5-D conv weight with the Dirac delta: a conv that keeps its input channels."""
    arr = _array(tensor, "dirac_")
    if arr.ndim not in (3, 4, 5):
        raise ValueError(f"dirac_: only 3, 4 or 5-D tensors are supported, got shape {arr.shape}")
    if not is_int(groups) or groups < 1 or arr.shape[0] % groups:
        raise ValueError(
            f"dirac_: groups must be a positive int dividing dim 0 ({arr.shape[0]}), got {groups!r}"
        )
    per_group = arr.shape[0] // groups
    centre = tuple(k // 2 for k in arr.shape[2:])
    arr[...] = 0
    for g in range(groups):
        for d in range(min(per_group, arr.shape[1])):
            arr[(g * per_group + d, d, *centre)] = 1
    return tensor


def xavier_uniform_(
    tensor: mt.Tensor, gain: float = 1.0, generator: np.random.Generator | None = None
) -> mt.Tensor:
    """Glorot uniform: U(-bound, bound), bound = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    if _no_op_if_empty(tensor.numpy(force=True), "xavier_uniform_"):
        return tensor
    bound = math.sqrt(3.0) * gain * math.sqrt(2.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(
    tensor: mt.Tensor, gain: float = 1.0, generator: np.random.Generator | None = None
) -> mt.Tensor:
    """Glorot normal: N(0, std**2), std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    if _no_op_if_empty(tensor.numpy(force=True), "xavier_normal_"):
        return tensor
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def _kaiming_std(tensor: mt.Tensor, a: float, mode: str, nonlinearity: str) -> float | None:
    fan = _calculate_correct_fan(tensor, mode)
    if _no_op_if_empty(tensor.numpy(force=True), "kaiming init"):
        return None
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(
    tensor: mt.Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: np.random.Generator | None = None,
) -> mt.Tensor:
    """He uniform: U(-bound, bound), bound = gain * sqrt(3 / fan); ``a`` is the leaky_relu slope.

    ``nn.Linear``'s default weight init is ``kaiming_uniform_(w, a=math.sqrt(5))``."""
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    return (
        tensor
        if std is None
        else uniform_(tensor, -math.sqrt(3.0) * std, math.sqrt(3.0) * std, generator)
    )


def kaiming_normal_(
    tensor: mt.Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: np.random.Generator | None = None,
) -> mt.Tensor:
    """He normal: N(0, std**2), std = gain / sqrt(fan) (``torch.nn.init.kaiming_normal_``,
    same defaults); fills ``tensor`` in place and returns it.

        >>> w = mt.nn.init.kaiming_normal_(mt.zeros(256, 128), nonlinearity="relu")
        >>> abs(float(w.std()) - (2 / 128) ** 0.5) < 0.01        # gain sqrt(2), fan_in 128
        True
    """
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    return tensor if std is None else normal_(tensor, 0.0, std, generator)


def orthogonal_(
    tensor: mt.Tensor, gain: float = 1, generator: np.random.Generator | None = None
) -> mt.Tensor:
    """A (semi-)orthogonal matrix times ``gain``: Q of the QR of a normal matrix, columns signed
    by diag(R) so the result is uniformly distributed; trailing dims are flattened."""
    arr = _float_array(tensor, "orthogonal_")
    if arr.ndim < 2:
        raise ValueError(
            f"orthogonal_: only tensors with 2 or more dimensions are supported, got "
            f"shape {arr.shape}"
        )
    if arr.size == 0:
        return tensor
    rows = arr.shape[0]
    cols = arr.size // rows
    flat = _gen(generator).standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    arr[...] = (q * gain).reshape(arr.shape)
    return tensor


# Keras's truncated draws are cut at 2 std; this is the std of N(0, 1) truncated to [-2, 2], so
# dividing by it gives the truncated sample the intended variance.
TRUNCATED_STD = 0.87962566103423978


def keras_truncated_(
    tensor: mt.Tensor, variance: float, generator: np.random.Generator | None = None
) -> mt.Tensor:
    """Keras's truncated-normal scaling: N(0, s**2) cut at +-2s with s = sqrt(variance)/0.8796."""
    std = math.sqrt(variance) / TRUNCATED_STD
    return trunc_normal_(tensor, 0.0, std, -2 * std, 2 * std, generator)


def keras_uniform_(
    tensor: mt.Tensor, variance: float, generator: np.random.Generator | None = None
) -> mt.Tensor:
    """Keras's uniform scaling: U(-limit, limit) with limit = sqrt(3 * variance)."""
    limit = math.sqrt(3.0 * variance)
    return uniform_(tensor, -limit, limit, generator)


PUBLIC = (
    calculate_gain,
    _calculate_fan_in_and_fan_out,
    uniform_,
    normal_,
    trunc_normal_,
    constant_,
    zeros_,
    ones_,
    eye_,
    dirac_,
    xavier_uniform_,
    xavier_normal_,
    kaiming_uniform_,
    kaiming_normal_,
    orthogonal_,
)
