"""Second derivatives of every layer: gradgradcheck over the registered catalog (each option,
with respect to the input and the parameters), and first and second derivatives against
PyTorch's in float64."""

import numpy as np
import pytest
from higher_order import builtin_names, check_against_torch, with_parameters

import minitorch_es as mt
from minitorch_es.autograd import gradcheck, gradgradcheck
from minitorch_es_plugins.layers.padding import pad2d

nn = mt.nn
functional = nn.functional


def data(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def eval_mode(module):
    module.eval()
    module.running_mean[...] = data(module.num_features, seed=9)
    module.running_var[...] = np.abs(data(module.num_features, seed=10)) + 0.5
    return module


INDICES = np.array([[0, 3, 3], [5, 0, 1]])


class Adapter(nn.Module):
    """Calls a layer the way gradcheck can check it: one Tensor in, a Tensor (or a flat tuple
    of Tensors) out — self-attention and a decoder reading its own input as memory."""

    def __init__(self, layer, call):
        super().__init__()
        self.layer, self.call = layer, call

    def forward(self, x):
        return self.call(self.layer, x)


def flat(out):
    """(output, h) or (output, (h, c)) as a flat tuple."""
    items = []
    for o in out if isinstance(out, tuple) else (out,):
        items.extend(o if isinstance(o, tuple) else (o,))
    return tuple(items)


def sequence(layer):
    return Adapter(layer, lambda m, x: flat(m(x)))


def small_transformer(cls, **kw):
    options = dict(d_model=2, nhead=1, dim_feedforward=2, dropout=0.0, dtype=mt.float64)
    return cls(**options, **kw)


# name: (Module in float64, its input, whether the input is differentiable, reseed per call)
CATALOG = {
    "Linear": (nn.Linear(4, 3, dtype=mt.float64), data(2, 4), True),
    "NonDynamicallyQuantizableLinear": (
        nn.NonDynamicallyQuantizableLinear(4, 3, dtype=mt.float64),
        data(2, 4),
        True,
    ),
    "Linear-3d-nobias-tanh": (
        nn.Linear(4, 3, bias=False, dtype=mt.float64, activation="tanh"),
        data(2, 2, 4),
        True,
    ),
    "BatchNorm1d": (nn.BatchNorm1d(3, dtype=mt.float64), data(4, 3), True),
    "BatchNorm1d-3d-noaffine": (
        nn.BatchNorm1d(3, affine=False, dtype=mt.float64),
        data(3, 3, 2),
        True,
    ),
    "BatchNorm1d-eval": (eval_mode(nn.BatchNorm1d(3, dtype=mt.float64)), data(4, 3), True),
    "BatchNorm2d": (nn.BatchNorm2d(2, dtype=mt.float64), data(2, 2, 3, 2), True),
    "BatchNorm2d-no-running-stats": (
        nn.BatchNorm2d(2, track_running_stats=False, dtype=mt.float64).eval(),
        data(2, 2, 2, 3),
        True,
    ),
    "Conv2d": (nn.Conv2d(2, 3, 3, dtype=mt.float64), data(2, 2, 5, 4), True),
    "Conv2d-strided-padded-dilated": (
        nn.Conv2d(2, 2, (2, 3), stride=(2, 1), padding=(1, 2), dilation=(1, 2), dtype=mt.float64),
        data(2, 2, 5, 6),
        True,
    ),
    "Conv2d-groups-nobias-same": (
        nn.Conv2d(4, 2, 3, padding="same", groups=2, bias=False, dtype=mt.float64),
        data(1, 4, 4, 5),
        True,
    ),
    "Conv2d-reflect-unbatched": (
        nn.Conv2d(1, 2, 3, padding=1, padding_mode="reflect", dtype=mt.float64),
        data(1, 4, 4),
        True,
    ),
    "MaxPool2d": (nn.MaxPool2d(2), data(2, 2, 4, 5), True),
    "MaxPool2d-overlapping-padded-ceil": (
        nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True),
        data(1, 2, 6, 5),
        True,
    ),
    "MaxPool2d-dilated": (nn.MaxPool2d((2, 3), stride=1, dilation=(2, 1)), data(1, 2, 5, 5), True),
    "AvgPool2d": (nn.AvgPool2d(2), data(2, 2, 4, 5), True),
    "AvgPool2d-padded-ceil-uncounted": (
        nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
        data(1, 2, 6, 5),
        True,
    ),
    "AvgPool2d-divisor": (nn.AvgPool2d((2, 3), divisor_override=4), data(1, 2, 4, 6), True),
    "AdaptiveAvgPool2d": (nn.AdaptiveAvgPool2d((2, 3)), data(2, 2, 5, 7), True),
    "AdaptiveAvgPool2d-global": (nn.AdaptiveAvgPool2d(1), data(2, 3, 3, 4), True),
    "LayerNorm": (nn.LayerNorm(4, dtype=mt.float64), data(3, 4), True),
    "LayerNorm-2d-nobias": (
        nn.LayerNorm((2, 3), bias=False, dtype=mt.float64),
        data(2, 2, 3),
        True,
    ),
    "LayerNorm-noaffine": (nn.LayerNorm(3, elementwise_affine=False), data(2, 2, 3), True),
    "Embedding": (nn.Embedding(6, 3, dtype=mt.float64), INDICES, False),
    "Embedding-padding": (nn.Embedding(6, 3, padding_idx=3, dtype=mt.float64), INDICES, False),
    "Dropout": (nn.Dropout(0.4), data(3, 4), True),
    "Flatten": (nn.Flatten(), data(2, 3, 2), True),
    "Unflatten": (nn.Unflatten(1, (2, 2)), data(3, 4), True),
    "Identity": (nn.Identity(), data(3, 2), True),
    "RNN": (sequence(nn.RNN(3, 2, dtype=mt.float64)), data(2, 1, 3), True),
    "RNN-relu-bidirectional": (
        sequence(nn.RNN(3, 2, nonlinearity="relu", bidirectional=True, dtype=mt.float64)),
        data(2, 1, 3),
        True,
    ),
    "LSTM": (sequence(nn.LSTM(3, 2, dtype=mt.float64)), data(2, 1, 3), True),
    "LSTM-proj-batch-first": (
        sequence(nn.LSTM(2, 3, proj_size=2, batch_first=True, dtype=mt.float64)),
        data(1, 2, 2),
        True,
    ),
    "GRU": (sequence(nn.GRU(3, 2, dtype=mt.float64)), data(2, 1, 3), True),
    "RNNCell": (sequence(nn.RNNCell(3, 2, dtype=mt.float64)), data(2, 3), True),
    "LSTMCell": (sequence(nn.LSTMCell(3, 2, dtype=mt.float64)), data(2, 3), True),
    "GRUCell": (sequence(nn.GRUCell(3, 2, dtype=mt.float64)), data(2, 3), True),
    "MultiheadAttention": (
        Adapter(
            nn.MultiheadAttention(4, 2, dtype=mt.float64),
            lambda m, x: m(x, x, x, need_weights=False)[0],
        ),
        data(2, 1, 4),
        True,
    ),
    "TransformerEncoderLayer": (
        small_transformer(nn.TransformerEncoderLayer, norm_first=True),
        data(2, 1, 2),
        True,
    ),
    "TransformerEncoder": (
        nn.TransformerEncoder(small_transformer(nn.TransformerEncoderLayer), num_layers=1),
        data(2, 1, 2),
        True,
    ),
    "TransformerDecoderLayer": (
        Adapter(small_transformer(nn.TransformerDecoderLayer), lambda m, x: m(x, x)),
        data(2, 1, 2),
        True,
    ),
    "TransformerDecoder": (
        Adapter(
            nn.TransformerDecoder(small_transformer(nn.TransformerDecoderLayer), num_layers=1),
            lambda m, x: m(x, x),
        ),
        data(2, 1, 2),
        True,
    ),
    "Transformer": (
        Adapter(
            small_transformer(nn.Transformer, num_encoder_layers=1, num_decoder_layers=1),
            lambda m, x: m(x, x),
        ),
        data(2, 1, 2),
        True,
    ),
    "Sequential": (
        nn.Sequential(
            nn.Linear(3, 4, dtype=mt.float64),
            nn.LayerNorm(4, dtype=mt.float64),
            nn.SiLU(),
            nn.ModuleList([nn.Linear(4, 2, dtype=mt.float64)])[0],
        ),
        data(2, 3),
        True,
    ),
    "Sequential-cnn": (
        nn.Sequential(
            nn.Conv2d(1, 2, 3, padding=1, dtype=mt.float64),
            nn.BatchNorm2d(2, dtype=mt.float64),
            nn.Tanh(),
            nn.MaxPool2d(2),
            nn.Conv2d(2, 2, 2, dtype=mt.float64),
            nn.Flatten(),
        ),
        data(3, 1, 5, 4),
        True,
    ),
}
PADDING = {"ZeroPad": (), "ConstantPad": (0.5,), "ReflectionPad": (), "ReplicationPad": ()}
PADDING["CircularPad"] = ()
CATALOG.update(
    {
        f"{kind}{d}d": (getattr(nn, f"{kind}{d}d")(1, *args), data(1, 2, *(3,) * d), True)
        for kind, args in PADDING.items()
        for d in (1, 2, 3)
    }
)
CATALOG.update(
    {
        "GroupNorm": (nn.GroupNorm(2, 4, dtype=mt.float64), data(2, 4, 3), True),
        "GroupNorm-noaffine": (nn.GroupNorm(1, 2, affine=False), data(2, 2, 2, 2), True),
        "InstanceNorm1d": (
            nn.InstanceNorm1d(2, affine=True, dtype=mt.float64),
            data(2, 2, 3),
            True,
        ),
        "InstanceNorm2d": (nn.InstanceNorm2d(2), data(2, 2, 2, 2), True),
        "MaxPool1d": (nn.MaxPool1d(3, 2, 1, 2, ceil_mode=True), data(2, 2, 7), True),
        "AvgPool1d": (nn.AvgPool1d(3, 2, 1, count_include_pad=False), data(2, 2, 6), True),
        "AdaptiveAvgPool1d": (nn.AdaptiveAvgPool1d(3), data(2, 2, 5), True),
        "AdaptiveMaxPool1d": (nn.AdaptiveMaxPool1d(3), data(2, 2, 5), True),
        "AdaptiveMaxPool2d": (nn.AdaptiveMaxPool2d((2, 3)), data(1, 2, 3, 5), True),
        "LPPool1d": (nn.LPPool1d(2, 3, 2), data(2, 2, 7), True),
        "LPPool2d": (nn.LPPool2d(3, (2, 3), 1, True), np.abs(data(1, 2, 3, 4)) + 0.1, True),
        "LocalResponseNorm": (nn.LocalResponseNorm(2, 0.5), data(2, 3, 2, 2), True),
        "MaxUnpool2d": (
            Adapter(nn.MaxUnpool2d(2), lambda m, x: m(x, mt.tensor([[[[0, 3], [9, 14]]] * 2]))),
            data(1, 2, 2, 2),
            True,
        ),
        "RMSNorm": (nn.RMSNorm([2, 3], dtype=mt.float64), data(2, 2, 3), True),
        "Upsample-bicubic": (nn.Upsample(scale_factor=1.5, mode="bicubic"), data(1, 1, 3, 3), True),
        "UpsamplingNearest2d": (nn.UpsamplingNearest2d(size=(4, 5)), data(1, 2, 3, 3), True),
        "UpsamplingBilinear2d": (nn.UpsamplingBilinear2d(scale_factor=2), data(1, 1, 2, 3), True),
        "Unfold": (nn.Unfold(2, padding=1), data(1, 2, 3, 3), True),
        "Fold": (nn.Fold((3, 3), 2), data(1, 8, 4), True),
        "Dropout1d": (nn.Dropout1d(0.4), data(3, 4, 2), True),
        "Dropout2d": (nn.Dropout2d(0.4), data(2, 4, 2, 2), True),
        "Dropout3d": (nn.Dropout3d(0.4), data(4, 2, 2, 2), True),
        "PixelShuffle": (nn.PixelShuffle(2), data(1, 4, 2, 2), True),
        "PixelUnshuffle": (nn.PixelUnshuffle(2), data(1, 1, 4, 2), True),
        "CosineSimilarity": (
            Adapter(nn.CosineSimilarity(dim=-1), lambda m, x: m(x, x.flip(0))),
            data(3, 4),
            True,
        ),
        "PairwiseDistance": (
            Adapter(nn.PairwiseDistance(p=3.0), lambda m, x: m(x, x.flip(0))),
            data(3, 4),
            True,
        ),
        "Conv1d": (nn.Conv1d(2, 4, 3, padding=1, groups=2, dtype=mt.float64), data(2, 2, 5), True),
        "Conv1d-reflect": (
            nn.Conv1d(2, 2, 2, padding="same", padding_mode="reflect", dtype=mt.float64),
            data(1, 2, 4),
            True,
        ),
        "ConvTranspose1d": (
            nn.ConvTranspose1d(2, 2, 3, stride=2, output_padding=1, dtype=mt.float64),
            data(1, 2, 3),
            True,
        ),
        "ConvTranspose2d": (
            nn.ConvTranspose2d(2, 2, 2, stride=2, padding=1, output_padding=1, dtype=mt.float64),
            data(1, 2, 3, 2),
            True,
        ),
        "Bilinear": (
            Adapter(nn.Bilinear(3, 3, 2, dtype=mt.float64), lambda m, x: m(x, x * x)),
            data(2, 3),
            True,
        ),
    }
)
# Containers without a forward of their own (their members are checked in Sequential).
NOT_CALLED = {"ModuleList", "ModuleDict", "ParameterList", "ParameterDict"}


