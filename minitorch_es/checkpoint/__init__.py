"""HDF5 checkpoints: ``mt.save``/``mt.load`` for what ``torch.save`` takes (state dicts,
tensors, containers, whole models), ``save_checkpoint`` / ``load_checkpoint`` for exact resume,
``load_model`` to rebuild a model from the file alone. A checkpoint is untrusted input: it is
verified before it is parsed (see `reader`)."""

from .checkpoint import load_checkpoint, load_model, save_checkpoint
from .describe import describe
from .format import FORMAT_VERSION, CheckpointError, UnregisteredEntryError, WeightsOnlyError
from .save_load import load, save
from .upgrade import upgrade

__all__ = [
    "CheckpointError",
    "FORMAT_VERSION",
    "UnregisteredEntryError",
    "WeightsOnlyError",
    "describe",
    "load",
    "load_checkpoint",
    "load_model",
    "save",
    "save_checkpoint",
    "upgrade",
]
