"""Save and load state dicts, whole training checkpoints and rebuildable models (HDF5)."""

from __future__ import annotations

import numbers
import os
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .. import random as _random
from ..config import ConfigError, serialize
from ..printable import printable
from ..registry import registry
from .format import SECTIONS, CheckpointError
from .reader import CheckpointReader, open_checkpoint
from .rebuild import build, check_architecture, entries_in
from .trees import check_like
from .writer import create

if TYPE_CHECKING:
    from ..nn.module import Module
    from ..optim.lr_scheduler import LRScheduler
    from ..optim.optimizer import Optimizer
    from ..training.trainer import Trainer


def save(state_dict: dict, path: str | os.PathLike, *, replace_read_only: bool = False) -> None:
    """Save a plain state dict (a model's or an optimizer's) to the HDF5 file ``path``,
    atomically (``torch.save`` for state dicts; nothing is pickled). Keys are str or int; values
    are arrays (or Tensors), numbers, str, None and dicts, lists and tuples of them, and load
    back as saved (arrays as NumPy arrays); anything else is refused before the file is touched.
    A read-only file is replaced only with ``replace_read_only=True``.

        model = mt.nn.Linear(3, 2)
        mt.save(model.state_dict(), "weights.h5")
        model.load_state_dict(mt.load("weights.h5"))
    """
    if not isinstance(state_dict, dict):
        raise TypeError(f"mt.save expects a state dict (a dict), got {type(state_dict).__name__}")
    with create(path, "state_dict", replace_read_only) as w:
        w.tree("/state", dict(state_dict), key_paths=True)


def load(path: str | os.PathLike) -> dict:
    """Load a state dict saved by `save` (arrays come back as NumPy arrays); pass it to
    ``load_state_dict``. Never unpickles; the file is verified first (see the format)."""
    with open_checkpoint(path) as ck:
        if ck.kind != "state_dict":
            raise CheckpointError(
                f"{ck.path!r} holds a {ck.kind}, not a state dict saved by mt.save; use "
                f"mt.load_checkpoint or mt.load_model"
            )
        tree = ck.tree("/state")
    return OrderedDict(tree) if isinstance(tree, dict) else tree


def save_checkpoint(
    path: str | os.PathLike,
    model: Module | None = None,
    optimizer: Optimizer | None = None,
    scheduler: LRScheduler | None = None,
    trainer: Trainer | None = None,
    epoch: int | None = None,
    *,
    replace_read_only: bool = False,
    **metadata,
) -> None:
    """Everything needed to resume training exactly: weights and architecture, optimizer state
    (by parameter name), scheduler, trainer (epoch, step, History, callbacks, data order), the
    package RNG state and any JSON-serialisable ``metadata``. Written atomically; a read-only
    file is replaced only with ``replace_read_only=True``.

        mt.save_checkpoint("run.h5", model=model, optimizer=opt, scheduler=sched, epoch=5)
        # later, with the same objects rebuilt:
        info = mt.load_checkpoint("run.h5", model=model, optimizer=opt, scheduler=sched)
        start_epoch = info["epoch"] + 1
    """
    if epoch is not None and (isinstance(epoch, bool) or not isinstance(epoch, numbers.Integral)):
        raise TypeError(f"save_checkpoint: epoch must be an int or None, got {epoch!r}")
    with create(path, "checkpoint", replace_read_only) as w:
        w.json("/", "metadata", {"epoch": None if epoch is None else int(epoch), **metadata})
        w.json("/", "rng_state", _random.get_state())
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
    trainer: Trainer | None = None,
    strict: bool = True,
    map: dict[str, str] | Callable[[str], str] | None = None,
    restore_rng: bool = True,
) -> dict:
    """Restore what `save_checkpoint` wrote into the given objects; returns a dict with
    ``epoch``, ``metadata`` and the sections' raw states. ``map`` renames saved model keys
    (a dict old -> new, or a function) for models whose layer names changed; ``strict`` is
    passed to ``Module.load_state_dict``; ``restore_rng`` also restores the package generator
    so a resumed run draws the same numbers. See `save_checkpoint` for an example."""
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
        rng = ck.json("/", "rng_state")
    shown = os.fspath(path)
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
        _restore(shown, "model", lambda s: model.load_state_dict(s, strict=strict), state)
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
        _restore(shown, "optimizer", load, out["optimizer"], current)
    if scheduler is not None:
        if sched_type != type(scheduler).__name__:
            raise CheckpointError(
                f"{shown!r} holds a {printable(sched_type)} scheduler, cannot load it into "
                f"a {type(scheduler).__name__}"
            )
        current = scheduler.state_dict()
        _restore(shown, "scheduler", scheduler.load_state_dict, out["scheduler"], current)
    if trainer is not None:
        _restore(shown, "trainer", trainer.load_state_dict, out["trainer"], trainer.state_dict())
    if restore_rng and rng is not None:
        _restore(shown, "random generator", _random.set_state, rng)
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
        check_architecture(config, ck.json("/model", "providers", {}), repr(ck.path))
        state = _state(ck, "model")
    stored = sum(getattr(v, "nbytes", 0) for v in state.values())
    model = build(config, stored, repr(os.fspath(path)))
    _restore(os.fspath(path), "model", model.load_state_dict, state)
    return model


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


def _restore(
    path: str, section: str, load: Callable[[Any], Any], state: Any, current: Any = None
) -> None:
    """``load(state)`` (a load_state_dict), after checking ``state`` against the object's
    ``current`` state (see `check_like`); any failure on the file's data is a CheckpointError."""
    try:
        if current is not None:
            check_like(current, state, f"{path!r}: the {section} state")
        load(state)
    except CheckpointError:
        raise
    except Exception as e:
        # Line by line: the messages list keys on separate lines; the keys, which come from
        # the file, are escaped like any untrusted text.
        message = "\n".join(printable(line, limit=2000) for line in str(e).split("\n"))
        raise CheckpointError(
            f"{path!r}: the {section} does not match the checkpoint: {message}"
        ) from None


def _providers(model: Module) -> dict:
    return {
        f"{kind}:{name}": str(registry.entry(kind, name).provider)
        for kind, name in entries_in(serialize(model))
    }


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
