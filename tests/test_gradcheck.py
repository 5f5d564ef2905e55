"""gradcheck itself: it must perturb the inputs it is given, whatever their memory layout, so
that a wrong gradient cannot pass."""

import numpy as np
import pytest

import minitorch_es as mt


def test_inputs_in_any_memory_layout_are_perturbed():
    # A transposed (Fortran-ordered) input: a flat reshape of it would be a copy, so the
    # perturbations would never reach the input and every central difference would be 0.
    values = np.random.default_rng(0).standard_normal((3, 4)).T
    x = mt.tensor(values, requires_grad=True)
    assert mt.autograd.gradcheck(lambda a: a * a, [x])
    assert mt.autograd.gradgradcheck(lambda a: (a * a).sum(), [x])

    class ZeroGrad(mt.autograd.Function):  # a wrong (zero) gradient must be caught
        @staticmethod
        def forward(ctx, a):
            return a * 3

        @staticmethod
        def backward(ctx, grad):
            return grad * 0

    with pytest.raises(mt.autograd.GradcheckError, match="backward gave 0"):
        mt.autograd.gradcheck(ZeroGrad.apply, [x])
