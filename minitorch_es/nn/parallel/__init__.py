"""``mt.nn.parallel``: ``DistributedDataParallel`` (``torch.nn.parallel``), so
``from torch.nn.parallel import DistributedDataParallel as DDP`` ports by changing ``torch`` to
``minitorch_es``. The class lives in ``minitorch_es.distributed``, above ``nn``; it is looked up
on first use, so importing ``mt.nn`` does not import the distributed package."""

from __future__ import annotations

from typing import Any

__all__ = ["DistributedDataParallel"]


def __getattr__(name: str) -> Any:
    if name == "DistributedDataParallel":
        from ...distributed.ddp import DistributedDataParallel

        return DistributedDataParallel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