def test_the_catalog_covers_every_registered_layer():
    covered = {name.split("-")[0] for name in CATALOG}
    assert covered | NOT_CALLED == builtin_names("layer")


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_gradgradcheck(name):
    module, x, differentiable = CATALOG[name]
    fn, params = with_parameters(module, seed=0)
    x = mt.tensor(x, dtype=x.dtype, requires_grad=differentiable)
    if name != "Embedding-padding":  # by definition (PyTorch's) the padding row gets no gradient
        assert gradcheck(fn, (x, *params))
    assert gradgradcheck(fn, (x, *params))


def test_dropout_second_derivatives_are_the_mask():
    # y = x * m: d(w . dy/dx v)/dv = w * m and nothing depends on x twice.
    x = mt.tensor(data(4, 5), requires_grad=True)
    v = mt.tensor(data(4, 5, seed=1), requires_grad=True)
    mt.manual_seed(3)
    y = nn.functional.dropout(x, 0.5)
    mask = y.numpy(force=True) / x.numpy(force=True)
    (g,) = mt.autograd.grad(y, x, v, create_graph=True)
    w = data(4, 5, seed=2)
    gx, gv = mt.autograd.grad((g * mt.tensor(w)).sum(), [x, v], allow_unused=True)
    assert gx is None
    np.testing.assert_allclose(gv.numpy(), w * mask, rtol=1e-15)


