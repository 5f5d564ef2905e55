"""Trees: nested values (dicts, lists, tuples, numbers, strings, arrays) as JSON whose arrays
are references to datasets.

An array becomes ``{"__dataset__": name, "dtype": ..., "shape": [...], "sha256": ...}``; a tuple
``{"__tuple__": [...]}``; an int dict key ``"__int__<k>"`` and a str key that starts with ``__``
``"__str__<key>"``, so no user value can be mistaken for a tag and every tree reads back as it
was written. Str keys must be printable (they appear in error messages).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from .format import DTYPES, MAX_JSON_DEPTH, MAX_NDIM, CheckpointError

REFERENCE_KEYS = frozenset(["__dataset__", "dtype", "shape", "sha256"])
_SHA256 = re.compile(r"[0-9a-f]{64}")


def array_digest(array: np.ndarray) -> str:
    """The SHA-256 of an array's values in C order (its bytes as written to the file)."""
    return hashlib.sha256(np.ascontiguousarray(array).reshape(-1).view(np.uint8)).hexdigest()


def as_storable_array(value: Any, where: str) -> np.ndarray:
    """``value`` (an ndarray, a Tensor or anything with ``__array__``) as a native-order array
    of a dtype the format stores."""
    array = np.asarray(value)
    if array.dtype.name not in DTYPES:
        raise CheckpointError(
            f"cannot store {where}: arrays must have one of the dtypes "
            f"{', '.join(sorted(DTYPES))}, got {array.dtype}"
        )
    if array.ndim > MAX_NDIM:
        raise CheckpointError(f"cannot store {where}: {array.ndim} dimensions (at most {MAX_NDIM})")
    if not array.dtype.isnative:
        array = array.astype(array.dtype.newbyteorder("="))
    return array


def encode(tree: Any, store: Callable[[np.ndarray, str, tuple], dict], where: str) -> Any:
    """The JSON-able form of ``tree``; ``store(array, where, keys)`` writes an array and returns
    its reference (``keys`` is the path of dict keys and list indices to it)."""

    def walk(obj: Any, keys: tuple, depth: int) -> Any:
        here = where + "".join(f"[{k!r}]" for k in keys)
        if depth > MAX_JSON_DEPTH:
            raise CheckpointError(f"cannot store {here}: nested deeper than {MAX_JSON_DEPTH}")
        if obj is None or isinstance(obj, (bool, int, float, str)):
            return obj
        if isinstance(obj, np.generic) and obj.dtype.name in DTYPES:
            return obj.item()
        if isinstance(obj, dict):
            return {_encode_key(k, here): walk(v, (*keys, k), depth + 1) for k, v in obj.items()}
        if isinstance(obj, list):
            return [walk(v, (*keys, i), depth + 1) for i, v in enumerate(obj)]
        if isinstance(obj, tuple):
            return {"__tuple__": [walk(v, (*keys, i), depth + 1) for i, v in enumerate(obj)]}
        if isinstance(obj, np.ndarray) or hasattr(obj, "__array__"):
            return store(as_storable_array(obj, here), here, keys)
        raise CheckpointError(
            f"cannot store {here}: a value of type {type(obj).__name__} (expected dicts, lists, "
            f"tuples, None, bool, int, float, str or arrays)"
        )

    return walk(tree, (), 0)


def decode(tree: Any, load: Callable[[dict], np.ndarray], where: str) -> Any:
    """The inverse of `encode`; ``load(reference)`` returns the array of a reference. A tag or
    key the format does not write is a `CheckpointError`."""
    if isinstance(tree, dict):
        if "__dataset__" in tree:
            return load(tree)
        if "__tuple__" in tree:
            if set(tree) != {"__tuple__"} or not isinstance(tree["__tuple__"], list):
                raise CheckpointError(f"{where}: a malformed tuple {sorted(tree)}")
            return tuple(decode(v, load, where) for v in tree["__tuple__"])
        return {_decode_key(k, where): decode(v, load, where) for k, v in tree.items()}
    if isinstance(tree, list):
        return [decode(v, load, where) for v in tree]
    return tree


def references(tree: Any, where: str) -> list[dict]:
    """Every dataset reference in a parsed tree, in order, each checked for form."""
    found, stack = [], [tree]
    while stack:
        obj = stack.pop()
        if isinstance(obj, dict):
            if "__dataset__" in obj:
                found.append(check_reference(obj, where))
            else:
                stack.extend(reversed(list(obj.values())))
        elif isinstance(obj, list):
            stack.extend(reversed(obj))
    return found


def check_reference(ref: dict, where: str) -> dict:
    """``ref`` if it is a well-formed dataset reference, else a `CheckpointError`."""
    shape = ref.get("shape")
    ok = (
        set(ref) == REFERENCE_KEYS
        and isinstance(ref["__dataset__"], str)
        and isinstance(ref["dtype"], str)
        and ref["dtype"] in DTYPES
        and isinstance(shape, list)
        and len(shape) <= MAX_NDIM
        and all(type(n) is int and 0 <= n < 2**63 for n in shape)
        and isinstance(ref["sha256"], str)
        and _SHA256.fullmatch(ref["sha256"]) is not None
    )
    if not ok:
        raise CheckpointError(f"{where}: a malformed array reference {_short(ref)}")
    return ref


def _encode_key(key: Any, where: str) -> str:
    if isinstance(key, str):
        if not key.isprintable():  # keys appear in messages; so no control characters
            raise CheckpointError(
                f"cannot store {where}: the dict key {key!r} has non-printable characters"
            )
        return "__str__" + key if key.startswith("__") else key
    if isinstance(key, (int, np.integer)) and not isinstance(key, (bool, np.bool_)):
        return f"__int__{int(key)}"
    raise CheckpointError(f"cannot store {where}: dict keys must be str or int, got {key!r}")


def _decode_key(key: str, where: str) -> str | int:
    if not key.isprintable():
        raise CheckpointError(f"{where}: a dict key {_short(key)} with non-printable characters")
    if not key.startswith("__"):
        return key
    if key.startswith("__str__"):
        return key[7:]
    if key.startswith("__int__") and re.fullmatch(r"-?[0-9]{1,30}", key[7:]):
        return int(key[7:])
    raise CheckpointError(f"{where}: a dict key {_short(key)} that the format does not write")


def _short(value: Any) -> str:
    from ..printable import printable

    return printable(repr(value), limit=120)


def check_like(expected: Any, found: Any, where: str, top: bool = True) -> None:
    """Refuse a loaded state whose values are not of the kinds of ``expected`` (an object's
    current state): numbers where it has numbers, lists where it has lists ... None on either
    side and callables are not compared; at the top level a key ``expected`` lacks is refused
    (a scheduler's ``load_state_dict`` would set it as an attribute)."""
    kinds = _kind(expected), _kind(found)
    if None in kinds:
        return
    if kinds[0] != kinds[1]:
        raise CheckpointError(f"{where}: expected a {kinds[0]}, found {_short(found)}")
    if kinds[0] == "dict":
        if top:
            extra = [k for k in found if k not in expected]
            if extra:
                raise CheckpointError(f"{where}: unexpected keys {_short(extra)}")
        for key, value in expected.items():
            if key in found:
                check_like(value, found[key], f"{where}[{key!r}]", top=False)
    elif kinds[0] == "sequence":
        for i, (value, other) in enumerate(zip(expected, found)):
            check_like(value, other, f"{where}[{i}]", top=False)


def _kind(value: Any) -> str | None:
    if value is None or callable(value):
        return None
    for kind, types in _KINDS:
        if isinstance(value, types):
            return kind
    return "array" if hasattr(value, "__array__") else type(value).__name__


_KINDS = (
    ("bool", (bool, np.bool_)),
    ("number", (int, float, np.integer, np.floating)),
    ("str", str),
    ("dict", dict),
    ("sequence", (list, tuple)),
    ("array", np.ndarray),
)
