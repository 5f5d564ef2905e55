"""Save and load state dicts, whole training checkpoints and rebuildable models (HDF5)."""

from __future__ import annotations

import json
import os
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from .. import random as _random
from ..config import ConfigError, serialize
from ..registry import RegistryError, registry
from ..version import __version__
from .hdf5 import FORMAT_VERSION, CheckpointError, atomic_h5, open_h5, read_tree, write_tree
from .payload import from_stored, to_storable
from .providers import entries_in as _entries_in
from .providers import providers as _providers
from .ranks import saved_rng_state, write_once

if TYPE_CHECKING:
    import h5py

    from ..nn.module import Module
    from ..optim.lr_scheduler import LRScheduler
    from ..optim.optimizer import Optimizer

SECTIONS = ("model", "optimizer", "scheduler", "trainer")


class Stateful(Protocol):
    """What the ``trainer`` section is written from and read into: the Trainer hands its own
    state (``state_dict()`` / ``load_state_dict(state)``), so this module does not know it."""

    def state_dict(self) -> dict: ...

    def load_state_dict(self, state: dict) -> None: ...


def _header(f: h5py.File, kind: str) -> None:
    f.attrs["format_version"] = FORMAT_VERSION
    f.attrs["framework"] = "minitorch_es"
    f.attrs["framework_version"] = __version__
    f.attrs["created"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    f.attrs["kind"] = kind


def save(obj: Any, f: str | os.PathLike) -> None:
    """Save ``obj`` to the HDF5 file ``f``, atomically (``torch.save``; nothing is pickled).

    ``obj`` is what PyTorch programs save: a state dict (a model's or an optimizer's), a
    Tensor, NumPy arrays, numbers, str, None, dicts/lists/tuples of them, or a whole model
    (stored as its registry config plus its weights; every class in it must be registered).
    `load` gives back the same types.

        model = mt.nn.Linear(3, 2)
        mt.save(model.state_dict(), "weights.h5")
        model.load_state_dict(mt.load("weights.h5"))
    """
    if not isinstance(f, (str, os.PathLike)):
        raise TypeError(f"mt.save expects a file path (str or os.PathLike), got {type(f).__name__}")
    tree, types = to_storable(obj)
    with atomic_h5(f) as h5:
        _header(h5, "state_dict")
        h5.attrs["types"] = json.dumps(types)
        write_tree(h5.create_group("state"), tree, key_paths=True)


def load(
    f: str | os.PathLike,
    map_location: Any = None,
    *,
    weights_only: bool | None = None,
    mmap: bool | None = None,
) -> Any:
    """Load what `save` wrote (``torch.load``): Tensors as Tensors, arrays as arrays, containers
    as saved. Never unpickles; no code named in the file runs.

    As in PyTorch 2.6+, ``weights_only`` defaults to True and then a whole model is refused
    (`WeightsOnlyError`, a ``pickle.UnpicklingError``); ``weights_only=False`` rebuilds it from
    registered classes. ``map_location`` may name a device (``"cpu"``, ``mt.device``), a dict or
    a function, as in PyTorch; every tensor is on the CPU. ``mmap`` is accepted and ignored.
    Files written before types were recorded load as they did (arrays).
    """
    if map_location is not None and not (callable(map_location) or isinstance(map_location, dict)):
        from ..devices import check_device

        check_device(map_location)  # "cuda" etc. get the device module's clear error
    with open_h5(f) as h5:
        if "state" not in h5:
            raise CheckpointError(
                f"{f!r} holds a {h5.attrs.get('kind')!r}, not an object saved by mt.save; use "
                f"mt.load_checkpoint or mt.load_model"
            )
        tree = read_tree(h5["state"], f"{f}: state")
        types = h5.attrs.get("types")
    if types is None:  # written by minitorch_es 0.1: a state dict of arrays
        return OrderedDict(tree) if isinstance(tree, dict) else tree
    try:
        types = json.loads(types)
    except ValueError as e:
        raise CheckpointError(f"{f!r}: the stored types are corrupted ({e})") from None
    return from_stored(tree, types, repr(os.fspath(f)), weights_only is not False, _rebuild)


def save_checkpoint(
    path: str | os.PathLike,
    model: Module | None = None,
    optimizer: Optimizer | None = None,
    scheduler: LRScheduler | None = None,
    trainer: Stateful | None = None,
    epoch: int | None = None,
    **metadata,
) -> None:
    """Everything needed to resume training exactly: weights and architecture, optimizer state
    (by parameter name), scheduler, trainer (epoch, step, History, callbacks, data order), the
    package RNG state and any JSON-serialisable ``metadata``. Written atomically.

    In a job of several ranks it is collective: every rank calls it, rank 0 alone writes the
    file -- with every rank's generator state and data position -- and the others wait until
    the file is complete (see ``minitorch_es.checkpoint.ranks``).

        mt.save_checkpoint("run.h5", model=model, optimizer=opt, scheduler=sched, epoch=5)
        # later, with the same objects rebuilt:
        info = mt.load_checkpoint("run.h5", model=model, optimizer=opt, scheduler=sched)
        start_epoch = info["epoch"] + 1
    """
    write_once(
        path,
        trainer,
        lambda ranks: _write_checkpoint(
            path, model, optimizer, scheduler, trainer, epoch, metadata, ranks
        ),
    )


def _write_checkpoint(
    path: str | os.PathLike,
    model: Module | None,
    optimizer: Optimizer | None,
    scheduler: LRScheduler | None,
    trainer: Stateful | None,
    epoch: int | None,
    metadata: dict,
    ranks: list | None,
) -> None:
    with atomic_h5(path) as f:
        _header(f, "checkpoint")
        f.attrs["metadata"] = json.dumps({"epoch": epoch, **metadata}, default=_no_json)
        f.attrs["rng_state"] = json.dumps(_random.get_state())
        if ranks is not None:  # every rank's generator state and data position
            f.attrs["ranks"] = json.dumps(ranks)
        if model is not None:
            g = f.create_group("model")
            write_tree(g.create_group("state"), model.state_dict(), key_paths=True)
            try:
                g.attrs["config"] = json.dumps(serialize(model, type(model).__name__))
                g.attrs["providers"] = json.dumps(_providers(model))
            except ConfigError as e:
                g.attrs["config_error"] = str(e)  # weights still load into a model you build
        if optimizer is not None:
            names = model.named_parameters() if model is not None else None
            g = f.create_group("optimizer")
            g.attrs["type"] = _registered_name("optimizer", optimizer)
            g.attrs["config"] = json.dumps(_safe_config(optimizer))
            write_tree(g.create_group("state"), optimizer.state_dict(param_names=names))
        if scheduler is not None:
            g = f.create_group("scheduler")
            g.attrs["type"] = type(scheduler).__name__
            write_tree(g.create_group("state"), _plain(scheduler.state_dict()))
        if trainer is not None:
            write_tree(f.create_group("trainer").create_group("state"), trainer.state_dict())


def load_checkpoint(
    path: str | os.PathLike,
    model: Module | None = None,
    optimizer: Optimizer | None = None,
    scheduler: LRScheduler | None = None,
    trainer: Stateful | None = None,
    strict: bool = True,
    map: dict[str, str] | Callable[[str], str] | None = None,
    restore_rng: bool = True,
) -> dict:
    """Restore what `save_checkpoint` wrote into the given objects; returns a dict with
    ``epoch``, ``metadata`` and the sections' raw states. ``map`` renames saved model keys
    (a dict old -> new, or a function) for models whose layer names changed; ``strict`` is
    passed to ``Module.load_state_dict``; ``restore_rng`` also restores the package generator
    so a resumed run draws the same numbers (on rank ``r`` of a job, the state saved by rank
    ``r``, or rank 0's when the saved job had no rank ``r``). See `save_checkpoint` for an
    example."""
    with open_h5(path) as f:
        metadata = json.loads(f.attrs.get("metadata", "{}"))
        out = {"epoch": metadata.get("epoch"), "metadata": metadata}
        for section in SECTIONS:
            if section in f:
                out[section] = read_tree(f[section]["state"], f"{path}: {section}")
        opt_type = f["optimizer"].attrs.get("type") if "optimizer" in f else None
        sched_type = f["scheduler"].attrs.get("type") if "scheduler" in f else None
        rng = saved_rng_state(f.attrs)

    for obj, section in (
        (model, "model"),
        (optimizer, "optimizer"),
        (scheduler, "scheduler"),
        (trainer, "trainer"),
    ):
        if obj is not None and section not in out:
            raise CheckpointError(
                f"{path!r} holds no {section} state to load into {type(obj).__name__}"
            )
    if model is not None:
        state = _rename(out["model"], map)
        try:
            model.load_state_dict(state, strict=strict)
        except RuntimeError as e:
            raise CheckpointError(
                f"{path!r}: the model does not match the checkpoint: {e}"
            ) from None
    if optimizer is not None:
        own = _registered_name("optimizer", optimizer)
        if opt_type is not None and opt_type != own:
            raise CheckpointError(
                f"{path!r} holds the state of a {opt_type} optimizer, cannot load it into a {own}; "
                f"to go on with the {own}, load the weights alone: mt.load_checkpoint({path!r}, "
                f"model=model), then fit without resume_from (initial_epoch= keeps the count)"
            )
        names = model.named_parameters() if model is not None else None
        try:
            optimizer.load_state_dict(out["optimizer"], param_names=names)
        except ValueError as e:
            raise CheckpointError(
                f"{path!r}: the optimizer does not match the checkpoint: {e}"
            ) from None
    if scheduler is not None:
        if sched_type != type(scheduler).__name__:
            raise CheckpointError(
                f"{path!r} holds a {sched_type} scheduler, cannot load it into "
                f"a {type(scheduler).__name__}"
            )
        scheduler.load_state_dict(out["scheduler"])
    if trainer is not None:
        trainer.load_state_dict(out["trainer"])
    if restore_rng and rng is not None:
        _random.set_state(rng)
    return out


def load_model(path: str | os.PathLike) -> Module:
    """Rebuild a model from the file alone (every class in it must be registered) and load its
    weights. Works on files written by `save_checkpoint` with a model; no code from the file is
    ever run.

        mt.save_checkpoint("model.h5", model=model)
        same = mt.load_model("model.h5")        # no need to build the model first
    """
    with open_h5(path) as f:
        if "model" not in f:
            raise CheckpointError(f"{path!r} holds no model")
        g = f["model"]
        if "config" not in g.attrs:
            why = g.attrs.get("config_error", "no architecture was stored")
            raise CheckpointError(f"{path!r}: cannot rebuild the model: {why}")
        config = json.loads(g.attrs["config"])
        providers = json.loads(g.attrs.get("providers", "{}"))
        state = read_tree(g["state"], f"{path}: model")
    return _rebuild(config, providers, state, repr(os.fspath(path)))


def _rebuild(config: Any, providers: dict, state: dict, where: str) -> Module:
    """A model built from registered classes only, with its saved weights."""
    from ..config import deserialize

    if not isinstance(config, dict) or not isinstance(providers, dict):
        raise CheckpointError(f"{where}: the stored architecture is malformed")
    _check_registered(config, providers, where)
    model = deserialize(config)
    try:
        model.load_state_dict(state)
    except (RuntimeError, TypeError) as e:
        raise CheckpointError(
            f"{where}: the rebuilt model does not take the stored weights: {e}"
        ) from None
    return model


def _check_registered(spec: Any, providers: dict, path: str) -> None:
    """Fail before building anything when a class named in the file is not registered."""
    for kind, name in _entries_in(spec):
        if (kind, name) not in registry:
            source = providers.get(f"{kind}:{name}", "an unknown provider")
            raise RegistryError(
                f"{path}: {kind} {name!r} was provided by {source}; install it or register the "
                f"class (e.g. @mt.register({kind!r})) before loading"
            )


def _registered_name(kind: str, obj: Any) -> str:
    entry = registry.entry_of(obj)
    return entry.name if entry is not None and entry.kind == kind else type(obj).__name__


def _safe_config(obj: Any) -> dict:
    try:
        return obj.get_config()
    except (ConfigError, TypeError):
        return {}


def _plain(state: dict) -> dict:
    """A scheduler state with its non-data entries (callables) dropped."""
    return {k: v for k, v in state.items() if not callable(v)}


def _rename(state: dict, mapping: dict[str, str] | Callable[[str], str] | None) -> dict:
    if mapping is None:
        return state
    rename = mapping if callable(mapping) else (lambda k: mapping.get(k, k))
    return OrderedDict((rename(k), v) for k, v in state.items())


def _no_json(value: Any):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"metadata value {value!r} is not JSON-serialisable")
