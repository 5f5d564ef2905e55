"""The core's functional operations on Tensors (``mt.exp(x)``, ``mt.sort(x, 1)`` ...; also
exposed as ``mt.nn.functional``).

Most are the Tensor method of the same name called on the first argument, as in PyTorch,
with ``out=`` added (see `minitorch_es.out`); the functions that take several tensors
(``where``, ``cat``, ``einsum``, ``meshgrid`` ...) are written out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from . import ops
from .functional_join import cat, concatenate, stack  # noqa: F401  (also importable here)
from .out import write_out
from .tensor import Tensor, _operand

if TYPE_CHECKING:
    from numpy.typing import ArrayLike


def where(
    condition: Tensor | ArrayLike,
    input: Tensor | ArrayLike | None = None,
    other: Tensor | ArrayLike | None = None,
    *,
    out: Tensor | None = None,
) -> Tensor | tuple[Tensor, ...]:
    """``input`` where ``condition`` holds, else ``other`` (gradients flow to both; numbers
    take the tensor's dtype). With only ``condition``: ``condition.nonzero(as_tuple=True)``.

        >>> mt.where(mt.tensor([True, False]), mt.tensor([1., 2.]), 0.)
        tensor([1., 0.])
    """
    if input is None and other is None:
        cond = condition if isinstance(condition, Tensor) else Tensor(condition)
        return cond.nonzero(as_tuple=True)
    cond = condition._data if isinstance(condition, Tensor) else condition
    if getattr(cond, "dtype", np.dtype(bool)).kind != "b":
        raise RuntimeError(
            f"where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{cond.dtype}"
        )
    like = input if isinstance(input, Tensor) else other
    if not isinstance(like, Tensor):
        raise TypeError("where: at least one of input and other must be a Tensor")
    result = ops.Where.apply(cond, _operand(input, like), _operand(other, like))
    return result if out is None else write_out(out, result, "where")


def is_tensor(obj: object) -> bool:
    """True if ``obj`` is a Tensor (a Parameter too)."""
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:
    """True if ``input`` has a floating-point dtype."""
    return _tensor(input, "is_floating_point").is_floating_point()


def numel(input: Tensor) -> int:
    """The number of elements of ``input``."""
    return _tensor(input, "numel").numel()


def _tensor(x: object, op: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{op}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}"
        )
    return x


def method_function(name: str) -> Callable[..., Tensor]:
    """``mt.<name>(input, *args, out=None, **kwargs)``: ``input.<name>(*args, **kwargs)``,
    written into ``out`` when given."""

    def function(input: Tensor, *args, out: Tensor | None = None, **kwargs):  # noqa: ANN202
        result = getattr(_tensor(input, name), name)(*args, **kwargs)
        return result if out is None else write_out(out, result, name)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = (
        f"Functional form of `Tensor.{name}`: ``mt.{name}(x, ...)`` is ``x.{name}(...)``; "
        f"``out=`` receives the result."
    )
    return function


# The method-backed functions, one per line so that editors and type checkers see them.
abs = method_function("abs")
absolute = method_function("absolute")
acos = method_function("acos")
acosh = method_function("acosh")
add = method_function("add")
addbmm = method_function("addbmm")
addcdiv = method_function("addcdiv")
addcmul = method_function("addcmul")
addmm = method_function("addmm")
addmv = method_function("addmv")
addr = method_function("addr")
all = method_function("all")
allclose = method_function("allclose")
amax = method_function("amax")
amin = method_function("amin")
any = method_function("any")
aminmax = method_function("aminmax")
argmax = method_function("argmax")
argmin = method_function("argmin")
argsort = method_function("argsort")
argwhere = method_function("argwhere")
asin = method_function("asin")
asinh = method_function("asinh")
atan = method_function("atan")
atan2 = method_function("atan2")
atanh = method_function("atanh")
arccos = method_function("arccos")
arccosh = method_function("arccosh")
arcsin = method_function("arcsin")
arcsinh = method_function("arcsinh")
arctan = method_function("arctan")
arctan2 = method_function("arctan2")
arctanh = method_function("arctanh")
baddbmm = method_function("baddbmm")
bincount = method_function("bincount")
bitwise_and = method_function("bitwise_and")
bitwise_left_shift = method_function("bitwise_left_shift")
bitwise_not = method_function("bitwise_not")
bitwise_or = method_function("bitwise_or")
bitwise_right_shift = method_function("bitwise_right_shift")
bitwise_xor = method_function("bitwise_xor")
bmm = method_function("bmm")
ceil = method_function("ceil")
chunk = method_function("chunk")
clamp = method_function("clamp")
clamp_max = method_function("clamp_max")
clamp_min = method_function("clamp_min")
clip = method_function("clip")
clone = method_function("clone")
cos = method_function("cos")
cosh = method_function("cosh")
cross = method_function("cross")
count_nonzero = method_function("count_nonzero")
cummax = method_function("cummax")
cummin = method_function("cummin")
cumprod = method_function("cumprod")
cumsum = method_function("cumsum")
diag = method_function("diag")
diagonal = method_function("diagonal")
diff = method_function("diff")
dist = method_function("dist")
div = method_function("div")
divide = method_function("divide")
dot = method_function("dot")
eq = method_function("eq")
equal = method_function("equal")
erf = method_function("erf")
erfc = method_function("erfc")
erfinv = method_function("erfinv")
exp = method_function("exp")
exp2 = method_function("exp2")
expm1 = method_function("expm1")
fix = method_function("fix")
flatten = method_function("flatten")
flip = method_function("flip")
fliplr = method_function("fliplr")
flipud = method_function("flipud")
float_power = method_function("float_power")
floor = method_function("floor")
floor_divide = method_function("floor_divide")
fmax = method_function("fmax")
fmin = method_function("fmin")
fmod = method_function("fmod")
frac = method_function("frac")
gather = method_function("gather")
ge = method_function("ge")
ger = method_function("ger")
greater = method_function("greater")
greater_equal = method_function("greater_equal")
gt = method_function("gt")
histc = method_function("histc")
index_add = method_function("index_add")
index_copy = method_function("index_copy")
index_fill = method_function("index_fill")
index_select = method_function("index_select")
isclose = method_function("isclose")
isfinite = method_function("isfinite")
isinf = method_function("isinf")
isnan = method_function("isnan")
isneginf = method_function("isneginf")
isposinf = method_function("isposinf")
isreal = method_function("isreal")
kthvalue = method_function("kthvalue")
le = method_function("le")
lerp = method_function("lerp")
less = method_function("less")
less_equal = method_function("less_equal")
log = method_function("log")
log10 = method_function("log10")
log1p = method_function("log1p")
log2 = method_function("log2")
log_softmax = method_function("log_softmax")
logcumsumexp = method_function("logcumsumexp")
logical_and = method_function("logical_and")
logical_not = method_function("logical_not")
logical_or = method_function("logical_or")
logical_xor = method_function("logical_xor")
logsumexp = method_function("logsumexp")
lt = method_function("lt")
masked_fill = method_function("masked_fill")
masked_scatter = method_function("masked_scatter")
masked_select = method_function("masked_select")
matmul = method_function("matmul")
max = method_function("max")
maximum = method_function("maximum")
mean = method_function("mean")
median = method_function("median")
min = method_function("min")
minimum = method_function("minimum")
mm = method_function("mm")
mode = method_function("mode")
moveaxis = method_function("moveaxis")
movedim = method_function("movedim")
msort = method_function("msort")
mul = method_function("mul")
multiply = method_function("multiply")
mv = method_function("mv")
nan_to_num = method_function("nan_to_num")
narrow = method_function("narrow")
ne = method_function("ne")
neg = method_function("neg")
negative = method_function("negative")
nonzero = method_function("nonzero")
norm = method_function("norm")
not_equal = method_function("not_equal")
outer = method_function("outer")
permute = method_function("permute")
pow = method_function("pow")
prod = method_function("prod")
reciprocal = method_function("reciprocal")
relu = method_function("relu")
remainder = method_function("remainder")

reshape = method_function("reshape")
roll = method_function("roll")
rot90 = method_function("rot90")
round = method_function("round")
rsqrt = method_function("rsqrt")
scatter = method_function("scatter")
scatter_add = method_function("scatter_add")
select = method_function("select")
sgn = method_function("sgn")
sigmoid = method_function("sigmoid")
sign = method_function("sign")
sin = method_function("sin")
sinh = method_function("sinh")
softmax = method_function("softmax")
sort = method_function("sort")
split = method_function("split")
sqrt = method_function("sqrt")
square = method_function("square")
squeeze = method_function("squeeze")
std = method_function("std")
sub = method_function("sub")
subtract = method_function("subtract")
sum = method_function("sum")
swapaxes = method_function("swapaxes")
swapdims = method_function("swapdims")
t = method_function("t")
take = method_function("take")
take_along_dim = method_function("take_along_dim")
tan = method_function("tan")
tanh = method_function("tanh")
tensor_split = method_function("tensor_split")
tile = method_function("tile")
topk = method_function("topk")
trace = method_function("trace")
transpose = method_function("transpose")
tril = method_function("tril")
triu = method_function("triu")
true_divide = method_function("true_divide")
trunc = method_function("trunc")
unbind = method_function("unbind")
unflatten = method_function("unflatten")
unique = method_function("unique")
unsqueeze = method_function("unsqueeze")
var = method_function("var")


# What ``from .functional import *`` (mt, mt.nn.functional) takes: the functions above.
__all__ = [
    name
    for name, value in list(globals().items())
    if callable(value) and getattr(value, "__module__", None) == __name__ and name[0] != "_"
]
__all__.remove("method_function")
