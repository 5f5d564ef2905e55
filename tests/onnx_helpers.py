"""Export a model, run it in ONNX Runtime, compare with minitorch_es (tests of mt.onnx).

The tests need the ``onnx`` extra (onnx + onnxruntime), which CI installs; without it they are
skipped with the reason shown in pytest's summary.
"""

from __future__ import annotations

import io

import numpy as np
import pytest

import minitorch_es as mt

onnx = pytest.importorskip("onnx", reason="the onnx extra is not installed")
ort = pytest.importorskip("onnxruntime", reason="the onnx extra is not installed")

TOLERANCE = 1e-5  # float32 max abs difference


class Lambda(mt.nn.Module):
    """A model whose forward is ``fn(self, *inputs)``; ``self.w`` is a (4,) parameter."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn
        self.w = mt.nn.Parameter(mt.tensor([0.5, -1.0, 2.0, 1.5]))

    def forward(self, *inputs):
        return self.fn(self, *inputs)


def session(proto) -> ort.InferenceSession:
    """An ONNX Runtime session of an exported model (CPU, one thread: the tests share 2 cores)."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    return ort.InferenceSession(proto.SerializeToString(), options, ["CPUExecutionProvider"])


def expected(model: mt.nn.Module, *inputs: np.ndarray) -> list[np.ndarray]:
    """The model's outputs in eval mode, as arrays."""
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    with mt.no_grad():
        out = model(*(mt.tensor(x) for x in inputs))
    for m, mode in modes:
        m.training = mode
    outs = out if isinstance(out, (tuple, list)) else [out]
    return [o.numpy(force=True) for o in outs]


def check(
    model: mt.nn.Module,
    *inputs: np.ndarray,
    others: tuple[np.ndarray, ...] = (),
    dynamic: bool = True,
    opset: int | None = None,
    atol: float = TOLERANCE,
):
    """Export ``model`` traced on ``inputs`` (axis 0 of every input dynamic unless
    ``dynamic=False``), run it in ONNX Runtime on ``inputs`` and on ``others`` (a batch of
    another size; by default the inputs with 3 more rows and noise), and assert that each
    output matches minitorch_es within ``atol``. Returns the ModelProto."""
    names = [f"in{i}" for i in range(len(inputs))]
    axes = {n: {0: "batch"} for n in names} if dynamic else None
    buffer = io.BytesIO()
    proto = mt.onnx.export(
        model,
        tuple(mt.tensor(x) for x in inputs),
        buffer,
        input_names=names,
        dynamic_axes=axes,
        opset_version=opset,
    )
    assert buffer.getvalue() == proto.SerializeToString()
    onnx.checker.check_model(proto, full_check=True)
    sess = session(proto)
    batches = [inputs]
    if dynamic:
        batches.append(others or tuple(_other_batch(x) for x in inputs))
    for batch in batches:
        got = sess.run(None, dict(zip(names, batch)))
        want = expected(model, *batch)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert g.shape == w.shape and g.dtype == w.dtype
            np.testing.assert_allclose(g, w, rtol=0, atol=atol)
    return proto


def _other_batch(x: np.ndarray) -> np.ndarray:
    """A batch of another size (3 rows more, drawn from the given ones, with noise if float)."""
    rows = np.concatenate([x, x[:1], x[-1:], x[:1]])
    if rows.dtype.kind == "f":
        rows = rows + np.random.default_rng(7).normal(0, 0.5, rows.shape).astype(rows.dtype)
    return rows


def with_statistics(layer, rng):
    """A norm layer whose running statistics and affine parameters are not the defaults."""
    n = layer.num_features
    layer.running_mean[...] = rng.normal(size=n)
    layer.running_var[...] = rng.uniform(0.5, 2, size=n)
    if layer.affine:
        layer.weight.data[...] = rng.normal(size=n)
        layer.bias.data[...] = rng.normal(size=n)
    return layer


def op_types(proto) -> list[str]:
    """The op types of the graph's nodes, in order."""
    return [node.op_type for node in proto.graph.node]
