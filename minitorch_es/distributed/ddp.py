"""``DistributedDataParallel``: PyTorch's data-parallel wrapper, on MPI.

    model = DistributedDataParallel(model)          # after dist.init_process_group("mpi")
    loss_fn(model(xb), yb).backward()               # every rank now holds the mean gradient

At construction rank 0's parameters and buffers are copied to every rank (after checking that
every rank wraps the same shapes). Each forward in training arms the `Reducer`, whose hooks
all-reduce the gradients in buckets while backward is still running (see
``minitorch_es.distributed.reducer``); `no_sync` skips that for gradient accumulation.
"""

from __future__ import annotations

import contextlib
import numbers
from collections.abc import Iterator
from typing import Any

from ..autograd import is_grad_enabled
from ..devices import device
from ..nn.module import Module
from .collectives import broadcast
from .process_group import NOT_INITIALIZED, ProcessGroup, check_group, is_initialized
from .reducer import Reducer
from .world import world

DEFAULT_BUCKET_CAP_MB = 25  # PyTorch's default


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"DistributedDataParallel: {name} must be a bool, got {value!r}")
    return value


def _check_devices(device_ids: Any, output_device: Any, module: Module) -> None:
    """CPU modules take no device_ids (PyTorch's rule); output_device is then ignored."""
    if device_ids is not None and (not isinstance(device_ids, (list, tuple)) or device_ids):
        devices = {str(p.device) for p in module.parameters()}
        raise ValueError(
            f"DistributedDataParallel device_ids and output_device arguments only work with "
            f"single-device/multiple-device GPU modules or CPU modules, but got device_ids "
            f"{device_ids}, output_device {output_device}, and module parameters {devices}."
        )
    if output_device is not None and not isinstance(output_device, (numbers.Integral, str, device)):
        raise TypeError(
            f"DistributedDataParallel: output_device must be None, an int, a str or a device, "
            f"got {type(output_device).__name__}"
        )


