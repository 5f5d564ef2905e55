"""The named tuples that ops with several results return (``x.max(dim)``, ``x.sort()``,
``x.topk(k)`` ...), printed as PyTorch prints its ``torch.return_types``."""

from __future__ import annotations

from collections import namedtuple


def _make(name: str, fields: tuple[str, ...], doc: str) -> type:
    base = namedtuple(name, fields)

    def __repr__(self: tuple) -> str:
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"torch.return_types.{name}(\n{body})"

    cls = type(name, (base,), {"__slots__": (), "__repr__": __repr__, "__doc__": doc})
    cls.__module__ = __name__
    return cls


def _values_indices(name: str) -> type:
    return _make(name, ("values", "indices"), f"``(values, indices)`` returned by ``{name}``.")


max = _values_indices("max")  # noqa: A001  (PyTorch's names)
min = _values_indices("min")  # noqa: A001
sort = _values_indices("sort")
topk = _values_indices("topk")
kthvalue = _values_indices("kthvalue")
median = _values_indices("median")
mode = _values_indices("mode")
cummax = _values_indices("cummax")
cummin = _values_indices("cummin")
aminmax = _make("aminmax", ("min", "max"), "``(min, max)`` returned by ``aminmax``.")
