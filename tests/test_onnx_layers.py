"""Every built-in layer and container, exported with each of its options, run in ONNX Runtime
with two batch sizes and compared with minitorch_es (float32, max abs difference <= 1e-5)."""

from collections import OrderedDict

import numpy as np
import pytest
from onnx_helpers import check, op_types, with_statistics

import minitorch_es as mt

nn = mt.nn


def images(rng, n=2, c=3, h=9, w=8):
    return rng.normal(size=(n, c, h, w)).astype(np.float32)


@pytest.mark.parametrize(
    "options",
    [{}, {"bias": False}, {"activation": "relu"}, {"activation": {"name": "elu", "config": {}}}],
)
def test_linear(rng, options):
    x = rng.normal(size=(4, 5)).astype(np.float32)
    proto = check(nn.Linear(5, 3, **options), x)
    assert op_types(proto)[0] == "Gemm"


def test_linear_on_more_dimensions_and_on_a_vector(rng):
    check(nn.Linear(5, 3), rng.normal(size=(2, 4, 5)).astype(np.float32))
    check(nn.Linear(5, 3), rng.normal(size=(5,)).astype(np.float32), dynamic=False)


CONV_OPTIONS = [
    {},
    {"stride": 2},
    {"stride": (2, 1), "padding": (1, 2)},
    {"padding": "same", "dilation": 2},
    {"padding": "valid", "bias": False},
    {"groups": 3, "padding": 1},
    {"padding": 2, "padding_mode": "reflect"},
    {"padding": (1, 2), "padding_mode": "replicate"},
    {"padding": 1, "padding_mode": "circular"},
    {"activation": "tanh"},
]


@pytest.mark.parametrize("options", CONV_OPTIONS)
def test_conv2d(rng, options):
    check(nn.Conv2d(3, 6, 3, **options), images(rng))


def test_conv2d_circular_padding_before_opset_19_and_unbatched_input(rng):
    layer = nn.Conv2d(3, 4, (3, 2), padding=1, padding_mode="circular")
    check(layer, images(rng), opset=17)
    check(layer, images(rng, n=1)[0], dynamic=False)


@pytest.mark.parametrize(
    "options",
    [
        {"kernel_size": 2},
        {"kernel_size": 3, "stride": 2, "padding": 1},
        {"kernel_size": (3, 2), "stride": 1, "dilation": (2, 1)},
        {"kernel_size": 3, "stride": 2, "ceil_mode": True},
        {"kernel_size": 2, "stride": 2, "padding": 1, "ceil_mode": True},
    ],
)
def test_max_pool(rng, options):
    check(nn.MaxPool2d(**options), images(rng))


@pytest.mark.parametrize(
    "options",
    [
        {"kernel_size": 2},
        {"kernel_size": 3, "stride": 2, "padding": 1},
        {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False},
        {"kernel_size": 3, "stride": 2, "ceil_mode": True},
        {"kernel_size": 2, "padding": 1, "ceil_mode": True, "count_include_pad": False},
        {"kernel_size": (2, 3), "divisor_override": 5},
    ],
)
def test_avg_pool(rng, options):
    check(nn.AvgPool2d(**options), images(rng))


@pytest.mark.parametrize("size", [1, (3, 2), (None, 3), (9, 8)])
def test_adaptive_avg_pool(rng, size):
    check(nn.AdaptiveAvgPool2d(size), images(rng))


@pytest.mark.parametrize("shape", [(4, 3), (4, 3, 5)])
def test_batch_norm_1d(rng, shape):
    proto = check(with_statistics(nn.BatchNorm1d(3), rng), rng.normal(size=shape).astype("f"))
    assert op_types(proto) == ["BatchNormalization"]


def test_batch_norm_2d_with_and_without_affine(rng):
    check(with_statistics(nn.BatchNorm2d(3), rng), images(rng))
    check(with_statistics(nn.BatchNorm2d(3, affine=False), rng), images(rng))


def test_batch_norm_without_running_statistics_uses_the_batch_in_eval_mode(rng):
    layer = nn.BatchNorm2d(3, track_running_stats=False)
    layer.weight.data[...] = rng.normal(size=3)
    check(layer, images(rng, n=4))


