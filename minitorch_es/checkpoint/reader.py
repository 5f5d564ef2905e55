"""Reading a checkpoint as untrusted input.

`open_checkpoint` verifies the integrity header (`seal.verify`) before libhdf5 sees the file,
then walks every object once and refuses anything the format does not write: links other than
hard links (soft and external links could reach other files), named datatypes, HDF5 attributes,
fields not in `format.FIELDS`, datasets that are virtual, use external storage, filters or
chunks, have a dtype or shape other than their reference declares, or whose storage is not in
the file. The content digest over every field (trees included, which carry each array's
SHA-256) is then checked, and every dataset must be referenced exactly once by a tree. Only then
are arrays read, each checked against its SHA-256; at most the file's own size is allocated.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from typing import Any

import h5py
import numpy as np

from ..printable import printable
from .format import (
    FIELDS,
    FORMAT_VERSION,
    JSON_FIELDS,
    MAX_FIELD_BYTES,
    MAX_GROUP_DEPTH,
    MAX_JSON_DEPTH,
    MAX_OBJECTS,
    SECTIONS,
    CheckpointError,
)
from .seal import verify
from .trees import array_digest, decode, references
from .writer import content_digest

_LAYOUTS = (h5py.h5d.CONTIGUOUS, h5py.h5d.COMPACT)


class CheckpointReader:
    """A verified checkpoint open for reading (made by `open_checkpoint`); errors name
    ``path`` and the object inside the file."""

    def __init__(self, h5: h5py.File, path: str, file_size: int) -> None:
        self.path = path
        self.fields: dict[str, dict[str, str]] = {}
        self._children: dict[str, list[str]] = {}
        self._datasets: dict[str, h5py.Dataset] = {}
        self._json: dict[tuple[str, str], Any] = {}
        self._walk(h5)
        self._check_header()
        self._check_groups()
        for group, name in sorted(JSON_FIELDS):
            if name in self.fields.get(group, {}):
                self._json[group, name] = self._parse(
                    self.fields[group][name], _field_path(group, name)
                )
        self._check_trees(file_size)

    # ------------------------------------------------------------------ public
    @property
    def kind(self) -> str:
        """``"state_dict"`` (written by ``mt.save``) or ``"checkpoint"``."""
        return self.fields["/"]["kind"]

    def has(self, group: str) -> bool:
        """Whether the file holds the group (e.g. ``"/optimizer"``)."""
        return group in self._children

    def text(self, group: str, name: str, default: str | None = None) -> str | None:
        """The field ``name`` of ``group``, or ``default`` when absent."""
        return self.fields.get(group, {}).get(name, default)

    def json(self, group: str, name: str, default: Any = None) -> Any:
        """The parsed JSON field ``name`` of ``group``, or ``default`` when absent."""
        return self._json.get((group, name), default)

    def tree_json(self, group: str) -> Any:
        """The parsed tree of a state group as stored (arrays are references)."""
        return self._json[group, "tree"]

    def tree(self, group: str) -> Any:
        """The tree of a state group with its arrays read and verified."""
        tree = self._json[group, "tree"]
        return decode(tree, lambda ref: self._array(group, ref), self._at(group))

    # ------------------------------------------------------------------ walk
    def _walk(self, h5: h5py.File) -> None:
        stack = [(h5, "/", 0)]
        count = 0
        while stack:
            group, where, depth = stack.pop()
            with self._reading(where):
                self._no_attributes(group, where)
                names = list(group)
                odd = [n for n in names if not isinstance(n, str)]  # h5py gives bytes then
                if odd:
                    raise CheckpointError(
                        f"{self._at(where)}: holds a name that is not UTF-8 text, "
                        f"{printable(repr(odd[0]), limit=80)}"
                    )
            self.fields.setdefault(where, {})
            self._children[where] = [n for n in names if not n.startswith(".")]
            for name in names:
                path = f"{where.rstrip('/')}/{name}"
                count += 1
                if count > MAX_OBJECTS:
                    raise CheckpointError(f"{self.path!r} holds more than {MAX_OBJECTS} objects")
                with self._reading(path):
                    link = group.get(name, getlink=True)
                    if not isinstance(link, h5py.HardLink):
                        raise CheckpointError(
                            f"{self._at(path)} is a {_link_kind(link)}; a checkpoint holds no "
                            f"links (one could make the reader open other files)"
                        )
                    cls = group.get(name, getclass=True)
                    if cls is h5py.Group and not name.startswith("."):
                        if depth + 1 > MAX_GROUP_DEPTH:
                            raise CheckpointError(
                                f"{self._at(path)}: groups nested deeper than {MAX_GROUP_DEPTH}"
                            )
                        stack.append((group[name], path, depth + 1))
                    elif cls is h5py.Dataset:
                        dataset = group[name]
                        self._no_attributes(dataset, path)
                        self._check_storage(dataset, path)
                        if name.startswith("."):
                            self.fields[where][name[1:]] = self._field(dataset, where, name[1:])
                        else:
                            self._datasets[path] = dataset
                    else:
                        what = (
                            "a group named like a field"
                            if cls is h5py.Group
                            else "a named datatype"
                        )
                        raise CheckpointError(f"{self._at(path)}: {what}, not a part of the format")

    def _no_attributes(self, obj: h5py.HLObject, where: str) -> None:
        if len(obj.attrs):  # counted from the object header; never read
            raise CheckpointError(
                f"{self._at(where)}: has HDF5 attributes, which the format does not use"
            )

    def _field(self, dataset: h5py.Dataset, group: str, name: str) -> str:
        """A field's text: a 1-D uint8 dataset of UTF-8 bytes, its size checked first."""
        where = _field_path(group, name)
        allowed = FIELDS.get(group, frozenset())
        if name not in allowed:
            raise CheckpointError(
                f"{self._at(where)}: a field the format does not write (expected only "
                f"{', '.join(sorted(allowed)) or 'none'} there)"
            )
        shape = dataset.shape
        if dataset.dtype != np.uint8 or shape is None or len(shape) != 1:
            raise CheckpointError(
                f"{self._at(where)}: expected UTF-8 bytes (uint8, 1-D), got {dataset.dtype} {shape}"
            )
        if shape[0] > MAX_FIELD_BYTES or dataset.id.get_storage_size() != shape[0]:
            raise CheckpointError(
                f"{self._at(where)}: {shape[0]} bytes declared, {dataset.id.get_storage_size()} "
                f"stored (at most {MAX_FIELD_BYTES})"
            )
        try:
            return np.asarray(dataset[()]).tobytes().decode("utf-8")
        except UnicodeDecodeError as e:
            raise CheckpointError(f"{self._at(where)}: not UTF-8 text ({e})") from None

    def _check_storage(self, dataset: h5py.Dataset, where: str) -> None:
        plist = dataset.id.get_create_plist()
        if plist.get_layout() == h5py.h5d.VIRTUAL:
            raise CheckpointError(f"{self._at(where)} is a virtual dataset (it reads other files)")
        if plist.get_external_count():
            raise CheckpointError(
                f"{self._at(where)} uses external storage (its data would come from another file)"
            )
        if plist.get_layout() not in _LAYOUTS or plist.get_nfilters():
            raise CheckpointError(
                f"{self._at(where)}: chunked or filtered storage, which the format does not write"
            )

    # ------------------------------------------------------------------ checks
    def _check_header(self) -> None:
        root = self.fields["/"]
        missing = sorted(FIELDS["/"] - {"metadata", "rng_state", "ranks", "types"} - set(root))
        if missing:
            raise CheckpointError(f"{self.path!r}: the fields {missing} of '/' are missing")
        version, framework = root["format_version"], root["framework"]
        if version != str(FORMAT_VERSION) or framework != "minitorch_es":
            raise CheckpointError(
                f"{self.path!r}: the file says format {printable(repr(version))} of "
                f"{printable(repr(framework))}, its header format {FORMAT_VERSION} of minitorch_es"
            )
        if root["kind"] not in ("state_dict", "checkpoint"):
            raise CheckpointError(f"{self.path!r}: unknown kind {printable(repr(root['kind']))}")
        if content_digest(self.fields) != root["content_sha256"]:
            raise CheckpointError(
                f"{self.path!r}: the fields do not match their SHA-256 (content_sha256): the file "
                f"is corrupted"
            )

    def _check_groups(self) -> None:
        sections = ("state",) if self.kind == "state_dict" else SECTIONS
        for name in self._children["/"]:
            if name not in sections:
                raise CheckpointError(
                    f"{self._at('/' + name)}: not a part of a {self.kind} file (expected "
                    f"{', '.join(sections)})"
                )
            if name != "state" and self._children.get(f"/{name}") != ["state"]:
                raise CheckpointError(f"{self._at('/' + name)}: expected exactly one group 'state'")

    def _check_trees(self, file_size: int) -> None:
        states = [g for g in ("/state", *(f"/{s}/state" for s in SECTIONS)) if g in self._children]
        referenced, total = set(), 0
        for group in states:
            if "tree" not in self.fields[group]:
                raise CheckpointError(f"{self._at(group)}: the field 'tree' is missing")
            tree = self._parse(self.fields[group]["tree"], _field_path(group, "tree"))
            self._json[group, "tree"] = tree
            for ref in references(tree, self._at(_field_path(group, "tree"))):
                path = f"{group}/{ref['__dataset__']}"
                dataset = self._datasets.get(path)
                if dataset is None or path in referenced:
                    why = "referenced twice" if dataset is not None else "missing"
                    raise CheckpointError(f"{self._at(path)}: the dataset is {why}")
                referenced.add(path)
                total += self._check_declared(dataset, ref, path)
        for path in self._datasets:
            if path not in referenced:
                raise CheckpointError(f"{self._at(path)}: a dataset that no tree references")
        holding = {path[:i] for path in referenced for i, c in enumerate(path) if c == "/"}
        for path in self._children:
            if any(path.startswith(g + "/") for g in states) and path not in holding:
                raise CheckpointError(f"{self._at(path)}: a group that holds no array")
        if total > file_size:
            raise CheckpointError(f"{self.path!r}: the arrays declare more bytes than the file has")

    def _check_declared(self, dataset: h5py.Dataset, ref: dict, path: str) -> int:
        """The dataset's size in bytes, after checking it is what ``ref`` declares."""
        with self._reading(path):
            dtype, shape = np.dtype(ref["dtype"]), tuple(ref["shape"])
            if dataset.dtype != dtype or dataset.shape != shape:
                raise CheckpointError(
                    f"{self._at(path)}: stored as {dataset.dtype} {dataset.shape}, its tree "
                    f"declares {dtype} {shape}"
                )
            nbytes = int(np.prod(shape, dtype=object)) * dtype.itemsize
            if dataset.id.get_storage_size() != nbytes:
                raise CheckpointError(
                    f"{self._at(path)}: {dataset.id.get_storage_size()} bytes stored for "
                    f"{nbytes} declared"
                )
        return nbytes

    # ------------------------------------------------------------------ values
    def _array(self, group: str, ref: dict) -> np.ndarray:
        path = f"{group}/{ref['__dataset__']}"
        with self._reading(path):
            data = np.asarray(self._datasets[path][()])
        if array_digest(data) != ref["sha256"]:
            raise CheckpointError(
                f"{self._at(path)}: the array does not match its SHA-256: the file is corrupted"
            )
        return data

    def _parse(self, text: str, where: str) -> Any:
        try:
            value = json.loads(text)
        except RecursionError:
            raise CheckpointError(
                f"{self._at(where)}: nested deeper than {MAX_JSON_DEPTH}"
            ) from None
        except ValueError as e:
            raise CheckpointError(
                f"{self._at(where)}: not valid JSON ({printable(e, limit=200)})"
            ) from None
        stack = [(value, 0)]
        while stack:
            obj, depth = stack.pop()
            if depth > MAX_JSON_DEPTH:
                raise CheckpointError(f"{self._at(where)}: nested deeper than {MAX_JSON_DEPTH}")
            children = (
                obj.values() if isinstance(obj, dict) else obj if isinstance(obj, list) else ()
            )
            stack.extend((child, depth + 1) for child in children)
        return value

    def _at(self, where: str) -> str:
        return f"{self.path!r}: {printable(repr(where))}"

    @contextlib.contextmanager
    def _reading(self, where: str) -> Iterator[None]:
        try:
            yield
        except CheckpointError:
            raise
        except Exception as e:  # whatever libhdf5 or h5py raise on a damaged or crafted file
            raise CheckpointError(
                f"{self._at(where)}: cannot be read ({type(e).__name__}: "
                f"{printable(e, limit=200)}); the file is corrupted or not a minitorch_es "
                f"checkpoint"
            ) from None


