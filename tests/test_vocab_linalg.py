"""Matrix ops (mm, bmm, dot, outer, addmm ..., einsum, norms, dist, cdist, diagonal, trace,
tril/triu, cross): values and gradients against PyTorch, derivatives against finite
differences, errors."""

import math

import numpy as np
import pytest
from op_parity import check_against_torch, check_derivatives

import minitorch_es as mt

R = np.random.default_rng(11)
A = R.standard_normal((3, 4))
B = R.standard_normal((4, 2))
V3 = R.standard_normal(3)
V4 = R.standard_normal(4)
BA = R.standard_normal((2, 3, 4))
BB = R.standard_normal((2, 4, 5))
SQ = R.standard_normal((4, 4))
C3 = R.standard_normal((2, 3))

CASES = {
    "mm": (lambda lib, a, b: lib.mm(a, b), [A, B]),
    "matmul_method": (lambda lib, a, b: a.matmul(b), [A, B]),
    "bmm": (lambda lib, a, b: lib.bmm(a, b), [BA, BB]),
    "mv": (lambda lib, a, v: a.mv(v), [A, V4]),
    "dot": (lambda lib, a, b: lib.dot(a, b), [V4, V4[::-1].copy()]),
    "outer": (lambda lib, a, b: lib.outer(a, b), [V3, V4]),
    "ger": (lambda lib, a, b: a.ger(b), [V3, V4]),
    "addmm": (lambda lib, s, a, b: lib.addmm(s, a, b, beta=0.5, alpha=2), [A[:, :2], A, B]),
    "addmm_broadcast": (lambda lib, s, a, b: s.addmm(a, b), [B[0], A, B]),
    "addmm_beta0": (lambda lib, s, a, b: lib.addmm(s, a, b, beta=0), [A[:, :2], A, B]),
    "addmv": (lambda lib, s, a, v: lib.addmv(s, a, v, alpha=-1), [V3, A, V4]),
    "addr": (lambda lib, s, a, b: lib.addr(s, a, b), [A, V3, V4]),
    "baddbmm": (lambda lib, s, a, b: lib.baddbmm(s, a, b, beta=2), [BB[:, :3], BA, BB]),
    "addbmm": (lambda lib, s, a, b: lib.addbmm(s, a, b), [BB[0, :3], BA, BB]),
    "einsum_matmul": (lambda lib, a, b: lib.einsum("ij,jk->ik", a, b), [A, B]),
    "einsum_implicit": (lambda lib, a, b: lib.einsum("ij,jk", a, b), [A, B]),
    "einsum_batch": (lambda lib, a, b: lib.einsum("bij,bjk->bik", a, b), [BA, BB]),
    "einsum_ellipsis": (lambda lib, a, b: lib.einsum("...ij,...jk->...ik", a, b), [BA, BB]),
    "einsum_broadcast": (lambda lib, a, b: lib.einsum("...ij,jk->...ik", a, b), [BA, B]),
    "einsum_trace": (lambda lib, a: lib.einsum("ii", a), [SQ]),
    "einsum_diagonal": (lambda lib, a: lib.einsum("ii->i", a), [SQ]),
    "einsum_sum_axis": (lambda lib, a: lib.einsum("ij->i", a), [A]),
    "einsum_transpose": (lambda lib, a: lib.einsum("ij->ji", a), [A]),
    "einsum_outer": (lambda lib, a, b: lib.einsum("i,j->ij", a, b), [V3, V4]),
    "einsum_three": (lambda lib, a, b, c: lib.einsum("i,ij,jk->k", a, b, c), [V3, A, B]),
    "einsum_list": (lambda lib, a, b: lib.einsum("ij,j", [a, b]), [A, V4]),
    "norm": (lambda lib, a: a.norm(), [A]),
    "norm_p1_dim": (lambda lib, a: lib.norm(a, p=1, dim=1), [A]),
    "norm_p3_keepdim": (lambda lib, a: a.norm(3, dim=0, keepdim=True), [A]),
    "norm_inf": (lambda lib, a: a.norm(float("inf")), [A]),
    "norm_fro_dims": (lambda lib, a: lib.norm(a, "fro", dim=(1, 2)), [BA]),
    "vector_norm": (lambda lib, a: lib.linalg.vector_norm(a), [BA]),
    "vector_norm_ord": (lambda lib, a: lib.linalg.vector_norm(a, 0.5, dim=(0, 2)), [BA]),
    "vector_norm_neginf": (lambda lib, a: lib.linalg.vector_norm(a, -math.inf, dim=1), [A]),
    "vector_norm_zero": (lambda lib, a: lib.linalg.vector_norm(a, 0), [A]),
    "matrix_norm_fro": (lambda lib, a: lib.linalg.matrix_norm(a), [BA]),
    "matrix_norm_1": (lambda lib, a: lib.linalg.matrix_norm(a, 1), [A]),
    "matrix_norm_neg1": (lambda lib, a: lib.linalg.matrix_norm(a, -1), [A]),
    "matrix_norm_inf": (lambda lib, a: lib.linalg.matrix_norm(a, math.inf, keepdim=True), [BA]),
    "linalg_norm": (lambda lib, a: lib.linalg.norm(a), [BA]),
    "linalg_norm_ord_matrix": (lambda lib, a: lib.linalg.norm(a, -math.inf), [A]),
    "linalg_norm_ord_vector": (lambda lib, a: lib.linalg.norm(a, 3), [V4]),
    "linalg_norm_dim": (lambda lib, a: lib.linalg.norm(a, dim=1), [A]),
    "dist": (lambda lib, a, b: lib.dist(a, b), [A, V4]),
    "dist_p1": (lambda lib, a, b: a.dist(b, 1), [A, V4]),
    "cdist": (lambda lib, a, b: lib.cdist(a, b), [A, R.standard_normal((5, 4))]),
    "cdist_p1_batch": (lambda lib, a, b: lib.cdist(a, b, p=1), [BA, R.standard_normal((2, 5, 4))]),
    "diagonal": (lambda lib, a: lib.diagonal(a), [A]),
    "diagonal_offset": (lambda lib, a: a.diagonal(1), [A]),
    "diagonal_negative_offset_dims": (lambda lib, a: lib.diagonal(a, -1, 2, 1), [BA]),
    "diag_of_matrix": (lambda lib, a: lib.diag(a, 1), [A]),
    "diag_of_vector": (lambda lib, v: lib.diag(v), [V3]),
    "diag_of_vector_offset": (lambda lib, v: v.diag(-2), [V3]),
    "trace": (lambda lib, a: lib.trace(a), [A]),
    "tril": (lambda lib, a: lib.tril(a), [A]),
    "tril_offset": (lambda lib, a: a.tril(-1), [BA]),
    "triu": (lambda lib, a: lib.triu(a, 1), [A]),
    "cross": (lambda lib, a, b: lib.cross(a, b, dim=1), [C3, C3[::-1].copy()]),
    "linalg_cross": (lambda lib, a, b: lib.linalg.cross(a, b), [C3, V3[None]]),
    "matrix_transpose": (lambda lib, a: a.mT, [BA]),
    "t": (lambda lib, a: lib.t(a), [A]),
}

