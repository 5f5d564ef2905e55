"""The two array namespaces that backward formulas compute with (``ctx.xp``), and the hook
through which a plugin adds its own kernels to both."""

from __future__ import annotations

from collections.abc import Callable

from . import numpy_api, tensor_api

# name -> (numpy function, Tensor function) of every registration (the built-in names are not
# here: they cannot be replaced)
_REGISTERED: dict[str, tuple[Callable, Callable]] = {}


def register_array_function(name: str, numpy_function: Callable, tensor_function: Callable) -> None:
    """Make ``ctx.xp.<name>`` available to backward formulas: ``numpy_function`` on the fast
    path (arrays in, an array out) and ``tensor_function`` when backward builds a graph of the
    gradient — the same signature, computed with differentiable ops (typically a `Primitive`
    whose own backward uses ``ctx.xp`` again), so a derivative that calls ``name`` can be
    differentiated again. This is how a plugin's kernel (a convolution's transpose, say)
    serves both paths with one formula.

    A name of the built-in namespaces cannot be replaced, nor a name another pair of
    functions holds (registering the same functions again, as a reloaded module does, is
    accepted).

        >>> mt.autograd.register_array_function("squared", np.square, lambda x: x * x)
        >>> class Cube(mt.autograd.Primitive):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         ctx.save_for_backward(x)
        ...         return x**3
        ...     @staticmethod
        ...     def backward(ctx, grad):
        ...         (x,) = ctx.saved_tensors
        ...         return 3 * grad * ctx.xp.squared(x)
        >>> x = mt.tensor([2.0], requires_grad=True)
        >>> (g,) = mt.autograd.grad(Cube.apply(x), x, create_graph=True)
        >>> mt.autograd.grad(g, x)  # 6 x
        (tensor([12.]),)
    """
    where = "register_array_function"
    if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
        raise ValueError(f"{where}: name must be a public Python identifier, got {name!r}")
    for arg, f in (("numpy_function", numpy_function), ("tensor_function", tensor_function)):
        if not callable(f):
            raise TypeError(f"{where}: {arg} must be callable, got {type(f).__name__} {f!r}")
    held = _REGISTERED.get(name)
    if held is None and (hasattr(numpy_api, name) or hasattr(tensor_api, name)):
        raise ValueError(f"{where}: {name!r} is a built-in function of the namespaces")
    if held is not None and tuple(map(_qualified, held)) != (
        _qualified(numpy_function),
        _qualified(tensor_function),
    ):
        raise ValueError(
            f"{where}: {name!r} is already registered, by {_qualified(held[0])} and "
            f"{_qualified(held[1])}"
        )
    _REGISTERED[name] = (numpy_function, tensor_function)
    setattr(numpy_api, name, numpy_function)
    setattr(tensor_api, name, tensor_function)


def _qualified(f: Callable) -> str:
    return f"{getattr(f, '__module__', '?')}.{getattr(f, '__qualname__', repr(f))}"
