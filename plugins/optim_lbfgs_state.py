"""`optim_lbfgs.LBFGS`'s state: its curvature history, kept by the optimizer and shown, as
PyTorch does, as the state of the first parameter (``state``, ``state_dict``), with the pairs
``old_dirs`` / ``old_stps`` / ``ro`` as lists, oldest first; a loaded history is checked
(vector lengths, history size, types) before it is used."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

import minitorch_es as mt
from minitorch_es.validation import is_int, is_real


class HistoryState:
    """The state methods of `optim_lbfgs.LBFGS` (``self._history``, ``self._params``)."""

    @property
    def state(self) -> dict:
        """PyTorch's layout: the history is the state of the first parameter."""
        return {self._params[0]: dict(self._history)} if self._history else {}

    def state_dict(
        self, param_names: Iterable[tuple[str, mt.Tensor]] | dict[str, mt.Tensor] | None = None
    ) -> dict:
        """As `Optimizer.state_dict`, the history (copies) under the first parameter's key;
        the curvature pairs ``old_dirs`` / ``old_stps`` / ``ro`` are lists, oldest first."""
        out = super().state_dict(param_names)
        if self._history:
            dtype = self._params[0].dtype
            copy = {k: _copied(v, k in _TENSOR_SCALARS, dtype) for k, v in self._history.items()}
            out["state"] = {out["param_groups"][0]["params"][0]: copy}
        return out

    def load_state_dict(
        self,
        state_dict: dict,
        param_names: Iterable[tuple[str, mt.Tensor]] | dict[str, mt.Tensor] | None = None,
    ) -> None:
        """Restore a `state_dict` of an LBFGS over the same parameters (checked: vector
        lengths, history size, types)."""
        if not isinstance(state_dict, dict):
            raise ValueError(f"an optimizer state dict must be a dict, got {type(state_dict)}")
        super().load_state_dict({**state_dict, "state": {}}, param_names)
        key = state_dict["param_groups"][0]["params"][0]
        entry = state_dict["state"].get(key)
        self._history = {} if entry is None else self._checked_history(entry)

    def _checked_history(self, entry: dict) -> dict:
        n, dtype = sum(p.numel() for p in self._params), self._params[0].dtype
        history = {}
        for name, value in entry.items():
            if name in ("func_evals", "n_iter"):
                history[name] = _checked(name, value, is_int)
            elif name in ("d", "prev_flat_grad"):
                history[name] = _vector(name, value, n, dtype)
            elif name in ("old_dirs", "old_stps"):
                if not isinstance(value, (list, tuple)):
                    raise ValueError(f"LBFGS state {name!r} must be a list of vectors")
                history[name] = [_vector(name, v, n, dtype) for v in value]
            elif name in ("t", "H_diag", "prev_loss", "ro"):
                if name == "ro":
                    history[name] = [dtype.type(_checked(name, v, is_real)) for v in value]
                else:
                    history[name] = _checked(name, value, is_real)
            elif name != "al":  # PyTorch's scratch buffer
                raise ValueError(f"LBFGS state has an unknown entry {name!r}")
        pairs = {len(history.get(k, [])) for k in ("old_dirs", "old_stps", "ro")}
        if len(pairs) != 1 or pairs.pop() > self.param_groups[0]["history_size"]:
            raise ValueError(
                "LBFGS state: old_dirs, old_stps and ro must have one length, at most history_size"
            )
        return history


# Numbers PyTorch's LBFGS keeps as 0-d tensors (``H_diag``, each ``ro``); its vectors are
# tensors too, and so a state dict of ours loads with ``mt.load``'s weights_only=True default.
_TENSOR_SCALARS = frozenset(["H_diag", "ro"])


def _copied(value: object, as_tensor: bool, dtype: np.dtype) -> object:
    if isinstance(value, np.ndarray):
        return mt.tensor(value)
    if isinstance(value, list):
        return [_copied(v, as_tensor, dtype) for v in value]
    value = value.item() if isinstance(value, np.generic) else value
    return mt.tensor(value, dtype=dtype) if as_tensor else value


def _checked(name: str, value: object, ok: Callable[[object], bool]) -> object:
    if isinstance(value, mt.Tensor):  # a 0-d tensor, as PyTorch's H_diag and ro
        value = value.numpy(force=True)
    value = (
        value.item()
        if isinstance(value, (np.ndarray, np.generic)) and np.ndim(value) == 0
        else value
    )
    if not ok(value):
        raise ValueError(f"LBFGS state {name!r}: unexpected value {value!r}")
    return value


def _vector(name: str, value: object, n: int, dtype: np.dtype) -> np.ndarray:
    array = np.asarray(value.numpy(force=True) if isinstance(value, mt.Tensor) else value)
    if array.shape != (n,) or array.dtype.kind not in "fiu":
        raise ValueError(
            f"LBFGS state {name!r}: expected a vector of {n} numbers (the parameters' size), "
            f"got shape {array.shape} and dtype {array.dtype}"
        )
    return array.astype(dtype)
