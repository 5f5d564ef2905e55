"""``Optimizer``: PyTorch's contract (param groups, ``state``, ``zero_grad``, ``step``,
``state_dict``) on top of the parameter arena.

A subclass validates its hyper-parameters, calls ``super().__init__(params, defaults)`` and
implements one method on flat arrays:

    def _update(self, group, param, grad, state, step):
        param -= group["lr"] * grad

``param`` and ``grad`` cover every parameter of a group (or, when some parameters have no
gradient or have taken different numbers of steps, one parameter at a time); ``state.buffer``
gives per-element state and ``step`` is the 1-based step count. ``grad`` must not be modified;
`Optimizer.scratch` lends work arrays, so an update allocates nothing.

Around the update rule ``step`` runs what every optimizer shares (see `param_rules`): the
``maximize`` and ``weight_decay`` group options (``grad`` is then ``±grad + weight_decay *
param``; ``decoupled_weight_decay=True`` shrinks the parameter instead), each parameter's
``regularizer`` (its penalty's gradient joins the gradient) and ``constraint`` (projects the
parameter after the update), and the step hooks (`hooks`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..autograd.grad_mode import enable_grad
from ..config import Configurable, to_jsonable
from ..handles import RemovableHandle
from ..nn.parameter import Parameter
from ..tensor import Tensor
from .arena import ParameterArena, StepState
from .hooks import (  # noqa: F401  (PyTorch's place for the global hooks)
    register_optimizer_step_post_hook,
    register_optimizer_step_pre_hook,
    with_step_hooks,
)
from .implementation_flags import check_implementation_flags
from .param_rules import add_penalty_gradients, apply_constraints, effective_grad
from .state import OptimizerState


class Optimizer(OptimizerState, Configurable):
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

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_with_step_hooks", False):
            cls.step = with_step_hooks(step)  # an override of step runs the hooks too

    def __init__(self, params: Iterable[Tensor] | Iterable[dict[str, Any]], defaults: dict) -> None:
        self.defaults = dict(defaults)
        self.param_groups: list[dict] = []
        self._arenas: list[list[ParameterArena]] = []  # per group, one arena per dtype
        self._step_pre_hooks: dict = {}
        self._step_post_hooks: dict = {}
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
        self.__dict__.pop("_rules", None)
        by_dtype: dict = {}
        for p in params:
            by_dtype.setdefault(p.dtype, []).append(p)
        self._arenas.append([ParameterArena(ps, dt) for dt, ps in by_dtype.items()])

    def _check_hyperparameters(self, group: dict) -> None:
        check_learning_rate(group.get("lr"))
        check_implementation_flags(type(self).__name__, group)

    # ------------------------------------------------------------------- training
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of every parameter: to None (default, as PyTorch; ``step`` then
        skips the parameter until it gets a gradient again) or to zeros. Call it before each
        ``backward``, since gradients accumulate."""
        for arena in self.arenas():
            arena.zero_grad(set_to_none)

    @with_step_hooks
    def step(self, closure: Callable[[], Tensor | float] | None = None) -> Tensor | float | None:
        """One update of every parameter that has a gradient; returns ``closure()`` if given
        (a function that recomputes the loss and calls ``backward``, as in PyTorch). The
        parameters' regularizers add their penalties' gradients first, their constraints
        project them after."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        regularized, constrained = self._parameters_with_rules()
        if regularized:
            add_penalty_gradients(regularized)
        for group, arena in self._group_arenas():
            self._step_arena(group, arena)
        if constrained:
            apply_constraints(constrained)
        return loss

    def _parameters_with_rules(self) -> tuple[list, list]:
        """The parameters that have a regularizer, and those that have a constraint (cached
        until a parameter's rules or the param groups change)."""
        cached = self.__dict__.get("_rules")
        if cached is None or cached[0] != Parameter.rules_changes:
            params = [p for group in self.param_groups for p in group["params"]]
            regularized = [p for p in params if getattr(p, "regularizer", None) is not None]
            constrained = [p for p in params if getattr(p, "constraint", None) is not None]
            cached = self.__dict__["_rules"] = (Parameter.rules_changes, regularized, constrained)
        return cached[1], cached[2]

    def register_step_pre_hook(
        self, hook: Callable[[Optimizer, tuple, dict], tuple[tuple, dict] | None]
    ) -> RemovableHandle:
        """Run ``hook(optimizer, args, kwargs)`` before each ``step`` (``args[0]`` is the
        optimizer, as in PyTorch); returning ``(new_args, new_kwargs)`` replaces them."""
        return RemovableHandle(self._step_pre_hooks, hook)

    def register_step_post_hook(
        self, hook: Callable[[Optimizer, tuple, dict], None]
    ) -> RemovableHandle:
        """Run ``hook(optimizer, args, kwargs)`` after each ``step``."""
        return RemovableHandle(self._step_post_hooks, hook)

    def arenas(self) -> list[ParameterArena]:
        """The `ParameterArena` s holding the parameters (one per param group and dtype): a
        data-parallel all-reduce averages ``arena.grad`` in one call. Parameters that another
        optimizer packed since are taken back first (their values and gradients copied), so
        two optimizers over the same parameters can take turns."""
        return [arena for _, arena in self._group_arenas()]

    def _group_arenas(self):
        for group, arenas in zip(self.param_groups, self._arenas):
            for k, arena in enumerate(arenas):
                if arena.released:
                    arenas[k] = arena = _repacked(arena)
                yield group, arena

    def scratch(self, like: np.ndarray, index: int) -> np.ndarray:
        """Work array number ``index`` with ``like``'s size and dtype, reused across steps (its
        contents are garbage). Index 0 may hold the gradient `step` hands to ``_update``."""
        cache = self.__dict__.setdefault("_scratch", {})
        key = (like.dtype.str, index)
        buf = cache.get(key)
        if buf is None or buf.size < like.size:
            buf = cache[key] = np.empty(like.size, dtype=like.dtype)
        return buf[: like.size]

    def _step_arena(self, group: dict, arena: ParameterArena) -> None:
        if arena.loose:
            arena.gather_loose_grads()
        has, steps = arena.has_grad, arena.steps
        if has.all() and steps[0] == steps[-1] and (steps == steps[0]).all():
            steps += 1
            self._update_with_options(group, arena.data, arena.grad, StepState(arena), steps[0])
        else:
            # Some parameters have no gradient (PyTorch skips them) or are at different steps.
            for i in np.flatnonzero(has):
                steps[i] += 1
                sl = arena.slices[i]
                state = StepState(arena, i)
                self._update_with_options(group, arena.data[sl], arena.grad[sl], state, steps[i])
        arena.updates += 1
        if arena.updates % arena.FLUSH_EVERY == 0:
            arena.flush_subnormal_state()

    def _update_with_options(
        self, group: dict, param: np.ndarray, grad: np.ndarray, state: StepState, step: int
    ) -> None:
        grad = effective_grad(group, param, grad, self.scratch(param, 0))
        self._update(group, param, grad, state, int(step))

    def _update(
        self, group: dict, param: np.ndarray, grad: np.ndarray, state: StepState, step: int
    ) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement _update()")

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


def _repacked(arena: ParameterArena) -> ParameterArena:
    """A new arena over ``arena``'s parameters (taking them back from the optimizer that packed
    them later) that keeps ``arena``'s optimizer state."""
    new = ParameterArena(arena.params, arena.data.dtype)
    if new.shapes != arena.shapes:
        raise RuntimeError(
            f"the parameters of this optimizer changed shape since it was created (from "
            f"{arena.shapes} to {new.shapes}); create the optimizer again"
        )
    new.steps[:] = arena.steps
    new.buffers, new.scalars, new.unset = arena.buffers, arena.scalars, arena.unset
    new.updates = arena.updates
    return new


class _Required:
    def __repr__(self) -> str:
        return "<required parameter>"


_REQUIRED = required = _Required()


def check_learning_rate(lr: Any) -> None:
    """PyTorch's "Invalid learning rate" check, stricter: a real number (or a one-element
    Tensor), finite and >= 0. PyTorch accepts ``inf`` and fails on ``"0.1"`` with an unrelated
    TypeError; both are refused here, saying what was expected. None (no lr) passes."""
    if lr is None:
        return
    value = lr
    if isinstance(lr, Tensor):
        array = np.asarray(lr)
        value = float(array.reshape(-1)[0]) if array.size == 1 else None
    if value is None or isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"Invalid learning rate: {lr!r} (expected a number >= 0, got {type(lr).__name__})"
        )
    if not value >= 0:  # also refuses NaN
        raise ValueError(f"Invalid learning rate: {value} (expected lr >= 0)")
    if value == math.inf:
        raise ValueError(f"Invalid learning rate: {value} (expected a finite lr)")