# ------------------------------------------------------------------------ PyTorch
def _is_torch(F):
    return F.__name__.startswith("torch")


def _stat(F, t):  # running statistics: Tensors in PyTorch, arrays (buffers) here
    return t if _is_torch(F) else t.numpy()


def _pad(F, x, pads, mode):  # PyTorch pads (left, right, top, bottom); pad2d (top, bottom, ...)
    if _is_torch(F):
        return F.pad(x, (pads[2], pads[3], pads[0], pads[1]), mode=mode)
    return pad2d(x, pads, mode)


X4 = data(2, 3, 4, 5, seed=3)
TORCH_CALLS = {
    "linear": (
        lambda F, x, w, b: F.linear(x, w, b),
        {"x": data(2, 3, 4), "w": data(5, 4, seed=1), "b": data(5, seed=2)},
        ("x", "w", "b"),
    ),
    "batch_norm_train": (
        lambda F, x, w, b: F.batch_norm(x, None, None, w, b, training=True, eps=1e-3),
        {"x": X4, "w": data(3, seed=4), "b": data(3, seed=5)},
        ("x", "w", "b"),
    ),
    "batch_norm_1d": (
        lambda F, x, w, b: F.batch_norm(x, None, None, w, b, training=True),
        {"x": data(5, 3, seed=6), "w": data(3, seed=7), "b": data(3, seed=8)},
        ("x", "w", "b"),
    ),
    "batch_norm_eval": (
        lambda F, x, w, b, rm, rv: F.batch_norm(x, _stat(F, rm), _stat(F, rv), w, b),
        {
            "x": X4,
            "w": data(3, seed=4),
            "b": data(3, seed=5),
            "rm": data(3, seed=9),
            "rv": np.abs(data(3, seed=10)) + 0.5,
        },
        ("x", "w", "b"),
    ),
    "conv2d": (
        lambda F, x, w, b: F.conv2d(x, w, b),
        {"x": X4, "w": data(2, 3, 3, 2, seed=14), "b": data(2, seed=15)},
        ("x", "w", "b"),
    ),
    "conv2d_strided_padded_dilated": (
        lambda F, x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=(2, 1), dilation=(1, 2)),
        {"x": X4, "w": data(4, 3, 2, 2, seed=16), "b": data(4, seed=17)},
        ("x", "w", "b"),
    ),
    "conv2d_groups_nobias": (
        lambda F, x, w: F.conv2d(x, w, stride=2, padding=1, groups=2),
        {"x": data(2, 4, 5, 4, seed=18), "w": data(6, 2, 3, 3, seed=19)},
        ("x", "w"),
    ),
    "max_pool2d": (lambda F, x: F.max_pool2d(x, 2), {"x": X4}, ("x",)),
    "max_pool2d_padded_dilated_ceil": (
        lambda F, x: F.max_pool2d(x, (3, 2), (2, 1), 1, dilation=(1, 2), ceil_mode=True),
        {"x": X4},
        ("x",),
    ),
    "avg_pool2d": (lambda F, x: F.avg_pool2d(x, 2), {"x": X4}, ("x",)),
    "avg_pool2d_padded_ceil_uncounted": (
        lambda F, x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
        {"x": X4},
        ("x",),
    ),
    "avg_pool2d_divisor": (
        lambda F, x: F.avg_pool2d(x, (2, 3), 1, (1, 0), divisor_override=5),
        {"x": X4},
        ("x",),
    ),
    "adaptive_avg_pool2d": (lambda F, x: F.adaptive_avg_pool2d(x, (3, 2)), {"x": X4}, ("x",)),
    "layer_norm": (
        lambda F, x, w, b: F.layer_norm(x, (4, 5), w, b, eps=1e-4),
        {"x": X4, "w": data(4, 5, seed=11), "b": data(4, 5, seed=12)},
        ("x", "w", "b"),
    ),
    "layer_norm_plain": (lambda F, x: F.layer_norm(x, (5,)), {"x": X4}, ("x",)),
    "embedding": (
        lambda F, i, w: F.embedding(i, w, padding_idx=1),
        {"i": np.array([[0, 1, 4], [4, 2, 1]]), "w": data(5, 3, seed=13)},
        ("w",),
    ),
    "pad_reflect": (lambda F, x: _pad(F, x, (1, 2, 3, 0), "reflect"), {"x": X4}, ("x",)),
    "pad_replicate": (lambda F, x: _pad(F, x, (2, 0, 1, 3), "replicate"), {"x": X4}, ("x",)),
    "pad_circular": (lambda F, x: _pad(F, x, (1, 1, 2, 2), "circular"), {"x": X4}, ("x",)),
}


