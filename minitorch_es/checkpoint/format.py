"""What a checkpoint file may hold: the format version, the accepted dtypes, the fields of each
group, and the limits that bound what a reader parses and allocates."""

from __future__ import annotations

import pickle

from ..registry import RegistryError

FORMAT_VERSION = 2

# The only array dtypes written and read (native byte order): no objects, strings, compounds,
# references or variable-length types.
DTYPES = frozenset(
    ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
    + ["float16", "float32", "float64"]
)

SECTIONS = ("model", "optimizer", "scheduler", "trainer")

# The fields each group may carry: a field ``name`` is a text (UTF-8) stored as a 1-D uint8
# dataset ``.name`` of the group. HDF5 attributes are not used at all: libhdf5 reads string
# attributes through its global heap, where a damaged or crafted size makes it allocate gigabytes
# or loop for ever (both seen in the resealed bit-flip sweep), while a dataset of bytes is read
# like any array, its size checked against the file first.
FIELDS = {
    "/": frozenset(
        ["format_version", "framework", "framework_version", "created", "kind"]
        + ["metadata", "rng_state", "ranks", "types", "content_sha256"]
    ),
    "/model": frozenset(["config", "providers", "parameters", "config_error"]),
    "/optimizer": frozenset(["type", "config"]),
    "/scheduler": frozenset(["type"]),
    "/state": frozenset(["tree"]),
    **{f"/{section}/state": frozenset(["tree"]) for section in SECTIONS},
}
# The fields that hold JSON (besides every state group's "tree"), all parsed on opening.
JSON_FIELDS = frozenset(
    [("/", "metadata"), ("/", "rng_state"), ("/", "ranks"), ("/", "types")]
    + [("/model", "config"), ("/model", "providers")]
    + [("/model", "parameters"), ("/optimizer", "config")]
)

# Limits on what a file can make the reader do.
MAX_FIELD_BYTES = 64 * 2**20  # one field (a JSON document)
MAX_JSON_DEPTH = 100  # nesting of lists and dicts in one JSON document
MAX_GROUP_DEPTH = 48  # nesting of HDF5 groups
MAX_OBJECTS = 1_000_000  # groups and datasets in one file
MAX_NDIM = 32  # dimensions of one array
MAX_KEY_DEPTH = 32  # dotted components of a state-dict key stored as a group path
MAX_ARCHITECTURE_ENTRIES = 100_000  # registered objects named in a model's architecture


class CheckpointError(RuntimeError):
    """A checkpoint that cannot be read or does not fit what it is loaded into."""


class WeightsOnlyError(CheckpointError, pickle.UnpicklingError):
    """``mt.load(..., weights_only=True)`` met what it does not load: a whole model whose
    classes are not all allowed, a plain NumPy array (PyTorch raises
    ``pickle.UnpicklingError`` there, so both ``except`` clauses catch it)."""


class UnregisteredEntryError(CheckpointError, RegistryError):
    """A checkpoint names a class that is not registered (also a `RegistryError`)."""
