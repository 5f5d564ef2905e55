"""F.one_hot, F.normalize, F.cosine_similarity, F.pairwise_distance and the distance Modules:
against PyTorch (values, first and second derivatives) and NumPy, dtypes, every error."""

import numpy as np
import pytest
from higher_order import check_against_torch
from torch_parity import reference

import minitorch_es as mt
from minitorch_es.autograd import gradcheck, gradgradcheck

F = mt.nn.functional


@pytest.mark.parametrize("num_classes", [-1, 5])
def test_one_hot_matches_pytorch(num_classes):
    index = np.array([[0, 3], [2, 2], [1, 0]], dtype=np.int64)
    ref = reference(
        f"functional/one_hot_{'inferred' if num_classes < 0 else num_classes}",
        lambda torch, index: torch.nn.functional.one_hot(torch.tensor(index), num_classes),
        index=index,
    )
    out = F.one_hot(mt.tensor(index), num_classes)
    assert out.dtype == mt.int64 and not out.requires_grad
    np.testing.assert_array_equal(out.numpy(), ref)
    np.testing.assert_array_equal(out.numpy(), np.eye(ref.shape[-1], dtype=np.int64)[index])


def test_one_hot_of_a_scalar_and_of_nothing():
    assert F.one_hot(mt.tensor(2)).tolist() == [0, 0, 1]
    assert F.one_hot(mt.tensor([], dtype=mt.int64), 3).shape == (0, 3)


ERRORS = [
    (lambda: F.one_hot(mt.tensor([1, 2], dtype=mt.int32)), RuntimeError, "LongTensor (int64)"),
    (lambda: F.one_hot(mt.tensor([1.0])), RuntimeError, "got dtype torch.float32"),
    (lambda: F.one_hot([1, 2]), TypeError, "expected a Tensor of int64 indices, got list"),
    (lambda: F.one_hot(mt.tensor([1, -2])), RuntimeError, "non-negative, got -2"),
    (lambda: F.one_hot(mt.tensor([1, 5]), 3), RuntimeError, "smaller than num_classes (3), got 5"),
    (lambda: F.one_hot(mt.tensor([1, 2]), -2), RuntimeError, "num_classes (-2)"),
    (lambda: F.one_hot(mt.tensor([], dtype=mt.int64)), RuntimeError, "Can not infer"),
    (lambda: F.one_hot(mt.tensor([1]), 2.0), TypeError, "num_classes must be an int"),
]


@pytest.mark.parametrize("call,error,message", ERRORS)
def test_one_hot_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


NORMALIZE = {
    "default": ((3, 4), {}),
    "p1_dim0": ((3, 4), {"p": 1.0, "dim": 0}),
    "p3_dims": ((2, 3, 4), {"p": 3.0, "dim": (1, 2)}),
    "inf_eps": ((3, 4), {"p": float("inf"), "eps": 0.5}),
}


@pytest.mark.parametrize("case", sorted(NORMALIZE))
def test_normalize_matches_pytorch(case, rng):
    shape, options = NORMALIZE[case]
    check_against_torch(
        f"normalize/{case}",
        lambda F, x: F.normalize(x, **options),
        {"x": rng.standard_normal(shape)},
        rtol=1e-10,
        atol=1e-10,
    )


def test_normalize_formula_and_out(rng):
    x = rng.standard_normal((3, 4))
    expected = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    np.testing.assert_allclose(F.normalize(mt.tensor(x)).numpy(), expected, rtol=1e-14)
    out = mt.zeros(3, 4, dtype=mt.float64)
    assert F.normalize(mt.tensor(x), out=out) is out
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-14)
    zero = mt.zeros(2, 3, dtype=mt.float64, requires_grad=True)  # divided by eps: stays zero
    F.normalize(zero).sum().backward()
    assert F.normalize(zero).abs().sum().item() == 0 and np.isfinite(np.asarray(zero.grad)).all()


@pytest.mark.parametrize(
    "name,shapes,options",
    [
        ("rows", ((3, 5), (3, 5)), {}),
        ("broadcast_dim0", ((4, 3), (1, 3)), {"dim": 0}),
        ("small_norms", ((2, 3), (2, 3)), {"eps": 2.0}),  # the clamped norms' gradient
        ("last_dim_3d", ((2, 3, 4), (3, 4)), {"dim": -1}),
    ],
)
def test_cosine_similarity_matches_pytorch(name, shapes, options, rng):
    arrays = {"x": rng.standard_normal(shapes[0]), "y": rng.standard_normal(shapes[1])}
    check_against_torch(
        f"cosine_similarity/{name}",
        lambda F, x, y: F.cosine_similarity(x, y, **options),
        arrays,
        wrt=("x", "y"),
        rtol=1e-10,
        atol=1e-10,
    )


