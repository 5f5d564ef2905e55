"""Shape ops (split, chunk, tensor_split, unbind, narrow, select, repeat, tile,
repeat_interleave, flip, roll, rot90, movedim, swapaxes, unflatten, expand_as, stacking,
meshgrid, broadcasting) against PyTorch; gradients twice."""

import numpy as np
import pytest
from op_parity import check_against_torch, check_derivatives

import minitorch_es as mt

R = np.random.default_rng(9)
X = R.standard_normal((4, 5))
X3 = R.standard_normal((2, 3, 4))
V = R.standard_normal(3)
W = R.standard_normal(4)

CASES = {
    "split": (lambda lib, x: lib.split(x, 2, 1), [X]),
    "split_sizes": (lambda lib, x: x.split([1, 3], dim=0), [X]),
    "chunk": (lambda lib, x: lib.chunk(x, 3, 1), [X]),
    "chunk_fewer": (lambda lib, x: x.chunk(4, 1), [X[:, :3]]),
    "tensor_split": (lambda lib, x: lib.tensor_split(x, 3, dim=1), [X]),
    "tensor_split_indices": (lambda lib, x: x.tensor_split([1, 4], 1), [X]),
    "tensor_split_tensor": (lambda lib, x: x.tensor_split(lib.tensor([2, 9]), 1), [X]),
    "unbind": (lambda lib, x: lib.unbind(x, 1), [X3]),
    "narrow": (lambda lib, x: lib.narrow(x, 1, 1, 3), [X]),
    "narrow_negative": (lambda lib, x: x.narrow(0, -2, 2), [X]),
    "select": (lambda lib, x: lib.select(x, 2, -1), [X3]),
    "repeat": (lambda lib, x: x.repeat(2, 1, 3), [X]),
    "repeat_vector": (lambda lib, v: v.repeat(2), [V]),
    "tile": (lambda lib, x: lib.tile(x, (2,)), [X]),
    "tile_more": (lambda lib, v: v.tile(2, 1, 2), [V]),
    "repeat_interleave": (lambda lib, x: lib.repeat_interleave(x, 2), [X]),
    "repeat_interleave_dim": (
        lambda lib, x: x.repeat_interleave(lib.tensor([1, 0, 2, 1]), dim=0),
        [X],
    ),
    "flip": (lambda lib, x: lib.flip(x, [0, 2]), [X3]),
    "flip_method": (lambda lib, x: x.flip(1), [X]),
    "fliplr": (lambda lib, x: lib.fliplr(x), [X]),
    "flipud": (lambda lib, x: x.flipud(), [X]),
    "roll": (lambda lib, x: lib.roll(x, 2), [X]),
    "roll_dims": (lambda lib, x: x.roll((1, -2), (0, 1)), [X]),
    "rot90": (lambda lib, x: lib.rot90(x), [X]),
    "rot90_k2": (lambda lib, x: x.rot90(2, [1, 2]), [X3]),
    "rot90_k3": (lambda lib, x: lib.rot90(x, -1), [X]),
    "movedim": (lambda lib, x: lib.movedim(x, (0, 1), (2, 0)), [X3]),
    "moveaxis": (lambda lib, x: x.moveaxis(-1, 0), [X3]),
    "swapaxes": (lambda lib, x: lib.swapaxes(x, 0, 2), [X3]),
    "swapdims": (lambda lib, x: x.swapdims(1, 2), [X3]),
    "unflatten": (lambda lib, x: lib.unflatten(x, 2, (2, -1)), [X3]),
    "expand_as": (lambda lib, v, x: v.expand_as(x), [V, X3[0].T.copy()]),
    "broadcast_to": (lambda lib, v: lib.broadcast_to(v, (2, 3)), [V]),
    "broadcast_tensors": (lambda lib, v, w: lib.broadcast_tensors(v[:, None], w), [V, W]),
    "cat": (lambda lib, x, y: lib.cat([x, y], 1), [X3, X3]),
    "concat_empty": (lambda lib, x: lib.concat([x, lib.zeros(0, dtype=x.dtype), x]), [X]),
    "stack": (lambda lib, v, w: lib.stack([v, w[:3]], 1), [V, W]),
    "hstack": (lambda lib, v, w: lib.hstack([v, w]), [V, W]),
    "hstack_matrices": (lambda lib, x: lib.hstack([x, x[:, :2]]), [X]),
    "vstack": (lambda lib, v, w: lib.vstack([v, w[:3]]), [V, W]),
    "row_stack": (lambda lib, x, v: lib.row_stack([x, v]), [X[:, :3], V]),
    "dstack": (lambda lib, v, w: lib.dstack([v, w[:3]]), [V, W]),
    "column_stack": (lambda lib, v, x: lib.column_stack([v, x]), [V, X[:3]]),
    "atleast_3d": (lambda lib, x: lib.atleast_3d(x), [X]),
    "meshgrid_ij": (lambda lib, v, w: lib.meshgrid(v, w, indexing="ij"), [V, W]),
    "meshgrid_xy": (lambda lib, v, w: lib.meshgrid(v, w, indexing="xy"), [V, W]),
    "meshgrid_three": (lambda lib, v, w: lib.meshgrid(v, w, v[:2], indexing="xy"), [V, W]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_matches_pytorch_and_differentiates_twice(name):
    fn, arrays = CASES[name]
    check_against_torch(f"shape_{name}", fn, arrays)
    check_derivatives(fn, arrays)


def test_cat_promotes_dtypes_as_pytorch():
    fn = lambda lib, a, b: lib.cat([a, b])  # noqa: E731
    check_against_torch(
        "shape_cat_promotion", fn, [np.array([1, 2]), np.float32([0.5])], grad=False
    )
    fn = lambda lib, a, b: lib.stack([a, b])  # noqa: E731
    check_against_torch(
        "shape_stack_promotion", fn, [np.float32([1, 2]), np.array([0.5, 1])], grad=False
    )


def test_flip_is_a_copy_as_pytorch():
    x = mt.arange(4)
    y = x.flip(0)
    y[0] = 100
    assert x.tolist() == [0, 1, 2, 3]


def test_meshgrid_default_indexing_is_ij():
    a, b = mt.meshgrid(mt.arange(2), mt.arange(3))
    assert a.shape == (2, 3) and b.tolist() == [[0, 1, 2], [0, 1, 2]]


def test_repeat_interleave_of_counts_alone():
    assert mt.repeat_interleave(mt.tensor([2, 1])).tolist() == [0, 0, 1]


@pytest.mark.parametrize(
    "call,error,match",
    [
        (lambda: mt.ones(10).split([2, 3]), RuntimeError, "sum exactly to 10"),
        (lambda: mt.ones(10).chunk(0), RuntimeError, "greater than 0"),
        (lambda: mt.ones(10).tensor_split(0), RuntimeError, "larger than 0"),
        (lambda: mt.ones(10).narrow(0, 8, 5), RuntimeError, "exceeds dimension size"),
        (lambda: mt.ones(10).narrow(0, 11, 0), IndexError, "out of range"),
        (lambda: mt.ones(2, 3).select(1, 3), IndexError, "out of range"),
        (lambda: mt.tensor(1.0).unbind(), mt.ShapeError, "0-d tensor"),
        (lambda: mt.ones(2, 3).repeat(2), RuntimeError, "can not be smaller"),
        (lambda: mt.ones(2).repeat(-1), RuntimeError, "non-negative"),
        (lambda: mt.ones(3).repeat_interleave(mt.tensor([1, 2])), RuntimeError, "same size"),
        (lambda: mt.ones(3).repeat_interleave(1.5), RuntimeError, "non-negative integers"),
        (lambda: mt.ones(2, 2).flip(0, 0), RuntimeError, "more than once"),
        (lambda: mt.ones(2, 2).roll((1, 2), 0), RuntimeError, "must align"),
        (lambda: mt.ones(2, 2).roll((1, 2)), RuntimeError, "single int"),
        (lambda: mt.ones(2, 2).rot90(1, (0, 0)), RuntimeError, "different"),
        (lambda: mt.ones(2, 2).rot90(1, (0,)), RuntimeError, "dims == 2"),
        (lambda: mt.ones(2).fliplr(), mt.ShapeError, ">= 2-d"),
        (lambda: mt.ones(2, 3).movedim((0, 1), 0), RuntimeError, "same number of dims"),
        (lambda: mt.ones(2, 3).movedim((0, 0), (1, 0)), RuntimeError, "repeated dim"),
        (lambda: mt.meshgrid(mt.ones(2, 2)), RuntimeError, "0-D or 1-D"),
        (lambda: mt.meshgrid(mt.ones(2), indexing="yx"), ValueError, "indexing"),
        (lambda: mt.broadcast_shapes((2,), (3,)), RuntimeError, "Shape mismatch"),
        (lambda: mt.cat(mt.ones(2)), TypeError, "single Tensor"),
        (lambda: mt.cat([]), ValueError, "non-empty"),
    ],
)
def test_errors_say_what_was_expected(call, error, match):
    with pytest.raises(error, match=match):
        call()
