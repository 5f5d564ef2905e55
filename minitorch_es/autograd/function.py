"""Differentiable operations: ``Function`` (PyTorch's contract, on Tensors) and ``Primitive``
(the package's own ops, on NumPy arrays).

Both are nodes of the graph: ``apply`` runs ``forward`` and, when an input requires grad and
grad mode is on, records a `Context` that remembers the inputs, what ``forward`` saved and the
outputs. ``backward(ctx, *grads)`` returns one gradient (or None) per positional input.

One derivative, two uses. A backward formula is written once, with operators, the methods
that NumPy arrays and Tensors share, and the array-API functions of ``ctx.xp``. On the fast
path the engine hands it arrays and ``ctx.xp`` is NumPy's namespace; when a graph of the
gradient is wanted (``create_graph=True``) it hands it Tensors — the saved inputs and outputs
become the very Tensors of the graph — and ``ctx.xp`` is the Tensor namespace, so the same
formula records differentiable ops and can be differentiated again. Hence the rule for
``save_for_backward``: save inputs and outputs of forward; any other saved value is a constant
of the derivative (a mask, indices). An op that needs an intermediate that depends on its
inputs computes it again in backward from saved inputs/outputs, or returns it as an extra
output.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import ShapeError
from . import grad_buffers, grad_mode
from .graph_nodes import GraphNode

_Tensor: type = None  # type: ignore[assignment]  # set by minitorch_es.tensor (mutual import)
_tracer = None  # set by an exporter: called as _tracer(cls, args, kwargs, result) after forward
# True while the engine runs a backward that builds a graph: turning a Tensor that requires
# grad into an array then (np.asarray in a formula) would silently cut the graph, so it raises.
_graph_backward = False

_IN, _OUT = 0, 1  # kinds of saved values that are graph tensors (others are constants)


class Context(GraphNode):
    """A node of the graph: what a Function remembers between forward and backward
    (PyTorch's ``ctx``). Options and shapes can be stored as plain attributes:
    ``ctx.dim = dim``."""

    # Defaults as class attributes: a node is created for every recorded op, so its
    # constructor sets only what differs per node.
    _saved = ()
    _saved_from = ()  # per saved value: (_IN, i) / (_OUT, j) / None
    _saved_versions = ()
    _saved_counters = ()  # per saved graph value: its tensor's version counter (a list)
    _version_checks = False  # whether a saved value is a graph tensor (checked in backward)
    _outputs = ()  # weak references to the output Tensors
    _output_arrays = ()
    _differentiable = False  # True while the engine runs a create_graph backward
    _kept: dict = {}  # intermediates of forward for the fast path (see keep)
    _hooks = None  # {output index: {id: hook}} of non-leaf tensors' register_hook
    _retained = None  # {output index: weakref} of non-leaf tensors with retain_grad
    materialize_grads = True
    non_differentiable = ()

    def __init__(self, fn: type, inputs: tuple, needs_input_grad: tuple) -> None:
        self.fn = fn
        self.inputs = inputs
        self.needs_input_grad = needs_input_grad
        # Where each input's gradient goes, fixed now: (node, output index, leaf tensor). A
        # later in-place op gives the input tensor a new history, which must not change this.
        self.edges = tuple(
            [
                ((a._ctx, a._out, None) if a._ctx is not None else (None, 0, a)) if needs else None
                for a, needs in zip(inputs, needs_input_grad)
            ]
        )

    def save_for_backward(self, *values) -> None:
        """Keep inputs or outputs of forward for backward, which reads them back as
        ``ctx.saved_tensors`` (see the module notes for other values)."""
        self._saved = values

    @property
    def saved_tensors(self) -> tuple:
        """What forward saved: arrays (or a Function's Tensors) on the fast path, the graph's
        Tensors when backward builds a graph of the gradient."""
        if self._saved is None:
            raise RuntimeError(_FREED_MESSAGE)
        if self._differentiable:
            return tuple(self._graph_value(v, src) for v, src in zip(self._saved, self._saved_from))
        return self._saved

    @property
    def saved_arrays(self) -> tuple:
        """What forward saved, as saved (arrays for a `Primitive`), in both modes: for
        computing constants of a derivative, such as masks."""
        if self._saved is None:
            raise RuntimeError(_FREED_MESSAGE)
        return self._saved

    @property
    def xp(self):  # noqa: ANN201  (a namespace module)
        """The array namespace backward formulas compute with: NumPy's functions on the fast
        path, their differentiable Tensor counterparts when a graph of the gradient is built."""
        return _namespaces()[self._differentiable]

    def grad_buffer(self, i: int) -> np.ndarray | None:
        """For a backward formula on the fast path: the array in which input ``i`` will keep
        its gradient, if the formula may write the whole gradient there now (NumPy's
        ``out=``) and return it, saving a copy; None otherwise (then return a new array as
        usual). See `minitorch_es.autograd.grad_buffers` for when it is offered."""
        return grad_buffers.buffer_for(self, i)

    def keep(self, **values) -> None:
        """Keep intermediate arrays of forward (``ctx.keep(s=sigmoid)``) that backward would
        otherwise compute again; read them with `intermediate`."""
        self._kept = values

    def intermediate(self, name: str, recompute: Callable[[], Any]) -> Any:
        """The intermediate forward kept as ``name`` on the fast path; ``recompute()`` — the
        same quantity from the saved inputs/outputs, with ``ctx.xp`` — when backward builds a
        graph, since a kept array would be a constant there and the derivative wrong."""
        if self._differentiable:
            return recompute()
        return self._kept[name]

    def set_materialize_grads(self, value: bool) -> None:
        """Whether backward receives zeros (True, the default) or None for outputs that got no
        gradient, as in PyTorch."""
        self.materialize_grads = bool(value)

    def mark_non_differentiable(self, *outputs) -> None:
        """Outputs of forward (e.g. indices) that get no gradient and do not require grad."""
        self.non_differentiable = outputs

    def mark_dirty(self, *tensors) -> None:
        """Accepted for PyTorch compatibility: in-place ``forward`` results are recorded like
        any other output."""

    def _link(self, args: tuple, outputs: tuple) -> None:
        """Record which saved values are inputs or outputs (by identity) and their versions.
        Runs for every recorded op that saves something, so it is written for speed."""
        srcs, versions, counters = [], [], []
        inputs, checks = self.inputs, False
        for v in self._saved:
            src = counter = None
            for i, a in enumerate(args):
                if v is a:
                    t = inputs[i]
                    if isinstance(t, _Tensor):
                        src, counter = (_IN, i), t._version
                        break
            else:
                for j, o in enumerate(outputs):
                    if v is o:
                        src = (_OUT, j)
                        # The counter itself is kept: the tensor may be gone by backward (a
                        # rebased in-place op's input), while its memory, and the count of its
                        # changes, live on.
                        counter = self._tensor_of(src)._version
                        break
            srcs.append(src)
            counters.append(counter)
            if counter is None:
                versions.append(None)
            else:
                versions.append(counter[0])
                checks = True
        self._saved_from = tuple(srcs)
        self._saved_versions = tuple(versions)
        self._saved_counters = tuple(counters)
        self._version_checks = checks

    def _tensor_of(self, src: tuple):
        kind, i = src
        if kind == _IN:
            return self.inputs[i]
        t = self._outputs[i]()
        if t is None:  # the output Tensor is gone: stand in for it, attached to this node
            t = _Tensor._wrap(self._output_arrays[i])
            t._requires_grad, t._ctx, t._out = True, self, i
            for saved_src, counter in zip(self._saved_from, self._saved_counters):
                if saved_src == src:
                    t._version = counter
            self._outputs = self._outputs[:i] + (weakref.ref(t),) + self._outputs[i + 1 :]
        return t

    def _graph_value(self, value: object, src: tuple | None) -> object:
        if src is None:  # a constant of the derivative: arrays become Tensors, numbers stay
            return _Tensor._wrap(value) if isinstance(value, np.ndarray) else value
        return self._tensor_of(src)

    def _check_versions(self) -> None:
        for src, version, counter in zip(
            self._saved_from, self._saved_versions, self._saved_counters
        ):
            if src is None or counter[0] == version:
                continue
            t = self._tensor_of(src)
            what = "output" if src[0] == _OUT else "input"
            raise RuntimeError(
                f"one of the variables needed for gradient computation has been modified by "
                f"an inplace operation: [{t.dtype} {list(t.shape)}], which is {what} "
                f"{src[1]} of {self.grad_fn_name}, is at version {counter[0]}; expected "
                f"version {version} instead"
            )

    def _release(self) -> None:
        """Free what forward saved and the inputs (backward ran without retain_graph): a kept
        output (a logged loss) must not keep every activation alive. The edges stay, so a
        second backward through this node reaches it and raises."""
        self._saved = None
        self._output_arrays = None
        self.inputs = None
        self._kept = {}


class _NoGradContext:
    """Throw-away ``ctx`` for calls that build no graph: nothing is saved, but attributes that
    forward sets (and may read back) live for the call, as in PyTorch."""

    saved_tensors = ()

    def __init__(self, n_inputs: int) -> None:
        self.needs_input_grad = (False,) * n_inputs

    def save_for_backward(self, *values) -> None:
        pass

    def set_materialize_grads(self, value: bool) -> None:
        pass

    def mark_non_differentiable(self, *outputs) -> None:
        pass

    def mark_dirty(self, *tensors) -> None:
        pass

    def keep(self, **values) -> None:
        pass

    @property
    def xp(self):  # noqa: ANN201
        return _namespaces()[False]


_FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)


class Function:
    """Base class of differentiable operations with static ``forward``/``backward``, as
    ``torch.autograd.Function``: ``forward(ctx, *args)`` receives Tensors (and other
    arguments) and returns a Tensor or a tuple of Tensors; ``backward(ctx, *grads)`` receives
    one gradient Tensor per output and returns one per positional input (None where there is
    none). Call an op with ``apply``. A backward written with differentiable Tensor operations
    can be differentiated again (``create_graph=True``).

        >>> class Square(mt.autograd.Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         ctx.save_for_backward(x)
        ...         return x * x
        ...     @staticmethod
        ...     def backward(ctx, grad):
        ...         (x,) = ctx.saved_tensors
        ...         return 2 * x * grad
        >>> t = mt.tensor([3.], requires_grad=True)
        >>> Square.apply(t).backward()
        >>> t.grad
        tensor([6.])
        >>> mt.autograd.gradcheck(Square.apply, mt.randn(4, dtype=mt.float64, requires_grad=True))
        True
    """

    #: True for ops whose forward/backward run on NumPy arrays (`Primitive`).
    on_arrays = False
    #: PyTorch's name of the op's graph node (printed as ``grad_fn=<...>``); None: the class
    #: name + ``Backward`` (``Backward0`` for a `Primitive`, as PyTorch's built-in nodes).
    backward_name: str | None = None

    @staticmethod
    def shown_next_functions(ctx: Context, edges: tuple) -> tuple:
        """What ``ctx.next_functions`` shows: ``edges``, one entry per input. An op that fuses
        what PyTorch records as several nodes overrides this to show PyTorch's graph."""
        return edges

    @classmethod
    def backward_name_of(cls) -> str:
        """`backward_name`, or the default made from the class name."""
        if cls.backward_name is not None:
            return cls.backward_name
        return f"{cls.__name__}Backward{'0' if cls.on_arrays else ''}"

    @staticmethod
    def forward(ctx: Context, *args, **kwargs):
        """Compute the output(s) and save what backward needs with ``ctx.save_for_backward``.
        Keyword arguments are options, not differentiable inputs."""
        raise NotImplementedError("Function subclasses must implement forward(ctx, *args)")

    @staticmethod
    def backward(ctx: Context, *grads):
        """Return one gradient (or None) per positional input of forward, given one per
        output; ``ctx.needs_input_grad`` says which are wanted."""
        raise NotImplementedError("Function subclasses must implement backward(ctx, *grads)")

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run forward and return its output(s), recorded in the graph when an input requires
        grad and grad mode is enabled."""
        Tensor = _Tensor
        flags = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        needs = grad_mode._enabled and True in flags
        ctx = Context(cls, args, flags) if needs else _NoGradContext(len(args))
        with grad_mode.no_grad():
            out = cls.forward(ctx, *args, **kwargs)
        single = not isinstance(out, tuple)
        outs = (out,) if single else out
        for o in outs:
            if o is not None and not isinstance(o, Tensor):
                raise TypeError(
                    f"{cls.__name__}.forward must return Tensors (or a tuple of them), got "
                    f"{type(o).__name__}"
                )
        results = tuple(None if o is None else Tensor._wrap(o._data) for o in outs)
        if needs:
            _record(ctx, args, outs, results, [o._data if o is not None else None for o in outs])
        if _tracer is not None:
            _tracer(cls, args, kwargs, results[0] if single else results)
        return results[0] if single else results


class Primitive(Function):
    """A built-in op on NumPy arrays: ``forward(ctx, *arrays)`` receives the ``.data`` arrays
    of Tensor arguments (other arguments unchanged) and returns an array or a tuple of arrays;
    ``backward(ctx, *grads)`` computes with arrays on the fast path and with Tensors when a
    graph of the gradient is built (see the module notes). Faster than `Function`: no Tensor
    is created inside; plugins use it for fused kernels."""

    on_arrays = True
    #: True for ops whose NumPy kernels can leave their domain or overflow (log(0), 0 / 0,
    #: exp(1000)): they return IEEE's inf / NaN silently, as PyTorch, instead of NumPy's
    #: RuntimeWarning. Declared only where needed: the np.errstate block costs ~1 us a call.
    ieee_silent = False

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run forward on the arrays of the arguments and wrap the result(s) in Tensors that
        record this op when an input requires grad and grad mode is enabled."""
        Tensor = _Tensor
        # One pass over the arguments: this runs for every op, so it is kept lean.
        arrays, flags = [], []
        for a in args:
            if isinstance(a, Tensor):
                arrays.append(a._data)
                flags.append(a._requires_grad)
            else:
                arrays.append(a)
                flags.append(False)
        needs = grad_mode._enabled and True in flags
        ctx = Context(cls, args, tuple(flags)) if needs else _NoGradContext(len(args))
        try:
            if cls.ieee_silent:
                with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                    out = cls.forward(ctx, *arrays, **kwargs)
            else:
                out = cls.forward(ctx, *arrays, **kwargs)
        except ShapeError:
            raise
        except ValueError as e:
            shapes = ", ".join(str(np.shape(a)) for a in arrays if isinstance(a, np.ndarray))
            raise ShapeError(f"{cls.__name__}: {e} (input shapes: {shapes})") from e
        if type(out) is tuple:
            outs = tuple(o if isinstance(o, np.ndarray) else np.asarray(o) for o in out)
            results = tuple(Tensor._wrap(o) for o in outs)
            if needs:
                _record(ctx, arrays, outs, results, outs)
            if _tracer is not None:
                _tracer(cls, args, kwargs, results)
            return results
        if not isinstance(out, np.ndarray):
            out = np.asarray(out)
        result = Tensor._wrap(out)
        if needs and out.dtype.kind in "fc":
            result._requires_grad = True
            result._ctx = ctx
            ctx._outputs = (weakref.ref(result),)
            ctx._output_arrays = (out,)
            if ctx._saved:
                ctx._link(arrays, (out,))
        if _tracer is not None:
            _tracer(cls, args, kwargs, result)
        return result


def _record(ctx: Context, inputs: list | tuple, outs: tuple, results: tuple, arrays: list) -> None:
    """Attach the output Tensors ``results`` to the node ``ctx`` (multi-output and Function)."""
    skip = {id(o) for o in ctx.non_differentiable}
    for j, (o, r) in enumerate(zip(outs, results)):
        if r is None or id(o) in skip or r._data.dtype.kind not in "fc":
            continue
        r._requires_grad, r._ctx, r._out = True, ctx, j
    ctx._outputs = tuple(weakref.ref(r) if r is not None else _dead for r in results)
    ctx._output_arrays = tuple(arrays)
    if ctx._saved:
        ctx._link(tuple(inputs), tuple(outs))


def _dead():
    return None


_NAMESPACES: tuple = ()


def _namespaces() -> tuple:
    """(NumPy namespace, Tensor namespace), imported once (ops import this module)."""
    global _NAMESPACES
    if not _NAMESPACES:
        from ..ops.array_api import numpy_api, tensor_api

        _NAMESPACES = (numpy_api, tensor_api)
    return _NAMESPACES
