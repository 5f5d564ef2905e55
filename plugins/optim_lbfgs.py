"""L-BFGS (PyTorch's ``torch.optim.LBFGS``): a quasi-Newton method that re-evaluates the loss
through a closure, with an optional strong-Wolfe line search (`optim_line_search`).

Every ``step(closure)`` runs up to ``max_iter`` iterations on the parameters seen as one flat
vector: the direction is the L-BFGS two-loop product of the last ``history_size`` curvature
pairs ``(y, s)`` with the gradient, the step ``lr`` (``min(1, 1/|g|_1) lr`` on the first
iteration) or the line search's. The history lives in the optimizer (PyTorch keeps it as the
state of the first parameter; so does `state_dict`, with the pairs stacked as arrays).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

import minitorch_es as mt
from minitorch_es.optim import Optimizer
from minitorch_es.optim.param_rules import add_penalty_gradients, apply_constraints
from minitorch_es.validation import check_float, check_int, is_int

from .optim_lbfgs_state import HistoryState
from .optim_line_search import strong_wolfe

_HISTORY = ("d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad", "prev_loss")


class LBFGS(HistoryState, Optimizer):
    """L-BFGS: ``LBFGS(params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
    tolerance_change=1e-9, history_size=100, line_search_fn=None)``; ``max_eval`` defaults to
    ``max_iter * 5 // 4`` and ``line_search_fn`` may be ``"strong_wolfe"``. One parameter
    group only. ``step`` needs a closure that clears the gradients, computes the loss, calls
    ``backward`` and returns the loss:

        >>> w = mt.nn.Parameter(mt.tensor([3.0, -2.0]))
        >>> opt = mt.optim.LBFGS([w], line_search_fn="strong_wolfe")
        >>> def closure():
        ...     opt.zero_grad()
        ...     loss = ((w - 1) ** 2).sum()
        ...     loss.backward()
        ...     return loss
        >>> _ = opt.step(closure)
        >>> [round(v, 4) for v in w.tolist()]
        [1.0, 1.0]

    (``fit`` calls ``step()`` without a closure, so train with L-BFGS in your own loop.)
    """

    def __init__(
        self,
        params: Iterable[mt.Tensor] | Iterable[dict[str, Any]],
        lr: float = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        if max_eval is None and is_int(max_iter):
            max_eval = max_iter * 5 // 4
        defaults = dict(
            lr=lr,
            max_iter=max_iter,
            max_eval=max_eval,
            tolerance_grad=tolerance_grad,
            tolerance_change=tolerance_change,
            history_size=history_size,
            line_search_fn=line_search_fn,
        )
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]
        dtypes = {p.dtype for p in self._params}
        if len(dtypes) != 1:
            raise TypeError(
                f"LBFGS: all parameters must have one dtype, got {sorted(map(str, dtypes))}"
            )
        self._history: dict = {}

    def _check_hyperparameters(self, group: dict) -> None:
        super()._check_hyperparameters(group)
        for name in ("max_iter", "max_eval", "history_size"):
            check_int(group[name], name, "LBFGS", low=1)
        for name in ("tolerance_grad", "tolerance_change"):
            check_float(group[name], name, "LBFGS", low=0)
        if group["line_search_fn"] not in (None, "strong_wolfe"):
            raise ValueError(
                f"LBFGS: only 'strong_wolfe' is supported as line_search_fn (or None), got "
                f"{group['line_search_fn']!r}"
            )

    # -------------------------------------------------------------- the flat parameters
    # The parameters are one arena (one group, one dtype): ``arena.data`` is the flat vector.
    def _flat_grad(self) -> np.ndarray:
        arena = self.arenas()[0]
        if arena.loose:
            arena.gather_loose_grads()
        flat = arena.grad.copy()
        for i in np.flatnonzero(~arena.has_grad):  # no gradient counts as zeros (PyTorch)
            flat[arena.slices[i]] = 0
        return flat

    def _add(self, t: float, d: np.ndarray) -> None:
        """``params += t * d``."""
        self.arenas()[0].data[...] += d * t

    def _evaluate(self, closure: Callable, t: float, d: np.ndarray) -> tuple[float, np.ndarray]:
        """Loss and gradient at ``params + t d``; the parameters are restored afterwards."""
        data = self.arenas()[0].data
        saved = data.copy()
        self._add(t, d)
        loss = float(closure())
        flat_grad = self._flat_grad()
        data[...] = saved
        return loss, flat_grad

    def _objective(self, closure: Callable) -> Callable:
        """``closure`` with grad mode on, plus the parameters' regularizer penalties (their
        gradients added as every optimizer's step does; their values added to the loss that
        the iterations compare, not to the loss ``step`` returns)."""
        regularized = self._parameters_with_rules()[0]

        def evaluate():  # noqa: ANN202
            with mt.enable_grad():
                loss = closure()
                if not regularized:
                    return loss
                add_penalty_gradients(regularized)
                return float(loss) + sum(float(p.regularizer(p)) for p in regularized)

        return evaluate

    # ------------------------------------------------------------------------- step
    def step(self, closure: Callable[[], mt.Tensor | float] | None = None) -> mt.Tensor | float:
        """Up to ``max_iter`` L-BFGS iterations; returns the loss ``closure()`` gave first."""
        if closure is None:
            raise TypeError(
                "LBFGS.step needs a closure that clears the gradients, computes the loss, calls "
                "loss.backward() and returns the loss (PyTorch's contract); fit() does not pass "
                "one, so train with LBFGS in your own loop"
            )
        objective = self._objective(closure)
        with mt.enable_grad():
            orig_loss = closure()
        with mt.no_grad():
            self._iterate(objective, orig_loss)
        constrained = self._parameters_with_rules()[1]
        if constrained:
            apply_constraints(constrained)
        return orig_loss

    def _iterate(self, closure: Callable, orig_loss: mt.Tensor | float) -> None:
        group = self.param_groups[0]
        lr, max_iter, max_eval = float(group["lr"]), group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        state = self._history
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        loss, evals = float(orig_loss), 1
        regularized = self._parameters_with_rules()[0]
        if regularized:  # the first evaluation, as the others, includes the penalties
            add_penalty_gradients(regularized)
            loss += sum(float(p.regularizer(p)) for p in regularized)
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if np.abs(flat_grad).max() <= tolerance_grad:
            return
        d, t, old_dirs, old_stps, ro, h_diag, prev_flat_grad, prev_loss = (
            state.get(k) for k in _HISTORY
        )
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d, old_dirs, old_stps, ro, h_diag = -flat_grad, [], [], [], 1
            else:
                y, s = flat_grad - prev_flat_grad, d * t
                ys = y.dot(s)
                if ys > 1e-10:  # a curvature pair that keeps the approximation positive
                    if len(old_dirs) == group["history_size"]:
                        old_dirs.pop(0), old_stps.pop(0), ro.pop(0)
                    old_dirs.append(y), old_stps.append(s), ro.append(1.0 / ys)
                    h_diag = ys / y.dot(y)
                d = _two_loop(flat_grad, old_dirs, old_stps, ro, h_diag)
            prev_flat_grad, prev_loss = flat_grad.copy(), loss
            t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr if state["n_iter"] == 1 else lr
            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:
                break  # not a descent direction (any more)
            spent = 0
            if group["line_search_fn"] is not None:
                loss, flat_grad, t, spent = strong_wolfe(
                    lambda t: self._evaluate(closure, t, d),  # noqa: B023
                    t,
                    d,
                    loss,
                    flat_grad,
                    gtd,
                )
                self._add(t, d)
                converged = np.abs(flat_grad).max() <= tolerance_grad
            else:
                self._add(t, d)
                converged = False
                if n_iter != max_iter:  # the last iteration's loss would not be used
                    loss, spent = float(closure()), 1
                    flat_grad = self._flat_grad()
                    converged = np.abs(flat_grad).max() <= tolerance_grad
            evals += spent
            state["func_evals"] += spent
            if n_iter == max_iter or evals >= max_eval or converged:
                break
            if np.abs(d * t).max() <= tolerance_change or abs(loss - prev_loss) < tolerance_change:
                break  # no progress
        history = (d, t, old_dirs, old_stps, ro, h_diag, prev_flat_grad, prev_loss)
        state.update(zip(_HISTORY, history))


def _two_loop(flat_grad, old_dirs, old_stps, ro, h_diag) -> np.ndarray:  # noqa: ANN001
    """The L-BFGS direction ``-H g``: the inverse Hessian approximation ``H`` built from the
    curvature pairs, applied by the two-loop recursion."""
    al = [None] * len(old_dirs)
    q = -flat_grad
    for i in range(len(old_dirs) - 1, -1, -1):
        al[i] = old_stps[i].dot(q) * ro[i]
        q -= old_dirs[i] * al[i]
    r = q * h_diag
    for i in range(len(old_dirs)):
        be_i = old_dirs[i].dot(r) * ro[i]
        r += old_stps[i] * (al[i] - be_i)
    return r