@contextlib.contextmanager
def open_checkpoint(path: str | os.PathLike) -> Iterator[CheckpointReader]:
    """Open a checkpoint for reading: integrity header first, then the structure (see the
    module notes). Every problem is a `CheckpointError` naming ``path``."""
    shown = os.fspath(path)
    try:
        f = open(shown, "rb")  # noqa: SIM115 (closed below, after HDF5 is done with it)
    except FileNotFoundError:
        raise CheckpointError(f"checkpoint file not found: {shown!r}") from None
    except OSError as e:
        raise CheckpointError(f"cannot open {shown!r}: {e.strerror}") from None
    with f:
        verify(f, shown)
        size = os.fstat(f.fileno()).st_size
        f.seek(0)
        try:
            h5 = h5py.File(f, "r")
        except Exception as e:
            raise CheckpointError(
                f"{shown!r}: HDF5 cannot open it ({printable(e, limit=200)})"
            ) from None
        with h5:
            yield CheckpointReader(h5, shown, size)


def _field_path(group: str, field: str) -> str:
    """The path of a field's dataset, for messages ("/model/.config")."""
    return f"{group.rstrip('/')}/.{field}"


def _link_kind(link: object) -> str:
    if isinstance(link, h5py.SoftLink):
        return f"soft link to {printable(repr(link.path))}"
    if isinstance(link, h5py.ExternalLink):
        return f"external link to {printable(repr(link.filename))}"
    return f"{type(link).__name__}"
