"""``F.gumbel_softmax``: a differentiable sample of a categorical distribution (Jang et al.,
Maddison et al.): ``softmax((logits + g) / tau)`` along ``dim`` with Gumbel(0, 1) noise ``g``
drawn from the package generator (``mt.manual_seed`` reproduces it); ``hard=True`` returns the
one-hot of its argmax with the soft sample's gradient (the straight-through estimator), as
PyTorch's.
"""

from __future__ import annotations

import numpy as np

import minitorch_es as mt
from minitorch_es.errors import warn
from minitorch_es.random import generator
from minitorch_es.validation import check_dim, check_float, check_tensor

from .activation_functions import softmax


def gumbel_softmax(
    logits: mt.Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10, dim: int = -1
) -> mt.Tensor:
    """A sample of the Gumbel-softmax distribution of unnormalized log-probabilities
    ``logits`` along ``dim`` at temperature ``tau``; one-hot when ``hard`` (the gradient is the
    soft sample's). ``eps`` is PyTorch's deprecated argument: it has no effect (and warns)."""
    check_tensor(logits, "logits", "gumbel_softmax", floating=True)
    tau = check_float(tau, "tau", "gumbel_softmax")
    if eps != 1e-10:
        warn("gumbel_softmax: the `eps` parameter is deprecated and has no effect.", UserWarning)
    axis = check_dim(dim, max(logits.ndim, 1), "gumbel_softmax")
    if mt.onnx.is_in_onnx_export():
        raise mt.onnx.ExportError(
            "gumbel_softmax draws random noise, which the exporter would freeze into a "
            "constant; export the model without it (e.g. softmax of the logits in eval mode)"
        )
    exponential = generator().standard_exponential(logits.shape)
    gumbels = mt.tensor(-np.log(exponential), dtype=logits.dtype)  # ~ Gumbel(0, 1)
    y_soft = softmax((logits + gumbels) / tau, dim=axis if logits.ndim else 0)
    if not hard:
        return y_soft
    soft = y_soft.numpy(force=True)
    y_hard = np.zeros_like(soft)
    if soft.ndim:
        first = np.expand_dims(soft.argmax(axis=axis), axis)  # the first maximum, as PyTorch
        np.put_along_axis(y_hard, first, 1, axis=axis)
    else:
        y_hard[...] = 1
    # The value y_hard, the gradient y_soft's (the straight-through estimator).
    return mt.tensor(y_hard, dtype=logits.dtype) - y_soft.detach() + y_soft


FUNCTIONS = {"gumbel_softmax": gumbel_softmax}
