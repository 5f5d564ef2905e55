"""The state side of `Optimizer`: ``optimizer.state[p]``, ``state_dict`` and
``load_state_dict`` in PyTorch's layout, read from and written into the parameter arenas."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..printable import printable
from ..tensor import Tensor

if TYPE_CHECKING:
    from .arena import ParameterArena


class OptimizerState:
    """Mixin of `Optimizer` (which holds ``param_groups`` and the arenas ``_arenas``)."""

    #: Whether the PyTorch counterpart keeps a ``step`` in each parameter's state. PyTorch's
    #: SGD keeps none, so a state dict converted from it has only ``momentum_buffer``: such a
    #: state means at least one step was taken. Where the count changes the update (Adam's bias
    #: correction), a state without it is refused.
    steps_in_state = True

    @property
    def state(self) -> Mapping:
        """``optimizer.state[p]``: a dict of views of ``p``'s state (``step`` and buffers)."""
        return _StateView(self)

    def _slots(self):
        """(group index, arena, slot) for every parameter, in param-group order."""
        for gi, (group, arenas) in enumerate(zip(self.param_groups, self._arenas)):
            where = {id(p): (a, i) for a in arenas for i, p in enumerate(a.params)}
            for p in group["params"]:
                arena, i = where[id(p)]
                yield gi, p, arena, i

    def _param_state(self, arena: ParameterArena, i: int) -> dict:
        if arena.steps[i] == 0:
            return {}
        sl, shape = arena.slices[i], arena.shapes[i]
        # A 0-d float32 tensor, as PyTorch's ``tensor(3.)`` (its optimizers keep step on a tensor).
        out: dict[str, Any] = {"step": Tensor(np.array(arena.steps[i], np.float32))}
        out.update({k: b[sl].reshape(shape) for k, b in arena.buffers.items()})
        out.update({k: float(v[i]) for k, v in arena.scalars.items()})
        return out

    def state_dict(
        self, param_names: Iterable[tuple[str, Tensor]] | dict[str, Tensor] | None = None
    ) -> dict:
        """PyTorch's layout: ``{"state": {key: {...}}, "param_groups": [{..., "params": [keys]}]}``
        with copies of the arrays. Keys are positions, or parameter names when ``param_names``
        (e.g. ``model.named_parameters()``) is given."""
        names = _names_by_id(param_names)
        state, groups = (
            {},
            [
                {**{k: v for k, v in g.items() if k != "params"}, "params": []}
                for g in self.param_groups
            ],
        )
        for position, (gi, p, arena, i) in enumerate(self._slots()):
            key = position if names is None else _name_of(p, names)
            groups[gi]["params"].append(key)
            s = self._param_state(arena, i)
            if s:
                # Buffers as Tensors (copies), as PyTorch's: a file holding them loads with
                # weights_only=True, which refuses plain arrays.
                state[key] = {
                    k: (Tensor(v.copy()) if isinstance(v, np.ndarray) else v) for k, v in s.items()
                }
        return {"state": state, "param_groups": groups}

    def load_state_dict(
        self,
        state_dict: dict,
        param_names: Iterable[tuple[str, Tensor]] | dict[str, Tensor] | None = None,
    ) -> None:
        """Copy a `state_dict` into this optimizer's buffers (the same parameters, by
        position, or by name when ``param_names`` is given)."""
        names = _names_by_id(param_names)
        groups = state_dict.get("param_groups") if isinstance(state_dict, dict) else None
        if groups is None or "state" not in state_dict:
            raise ValueError("an optimizer state dict needs the keys 'state' and 'param_groups'")
        if len(groups) != len(self.param_groups):
            raise ValueError(
                f"loaded state dict has {len(groups)} parameter groups, this "
                f"{type(self).__name__} has {len(self.param_groups)}"
            )
        for gi, (saved, own) in enumerate(zip(groups, self.param_groups)):
            if len(saved["params"]) != len(own["params"]):
                raise ValueError(
                    f"loaded state dict contains a parameter group ({gi}) with "
                    f"{len(saved['params'])} parameters, this optimizer's has {len(own['params'])}"
                )
        slots = list(self._slots())
        keys = [
            position if names is None else _name_of(p, names)
            for position, (_, p, _, _) in enumerate(slots)
        ]
        saved_keys = [k for g in groups for k in g["params"]]
        if names is not None and set(saved_keys) != set(keys):
            raise ValueError(
                "the parameter names differ: missing in the file "
                f"{sorted(set(keys) - set(saved_keys))}, unknown here "
                f"{sorted(set(saved_keys) - set(keys))}"
            )
        lookup = (
            dict(zip(saved_keys, saved_keys)) if names is not None else dict(zip(keys, saved_keys))
        )
        given = {}  # (arena id, state name) -> the slots this state dict gives a value
        for key, (_, _p, arena, i) in zip(keys, slots):
            s = state_dict["state"].get(lookup[key])
            arena.steps[i] = self._saved_steps(s, key)
            for name, value in (s or {}).items():
                if name == "step":
                    continue
                given.setdefault((id(arena), name), set()).add(i)
                raw = value._data if isinstance(value, Tensor) else value
                value = np.asarray(raw)
                # A number is a per-parameter scalar; a 0-d array is the buffer of a 0-d parameter.
                if value.ndim == 0 and not (isinstance(raw, np.ndarray) and arena.shapes[i] == ()):
                    arena.scalar(name)[i] = float(value)
                    continue
                if value.shape != arena.shapes[i]:
                    raise ValueError(
                        f"optimizer state {name!r} of parameter {key!r} has shape {value.shape}, "
                        f"the parameter has shape {arena.shapes[i]}"
                    )
                arena.buffer(name)[arena.slices[i]] = value.reshape(-1)
        # As in PyTorch, a parameter without saved state starts afresh, whatever this optimizer
        # held for it before; the arena refills such slots with the update's initial value.
        for arena in (a for arenas in self._arenas for a in arenas):
            for name in (*arena.buffers, *arena.scalars):
                done = given.get((id(arena), name), ())
                arena.unset[name] = [i for i in range(len(arena)) if i not in done]
        for saved, own in zip(groups, self.param_groups):
            own.update({k: v for k, v in saved.items() if k != "params"})

    def _saved_steps(self, s: dict | None, key: Any) -> int:
        """The step count of one parameter's saved state ``s`` (0 without state)."""
        if not s:
            return 0
        if "step" in s:
            return _step_count(s["step"], key)
        if not self.steps_in_state:
            return 1
        raise ValueError(
            f"optimizer state of parameter {key!r} has no 'step' (it has {sorted(s)}); "
            f"{type(self).__name__} needs the number of steps taken, as PyTorch's does"
        )


