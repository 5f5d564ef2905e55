"""Training trajectories of an optimizer in either library, for comparisons with PyTorch's
(recorded with `torch_parity.reference`): a linear least-squares model trained for a number of
steps, every step's parameters and the final state recorded."""

from __future__ import annotations

import numpy as np


def problem(seed: int = 0, dtype=np.float64) -> dict:  # noqa: ANN001
    """Initial weights ``w`` (3, 4), ``b`` (3,) and data ``x`` (10, 4), ``y`` (10, 3)."""
    rng = np.random.default_rng(seed)
    shapes = {"w": (3, 4), "b": (3,), "x": (10, 4), "y": (10, 3)}
    return {k: rng.standard_normal(s).astype(dtype) for k, s in shapes.items()}


def as_array(t) -> np.ndarray:  # noqa: ANN001
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


def run(lib, make, arrays: dict, steps: int, state_keys: tuple = (), groups: bool = False):  # noqa: ANN001, ANN201
    """``(optimizer, w, b, record)``: ``make(params)`` trained ``steps`` times on the mean
    squared error of ``x @ w.T + b`` (its negative when the optimizer maximizes); ``record``
    holds the parameters after every step (``trajectory``) and ``state_keys`` of ``w``'s
    state. ``groups`` puts ``b`` in a second param group with ``lr=0.05``."""
    w = lib.tensor(arrays["w"], requires_grad=True)
    b = lib.tensor(arrays["b"], requires_grad=True)
    params = [{"params": [w]}, {"params": [b], "lr": 0.05}] if groups else [w, b]
    opt = make(params)
    x, y = lib.tensor(arrays["x"]), lib.tensor(arrays["y"])
    sign = -1 if opt.param_groups[0].get("maximize") else 1
    trajectory = []
    for _ in range(steps):
        opt.zero_grad()
        loss = sign * ((x @ w.T + b - y) ** 2).mean()
        loss.backward()
        opt.step()
        trajectory.append(np.concatenate([as_array(w).ravel(), as_array(b).ravel()]))
    state = opt.state[w]
    record = {"trajectory": np.stack(trajectory)}
    record.update({k: np.asarray(as_array(state[k]), dtype=np.float64) for k in state_keys})
    return opt, w, b, record
