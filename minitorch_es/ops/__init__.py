"""The primitive differentiable operations, each a `Function` (``minitorch_es.autograd``)."""

from .arithmetic import Add, Div, MatMul, Mul, Neg, Pow, Sub
from .elementwise import Abs, Cast, Clamp, Exp, Log, Maximum, Minimum, Sqrt, Where
from .reduction import MaxMin, MaxMinDim, Mean, Sum, Var
from .shape import Cat, Expand, GetItem, Permute, Reshape, Stack

__all__ = [
    "Abs",
    "Add",
    "Cast",
    "Cat",
    "Clamp",
    "Div",
    "Exp",
    "Expand",
    "GetItem",
    "Log",
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
    "Reshape",
    "Sqrt",
    "Stack",
    "Sub",
    "Sum",
    "Var",
    "Where",
]
