"""Reductions, cumulative ops and order statistics (prod, logsumexp, amax/amin, cumsum,
cumprod, logcumsumexp, cummax, sort, topk, kthvalue, median, mode, unique, bincount, histc,
searchsorted, bucketize, diff, count_nonzero) against PyTorch; gradients twice."""

import numpy as np
import pytest
from op_parity import check_against_torch, check_derivatives

import minitorch_es as mt

R = np.random.default_rng(3)
X = R.standard_normal((3, 4))
X3 = R.standard_normal((2, 3, 4))
ZEROS = X.copy()
ZEROS[0, 1] = ZEROS[2, 0] = ZEROS[2, 3] = 0.0
TIES = np.array([[1.0, 3.0, 3.0, 2.0], [0.5, 0.5, 0.5, -1.0]])
INTS = np.array([[3, 1, 3, 2], [1, 1, 0, 5]])

CASES = {
    "prod": (lambda lib, x: x.prod(), X),
    "prod_dim": (lambda lib, x: lib.prod(x, 1, keepdim=True), X),
    "prod_zeros": (lambda lib, x: x.prod(), ZEROS),
    "prod_zeros_dim": (lambda lib, x: lib.prod(x, dim=0), ZEROS),
    "logsumexp": (lambda lib, x: lib.logsumexp(x, 1), X),
    "logsumexp_dims": (lambda lib, x: x.logsumexp((0, 2), keepdim=True), X3),
    "logsumexp_large": (lambda lib, x: lib.logsumexp(x * 500, 0), X),
    "amax": (lambda lib, x: lib.amax(x, 1), X),
    "amin_dims": (lambda lib, x: x.amin((0, 2)), X3),
    "amax_all": (lambda lib, x: x.amax(), X),
    "amax_ties": (lambda lib, x: lib.amax(x, 1), TIES),
    "amin_ties": (lambda lib, x: x.amin(), TIES),
    "aminmax": (lambda lib, x: lib.aminmax(x, dim=0), X),
    "aminmax_all": (lambda lib, x: tuple(x.aminmax()), X),
    "cumsum": (lambda lib, x: lib.cumsum(x, 1), X),
    "cumsum_dim0": (lambda lib, x: x.cumsum(dim=0), X3),
    "cumprod": (lambda lib, x: lib.cumprod(x, 1), X),
    "cumprod_zeros": (lambda lib, x: x.cumprod(1), ZEROS),
    "cumprod_zeros_dim0": (lambda lib, x: lib.cumprod(x, 0), ZEROS),
    "logcumsumexp": (lambda lib, x: lib.logcumsumexp(x, 1), X),
    "logcumsumexp_spread": (lambda lib, x: x.logcumsumexp(0), X * 30),
    "cummax": (lambda lib, x: tuple(lib.cummax(x, 1)), X),
    "cummin": (lambda lib, x: tuple(x.cummin(0)), X),
    "sort": (lambda lib, x: tuple(lib.sort(x, 1)), X),
    "sort_descending": (lambda lib, x: tuple(x.sort(dim=0, descending=True)), X),
    "sort_stable_ties": (lambda lib, x: tuple(x.sort(stable=True)), TIES),
    "sort_descending_ties": (lambda lib, x: tuple(lib.sort(x, descending=True, stable=True)), TIES),
    "argsort": (lambda lib, x: lib.argsort(x, 1), X),
    "msort": (lambda lib, x: lib.msort(x), X),
    "topk": (lambda lib, x: tuple(lib.topk(x, 2)), X),
    "topk_smallest_dim0": (lambda lib, x: tuple(x.topk(2, dim=0, largest=False)), X),
    "kthvalue": (lambda lib, x: tuple(lib.kthvalue(x, 2)), X),
    "kthvalue_keepdim": (lambda lib, x: tuple(x.kthvalue(3, 0, True)), X),
    "median": (lambda lib, x: lib.median(x), X),
    "median_dim": (lambda lib, x: tuple(x.median(1)), X),
    "median_even_dim0": (lambda lib, x: tuple(lib.median(x, 0, keepdim=True)), X[:2]),
    "diff": (lambda lib, x: lib.diff(x), X),
    "diff_n2_dim0": (lambda lib, x: x.diff(n=2, dim=0), X),
    "diff_prepend": (lambda lib, x: lib.diff(x, dim=1, prepend=x[:, :1], append=x[:, :2]), X),
}
# At ties a selection has no derivative (finite differences pick a side): PyTorch's
# gradient there (shared evenly by amax, to the chosen index by sort) is compared instead.
TIED = {"amax_ties", "amin_ties", "sort_stable_ties", "sort_descending_ties"}


@pytest.mark.parametrize("name", list(CASES))
def test_matches_pytorch_and_differentiates(name):
    fn, x = CASES[name]
    check_against_torch(f"reduce_{name}", fn, [x], grad=name != "argsort")
    if name != "argsort" and name not in TIED:
        check_derivatives(fn, [x])


INTEGER = {
    "prod_int": (lambda lib, x: x.prod(1), INTS),
    "cumsum_int": (lambda lib, x: x.cumsum(1), INTS),
    "cumsum_bool": (lambda lib, x: lib.cumsum(x > 1, 0), INTS),
    "cumprod_int32": (lambda lib, x: x.int().cumprod(0), INTS),
    "cumsum_dtype": (lambda lib, x: x.cumsum(1, dtype=lib.float64), INTS),
    "count_nonzero": (lambda lib, x: lib.count_nonzero(x, dim=1), INTS),
    "count_nonzero_all": (lambda lib, x: x.count_nonzero(), INTS),
    "unique": (lambda lib, x: lib.unique(x), INTS),
    "unique_inverse_counts": (
        lambda lib, x: lib.unique(x, return_inverse=True, return_counts=True),
        INTS,
    ),
    "unique_dim": (lambda lib, x: x.unique(dim=1), np.array([[1, 2, 1], [3, 4, 3]])),
    "bincount": (lambda lib, x: lib.bincount(x.flatten()), INTS),
    "bincount_weights": (
        lambda lib, x: x.flatten().bincount(weights=x.flatten().double() / 2, minlength=9),
        INTS,
    ),
    "mode": (lambda lib, x: tuple(lib.mode(x, 1)), INTS),
    "mode_dim0": (
        lambda lib, x: tuple(x.mode(0, keepdim=True)),
        np.array([[1, 2], [1, 3], [2, 3]]),
    ),
    "diff_bool": (lambda lib, x: lib.diff(x > 1), INTS),
    "searchsorted": (
        lambda lib, x: lib.searchsorted(lib.tensor([1, 3, 5, 7]), x),
        INTS,
    ),
    "searchsorted_right": (
        lambda lib, x: lib.searchsorted(lib.tensor([1, 3, 5, 7]), x, right=True),
        INTS,
    ),
    "searchsorted_side_int32": (
        lambda lib, x: lib.searchsorted(lib.tensor([1, 3, 5, 7]), x, side="right", out_int32=True),
        INTS,
    ),
    "searchsorted_rows": (lambda lib, x: lib.searchsorted(lib.sort(x, 1).values, x[:, :2]), INTS),
    "bucketize": (lambda lib, x: lib.bucketize(x, lib.tensor([1, 3, 5])), INTS),
    "bucketize_right": (lambda lib, x: lib.bucketize(x, lib.tensor([1, 3, 5]), right=True), INTS),
}


@pytest.mark.parametrize("name", list(INTEGER))
def test_integer_reductions_as_pytorch(name):
    fn, x = INTEGER[name]
    check_against_torch(f"reduce_{name}", fn, [x], grad=False)


def test_histc_as_pytorch():
    x = np.float32([1.0, 2.0, 1.0, 0.5, 3.0, 7.0])
    check_against_torch(
        "reduce_histc", lambda lib, t: lib.histc(t, bins=4, min=0, max=3), [x], grad=False
    )
    check_against_torch("reduce_histc_range", lambda lib, t: t.histc(bins=5), [x], grad=False)


def test_median_with_nan_is_nan():
    x = mt.tensor([[1.0, float("nan"), 2.0], [3.0, 1.0, 2.0]])
    assert np.isnan(x.median().item())
    values, indices = x.median(1)
    assert np.isnan(values[0].item()) and indices.tolist() == [1, 2]


def test_return_types_print_as_pytorch():
    result = mt.tensor([[1.0, 3.0]]).max(1)
    assert repr(result) == "torch.return_types.max(\nvalues=tensor([3.]),\nindices=tensor([1]))"
    values, indices = mt.tensor([3.0, 1.0]).sort()
    assert values.tolist() == [1.0, 3.0] and indices.tolist() == [1, 0]
    assert mt.tensor([1.0, 2.0]).aminmax().max.item() == 2.0


@pytest.mark.parametrize(
    "call,error,match",
    [
        (lambda: mt.ones(3).topk(4), RuntimeError, "k out of range"),
        (lambda: mt.ones(3).kthvalue(0), IndexError, "k out of range"),
        (lambda: mt.ones(2, 3).prod((0, 1)), TypeError, "single int"),
        (lambda: mt.ones(0).amax(), mt.ShapeError, "non-empty"),
        (lambda: mt.tensor([-1, 2]).bincount(), RuntimeError, "non-negative integral"),
        (lambda: mt.ones(3).bincount(), RuntimeError, "non-negative integral"),
        (lambda: mt.tensor([1, 2]).histc(), RuntimeError, "floating point"),
        (lambda: mt.ones(3).histc(min=2, max=1), RuntimeError, "max must be larger"),
        (lambda: mt.tensor([1, 2]).logcumsumexp(0), TypeError, "floating point"),
        (lambda: mt.ones(3).cumsum(1), IndexError, "dimension out of range"),
        (
            lambda: mt.searchsorted(mt.ones(2, 3), mt.ones(3, 1)),
            RuntimeError,
            "must agree on all but the last",
        ),
        (lambda: mt.searchsorted(mt.ones(3), mt.ones(2), side="up"), ValueError, "side"),
        (lambda: mt.bucketize(mt.ones(2), mt.ones(2, 2)), RuntimeError, "boundaries must be 1-D"),
    ],
)
def test_errors_say_what_was_expected(call, error, match):
    with pytest.raises(error, match=match):
        call()
