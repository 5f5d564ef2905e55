"""Embedding's PyTorch options: ``max_norm`` / ``norm_type`` (rows renormed in the table before
the lookup), ``scale_grad_by_freq``, ``_weight`` / ``_freeze``, ``from_pretrained`` with them,
and ``sparse`` refused. Compared with PyTorch 2.13 through recorded fixtures (float64)."""

import numpy as np
import pytest
from torch_parity import reference

import minitorch_es as mt

F = mt.nn.functional
IDX = np.array([[0, 2, 2], [4, 0, 2]])  # repeated rows: counts 2, 3, 1


def table(rng):
    return rng.standard_normal((5, 3)) * 3  # rows well above a max_norm of 1.5


def run(lib, weight, grad, **options):
    """Output, the table after the lookup, and the weight's gradient for ``grad``."""
    w = lib.tensor(weight.copy(), requires_grad=True)
    out = lib.nn.functional.embedding(lib.tensor(IDX), w, **options)
    (out * lib.tensor(grad)).sum().backward()
    return {"out": out.detach(), "table": w.detach(), "grad": w.grad}


CASES = {
    "max_norm": dict(max_norm=1.5),
    "max_norm_l1": dict(max_norm=1.5, norm_type=1.0),
    "max_norm_p3_padding": dict(max_norm=1.5, norm_type=3.0, padding_idx=2),
    "by_freq": dict(scale_grad_by_freq=True),
    "by_freq_padding": dict(scale_grad_by_freq=True, padding_idx=0),
    "all": dict(max_norm=2.0, norm_type=2.0, scale_grad_by_freq=True, padding_idx=4),
}


@pytest.mark.parametrize("case", CASES)
def test_functional_options_match_pytorch(rng, case):
    weight, grad = table(rng), rng.standard_normal((2, 3, 3))
    expected = reference(
        f"nn/embedding_{case}",
        lambda torch, weight, grad: run(torch, weight, grad, **CASES[case]),
        weight=weight,
        grad=grad,
    )
    got = run(mt, weight, grad, **CASES[case])
    for key in ("out", "table", "grad"):
        np.testing.assert_allclose(got[key].numpy(), expected[key], rtol=1e-12, atol=1e-12)


def test_the_module_and_its_repr_match_pytorch(rng):
    def build(lib):
        layer = lib.nn.Embedding(5, 3, padding_idx=1, max_norm=1.0, norm_type=1.0)
        layer.scale_grad_by_freq = True
        return repr(lib.nn.Embedding(5, 3, padding_idx=1, max_norm=1.0, norm_type=1.0,
                                     scale_grad_by_freq=True))  # fmt: skip

    assert build(mt) == str(reference("nn/embedding_repr", build))
    layer = mt.nn.Embedding(5, 3, max_norm=1.0).double()
    out = layer(mt.tensor(IDX))
    assert (np.linalg.norm(out.numpy(force=True), axis=-1) <= 1.0 + 1e-12).all()


def twice(lib, weight):
    """The scaled gradient built as a graph, and the gradient of its sum."""
    w = lib.tensor(weight, requires_grad=True)
    loss = (lib.nn.functional.embedding(lib.tensor(IDX), w, scale_grad_by_freq=True) ** 2).sum()
    (first,) = lib.autograd.grad(loss, w, create_graph=True)
    (second,) = lib.autograd.grad(first.sum(), w)
    return {"first": first.detach(), "second": second}


def test_scale_grad_by_freq_twice_matches_pytorch(rng):
    # Not a derivative (gradcheck fails on it, in PyTorch too): each row's gradient is divided
    # by its count, and a second backward passes through the same scaling again.
    weight = rng.standard_normal((5, 3))
    expected = reference("nn/embedding_by_freq_twice", twice, weight=weight)
    got = twice(mt, weight)
    for key in ("first", "second"):
        np.testing.assert_allclose(got[key].numpy(), expected[key], rtol=1e-12, atol=1e-12)


def test_initial_table_freeze_and_from_pretrained(rng):
    values = rng.standard_normal((4, 2))
    layer = mt.nn.Embedding(4, 2, _weight=values, _freeze=True, dtype=mt.float64)
    np.testing.assert_array_equal(layer.weight.numpy(force=True), values)
    assert not layer.weight.requires_grad
    assert "_weight" not in layer.get_config()  # the table is in the state dict
    pre = mt.nn.Embedding.from_pretrained(values, freeze=False, max_norm=0.5, norm_type=1.0)
    assert pre.weight.requires_grad and (pre.max_norm, pre.norm_type) == (0.5, 1.0)
    np.testing.assert_array_equal(pre.weight.numpy(force=True), values)


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: mt.nn.Embedding(4, 2, _weight=np.ones((3, 2))), mt.ShapeError,
         r"_weight has shape \(3, 2\), expected \(num_embeddings, embedding_dim\) = \(4, 2\)"),
        (lambda: mt.nn.Embedding(4, 2, sparse=True), NotImplementedError,
         "Embedding: sparse=True asks for sparse gradients"),
        (lambda: F.embedding(mt.tensor([0]), mt.ones(2, 2), sparse=True), NotImplementedError,
         "embedding: sparse=True"),
        (lambda: mt.nn.Embedding(4, 2, max_norm=-1.0), ValueError, "max_norm"),
        (lambda: mt.nn.Embedding(4, 2, norm_type="l2"), TypeError, "norm_type"),
    ],
)  # fmt: skip
def test_bad_options_are_refused(make, error, message):
    with pytest.raises(error, match=message):
        make()