@pytest.mark.parametrize(
    "args, shape",
    [((6,), (4, 6)), ((6,), (2, 3, 6)), ((3, 6), (2, 3, 6))],
)
@pytest.mark.parametrize("options", [{}, {"elementwise_affine": False}, {"bias": False}])
def test_layer_norm(rng, args, shape, options):
    layer = nn.LayerNorm(args, **options)
    if layer.weight is not None:
        layer.weight.data[...] = rng.normal(size=args)
    check(layer, rng.normal(size=shape).astype(np.float32))


def test_normalization_before_opset_17_is_the_formula(rng):
    proto = check(nn.LayerNorm(6), rng.normal(size=(4, 6)).astype("f"), opset=13)
    assert "LayerNormalization" not in op_types(proto)


def test_dropout_is_the_identity(rng):
    model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))
    model.train()
    proto = check(model, rng.normal(size=(3, 4)).astype(np.float32))
    assert op_types(proto) == ["Gemm"]
    assert model.training  # the model's own mode is restored


@pytest.mark.parametrize("padding_idx", [None, 1])
def test_embedding(rng, padding_idx):
    layer = nn.Embedding(10, 4, padding_idx=padding_idx)
    proto = check(layer, rng.integers(0, 10, size=(3, 5)))
    assert op_types(proto) == ["Gather"]


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0])
def test_embedding_with_max_norm_renorms_in_the_graph(rng, norm_type):
    layer = nn.Embedding(10, 4, max_norm=1.5, norm_type=norm_type)
    with mt.no_grad():
        layer.weight.mul_(5)  # every row far above max_norm
    traced = rng.integers(0, 3, size=(3, 2))  # the trace renorms rows 0-2 in the table ...
    unseen = rng.integers(3, 10, size=(4, 2))  # ... the graph must renorm the others itself
    proto = check(layer, traced, others=(unseen,))
    assert "Where" in op_types(proto)
    looked_up = layer.weight.numpy(force=True)[np.unique(unseen)]
    norms = np.linalg.norm(looked_up, ord=norm_type, axis=1)
    assert (norms <= 1.5 + 1e-5).all()  # minitorch_es renormed them in its lookup


def test_functional_embedding_in_a_forward(rng):
    class Lookup(nn.Module):
        def __init__(self):
            super().__init__()
            self.table = nn.Parameter(mt.randn(10, 3))

        def forward(self, idx):
            return nn.functional.embedding(idx, self.table) * 2

    check(Lookup(), rng.integers(0, 10, size=(4, 2)))


def test_flatten_unflatten_identity(rng):
    model = nn.Sequential(
        nn.Identity(), nn.Flatten(), nn.Unflatten(1, (3, 9, -1)), nn.Flatten(2, 3), nn.Flatten(0, 1)
    )
    check(model, images(rng))  # the last Flatten merges the batch: its size is inferred
    model = nn.Sequential(nn.Flatten(), nn.Unflatten(1, (3, 72)), nn.Identity())
    proto = check(model, images(rng))
    assert op_types(proto) == ["Reshape", "Reshape"]


def test_containers(rng):
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = nn.ModuleList([nn.Linear(4, 4), nn.Linear(4, 4)])
            self.heads = nn.ModuleDict({"a": nn.Linear(4, 2), "b": nn.Linear(4, 3)})
            self.tail = nn.Sequential(OrderedDict(act=nn.ReLU(), out=nn.Linear(4, 1)))

        def forward(self, x):
            for block in self.blocks:
                x = nn.functional.relu(block(x))
            return self.heads["a"](x), self.heads["b"](x), self.tail(x)

    proto = check(Net(), rng.normal(size=(3, 4)).astype(np.float32))
    assert [o.name for o in proto.graph.output] == ["output_0", "output_1", "output_2"]
    names = [i.name for i in proto.graph.initializer]
    assert {"blocks.0.weight", "heads.b.bias", "tail.out.weight"} <= set(names)
