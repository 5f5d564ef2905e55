"""Dtypes: PyTorch's ``mt.dtype`` objects (``mt.float32`` ...), one singleton per NumPy dtype,
and the default floating dtype.

An ``mt.dtype`` prints as PyTorch does (``torch.float32``) and carries PyTorch's attributes
(``is_floating_point``, ``is_signed``, ``itemsize``, ``to_complex()`` ...), while NumPy takes
it wherever it takes a dtype: NumPy reads the ``.dtype`` attribute of any object passed as a
dtype (``np.zeros(3, dtype=mt.float32)``), and ``mt.float32`` equals and hashes like
``np.dtype("float32")``. Tensors keep NumPy dtypes on their arrays; ``Tensor.dtype`` maps the
array's dtype to its singleton with one dict lookup.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING

import numpy as np

from .printable import printable

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

# The NumPy kinds a tensor's dtype may have: bool, signed / unsigned integer, float, complex.
_KINDS = "biufc"


class dtype:
    """The element type of a tensor, as ``torch.dtype``: ``mt.float32``, ``mt.int64``,
    ``mt.bool`` ... (one object per type, which cannot be constructed).

        >>> mt.float32, mt.float32.is_floating_point, mt.float32.itemsize
        (torch.float32, True, 4)
        >>> mt.float32.to_complex(), mt.int64.is_signed, mt.uint8.is_signed
        (torch.complex64, True, False)
        >>> mt.float32 == np.float32, np.dtype(mt.float32), np.zeros(2, mt.int64).dtype
        (True, dtype('float32'), dtype('int64'))
    """

    __slots__ = ("_numpy",)

    def __new__(cls, *args: object, **kwargs: object) -> dtype:
        raise TypeError(
            "cannot create 'mt.dtype' instances: use mt.float32, mt.int64 ... (or "
            "mt.dtypes.as_dtype(value) to look one up)"
        )

    # --------------------------------------------------------------------- NumPy's view
    @property
    def dtype(self) -> np.dtype:
        """The NumPy dtype: NumPy reads this attribute to accept the object as a dtype."""
        return self._numpy

    @property
    def name(self) -> str:
        """NumPy's name (``'float32'``)."""
        return self._numpy.name

    @property
    def kind(self) -> str:
        """NumPy's kind code: ``'b'`` bool, ``'i'``/``'u'`` integer, ``'f'`` float, ``'c'``."""
        return self._numpy.kind

    @property
    def char(self) -> str:
        """NumPy's one-character type code (``'f'`` for float32)."""
        return self._numpy.char

    @property
    def type(self) -> builtins.type:
        """NumPy's scalar type (``np.float32``)."""
        return self._numpy.type

    @property
    def itemsize(self) -> int:
        """The size of one element in bytes."""
        return self._numpy.itemsize

    # ------------------------------------------------------------------- PyTorch's view
    @property
    def is_floating_point(self) -> builtins.bool:
        """True for a floating-point type (not complex)."""
        return self._numpy.kind == "f"

    @property
    def is_complex(self) -> builtins.bool:
        """True for a complex type."""
        return self._numpy.kind == "c"

    @property
    def is_signed(self) -> builtins.bool:
        """True for a type that holds negative numbers (bool and unsigned are not)."""
        return self._numpy.kind in "ifc"

    def to_real(self) -> dtype:
        """The real type of a complex type (``complex64`` -> ``float32``); others: ``self``."""
        if self._numpy.kind != "c":
            return self
        return _of(np.dtype(f"float{self._numpy.itemsize * 4}"))

    def to_complex(self) -> dtype:
        """The complex type of a floating type (``float32`` -> ``complex64``); a complex type
        gives itself. Integers and bool have none (RuntimeError, as PyTorch); neither has
        float16 here (PyTorch's complex32 has no NumPy counterpart)."""
        kind = self._numpy.kind
        if kind == "c":
            return self
        if kind != "f" or self._numpy.itemsize < 4:
            raise RuntimeError(
                f"{self}.to_complex(): no complex type for {self} (expected float32 or float64;"
                f" NumPy has no complex32 for float16)"
            )
        return _of(np.dtype(f"complex{self._numpy.itemsize * 16}"))

    # ---------------------------------------------------------------- object protocol
    def __repr__(self) -> str:
        return f"torch.{self._numpy.name}"

    __str__ = __repr__

    def __eq__(self, other: object) -> builtins.bool:
        if type(other) is dtype:
            return self is other
        if isinstance(other, (np.dtype, str, builtins.type)):
            try:
                return self._numpy == np.dtype(other)
            except (TypeError, ValueError):
                return False
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._numpy)  # as np.dtype's, so either finds the other's dict entries

    def __reduce__(self) -> tuple:
        return as_dtype, (self._numpy.str,)  # unpickling and copying give the singleton


