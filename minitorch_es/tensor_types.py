"""PyTorch's legacy typed-tensor constructors, which tutorials still use: ``mt.FloatTensor(2,
3)`` (a tensor of that shape: our `empty`, zeros), ``mt.LongTensor([1, 2])`` (data),
``mt.FloatTensor(t)`` (a tensor of that dtype, sharing its memory), ``isinstance(x,
mt.FloatTensor)`` and ``x.type(mt.LongTensor)``.

As in PyTorch the classes are not subclasses of `Tensor`: calling one makes a plain Tensor,
and ``isinstance`` asks for the dtype (every tensor here is on the CPU). Arguments and errors are
those of PyTorch's legacy ``new()``.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from . import dtypes

# The C++ type PyTorch's TensorOptions errors name for each dtype.
_CPP_NAMES = {
    "float32": "float",
    "float64": "double",
    "float16": "c10::Half",
    "int64": "long int",
    "int32": "int",
    "int16": "short int",
    "int8": "signed char",
    "uint8": "unsigned char",
    "bool": "bool",
}

_SIGNATURES = (
    " * (*, torch.device device = None)\n"
    " * (torch.Storage storage)\n"
    " * (Tensor other)\n"
    " * (tuple of ints size, *, torch.device device = None)\n"
    " * (object data, *, torch.device device = None)\n"
)


class TensorType(type):
    """The metaclass of `FloatTensor` & co.: a call builds a Tensor of the class's dtype."""

    dtype: dtypes.dtype
    is_cuda = False

    def __repr__(cls) -> str:
        return f"<class 'torch.{cls.__name__}'>"

    def __instancecheck__(cls, obj: Any) -> bool:
        from .tensor import Tensor

        return isinstance(obj, Tensor) and obj.dtype == cls.dtype

    def __call__(cls, *args: Any, device: Any = None, **kwargs: Any) -> Any:
        from .devices import check_device
        from .tensor import Tensor

        if kwargs:
            _invalid(args, kwargs)
        if device is not None:
            check_device(device)
        if not args:
            return _data([], cls.dtype)
        if all(_is_size(a) for a in args):
            return _empty([int(a) for a in args], cls.dtype)
        if len(args) == 1 and type(args[0]).__name__ == "Size":
            return _empty(list(args[0]), cls.dtype)
        if len(args) > 1:
            if all(isinstance(a, numbers.Real) for a in args):
                bad = next(a for a in args if not _is_size(a))
                raise TypeError(
                    f"new(): argument 'size' failed to unpack the object at pos "
                    f'{args.index(bad) + 1} with error "type must be tuple of ints,but got '
                    f'{type(bad).__name__}"'
                )
            _invalid(args, kwargs)
        (data,) = args
        if isinstance(data, Tensor):
            if data.dtype != cls.dtype:
                raise TypeError(f"expected {_options(cls.dtype)} (got {_options(data.dtype)})")
            return data.view(-1).view(data.shape)  # PyTorch's alias: the same memory and graph
        if isinstance(data, str):
            raise TypeError("new(): invalid data type 'str'")
        if not isinstance(data, (list, tuple, np.ndarray)):
            raise TypeError(f"new(): data must be a sequence (got {_type_name(data)})")
        return _data(data, cls.dtype)


def _is_size(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _empty(shape: list, dtype: dtypes.dtype) -> Any:
    from .creation import empty

    if any(n < 0 for n in shape):
        bad = next(n for n in shape if n < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {bad}: {shape}")
    return empty(*shape, dtype=dtype)


def _data(data: Any, dtype: dtypes.dtype) -> Any:
    from .creation import tensor

    try:
        with np.errstate(over="ignore"):  # HalfTensor([1e6]) is inf, silently, in PyTorch
            return tensor(data, dtype=dtype)
    except OverflowError:
        raise RuntimeError(
            f"value cannot be converted to type {np.dtype(dtype).name} without overflow"
        ) from None


def _type_name(value: Any) -> str:
    cls = type(value)
    if cls.__name__ == "Tensor":
        return "Tensor"
    if isinstance(value, (dtypes.dtype, np.dtype)):
        return "torch.dtype"
    if cls.__name__ == "Size":
        return "torch.Size"
    module = cls.__module__
    return cls.__name__ if module == "builtins" else f"{module.split('.')[0]}.{cls.__name__}"


def _invalid(args: tuple, kwargs: dict) -> None:
    got = [_type_name(a) for a in args] + [f"{k}={_type_name(v)}" for k, v in kwargs.items()]
    raise TypeError(
        f"new() received an invalid combination of arguments - got ({', '.join(got)}), but "
        f"expected one of:\n{_SIGNATURES}"
    )


def _options(dtype: Any) -> str:
    return (
        f"TensorOptions(dtype={_CPP_NAMES[np.dtype(dtype).name]}, device=cpu, layout=Strided, "
        f"requires_grad=false (default), pinned_memory=false (default), "
        f"memory_format=(nullopt))"
    )


def _tensor_type(name: str, dtype: dtypes.dtype) -> TensorType:
    doc = f"PyTorch's legacy ``torch.{name}``: ``{name}(*sizes)``, ``{name}(data)``, {dtype}."
    return TensorType(name, (), {"__doc__": doc, "__module__": __name__, "dtype": dtype})


FloatTensor = _tensor_type("FloatTensor", dtypes.float32)
DoubleTensor = _tensor_type("DoubleTensor", dtypes.float64)
HalfTensor = _tensor_type("HalfTensor", dtypes.float16)
LongTensor = _tensor_type("LongTensor", dtypes.int64)
IntTensor = _tensor_type("IntTensor", dtypes.int32)
ShortTensor = _tensor_type("ShortTensor", dtypes.int16)
CharTensor = _tensor_type("CharTensor", dtypes.int8)
ByteTensor = _tensor_type("ByteTensor", dtypes.uint8)
BoolTensor = _tensor_type("BoolTensor", dtypes.bool)