NOT_TWICE = {"norm_inf", "vector_norm_neginf", "matrix_norm_1", "matrix_norm_neg1"}
NOT_TWICE |= {"matrix_norm_inf", "linalg_norm_ord_matrix", "dist_p1", "cdist_p1_batch"}


@pytest.mark.parametrize("name", list(CASES))
def test_matches_pytorch_and_differentiates(name):
    fn, arrays = CASES[name]
    check_against_torch(f"linalg_{name}", fn, arrays)
    check_derivatives(fn, arrays, second=name not in NOT_TWICE)


def test_norm_gradient_is_zero_at_zero_as_pytorch():
    x = mt.zeros(3, dtype=mt.float64, requires_grad=True)
    x.norm().backward()
    np.testing.assert_array_equal(x.grad._data, [0, 0, 0])
    y = mt.zeros(2, 3, dtype=mt.float64, requires_grad=True)
    mt.cdist(y, y).sum().backward()
    assert np.isfinite(y.grad._data).all()


def test_tril_keeps_integer_dtype():
    m = mt.tensor([[1, 2], [3, 4]])
    assert m.tril().tolist() == [[1, 0], [3, 4]] and m.triu().dtype == mt.int64


@pytest.mark.parametrize(
    "call,error,match",
    [
        (lambda: mt.mm(mt.ones(2, 3), mt.ones(3)), mt.ShapeError, "mm: expected 2-D and 2-D"),
        (lambda: mt.bmm(mt.ones(2, 3), mt.ones(2, 3)), mt.ShapeError, "bmm: expected 3-D"),
        (lambda: mt.bmm(mt.ones(2, 1, 3), mt.ones(3, 3, 1)), mt.ShapeError, "batch sizes"),
        (lambda: mt.dot(mt.ones(3), mt.ones(4)), mt.ShapeError, "inconsistent tensor size"),
        (lambda: mt.mm(mt.ones(2, 3), mt.ones(2, 3)), mt.ShapeError, "cannot be multiplied"),
        (lambda: mt.einsum("ij,jk", mt.ones(2, 3)), ValueError, "names 2 operands"),
        (lambda: mt.einsum("ijk", mt.ones(2, 3)), mt.ShapeError, "do not fit an operand"),
        (lambda: mt.einsum("ij,jk", mt.ones(2, 3), mt.ones(2, 3)), mt.ShapeError, "einsum"),
        (lambda: mt.einsum(3, mt.ones(2)), TypeError, "equation must be a string"),
        (
            lambda: mt.einsum("i,i", mt.ones(2), mt.ones(2, dtype=mt.float64)),
            TypeError,
            "one dtype",
        ),
        (lambda: mt.trace(mt.ones(2, 2, 2)), mt.ShapeError, "expected a matrix"),
        (lambda: mt.tril(mt.ones(3)), mt.ShapeError, "at least 2 dimensions"),
        (lambda: mt.ones(3).mT, mt.ShapeError, "mT is only supported on matrices"),
        (lambda: mt.diag(mt.ones(2, 2, 2)), mt.ShapeError, "1-D or 2-D"),
        (lambda: mt.diagonal(mt.ones(2, 2), 0, 1, 1), ValueError, "cannot be the same"),
        (lambda: mt.cross(mt.ones(3), mt.ones(4), dim=0), mt.ShapeError, "must have length 3"),
        (lambda: mt.norm(mt.ones(2), p="nuc"), NotImplementedError, "nuc"),
        (lambda: mt.norm(mt.ones(2), p="max"), ValueError, "p must be a number"),
        (lambda: mt.linalg.vector_norm(mt.tensor([1, 2])), RuntimeError, "floating point"),
        (lambda: mt.linalg.matrix_norm(mt.ones(3)), RuntimeError, "at least 2 dimensions"),
        (lambda: mt.linalg.matrix_norm(mt.ones(2, 2), 2), NotImplementedError, "singular"),
        (lambda: mt.linalg.matrix_norm(mt.ones(2, 2), 3), RuntimeError, "not supported"),
        (lambda: mt.linalg.norm(mt.ones(2, 2, 2), 1), RuntimeError, "must be 1D or 2D"),
        (lambda: mt.cdist(mt.ones(3), mt.ones(2, 3)), RuntimeError, "cdist: expected"),
    ],
)
def test_errors_say_what_was_expected(call, error, match):
    with pytest.raises(error, match=match):
        call()
