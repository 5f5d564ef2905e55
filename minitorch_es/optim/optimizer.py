"""``Optimizer``: PyTorch's contract (param groups, ``state``, ``zero_grad``, ``step``,
``state_dict``) on top of the parameter arena.

A subclass validates its hyper-parameters, calls ``super().__init__(params, defaults)`` and
implements one method on flat arrays:

    def _update(self, group, param, grad, state, step):
        param -= group["lr"] * grad

``param`` and ``grad`` cover every parameter of a group (or, when some parameters have no
gradient or have taken different numbers of steps, one parameter at a time); ``state.buffer``
gives per-element state and ``step`` is the 1-based step count. ``grad`` must not be modified.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from ..autograd.grad_mode import enable_grad
from ..config import Configurable, to_jsonable
from ..tensor import Tensor
from .arena import ParameterArena, StepState


class Optimizer(Configurable):
    """Base class of optimizers, with PyTorch's contract (``torch.optim.Optimizer``).

    ``params`` is an iterable of Tensors or of param-group dicts (``{"params": [...], "lr":
    ...}``); ``defaults`` holds the hyper-parameters every group gets unless it sets its own.
    The parameters of each group are packed into contiguous buffers (each ``.data`` / ``.grad``
    becomes a view), so create the optimizer after building (and converting) the model.

        >>> model = mt.nn.Linear(3, 1)
        >>> opt = mt.optim.SGD(model.parameters(), lr=0.1)
        >>> x, y = mt.randn(8, 3), mt.randn(8, 1)
        >>> for _ in range(3):
        ...     opt.zero_grad()
        ...     loss = mt.nn.functional.mse_loss(model(x), y)
        ...     loss.backward()
        ...     opt.step()

    A new optimizer implements ``_update`` on flat arrays (see the module notes):

        >>> class PlainSGD(mt.optim.Optimizer):
        ...     def __init__(self, params, lr=0.01):
        ...         super().__init__(params, dict(lr=lr))
        ...     def _update(self, group, param, grad, state, step):
        ...         param -= group["lr"] * grad
        >>> w = mt.nn.Parameter(mt.tensor([1.0]))
        >>> opt = PlainSGD([w], lr=0.5)
        >>> (2 * w).sum().backward()
        >>> opt.step()
        >>> w
        Parameter containing:
        tensor([0.], requires_grad=True)
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict[str, Any]], defaults: dict) -> None:
        self.defaults = dict(defaults)
        self.param_groups: list[dict] = []
        self._arenas: list[list[ParameterArena]] = []  # per group, one arena per dtype
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                f"dicts, but got {type(params).__name__}"
            )
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict) -> None:
        """Add a group (``{"params": [...], **options}``); missing options come from the
        defaults. A parameter may belong to one group only."""
        if not isinstance(param_group, dict):
            raise TypeError(f"a param group must be a dict, got {type(param_group).__name__}")
        params = param_group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"{type(self).__name__} can only optimize Tensors, but parameter {i} of the "
                    f"group is a {type(p).__name__}"
                )
            if not p.is_leaf:
                raise ValueError(f"can't optimize a non-leaf Tensor (parameter {i} of the group)")
            if p.dtype.kind != "f":
                raise TypeError(f"parameter {i} has dtype {p.dtype}; only floats can be optimized")
        ids = [id(p) for p in params]
        if len(set(ids)) != len(ids):
            raise ValueError(f"{type(self).__name__}: a parameter appears twice in one group")
        taken = {id(p) for g in self.param_groups for p in g["params"]}
        if taken & set(ids):
            raise ValueError("some parameters appear in more than one parameter group")
        group = {**self.defaults, **{k: v for k, v in param_group.items() if k != "params"}}
        missing = [k for k, v in group.items() if v is _REQUIRED]
        if missing:
            raise ValueError(
                f"parameter group didn't specify a value of required option(s) {missing}"
            )
        self._check_hyperparameters(group)
        group["params"] = params
        self.param_groups.append(group)
        by_dtype: dict = {}
        for p in params:
            by_dtype.setdefault(p.dtype, []).append(p)
        self._arenas.append([ParameterArena(ps, dt) for dt, ps in by_dtype.items()])

    def _check_hyperparameters(self, group: dict) -> None:
        lr = group.get("lr")
        if lr is not None and not isinstance(lr, Tensor) and lr < 0:
            raise ValueError(f"Invalid learning rate: {lr} (expected lr >= 0)")

    # ------------------------------------------------------------------- training
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of every parameter: to None (default, as PyTorch; ``step`` then
        skips the parameter until it gets a gradient again) or to zeros. Call it before each
        ``backward``, since gradients accumulate."""
        for arenas in self._arenas:
            for arena in arenas:
                arena.zero_grad(set_to_none)

    def step(self, closure: Callable[[], Tensor | float] | None = None) -> Tensor | float | None:
        """One update of every parameter that has a gradient; returns ``closure()`` if given
        (a function that recomputes the loss and calls ``backward``, as in PyTorch)."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group, arenas in zip(self.param_groups, self._arenas):
            for arena in arenas:
                self._step_arena(group, arena)
        return loss

    def _step_arena(self, group: dict, arena: ParameterArena) -> None:
        if arena.released:
            raise RuntimeError(
                f"the parameters of this {type(self).__name__} were packed by another optimizer "
                f"created later; step() that one (or create this optimizer again)"
            )
        if arena.loose:
            arena.gather_loose_grads()
        has, steps = arena.has_grad, arena.steps
        if has.all() and steps[0] == steps[-1] and (steps == steps[0]).all():
            steps += 1
            self._update(group, arena.data, arena.grad, StepState(arena), int(steps[0]))
        else:
            # Some parameters have no gradient (PyTorch skips them) or are at different steps.
            for i in np.flatnonzero(has):
                steps[i] += 1
                sl = arena.slices[i]
                self._update(
                    group, arena.data[sl], arena.grad[sl], StepState(arena, i), int(steps[i])
                )
        arena.updates += 1
        if arena.updates % arena.FLUSH_EVERY == 0:
            arena.flush_subnormal_state()

    def _update(
        self, group: dict, param: np.ndarray, grad: np.ndarray, state: StepState, step: int
    ) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement _update()")

    # --------------------------------------------------------------------- state
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
        out = {"step": float(arena.steps[i])}
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
                state[key] = {
                    k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in s.items()
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
            arena.steps[i] = int(s["step"]) if s else 0
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

    def get_config(self) -> dict:
        """The hyper-parameters the optimizer was built with (without the parameters)."""
        return {
            k: to_jsonable(v, f"{type(self).__name__}.{k}")
            for k, v in self.__dict__.get("_init_args", {}).items()
            if k != "params"
        }

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, g in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(g.items()) if k != "params"]
        return "\n".join(lines) + "\n)"


class _Required:
    def __repr__(self) -> str:
        return "<required parameter>"


_REQUIRED = required = _Required()


class _StateView(Mapping):
    def __init__(self, optimizer: Optimizer) -> None:
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
