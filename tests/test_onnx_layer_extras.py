"""The padding layers, Upsample, Unfold/Fold, GroupNorm, channel dropout, pixel shuffling and
Hardsigmoid/Hardswish/GLU exported, run in ONNX Runtime with two batch sizes and compared with
minitorch_es (float32, max abs difference <= 1e-5)."""

import numpy as np
import pytest
from onnx_helpers import check, op_types

import minitorch_es as mt

nn = mt.nn


def images(rng, n=2, c=4, h=5, w=6):
    return rng.normal(size=(n, c, h, w)).astype(np.float32)


PADDING = [
    nn.ZeroPad2d((1, 2, 0, 1)),
    nn.ConstantPad1d((2, -1), 1.5),
    nn.ConstantPad3d(1, -2.0),
    nn.ReflectionPad2d((2, 1, 1, 3)),
    nn.ReplicationPad1d(3),
    nn.CircularPad2d((1, 2, 2, 1)),
    nn.ReflectionPad3d(1),
    nn.ZeroPad1d((2, 1)),
    nn.ZeroPad3d((1, 0, 0, 1, 1, 1)),
    nn.ConstantPad2d((0, 2, 1, 0), 0.5),
    nn.ReflectionPad1d((1, 2)),
    nn.ReplicationPad2d((1, 0, 2, 1)),
    nn.ReplicationPad3d(1),
    nn.CircularPad1d((2, 1)),
    nn.CircularPad3d(1),
]


@pytest.mark.parametrize("layer", PADDING, ids=repr)
def test_padding_layers(layer, rng):
    shape = {1: (2, 4, 6), 2: (2, 3, 5, 6), 3: (2, 2, 3, 4, 5)}[layer.dims]
    check(layer, rng.normal(size=shape).astype(np.float32))


@pytest.mark.parametrize(
    "layer",
    [
        nn.Upsample(scale_factor=2),
        nn.Upsample(size=(7, 4), mode="nearest-exact"),
        nn.Upsample(scale_factor=1.5, mode="bilinear"),
        nn.Upsample(size=(3, 9), mode="bicubic", align_corners=True),
        nn.Upsample(size=(2, 3), mode="area"),
        nn.UpsamplingNearest2d(scale_factor=3),
        nn.UpsamplingBilinear2d(size=(8, 8)),
    ],
    ids=repr,
)
def test_upsample(layer, rng):
    check(layer, images(rng))


def test_nearest_upsampling_is_gathers_and_linear_is_matrix_products(rng):
    assert set(op_types(check(nn.Upsample(scale_factor=2), images(rng)))) == {"Gather"}
    ops = op_types(check(nn.Upsample(size=(3, 4), mode="bilinear"), images(rng)))
    assert "MatMul" in ops and "Gather" not in ops


def test_unfold_and_fold(rng):
    check(nn.Unfold((2, 3), dilation=(1, 2), padding=1, stride=2), images(rng))
    columns = rng.normal(size=(2, 3 * 4, 20)).astype(np.float32)
    proto = check(nn.Fold((5, 6), 2), columns)
    assert op_types(proto) == ["Col2Im"]
    with pytest.raises(mt.onnx.ExportError, match="opset_version >= 18"):
        check(nn.Fold((5, 6), 2), columns, opset=17)


def test_group_norm_and_channel_layers(rng):
    norm = nn.GroupNorm(2, 4)
    norm.weight.data[...] = rng.normal(size=4)
    norm.bias.data[...] = rng.normal(size=4)
    check(norm, images(rng))
    check(nn.GroupNorm(4, 4, affine=False), rng.normal(size=(2, 4, 7)).astype(np.float32))
    check(nn.Sequential(nn.Dropout2d(0.5), nn.PixelShuffle(2), nn.PixelUnshuffle(2)), images(rng))
    check(nn.Dropout1d(0.5), rng.normal(size=(2, 4, 7)).astype(np.float32))
    check(nn.Dropout3d(0.5), rng.normal(size=(2, 2, 3, 4, 5)).astype(np.float32))