class _StateView(Mapping):
    def __init__(self, optimizer: OptimizerState) -> None:
        self._where = {id(p): (p, a, i) for _, p, a, i in optimizer._slots()}
        self._opt = optimizer

    def __getitem__(self, p: Tensor) -> dict[str, Any]:
        if id(p) not in self._where:
            raise KeyError("this tensor is not a parameter of the optimizer")
        _, arena, i = self._where[id(p)]
        return self._opt._param_state(arena, i)

    def __contains__(self, p: object) -> bool:
        # As PyTorch's state dict: only parameters that have state (Mapping's default would
        # say True for every parameter, since __getitem__ gives {} for those without).
        where = self._where.get(id(p))
        return where is not None and where[1].steps[where[2]] > 0

    def __iter__(self):
        return (p for p, a, i in self._where.values() if a.steps[i] > 0)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _names_by_id(param_names: Iterable[tuple[str, Tensor]] | dict[str, Tensor] | None):
    if param_names is None:
        return None
    pairs = param_names.items() if isinstance(param_names, dict) else param_names
    out = {}
    for a, b in pairs:
        name, p = (a, b) if isinstance(a, str) else (b, a)
        out[id(p)] = name
    return out


def _name_of(p: Tensor, names: dict) -> str:
    try:
        return names[id(p)]
    except KeyError:
        raise ValueError(
            f"a parameter of shape {tuple(p.shape)} of the optimizer has no name in param_names"
        ) from None


def _step_count(value: Any, key: Any) -> int:
    """The number of steps a state dict gives: a number (older files) or a 0-d tensor (PyTorch's
    ``tensor(3.)``, and ours), holding a non-negative whole number."""
    raw = np.asarray(value._data if isinstance(value, Tensor) else value)
    ok = raw.shape == () and raw.dtype.kind in "iuf" and np.isfinite(raw)
    if not (ok and raw >= 0 and raw == np.floor(raw)):
        shown = printable(repr(value), limit=80)
        raise ValueError(
            f"optimizer state 'step' of parameter {key!r} must be a non-negative whole number "
            f"(a number or a 0-d tensor such as tensor(3.)), got {shown}"
        )
    return int(raw)