@pytest.mark.parametrize(
    "name,shapes,options",
    [
        ("default", ((4, 5), (4, 5)), {}),
        ("p1_keepdim", ((4, 5), (5,)), {"p": 1.0, "keepdim": True}),
        ("p3_eps", ((2, 3, 4), (2, 3, 4)), {"p": 3.0, "eps": 0.1}),
        ("vectors", ((5,), (5,)), {}),
    ],
)
def test_pairwise_distance_matches_pytorch(name, shapes, options, rng):
    arrays = {"x": rng.standard_normal(shapes[0]), "y": rng.standard_normal(shapes[1])}
    check_against_torch(
        f"pairwise_distance/{name}",
        lambda F, x, y: F.pairwise_distance(x, y, **options),
        arrays,
        wrt=("x", "y"),
        rtol=1e-10,
        atol=1e-10,
    )


def test_formulas_float32_and_gradcheck(rng):
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    cos = (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
    np.testing.assert_allclose(F.cosine_similarity(mt.tensor(a), mt.tensor(b)).numpy(), cos)
    dist = np.linalg.norm(a - b + 1e-6, axis=-1)
    np.testing.assert_allclose(F.pairwise_distance(mt.tensor(a), mt.tensor(b)).numpy(), dist)
    single = F.cosine_similarity(mt.tensor(a, dtype=mt.float32), mt.tensor(b, dtype=mt.float32))
    assert single.dtype == mt.float32
    ts = [mt.tensor(v, requires_grad=True) for v in (a, b)]
    for fn in (F.cosine_similarity, F.pairwise_distance, lambda x, y: F.normalize(x * y, p=3.0)):
        assert gradcheck(fn, ts)
        assert gradgradcheck(fn, ts)


def test_distance_modules(rng):
    a, b = mt.tensor(rng.standard_normal((3, 4))), mt.tensor(rng.standard_normal((3, 4)))
    cos, dist = mt.nn.CosineSimilarity(dim=0, eps=1e-6), mt.nn.PairwiseDistance(p=1.0, keepdim=True)
    np.testing.assert_array_equal(cos(a, b).numpy(), F.cosine_similarity(a, b, 0, 1e-6).numpy())
    np.testing.assert_array_equal(
        dist(a, b).numpy(), F.pairwise_distance(a, b, 1.0, keepdim=True).numpy()
    )
    for layer in (cos, dist):
        config = {"name": type(layer).__name__, "config": layer.get_config()}
        again = mt.registry.create("layer", config)
        np.testing.assert_array_equal(again(a, b).numpy(), layer(a, b).numpy())


VECTOR_ERRORS = [
    (lambda: F.normalize(mt.ones(3, 4).long()), RuntimeError, "floating point"),
    (lambda: F.normalize([1.0, 2.0]), TypeError, "input must be a Tensor"),
    (lambda: F.normalize(mt.ones(3, 4), dim=2), IndexError, "out of range"),
    (lambda: F.normalize(mt.ones(3), p="fro"), TypeError, "p must be a real number"),
    (lambda: F.cosine_similarity(mt.ones(3, 4), mt.ones(2, 4)), RuntimeError, "do not broadcast"),
    (lambda: F.cosine_similarity(mt.ones(3, 4), mt.ones(3, 4), dim=2), IndexError, "range"),
    (lambda: F.cosine_similarity(mt.ones(3).long(), mt.ones(3)), RuntimeError, "int64"),
    (lambda: F.pairwise_distance(mt.ones(3, 4), mt.ones(2, 4)), RuntimeError, "[3, 4] and x2"),
    (lambda: mt.nn.CosineSimilarity(eps=-1.0), ValueError, "eps must be a real number >= 0"),
    (lambda: mt.nn.PairwiseDistance(p="2"), TypeError, "p must be a real number"),
]


@pytest.mark.parametrize("call,error,message", VECTOR_ERRORS)
def test_vector_function_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
