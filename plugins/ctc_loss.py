"""The connectionist temporal classification loss: ``F.ctc_loss`` and ``nn.CTCLoss``
(PyTorch's arguments, target layouts, reductions and ``zero_infinity``); registered by
`losses`.

The negative log-likelihood of each target sequence, summed over every alignment of it with the
input frames (blanks between and around its labels, repeats merged), by the forward recursion
of Graves et al. (2006) in log space, composed from differentiable ops: one step per frame on
the whole batch. Its first and second derivatives are those of the formula.

Deviation from PyTorch, on purpose: the gradient with respect to ``log_probs`` is the formula's.
PyTorch's adds ``exp(log_probs)``, a term that cancels when ``log_probs`` is a
``log_softmax`` output (the intended use), so the gradients of the logits agree; PyTorch has no
second derivative. Impossible alignments (a target longer than its input allows) give ``inf``
as in PyTorch, or 0 with ``zero_infinity=True``, with a zero gradient.
"""

from __future__ import annotations

import numpy as np

import minitorch_es as mt
from minitorch_es.nn import Loss
from minitorch_es.validation import check_choice, check_int, check_tensor

from .loss_functions import REDUCTIONS, array_of

# The log-probability of an unreachable state: finite, so that logsumexp's gradient is 0 there
# (of -inf it would be NaN); anything below it is reported as an impossible alignment.
_UNREACHABLE = -1e30


def _lengths(value: mt.Tensor | list | tuple | int, name: str, batch: int, op: str) -> np.ndarray:
    data = np.asarray(value.numpy(force=True) if isinstance(value, mt.Tensor) else value)
    if data.ndim == 0:  # one sequence: a number or a 0-d Tensor
        data = data.reshape(1)
    if data.dtype.kind not in "iu" or data.shape != (batch,):
        raise TypeError(
            f"{op}: {name} must hold {batch} integer length(s) (a Tensor, list or tuple), got "
            f"dtype {data.dtype} and shape {data.shape}"
        )
    return data.reshape(batch).astype(np.int64)


def _padded_targets(targets: np.ndarray, lengths: np.ndarray, op: str) -> np.ndarray:
    """The targets as ``(N, S)`` (rows padded past their lengths) from either layout."""
    if targets.ndim == 2:
        if (lengths > targets.shape[1]).any():
            raise ValueError(
                f"{op}: target_lengths {lengths.tolist()} exceed the padded targets' length "
                f"{targets.shape[1]}"
            )
        return targets
    if targets.ndim != 1 or lengths.sum() != targets.shape[0]:
        raise mt.ShapeError(
            f"{op}: expected targets of shape (N, S) or the concatenated targets of shape "
            f"(sum(target_lengths),) = ({int(lengths.sum())},), got shape {targets.shape}"
        )
    padded = np.zeros((len(lengths), max(int(lengths.max(initial=0)), 1)), np.int64)
    for row, piece in zip(padded, np.split(targets, np.cumsum(lengths)[:-1])):
        row[: len(piece)] = piece
    return padded


