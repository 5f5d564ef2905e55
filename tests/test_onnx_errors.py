"""What cannot be exported gets an error that says what, where and why; plugins declare the
translations of their own Functions and layers."""

import io
import os
import types

import numpy as np
import pytest
from onnx_helpers import check, op_types

import minitorch_es as mt
from minitorch_es import plugin_manager
from minitorch_es.autograd import Function
from minitorch_es.onnx import ExportError
from minitorch_es.plugin_manager import register_plugin
from minitorch_es.registry import Provider, RegistryError

nn = mt.nn
PROVIDER = Provider("distribution", "cube-plugin", "1.0")


@pytest.fixture
def registry():
    """The process-wide registry; entries a test adds are removed afterwards."""
    reg = mt.registry
    reg._load()
    saved = dict(reg._entries), dict(reg._exports), dict(reg._by_object)
    plugins = set(plugin_manager._manager.get_plugins())
    yield reg
    reg._entries, reg._exports, reg._by_object = saved
    for plugin in set(plugin_manager._manager.get_plugins()) - plugins:
        plugin_manager._manager.unregister(plugin)


class CubeFunction(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 3 * x * x * grad


class Cube(nn.Module):
    def forward(self, x):
        return CubeFunction.apply(x)


class NumpySquare(nn.Module):
    """A layer computed with NumPy: invisible to the tracer."""

    def forward(self, x):
        return mt.tensor(np.square(x.numpy(force=True)))


def export(model, *inputs, **options):
    return mt.onnx.export(model, tuple(mt.tensor(x) for x in inputs), io.BytesIO(), **options)


def cube_plugin(registry, module_translation=False):
    """Register Cube as a layer of the plugin and, through its hook, the translation of
    CubeFunction (or of the Cube module as a whole)."""
    registry.add("layer", "OnnxTestCube", Cube, provider=PROVIDER)

    def cube(g, call):
        x = call.input(0)
        return g.op("Mul", x, g.op("Mul", x, x))

    def power(g, call):
        return g.op("Pow", call.input(0), g.constant(np.float32(3)))

    target, emit = (Cube, cube) if module_translation else (CubeFunction, power)
    plugin = types.ModuleType("cube_plugin")
    plugin.minitorch_es_register = mt.hookimpl(
        lambda registry: mt.onnx.add_translation(registry, target, emit)
    )
    assert register_plugin(plugin, PROVIDER, target=registry)


def test_an_op_without_translation_names_the_function_the_layer_and_its_plugin(registry, rng):
    registry.add("layer", "OnnxTestCube", Cube, provider=PROVIDER)
    model = nn.Sequential(nn.Linear(3, 3), Cube())
    with pytest.raises(ExportError) as e:
        export(model, rng.normal(size=(2, 3)).astype("f"))
    message = str(e.value)
    for part in ("CubeFunction", "layer '1'", "Cube", "the distribution cube-plugin 1.0"):
        assert part in message
    assert "mt.onnx.add_translation" in message


@pytest.mark.parametrize("module_translation", [False, True])
def test_a_plugin_declares_the_translation_of_its_function_or_layer(
    registry, rng, module_translation
):
    cube_plugin(registry, module_translation)
    model = nn.Sequential(nn.Linear(3, 3), Cube(), nn.Tanh())
    proto = check(model, rng.normal(size=(2, 3)).astype(np.float32))
    assert op_types(proto)[1:-1] == (["Mul", "Mul"] if module_translation else ["Pow"])
    entry = registry.entry("onnx", f"{__name__}.{'Cube' if module_translation else 'CubeFunction'}")
    assert entry.provider == PROVIDER


def test_a_layer_with_a_module_translation_is_one_unit(registry, rng):
    # Its forward (NumPy code) is never traced: the translation stands for it.
    registry.add("layer", "OnnxTestSquare", NumpySquare, provider=PROVIDER)
    model = nn.Sequential(nn.Linear(3, 3), NumpySquare())
    with pytest.raises(ExportError, match="computed outside the traced operations"):
        export(model, rng.normal(size=(2, 3)).astype("f"))
    mt.onnx.add_translation(
        registry, NumpySquare, lambda g, call: g.op("Mul", call.input(0), call.input(0))
    )
    check(model, rng.normal(size=(2, 3)).astype(np.float32))


def test_two_translations_of_one_class_and_malformed_entries(registry, rng):
    cube_plugin(registry)
    registry.add("onnx", "another", mt.onnx.Translation(CubeFunction, lambda g, c: ""))
    with pytest.raises(
        RegistryError,
        match="two ONNX translations of CubeFunction: .*'another' from .* and .* from the "
        "distribution cube-plugin 1.0",
    ):
        export(nn.Sequential(Cube()), rng.normal(size=(2, 3)).astype("f"))
    registry._remove(registry.entry("onnx", "another"))
    with pytest.raises(  # refused when registered, not when an export meets it
        RegistryError,
        match="onnx .broken. from .*: expected a minitorch_es.onnx.translation.Translation, got",
    ):
        registry.add("onnx", "broken", "not a translation")
    with pytest.raises(TypeError, match="target must be a Function or Module class"):
        mt.onnx.Translation("Cube", print)


def test_a_failing_translation_is_reported_with_its_provider(registry, rng):
    registry.add("layer", "OnnxTestCube", Cube, provider=PROVIDER)

    def broken(g, call):
        return call.kwargs["missing"]

    mt.onnx.add_translation(registry, CubeFunction, broken)
    with pytest.raises(
        ExportError,
        match=r"CubeFunction in layer '0' \(Cube, .*\): the ONNX translation from the module "
        r"test_onnx_errors failed: KeyError: 'missing'",
    ):
        export(nn.Sequential(Cube()), rng.normal(size=(2, 3)).astype("f"))
    registry.add(
        "onnx",
        f"{__name__}.CubeFunction",
        mt.onnx.Translation(CubeFunction, lambda g, c: ["a", "b"]),
        override=True,
    )
    with pytest.raises(ExportError, match="returned 2 values for 1 results"):
        export(nn.Sequential(Cube()), rng.normal(size=(2, 3)).astype("f"))


class Forward(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


UNTRACED = {
    "comparison": lambda x: mt.where(x > 0, x, x * 0),
    "numpy": lambda x: x + mt.tensor(x.numpy(force=True).mean(axis=1, keepdims=True)),
    "argmax": lambda x: x[:, 0] + x.argmax(1).float(),
    "random": lambda x: x + mt.randn(1, 3),
}


@pytest.mark.parametrize("name", UNTRACED)
def test_values_computed_outside_the_traced_ops_are_refused(rng, name):
    x = rng.normal(size=(4, 3)).astype("f")
    with pytest.raises(
        ExportError,
        match="computed outside the traced operations .* the graph would hold it as a constant",
    ):
        export(Forward(UNTRACED[name]), x)


def test_sizes_taken_from_the_batch(rng):
    x = rng.normal(size=(4, 3)).astype("f")
    axes = {"x": {0: "batch"}}
    with pytest.raises(
        ExportError,
        match=r"argument 1 is slice\(None, 3, None\) here but slice\(None, 7, None\)",
    ):
        export(Forward(lambda x: x[: x.shape[0] - 1]), x, dynamic_axes=axes)
    with pytest.raises(ExportError, match="changes with the inputs"):
        export(Forward(lambda x: x + mt.ones(x.shape[0], 3)), x, dynamic_axes=axes)
    # A target shape computed from the batch is fine: Reshape reads it from the traced dims.
    half = Forward(lambda x: x.reshape(x.shape[0] // 2, -1))
    check(half, x, others=(rng.normal(size=(10, 3)).astype("f"),))
    square = Forward(lambda x: (x[:, :1] * x[:, 0][None]).reshape(x.shape[0] // 2, -1))
    with pytest.raises(ExportError, match=r"cannot express the size 8 .* in shape \(<2>, <8>\)"):
        export(square, x, dynamic_axes=axes)


def test_axes_that_must_be_equal_need_one_name(rng):
    class Sum(nn.Module):
        def forward(self, a, b):
            return a + b

    x = rng.normal(size=(2, 3)).astype("f")
    with pytest.raises(
        ExportError, match="fails when the dynamic axes grow \\('a_dim0' x2, 'n' x3\\)"
    ):
        export(Sum(), x, x, dynamic_axes={"a": [0], "b": {0: "n"}})
    check(Sum(), x, x)  # both axes named "batch"


def test_control_flow_on_tensor_values_and_rank_changes(rng):
    x = np.array([[1.0, 2.0], [-3.0, 4.0]], dtype=np.float32)
    branchy = Forward(lambda x: x * 2 if x[0, 0].item() > 0 else -x)
    with pytest.raises(
        ExportError,
        match="runs different operations for other inputs: operation #1 is Mul .* and Neg",
    ):
        export(branchy, x)
    axes = {"x": [0]}
    with pytest.raises(ExportError, match="operation #0 is Reshape .* and Mul"):
        export(Forward(lambda x: x.squeeze() * 2), x[:1], dynamic_axes=axes)
    unit_dims_last = Forward(lambda x: x.reshape(*[n for n in x.shape if n != 1], 1))
    with pytest.raises(ExportError, match="the result has 2 dimensions here and 3 in the second"):
        export(unit_dims_last, x[:1], dynamic_axes=axes)


def in_place(x):
    y = x * 2
    with mt.no_grad():  # hides the change from autograd, not from the exporter
        y += 1
        y[0] = 0
    return y


def test_in_place_changes_are_refused(rng):
    with pytest.raises(
        ExportError, match=r"changes a tensor in place \(.*output array is read-only"
    ):
        export(Forward(in_place), rng.normal(size=(2, 3)).astype("f"))


class Same(Function):
    """Returns its input's own array (as an identity op may)."""

    @staticmethod
    def forward(ctx, a):
        return a

    @staticmethod
    def backward(ctx, grad):
        return grad


def test_arrays_frozen_while_tracing_are_writeable_afterwards(rng):
    model = Forward(lambda x: x + Same.apply(model.w))
    model.w = nn.Parameter(mt.zeros(3))
    with pytest.raises(ExportError, match="no ONNX translation for Same"):
        export(model, rng.normal(size=(2, 3)).astype("f"))
    model.w.numpy(force=True)[...] = 1  # the parameter's array was read-only during the trace


def test_training_mode_dropout_in_a_forward(rng):
    model = Forward(lambda x: nn.functional.dropout(x, 0.5, training=True))
    with pytest.raises(ExportError, match="DropoutFunction in the model .* dropout is on"):
        export(model, rng.normal(size=(2, 3)).astype("f"))


def test_unsupported_layer_options(rng):
    x = rng.normal(size=(2, 3, 8, 8)).astype("f")
    with pytest.raises(
        ExportError,
        match="MaxPool2dFunction in layer '0'.*ceil_mode needs a fixed height and width",
    ):
        export(nn.Sequential(nn.MaxPool2d(3, 2, ceil_mode=True)), x, dynamic_axes={"x": [0, 2]})
    with pytest.raises(
        ExportError, match="indexing with 2 index arrays and 0 integers is not supported"
    ):
        export(Forward(lambda x: x[:, [0, 1], [1, 2]]), x)


def test_bad_arguments(rng):
    x = mt.tensor(rng.normal(size=(2, 3)).astype("f"))
    model = nn.Linear(3, 2)
    cases = [
        ((object(), x), {}, TypeError, "expected a Module, got object"),
        ((model, x), {"opset_version": 12}, ValueError, "opset_version must be an int from 13"),
        ((model, x), {"opset_version": 999}, ValueError, "newer than the installed onnx"),
        (
            (model, x),
            {"input_names": "x"},
            TypeError,
            "input_names must be a list of non-empty str",
        ),
        (
            (model, x),
            {"input_names": ["a", "b"]},
            ValueError,
            r"2 input_names given \(\['a', 'b'\]\) for 1 values",
        ),
        (
            (model, x),
            {"output_names": ["input"]},
            ValueError,
            "must differ, got \\['input'\\] in both",
        ),
        ((model, x), {"dynamic_axes": ["input"]}, TypeError, "dynamic_axes must be a dict"),
        ((model, x), {"dynamic_axes": {"y": [0]}}, ValueError, r"names \['y'\], which are neither"),
        (
            (model, x),
            {"dynamic_axes": {"input": [2]}},
            ValueError,
            "has axis 2, but 'input' has 2 dimensions",
        ),
        (
            (model, x),
            {"dynamic_axes": {"input": {0: 1}}},
            TypeError,
            r"dynamic_axes\['input'\]\[0\] must be a non-empty str",
        ),
        (
            (model, x),
            {"kwargs": {"extra": x}},
            ExportError,
            "graph inputs must be passed positionally",
        ),
        ((Forward(lambda x: 3), x), {}, ExportError, "the model returned int, no Tensor"),
    ]
    for args, options, error, message in cases:
        with pytest.raises(error, match=message):
            mt.onnx.export(*args, io.BytesIO(), **options)


def test_files_are_written_atomically(tmp_path, rng):
    x = rng.normal(size=(2, 3)).astype("f")
    path = tmp_path / "model.onnx"
    mt.onnx.export(nn.Linear(3, 2), mt.tensor(x), path)
    before = path.read_bytes()
    with pytest.raises(ExportError):
        mt.onnx.export(Forward(lambda x: mt.where(x > 0, x, x * 0)), mt.tensor(x), path)
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["model.onnx"]
    mask = os.umask(0o022)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask  # not the temporary file's 0600
    with pytest.raises(OSError, match="does not exist"):
        mt.onnx.export(nn.Linear(3, 2), mt.tensor(x), tmp_path / "missing" / "model.onnx")
