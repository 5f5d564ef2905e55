"""Optimizer step hooks, with PyTorch's API: per optimizer (``register_step_pre_hook`` /
``register_step_post_hook``) and for every optimizer (`register_optimizer_step_pre_hook` /
`register_optimizer_step_post_hook`, also reachable as
``mt.optim.optimizer.register_optimizer_step_pre_hook``).

A hook is ``hook(optimizer, args, kwargs)``, where ``args`` and ``kwargs`` are those of the
``step`` call and, as in PyTorch, ``args[0]`` is the optimizer itself. A pre-hook may return
``(new_args, new_kwargs)`` to replace them. Global pre-hooks run before the optimizer's own,
global post-hooks after them. Every ``step`` of an `Optimizer` subclass runs them once, also
one that overrides ``step`` and calls ``super().step()``.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable
from itertools import chain
from typing import Any

from ..handles import RemovableHandle

_GLOBAL_PRE_HOOKS: OrderedDict = OrderedDict()
_GLOBAL_POST_HOOKS: OrderedDict = OrderedDict()

Hook = Callable[[Any, tuple, dict], Any]


def register_optimizer_step_pre_hook(hook: Hook) -> RemovableHandle:
    """Run ``hook(optimizer, args, kwargs)`` before the step of every optimizer; it may return
    ``(new_args, new_kwargs)``. ``handle.remove()`` unregisters it."""
    return RemovableHandle(_GLOBAL_PRE_HOOKS, hook)


def register_optimizer_step_post_hook(hook: Hook) -> RemovableHandle:
    """Run ``hook(optimizer, args, kwargs)`` after the step of every optimizer."""
    return RemovableHandle(_GLOBAL_POST_HOOKS, hook)


def with_step_hooks(step: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap an optimizer's ``step`` so the hooks run around the outermost call (a subclass's
    ``step`` that calls ``super().step()`` runs them once)."""

    @functools.wraps(step)
    def hooked_step(self: Any, *args, **kwargs):
        if self.__dict__.get("_in_step"):
            return step(self, *args, **kwargs)
        args = (self, *args)
        own_pre = self.__dict__.get("_step_pre_hooks") or {}
        if own_pre or _GLOBAL_PRE_HOOKS:
            for hook in list(chain(_GLOBAL_PRE_HOOKS.values(), own_pre.values())):
                result = hook(self, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise RuntimeError(
                            f"{step} must return None or a tuple of (new_args, new_kwargs), "
                            f"but got {result}."
                        )
                    args, kwargs = result
        self.__dict__["_in_step"] = True
        try:
            out = step(*args, **kwargs)
        finally:
            self.__dict__["_in_step"] = False
        own_post = self.__dict__.get("_step_post_hooks") or {}
        if own_post or _GLOBAL_POST_HOOKS:
            for hook in list(chain(own_post.values(), _GLOBAL_POST_HOOKS.values())):
                hook(self, args, kwargs)
        return out

    hooked_step._with_step_hooks = True
    return hooked_step
