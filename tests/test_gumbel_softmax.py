"""F.gumbel_softmax: the sample against a NumPy reference drawn from the same generator
state, the straight-through estimator of hard=True, the sampling distribution, gradcheck,
dtypes, PyTorch's signature, eps warning, errors, and its refusal in an ONNX export."""

import io

import numpy as np
import pytest
from activation_signatures import check_signatures, torch_signatures
from torch_parity import reference

import minitorch_es as mt
from minitorch_es.autograd import gradcheck, gradgradcheck
from minitorch_es.random import generator

F = mt.nn.functional


def np_sample(logits, tau, axis, seed):
    mt.manual_seed(seed)
    z = (logits - np.log(generator().standard_exponential(logits.shape))) / tau
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("tau,dim", [(1.0, -1), (0.3, 0), (2.0, 1)])
def test_soft_sample_is_the_softmax_of_the_perturbed_logits(tau, dim, rng):
    logits = rng.standard_normal((3, 4, 2))
    expected = np_sample(logits, tau, dim, seed=5)
    mt.manual_seed(5)
    y = F.gumbel_softmax(mt.tensor(logits), tau=tau, dim=dim)
    assert y.dtype == mt.float64
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-12)


def test_hard_sample_is_one_hot_with_the_soft_gradient(rng):
    logits = rng.standard_normal((5, 4))
    x = mt.tensor(logits, requires_grad=True)
    w = mt.tensor(rng.standard_normal((5, 4)))
    mt.manual_seed(2)
    y = F.gumbel_softmax(x, tau=0.5, hard=True)
    soft = np_sample(logits, 0.5, -1, seed=2)
    np.testing.assert_array_equal(y.numpy(force=True), np.eye(4)[soft.argmax(-1)])
    (g_hard,) = mt.autograd.grad((y * w).sum(), x)
    mt.manual_seed(2)
    (g_soft,) = mt.autograd.grad((F.gumbel_softmax(x, tau=0.5) * w).sum(), x)
    np.testing.assert_allclose(g_hard.numpy(), g_soft.numpy(), rtol=1e-12)
    y32 = F.gumbel_softmax(mt.tensor(logits, dtype=mt.float32), hard=True)
    assert y32.dtype == mt.float32


def test_hard_samples_follow_the_categorical_distribution():
    logits = np.log(np.array([0.1, 0.2, 0.7]))
    mt.manual_seed(0)
    samples = F.gumbel_softmax(mt.tensor(np.tile(logits, (4000, 1))), hard=True)
    frequencies = samples.numpy(force=True).mean(axis=0)
    np.testing.assert_allclose(frequencies, [0.1, 0.2, 0.7], atol=0.02)


def test_gradcheck(rng):
    # hard=True is the straight-through estimator, not the derivative of its (piecewise
    # constant) value: its gradient is checked to be the soft sample's above.
    x = mt.tensor(rng.standard_normal((2, 3)), requires_grad=True)

    def seeded(x):
        mt.manual_seed(0)  # the same noise at every call
        return F.gumbel_softmax(x, tau=0.7)

    assert gradcheck(seeded, (x,)) and gradgradcheck(seeded, (x,))


def test_scalar_logits_and_the_eps_warning():
    assert F.gumbel_softmax(mt.tensor(1.5), hard=True).item() == 1.0
    assert F.gumbel_softmax(mt.tensor(1.5)).item() == pytest.approx(1.0)
    with pytest.warns(UserWarning, match="`eps` parameter is deprecated"):
        F.gumbel_softmax(mt.ones(2), eps=1e-5)


def test_signature_is_pytorchs():
    expected = reference(
        "activations/gumbel_softmax_signature",
        lambda torch: torch_signatures(torch, ["gumbel_softmax"], []),
    )
    check_signatures(mt, expected)


def test_an_onnx_export_refuses_it():
    class Sampler(mt.nn.Module):
        def forward(self, x):
            return F.gumbel_softmax(x)

    with pytest.raises(mt.onnx.ExportError, match="gumbel_softmax draws random noise"):
        mt.onnx.export(Sampler(), (mt.ones(2, 3),), io.BytesIO())


ERRORS = [
    (lambda: F.gumbel_softmax(mt.ones(2, 3), dim=2), IndexError, "out of range"),
    (lambda: F.gumbel_softmax(mt.ones(2, 3), tau="a"), TypeError, "gumbel_softmax: tau"),
    (lambda: F.gumbel_softmax(np.ones(3)), TypeError, "logits must be a Tensor"),
    (lambda: F.gumbel_softmax(mt.ones(3).long()), TypeError, "floating-point"),
]


@pytest.mark.parametrize("call,error,message", ERRORS)
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
