"""HDF5 checkpoints: ``mt.save``/``mt.load`` for what ``torch.save`` takes (state dicts,
tensors, containers, whole models), ``save_checkpoint`` / ``load_checkpoint`` for exact resume,
``load_model`` to rebuild a model from the file alone."""

from .checkpoint import load, load_checkpoint, load_model, save, save_checkpoint
from .describe import describe
from .hdf5 import FORMAT_VERSION, CheckpointError
from .payload import WeightsOnlyError

__all__ = [
    "CheckpointError",
    "FORMAT_VERSION",
    "describe",
    "load",
    "load_checkpoint",
    "load_model",
    "save",
    "save_checkpoint",
    "WeightsOnlyError",
]
