"""The primitive differentiable operations, each a `Function` (``minitorch_es.autograd``)."""

from .arithmetic import Add, Div, MatMul, Mul, Neg, Pow, Sub
from .binary import Fmax, Fmin, Fmod, Remainder
from .cumulative import Cumprod, Cumsum, Logcumsumexp, Prod
from .einsum import Einsum
from .elementwise import Abs, Cast, Clamp, Clone, Exp, Log, Maximum, Minimum, Sqrt, Where
from .exponential import Exp2, Expm1, Log1p, Log2, Log10, Reciprocal, Rsqrt
from .extremes import AMaxMin
from .indexing import GetItem, IndexAdd, IndexPut
from .norms import VectorNorm
from .reduction import MaxMin, MaxMinDim, Mean, Sum, Var
from .rounding import Ceil, Floor, Frac, Round, Sign, Trunc
from .shape import Cat, Expand, Flip, Permute, Reshape, Roll, Stack
from .special import Erf, Erfinv
from .trig import Acos, Acosh, Asin, Asinh, Atan, Atan2, Atanh, Cos, Cosh, Sin, Sinh, Tan

__all__ = [
    "AMaxMin",
    "Abs",
    "Acos",
    "Acosh",
    "Add",
    "Asin",
    "Asinh",
    "Atan",
    "Atan2",
    "Atanh",
    "Cast",
    "Cat",
    "Ceil",
    "Clamp",
    "Clone",
    "Cos",
    "Cosh",
    "Cumprod",
    "Cumsum",
    "Div",
    "Einsum",
    "Erf",
    "Erfinv",
    "Exp",
    "Exp2",
    "Expand",
    "Expm1",
    "Flip",
    "Floor",
    "Fmax",
    "Fmin",
    "Fmod",
    "Frac",
    "GetItem",
    "IndexAdd",
    "IndexPut",
    "Log",
    "Log10",
    "Log1p",
    "Log2",
    "Logcumsumexp",
    "MatMul",
    "MaxMin",
    "MaxMinDim",
    "Maximum",
    "Mean",
    "Minimum",
    "Mul",
    "Neg",
    "Permute",
    "Pow",
    "Prod",
    "Reciprocal",
    "Remainder",
    "Reshape",
    "Roll",
    "Round",
    "Rsqrt",
    "Sign",
    "Sin",
    "Sinh",
    "Sqrt",
    "Stack",
    "Sub",
    "Sum",
    "Tan",
    "Trunc",
    "Var",
    "VectorNorm",
    "Where",
]