@pytest.mark.parametrize("name", sorted(TORCH_CALLS))
def test_first_and_second_derivatives_match_pytorch(name):
    call, arrays, wrt = TORCH_CALLS[name]
    check_against_torch(f"layers/{name}", call, arrays, wrt)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_pad2d_gradgradcheck(mode):
    x = mt.tensor(data(1, 2, 3, 4), requires_grad=True)
    assert gradgradcheck(lambda t: pad2d(t, (1, 2, 2, 1), mode), (x,))


def test_eval_batch_norm_backward_uses_the_statistics_of_its_forward():
    layer = eval_mode(nn.BatchNorm1d(3, dtype=mt.float64))
    x = mt.tensor(data(4, 3), requires_grad=True)
    out = layer(x)
    expected = 1 / np.sqrt(layer.running_var.numpy() + layer.eps) * layer.weight.numpy(force=True)
    layer.train()
    layer(mt.tensor(data(4, 3, seed=1)))  # updates the running statistics in place
    (g,) = mt.autograd.grad(out.sum(), x)
    np.testing.assert_allclose(g.numpy(), np.broadcast_to(expected, (4, 3)), rtol=1e-12)


@pytest.mark.parametrize(
    "layer",
    [
        nn.Conv2d(2, 2, 2, stride=2, padding=1, groups=2, dtype=mt.float64),
        nn.MaxPool2d(2, stride=1),
        nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False),
    ],
    ids=["Conv2d", "MaxPool2d", "AvgPool2d"],
)
def test_third_derivatives_of_the_kernels_that_are_each_others_derivatives(layer):
    # Differentiating a first derivative twice runs the backward of the derivatives' own
    # Primitives (conv_transpose2d, the max-pool scatter...): gradgradcheck of a function that
    # returns a gradient checks third derivatives.
    fn, params = with_parameters(layer)
    x = mt.tensor(data(1, 2, 4, 5), requires_grad=True)
    v = mt.tensor(data(*fn(x, *params).shape, seed=1))

    def first(*inputs):
        return mt.autograd.grad((fn(*inputs) * v).sum() ** 2, inputs, create_graph=True)

    assert gradgradcheck(first, (x, *params))


