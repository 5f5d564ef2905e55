"""PyTorch's implementation switches of an optimizer: ``foreach``, ``fused``, ``capturable``
and ``differentiable``.

PyTorch uses them to pick a kernel (a loop over the tensors, one call over lists of tensors,
one fused kernel), to let a CUDA graph capture the step, or to differentiate through it. Every
optimizer here runs one vectorised update over its parameter arena whatever they say, so
``foreach`` and ``fused`` are accepted and kept in ``param_groups`` (as PyTorch keeps them, so
code that passes or reads them runs unchanged) and change nothing. ``capturable=True`` and
``differentiable=True`` ask for what the package does not do, and are refused with an error
saying so, as are the combinations PyTorch refuses.
"""

from __future__ import annotations

import numpy as np


def check_implementation_flags(where: str, group: dict) -> None:
    """Check the switches present in a parameter ``group`` of the optimizer named ``where``."""
    for name in ("foreach", "fused", "capturable", "differentiable"):
        if name not in group:  # an optimizer without PyTorch's switch (a user's, LBFGS)
            continue
        value = group[name]
        optional = name in ("foreach", "fused")
        if not isinstance(value, (bool, np.bool_)) and not (optional and value is None):
            allowed = "None, True or False" if optional else "True or False"
            raise TypeError(f"{where}: {name} must be {allowed}, got {value!r}")
    if group.get("fused") and group.get("foreach"):
        raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
    if group.get("fused") and group.get("differentiable"):
        raise RuntimeError("`fused` does not support `differentiable`")
    if group.get("capturable"):
        raise RuntimeError(
            f"{where}: capturable=True prepares the step for capture in a CUDA graph; "
            f"minitorch_es runs on the CPU, where PyTorch refuses it too (its parameters must "
            f"then be on cuda, xpu, hpu, privateuseone or xla): leave capturable=False"
        )
    if group.get("differentiable"):
        raise NotImplementedError(
            f"{where}: differentiable=True (gradients through the optimizer's step) is not "
            f"supported: the update is computed in place on the parameters' storage, outside "
            f"the graph; write such an update with Tensor operations instead (see the guide "
            f"on higher-order gradients)"
        )