_BY_NUMPY: dict[np.dtype, dtype] = {}


def _of(numpy_dtype: np.dtype) -> dtype:
    """The singleton for a NumPy dtype (made on first use)."""
    found = _BY_NUMPY.get(numpy_dtype)
    if found is None:
        if not numpy_dtype.isnative:
            return _of(numpy_dtype.newbyteorder("="))
        found = object.__new__(dtype)
        found._numpy = numpy_dtype
        _BY_NUMPY[numpy_dtype] = found
    return found


def of_numpy(numpy_dtype: np.dtype) -> dtype:
    """The `mt.dtype` of a NumPy dtype: one dict lookup (what ``Tensor.dtype`` costs)."""
    return _BY_NUMPY.get(numpy_dtype) or _of(numpy_dtype)


def numpy_dtype(value: DTypeLike, where: str = "dtype") -> np.dtype:
    """The NumPy dtype of a dtype argument: an `mt.dtype`, a NumPy dtype, a scalar type
    (``np.float32``, ``float``) or a name (``"float32"``); anything else is a TypeError that
    names ``where``."""
    if type(value) is dtype:
        return value._numpy
    if isinstance(value, (np.dtype, str)) or (
        isinstance(value, builtins.type)
        and (
            issubclass(value, np.generic)
            or value in (builtins.bool, builtins.int, builtins.float, complex)
        )
    ):
        try:
            found = np.dtype(value)
        except (TypeError, ValueError):
            found = None
        if found is not None and found.kind in _KINDS:
            return found
    raise TypeError(
        f"{where}: expected a dtype (mt.float32, mt.int64 ..., a NumPy dtype or scalar type, "
        f"or a name such as 'float32'), got {printable(repr(value), 60)}"
    )


def as_dtype(value: DTypeLike, where: str = "dtype") -> dtype:
    """The `mt.dtype` of a dtype argument: an `mt.dtype` itself, else the singleton of
    `numpy_dtype`'s answer.

        >>> mt.dtypes.as_dtype("float64"), mt.dtypes.as_dtype(np.int32)
        (torch.float64, torch.int32)
    """
    return value if type(value) is dtype else _of(numpy_dtype(value, where))


float16 = half = _of(np.dtype("float16"))
float32 = float = _of(np.dtype("float32"))
float64 = double = _of(np.dtype("float64"))
complex64 = cfloat = _of(np.dtype("complex64"))
complex128 = cdouble = _of(np.dtype("complex128"))
int8 = _of(np.dtype("int8"))
int16 = short = _of(np.dtype("int16"))
int32 = int = _of(np.dtype("int32"))
int64 = long = _of(np.dtype("int64"))
uint8 = _of(np.dtype("uint8"))
uint16 = _of(np.dtype("uint16"))
uint32 = _of(np.dtype("uint32"))
uint64 = _of(np.dtype("uint64"))
bool = _of(np.dtype("bool"))

_default = float32


def set_default_dtype(d: DTypeLike) -> None:
    """Set the dtype of new floating-point tensors (float16, float32 or float64), as in
    PyTorch."""
    global _default
    d = as_dtype(d, "set_default_dtype")
    if d not in (float32, float64, float16):
        raise TypeError(f"set_default_dtype: only floating dtypes are supported, got {d}")
    _default = d


def get_default_dtype() -> dtype:
    """The dtype of new floating-point tensors: float32 unless `set_default_dtype` changed
    it, as in PyTorch.

        >>> mt.get_default_dtype()
        torch.float32
    """
    return _default


def is_floating_point(d: DTypeLike) -> builtins.bool:
    """True for a floating-point dtype."""
    return numpy_dtype(d, "is_floating_point").kind == "f"


def finfo(type: DTypeLike | None = None) -> np.finfo:
    """Machine limits of a floating dtype (default: the default dtype), as ``torch.finfo``:
    ``bits``, ``eps``, ``max``, ``min``, ``tiny``, ``smallest_normal``, ``resolution``.

        >>> mt.finfo(mt.float32).eps.item()
        1.1920928955078125e-07
    """
    d = as_dtype(get_default_dtype() if type is None else type, "finfo")
    if d.kind != "f":
        raise TypeError(
            f"finfo() requires a floating point input type, got {d}. Use iinfo to handle "
            f"integer types"
        )
    return np.finfo(d.dtype)


def iinfo(type: DTypeLike) -> np.iinfo:
    """Machine limits of an integer dtype (``bits``, ``min``, ``max``), as ``torch.iinfo``."""
    d = as_dtype(type, "iinfo")
    if d.kind not in "iub":
        raise TypeError(
            f"iinfo() requires an integer input type, got {d}. Use finfo to handle floating "
            f"point types"
        )
    return np.iinfo(np.uint8 if d.kind == "b" else d.dtype)
