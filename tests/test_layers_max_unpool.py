"""MaxUnpool2d and F.max_unpool2d: values, first and second derivatives against PyTorch
(recorded fixtures, indices from max_pool2d), gradcheck, repr, signatures, errors."""

import inspect

import numpy as np
import pytest
from higher_order import check_against_torch
from torch_parity import reference

import minitorch_es as mt
from minitorch_es.autograd import gradcheck, gradgradcheck

F = mt.nn.functional
nn = mt.nn


def pooled(rng, shape, *args, **kwargs):
    """A max-pooled input and its indices, as C-contiguous arrays."""
    x = mt.tensor(rng.standard_normal(shape))
    values, indices = F.max_pool2d(x, *args, return_indices=True, **kwargs)
    return np.ascontiguousarray(values.numpy(force=True)), indices.numpy(force=True)


CASES = {
    "default": ((2, 3, 4, 6), (2,), {}, lambda F, x, i: F.max_unpool2d(x, i, 2)),
    "output_size": (
        (1, 2, 5, 5),
        (2,),
        {},
        lambda F, x, i: F.max_unpool2d(x, i, 2, output_size=[1, 2, 5, 5]),
    ),
    "overlapping_padded": (
        (2, 2, 5, 6),
        (3, 2, 1),
        {},
        lambda F, x, i: F.max_unpool2d(x, i, 3, 2, 1, output_size=(5, 6)),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_max_unpool2d_matches_pytorch(case, rng):
    shape, args, kwargs, call = CASES[case]
    x, i = pooled(rng, shape, *args, **kwargs)
    check_against_torch(
        f"max_unpool/{case}", call, {"x": x, "i": i}, wrt=("x",), rtol=1e-12, atol=1e-12
    )


def test_unbatched_float32_and_formula(rng):
    x, i = pooled(rng, (3, 4, 4), 2)
    out = F.max_unpool2d(mt.tensor(x.astype(np.float32)), mt.tensor(i), 2)
    assert out.dtype == mt.float32 and out.shape == (3, 4, 4)
    expected = np.zeros((3, 16), dtype=np.float32)
    np.put_along_axis(expected, i.reshape(3, -1), x.reshape(3, -1).astype(np.float32), axis=1)
    np.testing.assert_array_equal(out.numpy(force=True), expected.reshape(3, 4, 4))


def test_gradcheck_and_gradgradcheck(rng):
    x, i = pooled(rng, (2, 2, 5, 5), 2)
    indices = mt.tensor(i)
    fn = lambda x: F.max_unpool2d(x, indices, 2, output_size=(5, 5))  # noqa: E731
    t = mt.tensor(x, requires_grad=True)
    assert gradcheck(fn, [t])
    assert gradgradcheck(fn, [t])
    assert fn(t).grad_fn.name() == "MaxUnpool2DBackward0"


def parameters(fn) -> list[str]:
    """``name=default`` of each parameter (annotations differ between the libraries)."""
    return [f"{n}={p.default!r}" for n, p in inspect.signature(fn).parameters.items()]


def test_layer_matches_pytorch(rng):
    def compute(torch):
        return {
            "reprs": [repr(torch.nn.MaxUnpool2d(2)), repr(torch.nn.MaxUnpool2d((2, 3), 1, 1))],
            "signature": parameters(torch.nn.MaxUnpool2d),
            "forward": parameters(torch.nn.MaxUnpool2d.forward),
        }

    ref = reference("max_unpool/layer", compute)
    ours = [repr(nn.MaxUnpool2d(2)), repr(nn.MaxUnpool2d((2, 3), 1, 1))]
    assert ours == list(ref["reprs"])
    assert parameters(nn.MaxUnpool2d) == list(ref["signature"])
    assert parameters(nn.MaxUnpool2d.forward) == list(ref["forward"])
    assert list(inspect.signature(F.max_unpool2d).parameters) == [
        "input",
        "indices",
        "kernel_size",
        "stride",
        "padding",
        "output_size",
    ]


def test_layer_round_trips_and_undoes_the_pool(rng):
    layer = nn.MaxUnpool2d(2)
    again = mt.registry.create("layer", {"name": "MaxUnpool2d", "config": layer.get_config()})
    assert repr(again) == repr(layer)
    x = mt.tensor(np.abs(rng.standard_normal((2, 3, 4, 4))).astype(np.float32))  # zeros < max
    values, indices = nn.MaxPool2d(2, return_indices=True)(x)
    restored = layer(values, indices)
    np.testing.assert_array_equal(F.max_pool2d(restored, 2).numpy(force=True), values.numpy())


ONES = mt.ones(2, 3, 2, 2)
INDICES = mt.zeros(2, 3, 2, 2, dtype=mt.int64)
ERRORS = [
    (lambda: F.max_unpool2d(mt.ones(2, 2), INDICES[0, 0], 2), ValueError, "got shape (2, 2)"),
    (lambda: F.max_unpool2d(ONES, INDICES[:, :1], 2), ValueError, "indices of shape (2, 1"),
    (lambda: F.max_unpool2d(ONES, INDICES.float(), 2), TypeError, "expected int64 indices"),
    (lambda: F.max_unpool2d(ONES, INDICES + 16, 2), ValueError, "invalid max index 16"),
    (lambda: F.max_unpool2d(ONES, INDICES - 1, 2), ValueError, "invalid max index -1"),
    (
        lambda: F.max_unpool2d(ONES, INDICES, 2, output_size=(7, 7)),
        ValueError,
        "dim 0 must be between 2 and 6",
    ),
    (lambda: F.max_unpool2d(ONES, INDICES, 2, output_size=(5,)), ValueError, "2 or 4 elements"),
    (lambda: F.max_unpool2d(ONES, [0], 2), TypeError, "indices"),
    (lambda: nn.MaxUnpool2d(0), ValueError, "kernel_size must be an int >= 1"),
    (lambda: nn.MaxUnpool2d(2, (1, 2, 3)), ValueError, "a pair of ints"),
]


@pytest.mark.parametrize("call,error,message", ERRORS)
def test_max_unpool2d_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