class DistributedDataParallel(Module):
    """Data-parallel training of ``module`` across the ranks of the MPI job
    (``torch.nn.parallel.DistributedDataParallel``).

    Every rank runs the same script on its own shard of the data (a
    ``DistributedSampler``); after ``loss.backward()`` every rank holds the gradient averaged
    over the ranks, so the optimizers take the same step. The gradients are all-reduced in
    buckets of ``bucket_cap_mb`` MiB (25 by default) as soon as backward has produced them, so
    communication overlaps the rest of backward. ``find_unused_parameters=True`` lets a
    forward leave parameters out of the loss (they count as zero; a parameter no rank used
    keeps its ``.grad``); without it that is an error, as in PyTorch. ``broadcast_buffers``
    (default True) copies rank 0's buffers (BatchNorm statistics) to every rank at each
    training forward. ``device_ids`` / ``output_device`` are for GPU modules: a CPU module
    takes none (``device_ids=None``), as in PyTorch. ``check_reduction``,
    ``gradient_as_bucket_view`` and ``static_graph`` are accepted and change nothing.

    The wrapped model is ``.module``; ``state_dict()`` keys start with ``"module."`` as in
    PyTorch (save ``model.module.state_dict()`` to load into an unwrapped model). Needs
    `init_process_group` first; in a world of one it only forwards.

        >>> import minitorch_es.distributed as dist
        >>> dist.init_process_group("gloo")
        >>> model = mt.nn.parallel.DistributedDataParallel(mt.nn.Linear(3, 1))
        >>> model(mt.ones(2, 3)).sum().backward()
        >>> model.module.weight.grad
        tensor([[2., 2., 2.]])
        >>> dist.destroy_process_group()
    """

    def __init__(
        self,
        module: Module,
        device_ids: list | None = None,
        output_device: Any = None,
        dim: int = 0,
        broadcast_buffers: bool | None = None,
        init_sync: bool = True,
        process_group: ProcessGroup | None = None,
        bucket_cap_mb: float | None = None,
        find_unused_parameters: bool = False,
        check_reduction: bool = False,
        gradient_as_bucket_view: bool = False,
        static_graph: bool = False,
    ) -> None:
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(
                f"DistributedDataParallel expected a minitorch_es.nn.Module, got "
                f"{type(module).__name__}"
            )
        if not is_initialized():
            raise ValueError(NOT_INITIALIZED)
        check_group(process_group, "DistributedDataParallel")
        _check_devices(device_ids, output_device, module)
        if not isinstance(dim, numbers.Integral) or isinstance(dim, bool):
            raise TypeError(f"DistributedDataParallel: dim must be an int, got {dim!r}")
        cap = DEFAULT_BUCKET_CAP_MB if bucket_cap_mb is None else bucket_cap_mb
        if isinstance(cap, bool) or not isinstance(cap, numbers.Real) or not cap > 0:
            raise ValueError(
                f"DistributedDataParallel: bucket_cap_mb must be a positive number, got "
                f"{bucket_cap_mb!r}"
            )
        for name, value in (
            ("init_sync", init_sync),
            ("find_unused_parameters", find_unused_parameters),
            ("check_reduction", check_reduction),
            ("gradient_as_bucket_view", gradient_as_bucket_view),
            ("static_graph", static_graph),
        ):
            _flag(value, name)
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        if not named:
            raise RuntimeError(
                "DistributedDataParallel is not needed when a module doesn't have any "
                "parameter that requires a gradient."
            )
        self.module = module
        self.device_ids = None
        self.output_device = None
        self.dim = int(dim)
        self.broadcast_buffers = (
            True if broadcast_buffers is None else _flag(broadcast_buffers, "broadcast_buffers")
        )
        self.find_unused_parameters = find_unused_parameters
        self.bucket_bytes_cap = int(cap * 1024 * 1024)
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.static_graph = static_graph
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        self.world_size = world().size
        if self.world_size > 1:
            self._check_same_model(named)
            if init_sync:
                self._broadcast_states(with_parameters=True)
        self.reducer = (
            Reducer(named, self.bucket_bytes_cap, find_unused_parameters)
            if self.world_size > 1
            else None
        )

    def _check_same_model(self, named: list) -> None:
        """Every rank must wrap parameters of the same names, shapes and dtypes (else the
        broadcasts and all-reduces would not line up)."""
        mine = [(n, tuple(p.shape), str(p.dtype)) for n, p in named]
        ranks = world().comm.allgather(mine)
        for r, theirs in enumerate(ranks):
            if theirs != mine:
                diff = next(
                    (f"{a} vs {b}" for a, b in zip(mine, theirs) if a != b),
                    f"{len(mine)} vs {len(theirs)} parameters",
                )
                raise RuntimeError(
                    f"DistributedDataParallel: rank {world().rank} and rank {r} wrap different "
                    f"models ({diff}); every rank must build the same module"
                )

    def _broadcast_states(self, with_parameters: bool) -> None:
        tensors = list(self.module.buffers())
        if with_parameters:
            tensors = list(self.module.parameters()) + tensors
        for t in tensors:
            if t._data.dtype.kind in "biuf":
                broadcast(t, 0)

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        """Run the module; in training with gradients, arm the gradient all-reduce of the
        coming backward (unless in `no_sync`)."""
        if self.reducer is not None and self.broadcast_buffers and self.training:
            self._broadcast_states(with_parameters=False)
        output = self.module(*inputs, **kwargs)
        if self.reducer is not None and is_grad_enabled() and self.require_backward_grad_sync:
            self.reducer.prepare(output)
        return output

    @contextlib.contextmanager
    def no_sync(self) -> Iterator[None]:
        """Within it, backward only accumulates local gradients (no communication); the first
        backward after it all-reduces the accumulated sum, as in PyTorch:

            with ddp.no_sync():
                for xb, yb in micro_batches[:-1]:
                    loss_fn(ddp(xb), yb).backward()
            loss_fn(ddp(last_x), last_y).backward()     # averages everything accumulated
        """
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous
