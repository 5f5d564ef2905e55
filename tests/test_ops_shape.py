"""Shape ops: reshape view flatten transpose permute squeeze unsqueeze expand .T, indexing,
cat and stack."""

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es.autograd import gradcheck


def leaf(*shape):
    return mt.randn(*shape, dtype=mt.float64, requires_grad=True)


def check(fn, x, expected):
    """``fn(x)`` equals the NumPy reference and passes gradcheck."""
    out = fn(x)
    assert out.shape == np.shape(expected)
    np.testing.assert_array_equal(out._data, expected)
    assert gradcheck(fn, (x,))


# ------------------------------------------------------------------------------ reshape / view
@pytest.mark.parametrize(
    "shape,new",
    [
        ((2, 3, 4), (6, 4)),
        ((2, 3, 4), (-1,)),
        ((2, 3, 4), (4, -1)),
        ((6,), (2, 1, 3)),
        ((), (1, 1)),
        ((1,), ()),
    ],
)
def test_reshape_and_view(shape, new):
    x = leaf(*shape)
    check(lambda t: t.reshape(new), x, x._data.reshape(new))
    check(lambda t: t.reshape(*new), x, x._data.reshape(new))
    check(lambda t: t.view(new), x, x._data.reshape(new))
    check(lambda t: mt.reshape(t, new), x, x._data.reshape(new))


def test_view_as():
    x, y = leaf(6), mt.zeros(2, 3)
    check(lambda t: t.view_as(y), x, x._data.reshape(2, 3))


@pytest.mark.parametrize("new", [(4, 4), (5, -1), (-1, -1)])
def test_reshape_to_an_incompatible_shape_raises(new):
    with pytest.raises(mt.ShapeError) as info:
        mt.randn(2, 3).reshape(new)
    assert "reshape" in str(info.value) and "(2, 3)" in str(info.value)


@pytest.mark.parametrize("start,end", [(0, -1), (1, -1), (0, 1), (1, 2), (-2, -1), (2, 2)])
def test_flatten(start, end):
    x = leaf(2, 3, 4)
    s, e = start % 3, end % 3
    new = x.shape[:s] + (int(np.prod(x.shape[s : e + 1])),) + x.shape[e + 1 :]
    check(lambda t: t.flatten(start, end), x, x._data.reshape(new))
    check(lambda t: mt.flatten(t, start, end), x, x._data.reshape(new))


def test_flatten_of_a_0d_tensor_is_1d():
    x = leaf()
    check(lambda t: t.flatten(), x, x._data.reshape(1))


def test_flatten_with_start_after_end_raises():
    with pytest.raises(ValueError, match="start_dim"):
        mt.randn(2, 3, 4).flatten(2, 1)


# ----------------------------------------------------------------------- transpose / permute / T
@pytest.mark.parametrize("d0,d1", [(0, 1), (1, 0), (0, 2), (-1, -2), (1, 1)])
def test_transpose(d0, d1):
    x = leaf(2, 3, 4)
    check(lambda t: t.transpose(d0, d1), x, np.swapaxes(x._data, d0, d1))
    check(lambda t: mt.transpose(t, d0, d1), x, np.swapaxes(x._data, d0, d1))


@pytest.mark.parametrize("dims", [(0, 1, 2), (2, 0, 1), (1, 2, 0), (-1, 0, 1), (2, 1, 0)])
def test_permute(dims):
    x = leaf(2, 3, 4)
    check(lambda t: t.permute(*dims), x, np.transpose(x._data, dims))
    check(lambda t: t.permute(dims), x, np.transpose(x._data, dims))
    check(lambda t: mt.permute(t, dims), x, np.transpose(x._data, dims))


@pytest.mark.parametrize("shape", [(), (4,), (2, 3), (2, 3, 4)])
def test_T(shape):
    x = leaf(*shape)
    check(lambda t: t.T, x, x._data.T)


def test_t_of_matrix_and_vector():
    x = leaf(2, 3)
    check(lambda t: t.t(), x, x._data.T)
    v = leaf(3)
    check(lambda t: t.t(), v, v._data)
    with pytest.raises(ValueError, match="<= 2 dimensions"):
        leaf(2, 3, 4).t()


def test_shape_ops_work_without_autograd():
    # Regression: permute used to read its dims back from the no-op context of a graph-free call.
    x = mt.randn(2, 3, 4)
    assert x.T.shape == (4, 3, 2)
    assert x.permute(2, 0, 1).shape == (4, 2, 3)
    assert x.transpose(0, 1).shape == (3, 2, 4)
    y = mt.randn(2, 3, requires_grad=True)
    with mt.no_grad():
        out = y.T
    np.testing.assert_array_equal(out._data, y._data.T)
    assert not out.requires_grad


@pytest.mark.parametrize("dims", [(0, 1), (0, 0, 1), (0, 1, 3), (0, 1, -4)])
def test_permute_with_bad_dims_raises(dims):
    with pytest.raises((ValueError, IndexError)):
        mt.randn(2, 3, 4).permute(*dims)


def test_permute_out_of_range_dim_is_an_index_error_not_a_wraparound():
    with pytest.raises(IndexError, match="out of range"):
        mt.randn(2, 3).permute(0, 5)


# ---------------------------------------------------------------------- squeeze / unsqueeze
@pytest.mark.parametrize(
    "dim,shape",
    [
        (None, (3,)),
        (0, (3, 1)),
        (2, (1, 3)),
        (-1, (1, 3)),
        (1, (1, 3, 1)),
        ((0, 2), (3,)),
    ],
)
def test_squeeze(dim, shape):
    x = leaf(1, 3, 1)
    check(lambda t: t.squeeze(dim), x, x._data.reshape(shape))
    check(lambda t: mt.squeeze(t, dim), x, x._data.reshape(shape))


@pytest.mark.parametrize("dim", [0, 1, 2, -1, -3])
def test_unsqueeze(dim):
    x = leaf(2, 3)
    check(lambda t: t.unsqueeze(dim), x, np.expand_dims(x._data, dim))
    check(lambda t: mt.unsqueeze(t, dim), x, np.expand_dims(x._data, dim))


def test_unsqueeze_of_a_0d_tensor():
    x = leaf()
    assert x.unsqueeze(0).shape == (1,) and x.unsqueeze(-1).shape == (1,)


# -------------------------------------------------------------------------------------- expand
@pytest.mark.parametrize(
    "shape,new",
    [
        ((3, 1), (3, 4)),
        ((1,), (5,)),
        ((3, 1), (2, 3, 4)),
        ((3, 1), (-1, 4)),
        ((1, 3), (2, -1, 3)),
        ((), (2, 2)),
    ],
)
def test_expand(shape, new):
    x = leaf(*shape)
    target = tuple((x.shape[i - len(new) + x.ndim] if n == -1 else n) for i, n in enumerate(new))
    check(lambda t: t.expand(*new), x, np.broadcast_to(x._data, target))
    check(lambda t: t.expand(new), x, np.broadcast_to(x._data, target))


def test_expand_gradient_sums_over_the_copies():
    x = mt.tensor([[1.0], [2.0]], requires_grad=True)
    x.expand(2, 3).sum().backward()
    np.testing.assert_array_equal(x.grad, [[3.0], [3.0]])


def test_expand_to_an_incompatible_shape_raises():
    with pytest.raises(mt.ShapeError, match="expand"):
        mt.randn(3, 2).expand(3, 4)
    with pytest.raises(mt.ShapeError, match="new leading dimension"):
        mt.randn(3).expand(-1, 3)


# ------------------------------------------------------------------------------ out of range
@pytest.mark.parametrize(
    "call",
    [
        lambda x: x.transpose(0, 2),
        lambda x: x.transpose(-3, 0),
        lambda x: x.squeeze(2),
        lambda x: x.squeeze(-3),
        lambda x: x.unsqueeze(3),
        lambda x: x.unsqueeze(-4),
        lambda x: x.flatten(0, 2),
        lambda x: x.flatten(-3),
        lambda x: mt.cat([x, x], dim=2),
        lambda x: mt.cat([x, x], dim=-3),
        lambda x: mt.stack([x, x], dim=3),
        lambda x: mt.stack([x, x], dim=-4),
    ],
)
def test_out_of_range_dim_raises_index_error(call):
    with pytest.raises(IndexError, match="out of range"):
        call(mt.randn(2, 3))


# ------------------------------------------------------------------------------------ indexing
BASIC_INDICES = [
    (1,),
    (-1,),
    (slice(1, None),),
    (slice(None, None, 2),),
    (slice(None), 1),
    (Ellipsis, 2),
    (None, 0),
    (slice(0, 2), slice(1, 3), 0),
    (1, slice(None, None, -1)),
]


@pytest.mark.parametrize("index", BASIC_INDICES, ids=str)
def test_basic_indexing(index):
    x = leaf(3, 4, 5)
    check(lambda t: t[index], x, x._data[index])


ADVANCED_INDICES = [
    ("int list", [0, 2]),
    ("repeated ints", [0, 0, 2, 0]),
    ("int array", np.array([2, -1, 1])),
    ("2-d int array", np.array([[0, 1], [1, 1]])),
    ("tuple of arrays", (np.array([0, 1, 1]), np.array([2, 2, 0]))),
    ("slice and array", (slice(None), [3, 3, 0])),
    ("array, slice, array", ([0, 2], slice(1, 3), [4, 4])),
]


@pytest.mark.parametrize("label,index", ADVANCED_INDICES, ids=[a[0] for a in ADVANCED_INDICES])
def test_advanced_indexing(label, index):
    x = leaf(3, 4, 5)
    check(lambda t: t[index], x, x._data[index if not isinstance(index, list) else np.array(index)])


def test_boolean_mask_indexing():
    x = leaf(3, 4)
    mask = x._data > 0
    check(lambda t: t[mask], x, x._data[mask])
    check(lambda t: t[mt.tensor(mask)], x, x._data[mask])
    rows = np.array([True, False, True])
    check(lambda t: t[rows], x, x._data[rows])
    check(lambda t: t[:, [True, False, False, True]], x, x._data[:, [True, False, False, True]])


def test_mask_from_a_comparison_of_the_tensor_itself():
    x = mt.tensor([-1.0, 2.0, -3.0, 4.0], requires_grad=True)
    y = x[x > 0]
    np.testing.assert_array_equal(y._data, [2.0, 4.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0, 0.0, 1.0])


def test_tensor_indices():
    x = leaf(4, 3)
    idx = mt.tensor([3, 0, 3])
    check(lambda t: t[idx], x, x._data[[3, 0, 3]])
    check(lambda t: t[idx, mt.tensor([0, 1, 2])], x, x._data[[3, 0, 3], [0, 1, 2]])
    check(lambda t: t[mt.tensor(2)], x, x._data[2])


def test_repeated_indices_accumulate_their_gradient():
    x = mt.zeros(4, requires_grad=True)
    x[[0, 0, 2, 0, 2]].sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 0.0, 2.0, 0.0])
    w = mt.zeros(3, 2, requires_grad=True)  # an embedding lookup with a repeated token
    (w[mt.tensor([1, 1, 2])] * mt.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])).sum().backward()
    np.testing.assert_array_equal(w.grad, [[0, 0], [4, 6], [5, 6]])


def test_index_out_of_bounds_names_the_shape():
    with pytest.raises(IndexError, match=r"shape \(3, 4\)"):
        mt.randn(3, 4)[5]


def test_iterating_gives_rows_with_gradient():
    x = leaf(3, 2)
    rows = list(x)
    assert len(rows) == 3
    np.testing.assert_array_equal(rows[1]._data, x._data[1])
    sum(r.sum() * (i + 1) for i, r in enumerate(rows)).backward()
    np.testing.assert_array_equal(x.grad, [[1, 1], [2, 2], [3, 3]])


def test_setitem_needs_no_grad_for_tensors_requiring_grad():
    x = mt.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="no_grad"):
        x[0] = 1.0
    with mt.no_grad():
        x[mt.tensor([0, 2])] = mt.tensor([1.0, 3.0])
    np.testing.assert_array_equal(x._data, [1.0, 0.0, 3.0])
    y = mt.zeros(2, 2)
    y[:, 1] = 5.0
    np.testing.assert_array_equal(y._data, [[0, 5], [0, 5]])


def test_setitem_of_a_value_requiring_grad_is_recorded():
    # As in PyTorch: the assignment is part of the graph; the overwritten slot gets no gradient.
    y, w = mt.zeros(3), mt.tensor(1.0, requires_grad=True)
    y[0] = w * 2
    assert y.requires_grad
    (y * mt.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert w.grad.item() == 2.0
    x = mt.ones(3, requires_grad=True)
    z = x * 1
    z[1] = w
    z.sum().backward()
    np.testing.assert_array_equal(x.grad._data, [1.0, 0.0, 1.0])
    assert w.grad.item() == 3.0


# ---------------------------------------------------------------------------------- cat / stack
@pytest.mark.parametrize("dim", [0, 1, 2, -1, -3])
def test_cat(dim):
    sizes = [1, 3, 2]
    xs = []
    for n in sizes:
        shape = [2, 3, 4]
        shape[dim] = n
        xs.append(leaf(*shape))
    out = mt.cat(xs, dim=dim)
    np.testing.assert_array_equal(out._data, np.concatenate([x._data for x in xs], axis=dim))
    np.testing.assert_array_equal(mt.concatenate(xs, dim)._data, out._data)
    assert gradcheck(lambda *ts: mt.cat(ts, dim=dim), xs)


@pytest.mark.parametrize("dim", [0, 1, 2, -1, -3])
def test_stack(dim):
    xs = [leaf(2, 3) for _ in range(3)]
    out = mt.stack(xs, dim=dim)
    np.testing.assert_array_equal(out._data, np.stack([x._data for x in xs], axis=dim))
    assert gradcheck(lambda *ts: mt.stack(ts, dim=dim), xs)


def test_cat_and_stack_with_a_constant_input():
    a, b = leaf(2), mt.ones(3, dtype=mt.float64)
    mt.cat([a, b]).sum().backward()
    np.testing.assert_array_equal(a.grad, [1, 1])
    assert b.grad is None
    c = leaf(2)
    (mt.stack([c, mt.zeros(2, dtype=mt.float64)]) * 2).sum().backward()
    np.testing.assert_array_equal(c.grad, [2, 2])


def test_cat_shape_mismatch_raises():
    with pytest.raises(mt.ShapeError, match=r"cat.*\(2, 3\).*\(2, 4\)"):
        mt.cat([mt.randn(2, 3), mt.randn(2, 4)], dim=0)
    with pytest.raises(mt.ShapeError, match="number of dimensions"):
        mt.cat([mt.randn(2, 3), mt.randn(3)])


def test_stack_shape_mismatch_raises():
    with pytest.raises(mt.ShapeError, match="equal size"):
        mt.stack([mt.randn(2, 3), mt.randn(3, 2)])


def test_cat_and_stack_of_nothing_raise():
    with pytest.raises(ValueError, match="non-empty"):
        mt.cat([])
    with pytest.raises(ValueError, match="non-empty"):
        mt.stack([])
