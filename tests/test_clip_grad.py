"""``mt.nn.utils.clip_grad_norm_`` / ``clip_grad_value_`` / ``get_total_norm`` /
``clip_grads_with_norm_`` against PyTorch 2.13 (recorded fixtures) and a NumPy reference;
their errors and edge cases."""

import math

import numpy as np
import pytest
from torch_parity import reference

import minitorch_es as mt

utils = mt.nn.utils
SHAPES = [(3, 4), (5,), (2, 1, 3)]


def _grads(seed, scale):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal(s) * scale).astype(np.float32) for s in SHAPES]


def _params(grads, without_grad=True):
    params = []
    for g in grads:
        p = mt.nn.Parameter(mt.zeros(*g.shape))
        p.grad = mt.tensor(g.copy())
        params.append(p)
    if without_grad:  # a parameter that took no part: skipped, as in PyTorch
        params.append(mt.nn.Parameter(mt.zeros(2)))
    return params


def _torch_clip(torch, max_norm, norm_type, **grads):
    params = []
    for g in grads.values():
        p = torch.nn.Parameter(torch.zeros(g.shape))
        p.grad = torch.tensor(g)
        params.append(p)
    total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type)
    return {"total": total.numpy(), "grads": [p.grad.numpy() for p in params]}


CLIPS = [(0.25, 2.0, 1.0), (1.0, 1.0, 1.0), (0.5, math.inf, 1.0), (100.0, 2.0, 0.1)]
CLIPS += [(2.0, 3.0, 1.0)]


@pytest.mark.parametrize("max_norm,norm_type,scale", CLIPS)
def test_clip_grad_norm_matches_pytorch(max_norm, norm_type, scale):
    grads = _grads(CLIPS.index((max_norm, norm_type, scale)), scale)
    inputs = {f"g{i}": g for i, g in enumerate(grads)}
    name = f"nn_utils/clip_grad_norm_{max_norm}_{norm_type}_{scale}".replace("inf", "infinity")
    ref = reference(name, lambda torch, **g: _torch_clip(torch, max_norm, norm_type, **g), **inputs)
    params = _params(grads)
    total = utils.clip_grad_norm_(iter(params), max_norm, norm_type)  # a generator, as usual
    assert isinstance(total, mt.Tensor) and total.dtype == mt.float32 and total.shape == ()
    np.testing.assert_allclose(total.numpy(), ref["total"], rtol=1e-6)
    for p, expected in zip(params, ref["grads"]):
        np.testing.assert_allclose(np.asarray(p.grad), expected, rtol=1e-6, atol=1e-8)
    assert params[-1].grad is None
    # NumPy's answer: the norm of all gradients as one vector, the factor min(1, ...).
    flat = np.concatenate([g.ravel() for g in grads]).astype(np.float64)
    norm = np.linalg.norm(flat, ord=norm_type)
    np.testing.assert_allclose(float(total), norm, rtol=1e-5)
    factor = min(1.0, max_norm / (norm + 1e-6))
    np.testing.assert_allclose(np.asarray(params[0].grad), grads[0] * factor, rtol=1e-5)


def test_clip_grad_value_matches_pytorch():
    grads = _grads(7, 1.0)
    inputs = {f"g{i}": g for i, g in enumerate(grads)}

    def torch_clip(torch, **g):
        params = [torch.nn.Parameter(torch.zeros(x.shape)) for x in g.values()]
        for p, x in zip(params, g.values()):
            p.grad = torch.tensor(x)
        torch.nn.utils.clip_grad_value_(params, 0.5)
        return [p.grad.numpy() for p in params]

    ref = reference("nn_utils/clip_grad_value", torch_clip, **inputs)
    params = _params(grads)
    assert utils.clip_grad_value_(params, 0.5) is None
    for p, expected, g in zip(params, ref, grads):
        np.testing.assert_array_equal(np.asarray(p.grad), expected)
        np.testing.assert_array_equal(np.asarray(p.grad), np.clip(g, -0.5, 0.5))


def test_get_total_norm_and_clip_grads_with_norm_compose_clip_grad_norm_():
    grads = _grads(3, 1.0)
    params = _params(grads, without_grad=False)
    total = utils.get_total_norm([p.grad for p in params])
    utils.clip_grads_with_norm_(params, 0.5, total)
    again = _params(grads, without_grad=False)
    assert float(utils.clip_grad_norm_(again, 0.5)) == float(total)
    for a, b in zip(params, again):
        np.testing.assert_array_equal(np.asarray(a.grad), np.asarray(b.grad))


def test_a_single_tensor_no_gradients_and_the_version_counter():
    p = mt.nn.Parameter(mt.tensor([3.0, 4.0]))
    assert float(utils.clip_grad_norm_(p, 1.0)) == 0.0  # no gradient yet: norm 0, as PyTorch
    p.grad = mt.tensor([3.0, 4.0])
    grad = p.grad
    version = grad._version_count
    assert float(utils.clip_grad_norm_(p, 1.0)) == 5.0
    assert p.grad is grad and grad._version_count == version + 1  # written in place
    np.testing.assert_allclose(np.asarray(p.grad), [0.6, 0.8], rtol=1e-6)


def test_non_finite_norms():
    p = mt.nn.Parameter(mt.zeros(2))
    p.grad = mt.tensor([math.inf, 1.0])
    with pytest.raises(RuntimeError, match="total norm of order 2.0 .* is non-finite"):
        utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    assert math.isinf(float(utils.clip_grad_norm_([p], 1.0)))
    q = mt.nn.Parameter(mt.zeros(2))
    q.grad = mt.tensor([math.nan, 1.0])
    utils.clip_grad_norm_([q], 1.0)
    assert np.isnan(np.asarray(q.grad)).all()  # scaled by a NaN factor, as PyTorch


def test_not_tensors_is_an_error_naming_the_position():
    with pytest.raises(TypeError, match="expected Tensors, got list at position 1"):
        utils.clip_grad_norm_([mt.zeros(1), [1.0]], 1.0)
