"""Forward and backward hooks of `Module` (a mixin): registering them, and ``__call__``, which
runs them around ``forward`` and names the layer in a shape error raised inside it."""

from __future__ import annotations

from collections.abc import Callable

from ..errors import ShapeError
from ..handles import RemovableHandle
from .backward_hooks import call_with_backward_hooks


class ModuleHooks:
    """The hooks of `Module` and the call that runs them (the annotations say ``ModuleHooks``:
    every Module is one, and this module does not import the Module built on it)."""

    def __call__(self, *args, **kwargs):
        if "_forward_hooks" not in self.__dict__:
            raise RuntimeError(
                f"{type(self).__name__} was called before Module.__init__() ran: call "
                f"super().__init__() at the start of {type(self).__name__}.__init__"
            )
        try:
            if not (
                self._forward_hooks
                or self._forward_pre_hooks
                or self._backward_hooks
                or self._backward_pre_hooks
            ):
                return self.forward(*args, **kwargs)
            for hook in list(self._forward_pre_hooks.values()):
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
            if self._backward_hooks or self._backward_pre_hooks:
                out = call_with_backward_hooks(self, self.forward, args, kwargs)
            else:
                out = self.forward(*args, **kwargs)
            for hook in list(self._forward_hooks.values()):
                result = hook(self, args, out)
                if result is not None:
                    out = result
            return out
        except ShapeError as e:
            _name_failing_layer(e, self)
            raise

    def register_forward_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(module, inputs, output)`` runs after every forward; it may return a new output."""
        return RemovableHandle(self._forward_hooks, hook)

    def register_forward_pre_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(module, inputs)`` runs before every forward; it may return new inputs."""
        return RemovableHandle(self._forward_pre_hooks, hook)

    def register_full_backward_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(module, grad_input, grad_output)`` runs when the gradients with respect to
        the module's inputs are computed; it may return a replacement ``grad_input``."""
        return RemovableHandle(self._backward_hooks, hook)

    def register_full_backward_pre_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(module, grad_output)`` runs when the gradients with respect to the module's
        outputs are computed; it may return a replacement ``grad_output``."""
        return RemovableHandle(self._backward_pre_hooks, hook)


def _name_failing_layer(error: ShapeError, module: ModuleHooks) -> None:
    """Prefix a shape error with the dotted name of the layer that raised it, one level per
    enclosing module call, so the message reads "in layer 'features.3' (Conv2d): ..."."""
    inner = error.__dict__.get("_mt_module")
    path = error.__dict__.get("_mt_path", "")
    if inner is not None:
        # A descendant, not only a child: layers kept in a ModuleList/ModuleDict are called by
        # the module that owns the container, never by the container itself.
        name = next((n for n, m in module.named_modules() if m is inner and n), None)
        if name is None:
            return  # called from outside the module tree (e.g. functional use)
        path = f"{name}.{path}" if path else name
    else:
        error._mt_message = str(error)
        error._mt_layer_type = type(module).__name__
    error._mt_module, error._mt_path = module, path
    if path:
        error.args = (f"in layer '{path}' ({error._mt_layer_type}): {error._mt_message}",)
