"""Whole training checkpoints (``save_checkpoint`` / ``load_checkpoint``) and rebuildable
models (``load_model``) in HDF5; ``mt.save`` / ``mt.load`` are in `save_load`."""

from __future__ import annotations

import numbers
import os
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from .. import random as _random
from ..config import ConfigError, serialize
from ..printable import printable
from ..registry import registry
from .format import SECTIONS, CheckpointError
from .providers import providers as _providers
from .ranks import saved_rng_state, write_once
from .reader import CheckpointReader, open_checkpoint
from .rebuild import rebuild_model
from .restore import restore
from .writer import create

if TYPE_CHECKING:
    from ..nn.module import Module
    from ..optim.lr_scheduler import LRScheduler
    from ..optim.optimizer import Optimizer


class Stateful(Protocol):
    """What the ``trainer`` section is written from and read into: the Trainer hands its own
    state (``state_dict()`` / ``load_state_dict(state)``), so this module does not know it."""

    def state_dict(self) -> dict: ...

    def load_state_dict(self, state: dict) -> None: ...


def save_checkpoint(
    path: str | os.PathLike,
    model: Module | None = None,
    optimizer: Optimizer | None = None,
    scheduler: LRScheduler | None = None,
    trainer: Stateful | None = None,
    epoch: int | None = None,
    *,
    replace_read_only: bool = False,
    **metadata,
) -> None:
    """Everything needed to resume training exactly: weights and architecture, optimizer state
    (by parameter name), scheduler, trainer (epoch, step, History, callbacks, data order), the
    package RNG state and any JSON-serialisable ``metadata``. Written atomically; a read-only
    file is replaced only with ``replace_read_only=True``.

    In a job of several ranks it is collective: every rank calls it, rank 0 alone writes the
    file -- with every rank's generator state and data position -- and the others wait until
    the file is complete (see ``minitorch_es.checkpoint.ranks``).

        mt.save_checkpoint("run.h5", model=model, optimizer=opt, scheduler=sched, epoch=5)
        # later, with the same objects rebuilt:
        info = mt.load_checkpoint("run.h5", model=model, optimizer=opt, scheduler=sched)
        start_epoch = info["epoch"] + 1
    """
    if epoch is not None and (isinstance(epoch, bool) or not isinstance(epoch, numbers.Integral)):
        raise TypeError(f"save_checkpoint: epoch must be an int or None, got {epoch!r}")
    write_once(
        path,
        trainer,
        lambda ranks: _write_checkpoint(
            path, model, optimizer, scheduler, trainer, epoch, metadata, ranks, replace_read_only
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
    replace_read_only: bool,
) -> None:
    with create(path, "checkpoint", replace_read_only) as w:
        w.json("/", "metadata", {"epoch": None if epoch is None else int(epoch), **metadata})
        w.json("/", "rng_state", _random.get_state())
        if ranks is not None:  # every rank's generator state and data position
            w.json("/", "ranks", ranks)
        if model is not None:
            w.tree("/model/state", model.state_dict(), key_paths=True)
            w.json("/model", "parameters", [name for name, _ in model.named_parameters()])
            try:
                w.json("/model", "config", serialize(model, type(model).__name__))
                w.json("/model", "providers", _providers(model))
            except ConfigError as e:
                w.field("/model", "config_error", str(e))  # weights load into a model you build
        if optimizer is not None:
            names = list(model.named_parameters()) if model is not None else None
            w.field("/optimizer", "type", _registered_name("optimizer", optimizer))
            w.json("/optimizer", "config", _safe_config(optimizer))
            w.tree("/optimizer/state", optimizer.state_dict(param_names=names))
        if scheduler is not None:
            w.field("/scheduler", "type", type(scheduler).__name__)
            w.tree("/scheduler/state", _plain(scheduler.state_dict()))
        if trainer is not None:
            w.tree("/trainer/state", trainer.state_dict())


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
    with open_checkpoint(path) as ck:
        _expect_checkpoint(ck)
        metadata = ck.json("/", "metadata", {})
        if not isinstance(metadata, dict):
            raise CheckpointError(f"{ck.path!r}: the metadata is not a dict")
        epoch = metadata.get("epoch")
        if epoch is not None and type(epoch) is not int:
            raise CheckpointError(
                f"{ck.path!r}: the stored epoch {printable(repr(epoch))} is not an int"
            )
        out = {"epoch": epoch, "metadata": metadata}
        for section in SECTIONS:
            if ck.has(f"/{section}"):
                out[section] = _state(ck, section)
        opt_type = ck.text("/optimizer", "type")
        sched_type = ck.text("/scheduler", "type")
        rng = saved_rng_state(ck)
    shown = os.fspath(path)
    where = repr(shown)
    for obj, section in (
        (model, "model"),
        (optimizer, "optimizer"),
        (scheduler, "scheduler"),
        (trainer, "trainer"),
    ):
        if obj is not None and section not in out:
            raise CheckpointError(
                f"{shown!r} holds no {section} state to load into {type(obj).__name__}"
            )
    if model is not None:
        state = _rename(out["model"], map)
        restore(where, "model", lambda s: model.load_state_dict(s, strict=strict), state)
    if optimizer is not None:
        own = _registered_name("optimizer", optimizer)
        if opt_type is not None and opt_type != own:
            raise CheckpointError(
                f"{shown!r} holds the state of a {printable(opt_type)} optimizer, cannot load it "
                f"into a {own}; to go on with the {own}, load the weights alone: "
                f"mt.load_checkpoint({shown!r}, model=model), then fit without resume_from "
                f"(initial_epoch= keeps the count)"
            )
        names = list(model.named_parameters()) if model is not None else None
        current = optimizer.state_dict(param_names=names)
        load = lambda s: optimizer.load_state_dict(s, param_names=names)
        restore(where, "optimizer", load, out["optimizer"], current)
    if scheduler is not None:
        if sched_type != type(scheduler).__name__:
            raise CheckpointError(
                f"{shown!r} holds a {printable(sched_type)} scheduler, cannot load it into "
                f"a {type(scheduler).__name__}"
            )
        current = scheduler.state_dict()
        restore(where, "scheduler", scheduler.load_state_dict, out["scheduler"], current)
    if trainer is not None:
        restore(where, "trainer", trainer.load_state_dict, out["trainer"], trainer.state_dict())
    if restore_rng and rng is not None:
        restore(where, "random generator", _random.set_state, rng)
    return out


def load_model(path: str | os.PathLike) -> Module:
    """Rebuild a model from the file alone (every class in it must be registered) and load its
    weights. Works on files written by `save_checkpoint` with a model; no code from the file is
    ever run, and the stored architecture may not declare more than the file stores.

        mt.save_checkpoint("model.h5", model=model)
        same = mt.load_model("model.h5")        # no need to build the model first
    """
    with open_checkpoint(path) as ck:
        _expect_checkpoint(ck)
        if not ck.has("/model"):
            raise CheckpointError(f"{ck.path!r} holds no model")
        config = ck.json("/model", "config")
        if config is None:
            why = ck.text("/model", "config_error", "no architecture was stored")
            raise CheckpointError(f"{ck.path!r}: cannot rebuild the model: {printable(why)}")
        providers = ck.json("/model", "providers", {})
        state = _state(ck, "model")
    return rebuild_model(config, providers, state, repr(os.fspath(path)))


def _expect_checkpoint(ck: CheckpointReader) -> None:
    if ck.kind != "checkpoint":
        raise CheckpointError(
            f"{ck.path!r} holds a state dict saved by mt.save, not a checkpoint; load it with "
            f"mt.load and pass it to load_state_dict"
        )


def _state(ck: CheckpointReader, section: str) -> dict:
    state = ck.tree(f"/{section}/state")
    if not isinstance(state, dict):
        raise CheckpointError(
            f"{ck.path!r}: the {section} state is a {type(state).__name__}, not a dict"
        )
    return state


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