def test_rms_norm(rng):
    norm = nn.RMSNorm([5, 6], eps=1e-4)
    norm.weight.data[...] = rng.normal(size=(5, 6))
    check(norm, images(rng))
    check(nn.RMSNorm(7, elementwise_affine=False), rng.normal(size=(2, 4, 7)).astype(np.float32))


def test_instance_norm(rng):
    check(nn.InstanceNorm2d(4), images(rng))
    tracking = nn.InstanceNorm1d(4, affine=True, track_running_stats=True)
    tracking(mt.tensor(rng.normal(size=(3, 4, 7)).astype(np.float32)))  # running statistics
    tracking.weight.data[...] = rng.normal(size=4)
    tracking.bias.data[...] = rng.normal(size=4)
    check(tracking, rng.normal(size=(2, 4, 7)).astype(np.float32))


def test_bilinear(rng):
    class Pair(nn.Module):
        def __init__(self):
            super().__init__()
            self.bilinear = nn.Bilinear(4, 3, 2)

        def forward(self, x):
            return self.bilinear(x, x[:, :3] * 2)

    check(Pair(), rng.normal(size=(3, 4)).astype(np.float32))


def test_distances_and_normalize(rng):
    class Pair(nn.Module):
        def __init__(self):
            super().__init__()
            self.cos, self.dist = nn.CosineSimilarity(dim=1), nn.PairwiseDistance(p=1.0)

        def forward(self, x):
            y = nn.functional.normalize(x * x - 0.5, p=3.0)
            return self.cos(x, y) + self.dist(x, y)

    check(Pair(), rng.normal(size=(3, 4)).astype(np.float32))


def test_activations_and_functional_forms(rng):
    class Net(nn.Module):
        def forward(self, x):
            x = nn.functional.pad(x, (1, 1), mode="reflect")
            x = nn.functional.interpolate(x, scale_factor=2, mode="linear")
            return nn.functional.glu(nn.functional.hardswish(x), dim=1)

    check(Net(), rng.normal(size=(2, 4, 5)).astype(np.float32) * 4)
    check(nn.Sequential(nn.Hardsigmoid(), nn.Hardswish()), images(rng) * 4)
    check(nn.Hardswish(), images(rng) * 4, opset=13)


@pytest.mark.parametrize("ord", [1.0, 2.0, 0.5, float("inf"), -float("inf"), 0.0])
def test_vector_norms(ord, rng):
    class Norm(nn.Module):
        def forward(self, x):
            return mt.linalg.vector_norm(x, ord, dim=(1, 2), keepdim=ord > 1)

    x = rng.normal(size=(2, 3, 4)).astype(np.float32) * 0.1  # norms of order 1 in float32
    x[0, 0, :2] = 0.0
    check(Norm(), x)


@pytest.mark.parametrize(
    "layer,shape",
    [
        (nn.Conv1d(4, 6, 3, padding=1), (2, 4, 9)),
        (nn.Conv1d(4, 6, 2, stride=2, groups=2, padding="valid", bias=False), (2, 4, 9)),
        (nn.Conv1d(4, 2, 3, padding="same", padding_mode="reflect"), (2, 4, 7)),
        (nn.ConvTranspose2d(4, 3, 3, stride=2, padding=1, output_padding=1), (2, 4, 5, 6)),
        (nn.ConvTranspose2d(4, 6, (2, 3), stride=(1, 2), dilation=2, groups=2), (2, 4, 3, 4)),
        (nn.ConvTranspose2d(4, 3, 2, stride=3, output_padding=2), (2, 4, 3, 3)),
        (nn.ConvTranspose1d(4, 2, 3, stride=2, padding=1, output_padding=1), (2, 4, 7)),
    ],
    ids=repr,
)
def test_convolutions(layer, shape, rng):
    check(layer, rng.normal(size=shape).astype(np.float32))
