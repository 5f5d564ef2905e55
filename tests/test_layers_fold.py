"""F.unfold / F.fold (im2col / col2im) and nn.Unfold / nn.Fold: against PyTorch (values,
first and second derivatives), an independent loop, adjointness, configs, every error."""

import numpy as np
import pytest
from higher_order import check_against_torch

import minitorch_es as mt
from minitorch_es.autograd import gradcheck, gradgradcheck

F = mt.nn.functional

GEOMETRIES = {
    "plain": {"kernel_size": 2},
    "strided": {"kernel_size": (2, 3), "dilation": 2, "padding": 1, "stride": (2, 1)},
    "padded": {"kernel_size": 3, "padding": (0, 2), "stride": 2},
}


@pytest.mark.parametrize("name", sorted(GEOMETRIES))
def test_unfold_and_fold_match_pytorch(name, rng):
    options = GEOMETRIES[name]
    x = rng.standard_normal((2, 3, 6, 7))
    check_against_torch(
        f"unfold/{name}", lambda F, x: F.unfold(x, **options), {"x": x}, rtol=1e-10, atol=1e-10
    )
    cols = F.unfold(mt.tensor(x), **options)
    check_against_torch(
        f"fold/{name}",
        lambda F, x: F.fold(x, (6, 7), **options),
        {"x": rng.standard_normal(cols.shape)},
        rtol=1e-10,
        atol=1e-10,
    )


def test_unbatched_and_float32(rng):
    x = rng.standard_normal((3, 5, 4)).astype(np.float32)
    check_against_torch(
        "unfold/unbatched_float32",
        lambda F, x: F.unfold(x, 2, stride=2, padding=1),
        {"x": x},
        rtol=1e-6,
        atol=1e-6,
    )
    cols = rng.standard_normal((12, 6)).astype(np.float32)
    check_against_torch(
        "fold/unbatched_float32",
        lambda F, x: F.fold(x, (3, 4), 2),
        {"x": cols},
        rtol=1e-6,
        atol=1e-6,
    )


def test_unfold_against_a_loop(rng):
    x = rng.standard_normal((2, 3, 5, 6))
    out = F.unfold(mt.tensor(x), (2, 3), dilation=(1, 2), padding=1, stride=2).numpy()
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    blocks = [
        padded[:, :, i : i + 2, j : j + 5 : 2].reshape(2, -1)
        for i in range(0, 6, 2)
        for j in range(0, 4, 2)
    ]
    np.testing.assert_array_equal(out, np.stack(blocks, axis=-1))


def test_fold_is_the_adjoint_of_unfold(rng):
    x, options = rng.standard_normal((2, 3, 6, 7)), GEOMETRIES["strided"]
    cols = F.unfold(mt.tensor(x), **options).numpy()
    c = rng.standard_normal(cols.shape)
    folded = F.fold(mt.tensor(c), (6, 7), **options).numpy()
    assert np.isclose((cols * c).sum(), (x * folded).sum(), rtol=1e-12)


def test_gradcheck_both_ways(rng):
    x = mt.tensor(rng.standard_normal((1, 2, 4, 5)), requires_grad=True)
    assert gradcheck(lambda x: F.unfold(x, 2, padding=1, stride=(1, 2)), (x,))
    assert gradgradcheck(lambda x: F.unfold(x, 2, padding=1, stride=(1, 2)), (x,))
    c = mt.tensor(rng.standard_normal((1, 8, 6)), requires_grad=True)
    assert gradcheck(lambda c: F.fold(c, (3, 4), 2), (c,))
    assert gradgradcheck(lambda c: F.fold(c, (3, 4), 2), (c,))


def test_layers_repr_config_and_values(rng):
    unfold, fold = mt.nn.Unfold(2, padding=1), mt.nn.Fold((3, 4), (2, 2))
    assert repr(unfold) == "Unfold(kernel_size=2, dilation=1, padding=1, stride=1)"
    assert (
        repr(fold)
        == "Fold(output_size=(3, 4), kernel_size=(2, 2), dilation=1, padding=0, stride=1)"
    )
    x = mt.tensor(rng.standard_normal((2, 1, 2, 3)))
    np.testing.assert_array_equal(unfold(x).numpy(), F.unfold(x, 2, padding=1).numpy())
    for layer in (unfold, fold):
        name = type(layer).__name__
        again = mt.registry.create("layer", {"name": name, "config": layer.get_config()})
        assert repr(again) == repr(layer)
    c = mt.tensor(rng.standard_normal((2, 4, 6)))
    np.testing.assert_array_equal(fold(c).numpy(), F.fold(c, (3, 4), 2).numpy())


X = mt.ones(2, 3, 5, 6)
ERRORS = [
    (lambda: F.unfold(np.ones((1, 1, 2, 2)), 1), TypeError, "must be a Tensor"),
    (lambda: F.unfold(X[0, 0], 2), RuntimeError, "expected 3D or 4D"),
    (lambda: F.unfold(mt.ones(1, 0, 5, 6), 2), RuntimeError, "but got: [1, 0, 5, 6]"),
    (lambda: F.unfold(X.long(), 2), NotImplementedError, "int64"),
    (lambda: F.unfold(X, 7), RuntimeError, "sliding blocks as (-1, 0)"),
    (lambda: F.unfold(X, 0), RuntimeError, "kernel_size should be greater than zero"),
    (lambda: F.unfold(X, 2, stride=0), RuntimeError, "stride should be greater than zero"),
    (lambda: F.unfold(X, 2, dilation=(1, 0)), RuntimeError, "dilation should be greater"),
    (lambda: F.unfold(X, 2, padding=-1), RuntimeError, "padding should be non-negative"),
    (lambda: F.unfold(X, (2, 2, 2)), RuntimeError, "kernel_size equals to 2, but got size 3"),
    (lambda: F.unfold(X, 2.5), TypeError, "element of type float at pos 0"),
    (lambda: F.fold(mt.ones(2, 12, 20), (5, 6), 3), RuntimeError, "input.size(1)=12"),
    (lambda: F.fold(mt.ones(2, 12, 20), (5, 7), 2), RuntimeError, "4 * 6 = 24"),
    (lambda: F.fold(mt.ones(2, 12, 20), (1, 1), 2), RuntimeError, "0 * 0 = 0"),
    (lambda: F.fold(mt.ones(2, 0, 20), (5, 6), 2), RuntimeError, "but got: [2, 0, 20]"),
    (lambda: F.fold(mt.ones(12), (5, 6), 2), RuntimeError, "expected 2D or 3D"),
    (lambda: mt.nn.Unfold(0), RuntimeError, "Unfold: kernel_size should be greater"),
    (lambda: mt.nn.Fold((5, 6, 7), 2), RuntimeError, "Fold: it is expected output_size"),
]


@pytest.mark.parametrize("call,error,message", ERRORS)
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


def test_node_names_are_pytorchs():
    cols = F.unfold(mt.ones(1, 1, 3, 3, requires_grad=True), 2)
    assert cols.grad_fn.name() == "Im2ColBackward0"
    assert F.fold(cols, (3, 3), 2).grad_fn.name() == "Col2ImBackward0"
