"""The primitive differentiable operations, each a `Function` (``minitorch_es.autograd``)."""

from .arithmetic import Add, Div, MatMul, Mul, Neg, Pow, Sub
from .elementwise import Abs, Cast, Clamp, Exp, Log, Maximum, Minimum, Sqrt, Where
from .indexing import GetItem, IndexAdd, IndexPut
from .reduction import MaxMin, MaxMinDim, Mean, Sum, Var
from .shape import Cat, Expand, Permute, Reshape, Stack

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
    "IndexAdd",
    "IndexPut",
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
