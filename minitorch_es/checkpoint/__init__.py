"""HDF5 checkpoints: ``mt.save``/``mt.load`` for state dicts, ``save_checkpoint`` /
``load_checkpoint`` for exact resume, ``load_model`` to rebuild a model from the file alone.
A checkpoint is untrusted input: it is verified before it is parsed (see `reader`)."""

from .checkpoint import load, load_checkpoint, load_model, save, save_checkpoint
from .describe import describe
from .format import FORMAT_VERSION, CheckpointError, UnregisteredEntryError
from .upgrade import upgrade

__all__ = [
    "CheckpointError",
    "FORMAT_VERSION",
    "UnregisteredEntryError",
    "describe",
    "load",
    "load_checkpoint",
    "load_model",
    "save",
    "save_checkpoint",
    "upgrade",
]