# PyTorch 2.13's node names (grad_fn.name()) of each call and of its input gradient's graph
NODE_NAMES = {
    "conv2d": (
        lambda x, w: functional.conv2d(x, w),
        "ConvolutionBackward0",
        "ConvolutionBackwardBackward0",
    ),
    "max_pool2d": (
        lambda x, w: functional.max_pool2d(x, 2),
        "MaxPool2DWithIndicesBackward0",
        "MaxPool2DWithIndicesBackwardBackward0",
    ),
    "avg_pool2d": (
        lambda x, w: functional.avg_pool2d(x, 2),
        "AvgPool2DBackward0",
        "AvgPool2DBackwardBackward0",
    ),
    "adaptive_avg_pool2d": (
        lambda x, w: functional.adaptive_avg_pool2d(x, (2, 3)),
        "AdaptiveAvgPool2DBackward0",
        None,
    ),
    "global_avg_pool2d": (lambda x, w: functional.adaptive_avg_pool2d(x, 1), "MeanBackward1", None),
    "batch_norm": (
        lambda x, w: functional.batch_norm(x, None, None, training=True),
        "NativeBatchNormBackward0",
        None,
    ),
}


@pytest.mark.parametrize("name", sorted(NODE_NAMES))
def test_graph_nodes_carry_pytorch_names(name):
    call, first, second = NODE_NAMES[name]
    x = mt.tensor(data(2, 3, 4, 6), requires_grad=True)
    w = mt.tensor(data(2, 3, 3, 3, seed=1), requires_grad=True)
    y = call(x, w)
    assert y.grad_fn.name() == first
    if second is not None:
        v = mt.tensor(data(*y.shape, seed=2), requires_grad=True)
        (g,) = mt.autograd.grad(y, x, v, create_graph=True)
        assert g.grad_fn.name() == second
