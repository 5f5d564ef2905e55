"""``state_dict`` / ``load_state_dict`` of `Module` (a mixin): every parameter and persistent
buffer by dotted name, loaded by copying into the existing arrays."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..tensor import Tensor


class ModuleState:
    """The state-dict methods of `Module`."""

    def state_dict(self, prefix: str = "", keep_vars: bool = False) -> OrderedDict:
        """Copies of every parameter and persistent buffer (NumPy arrays), by dotted name.

        Save it with `mt.save` and restore it with `load_state_dict`; ``keep_vars=True``
        gives the live objects instead of copies.

            >>> a, b = mt.nn.Linear(3, 2), mt.nn.Linear(3, 2)
            >>> list(a.state_dict())
            ['weight', 'bias']
            >>> b.load_state_dict(a.state_dict())
            ([], [])
            >>> bool((a.weight == b.weight).numpy().all())
            True
        """
        out = OrderedDict()
        # As PyTorch, a module shared by two parents is saved under both names.
        for mod_name, module in self.named_modules(
            prefix=prefix.rstrip("."), remove_duplicate=False
        ):
            for name, p in module._parameters.items():
                if p is not None:
                    key = f"{mod_name}.{name}" if mod_name else name
                    out[key] = p if keep_vars else p.detach()
            for name, b in module._buffers.items():
                if b is not None and name not in module._non_persistent:
                    key = f"{mod_name}.{name}" if mod_name else name
                    out[key] = b if keep_vars else b.detach()
        return out

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True
    ) -> IncompatibleKeys:
        """Copy ``state_dict`` into the existing arrays (never rebinding them). Every missing or
        unexpected key and every shape mismatch is collected; with ``strict`` they raise together,
        otherwise they are only reported: ``(missing_keys, unexpected_keys)`` is returned
        either way (shape mismatches always raise). Values may be arrays or Tensors.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"expected state_dict to be dict-like, got {type(state_dict).__name__}")
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        mismatched = []
        for key, target in own.items():
            if key in state_dict:
                value = state_dict[key]
                value = value._data if isinstance(value, Tensor) else np.asarray(value)
                target_shape = tuple(target.shape)
                if value.shape != target_shape:
                    mismatched.append(f"{key}: expected shape {target_shape}, got {value.shape}")
        problems = []
        if strict and missing:
            problems.append("missing keys: " + ", ".join(missing))
        if strict and unexpected:
            problems.append("unexpected keys: " + ", ".join(unexpected))
        if mismatched:
            problems.append("size mismatch: " + "; ".join(mismatched))
        if problems:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n  "
                + "\n  ".join(problems)
            )
        for key, target in own.items():
            if key in state_dict:
                value = state_dict[key]
                array = target._data if isinstance(target, Tensor) else target
                array[...] = value._data if isinstance(value, Tensor) else value
        return IncompatibleKeys(missing, unexpected)


class IncompatibleKeys(tuple):
    """``(missing_keys, unexpected_keys)`` returned by ``load_state_dict``."""

    def __new__(cls, missing_keys: list[str], unexpected_keys: list[str]):
        return super().__new__(cls, (missing_keys, unexpected_keys))

    @property
    def missing_keys(self) -> list[str]:
        """Keys the module expected but the state dict lacked."""
        return self[0]

    @property
    def unexpected_keys(self) -> list[str]:
        """Keys of the state dict the module does not have."""
        return self[1]