def ctc_loss(
    log_probs: mt.Tensor,
    targets: mt.Tensor,
    input_lengths: mt.Tensor | list | tuple | int,
    target_lengths: mt.Tensor | list | tuple | int,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> mt.Tensor:
    """``-log p(target | input)`` for log-probabilities ``(T, N, C)`` (or ``(T, C)``),
    targets ``(N, S)`` padded or concatenated, and the lengths of each; ``'mean'`` divides each
    loss by its target length, then averages over the batch."""
    op = "ctc_loss"
    check_tensor(log_probs, "log_probs", op, floating=True)
    check_choice(reduction, "reduction", op, choices=REDUCTIONS)
    if log_probs.ndim not in (2, 3):
        raise mt.ShapeError(f"{op}: expected log_probs of shape (T, N, C) or (T, C), got "
                            f"{tuple(log_probs.shape)}")  # fmt: skip
    unbatched = log_probs.ndim == 2
    lp = log_probs.unsqueeze(1) if unbatched else log_probs
    frames, batch, classes = lp.shape
    blank = check_int(blank, "blank", op, low=0, high=classes - 1)
    t = array_of(targets, "targets", op)
    if t.dtype.kind not in "iu":
        raise TypeError(f"{op}: targets must be integer class indices, got dtype {t.dtype}")
    t = t.reshape(1, -1) if unbatched else t
    ins = _lengths(input_lengths, "input_lengths", batch, op)
    outs = _lengths(target_lengths, "target_lengths", batch, op)
    if (ins < 0).any() or (ins > frames).any() or (outs < 0).any():
        raise ValueError(
            f"{op}: expected input_lengths in [0, {frames}] and target_lengths >= 0, got "
            f"{ins.tolist()} and {outs.tolist()}"
        )
    labels = _padded_targets(t.astype(np.int64), outs, op)
    if labels.shape[1] == 0:  # no labels at all: one padding column keeps the shapes regular
        labels = np.zeros((batch, 1), np.int64)
    if labels.size and ((labels < 0) | (labels >= classes)).any():
        raise IndexError(f"{op}: targets must be class indices in [0, {classes}), got "
                         f"values in [{labels.min()}, {labels.max()}]")  # fmt: skip
    nll = _negative_log_likelihood(lp, labels, ins, outs, blank)
    impossible = nll.numpy(force=True) > -_UNREACHABLE / 2
    nll = mt.where(mt.tensor(impossible), 0.0 if zero_infinity else np.inf, nll)
    if reduction == "mean":
        return (nll / mt.tensor(np.maximum(outs, 1).astype(nll.dtype))).mean()
    if reduction == "sum":
        return nll.sum()
    return nll[0] if unbatched else nll


def _negative_log_likelihood(
    lp: mt.Tensor, labels: np.ndarray, ins: np.ndarray, outs: np.ndarray, blank: int
) -> mt.Tensor:
    """The forward recursion over the extended labels ``blank, l1, blank, l2, ..., blank``."""
    frames, batch, _ = lp.shape
    states = 2 * labels.shape[1] + 1
    extended = np.full((batch, states), blank, np.int64)
    extended[:, 1::2] = labels
    skip = np.zeros((batch, states), bool)  # s-2 -> s: a label differing from the one before
    skip[:, 2:] = (extended[:, 2:] != blank) & (extended[:, 2:] != extended[:, :-2])
    index = mt.tensor(np.broadcast_to(extended, (frames, batch, states)).copy())
    emissions = lp.gather(2, index)  # (T, N, S')
    floor = mt.full((batch, 1), _UNREACHABLE, dtype=lp.dtype)
    skip_t = mt.tensor(skip)
    init = np.full((batch, states), _UNREACHABLE)
    init[:, 0] = 0.0  # a virtual state before the first frame: alpha_0 comes out right
    alpha = mt.tensor(init.astype(lp.dtype))
    for step in range(frames):
        one = mt.cat([floor, alpha[:, :-1]], dim=1)
        two = mt.where(skip_t, mt.cat([floor, floor, alpha[:, :-2]], dim=1), _UNREACHABLE)
        new = mt.stack([alpha, one, two]).logsumexp(0) + emissions[step]
        alpha = mt.where(mt.tensor((step < ins)[:, None]), new, alpha)
    last = np.stack([2 * outs, np.maximum(2 * outs - 1, 0)], axis=1)
    ends = alpha.gather(1, mt.tensor(last))
    ends = mt.where(mt.tensor(np.stack([outs >= 0, outs > 0], axis=1)), ends, _UNREACHABLE)
    return -ends.logsumexp(1)


class CTCLoss(Loss):
    """``CTCLoss(blank=0, reduction='mean', zero_infinity=False)``: `ctc_loss` of
    ``(log_probs, targets, input_lengths, target_lengths)``."""

    task = "classification"

    def __init__(
        self, blank: int = 0, reduction: str = "mean", zero_infinity: bool = False
    ) -> None:
        super().__init__(reduction)
        self.blank = check_int(blank, "blank", "CTCLoss", low=0)
        self.zero_infinity = bool(zero_infinity)

    def forward(
        self,
        log_probs: mt.Tensor,
        targets: mt.Tensor,
        input_lengths: mt.Tensor | list | tuple | int,
        target_lengths: mt.Tensor | list | tuple | int,
    ) -> mt.Tensor:
        return ctc_loss(
            log_probs, targets, input_lengths, target_lengths, self.blank, self.reduction,
            self.zero_infinity,
        )  # fmt: skip
