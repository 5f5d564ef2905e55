"""``mt.onnx`` without the onnx extra: it imports, and an export says which extra to install.
(These tests run whether or not the extra is installed.)"""

import subprocess
import sys
import textwrap

import minitorch_es as mt

WITHOUT_ONNX = textwrap.dedent(
    """
    import sys
    sys.modules["onnx"] = None  # as if the package were not installed
    import minitorch_es as mt
    from minitorch_es import nn
    names = mt.registry.names("onnx")
    assert "minitorch_es_plugins.layers.linear.LinearFunction" in names, names
    try:
        mt.onnx.export(nn.Linear(2, 1), mt.randn(1, 2), "never-written.onnx")
    except ImportError as e:
        print(e)
    """
)


def test_without_the_onnx_package_the_export_names_the_extra(tmp_path):
    run = subprocess.run(
        [sys.executable, "-c", WITHOUT_ONNX],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert "ONNX export needs the onnx package" in run.stdout
    assert "pip install 'minitorch-es[onnx]'" in run.stdout
    assert not (tmp_path / "never-written.onnx").exists()


def test_the_translations_are_registry_entries_with_their_providers():
    entries = {e.name: e for e in mt.registry.entries("onnx")}
    add = entries["minitorch_es.ops.arithmetic.Add"]
    assert str(add.provider) == "built-in (minitorch_es.onnx)"
    relu = entries["minitorch_es_plugins.activation_ops.ReLUFunction"]
    assert str(relu.provider) == "built-in (minitorch_es_plugins.onnx_activations)"
    assert isinstance(relu.obj, mt.onnx.Translation) and relu.obj.target.__name__ == "ReLUFunction"
