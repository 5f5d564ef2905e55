"""The API is visible to editors: stubs current with the registry, ``py.typed`` shipped, and
jedi (the completion engine of many editors) completing the registry's names with their
signatures and docstrings. ``python tools/check_editor_api.py`` also runs pyright."""

import importlib.util
import pathlib

import jedi
import pytest

tomllib = pytest.importorskip("tomllib")

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _generator():
    path = ROOT / "tools/generate_stubs.py"
    spec = importlib.util.spec_from_file_location("generate_stubs", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_stubs_are_current():
    stale = _generator().stale()
    assert not stale, (
        f"stale type stubs {sorted(str(p.relative_to(ROOT)) for p in stale)}: run "
        f"`python tools/generate_stubs.py` and commit the result"
    )


def test_check_mode_reports_a_stale_stub(tmp_path, monkeypatch, capsys):
    gen = _generator()
    monkeypatch.setattr(gen, "stub_path", lambda module: tmp_path / f"{module}.pyi")
    assert gen.main(["--check"]) == 1
    assert f"stale: {tmp_path / 'minitorch_es.nn.pyi'}" in capsys.readouterr().out
    assert gen.main([]) == 0  # writes them
    assert gen.main(["--check"]) == 0
    text = (tmp_path / "minitorch_es.nn.pyi").read_text()
    assert "from minitorch_es_plugins.layers.linear import Linear as Linear" in text
    assert "from . import functional as functional" in text
    assert "def __getattr__(name: str) -> Any: ..." in text


def test_stub_of_an_object_no_module_holds_is_an_error():
    with pytest.raises(RuntimeError, match="cannot find a module that defines 'ghost'"):
        _generator()._source_module("ghost", object(), "minitorch_es.nn")


def test_py_typed_and_stubs_are_package_data():
    assert (ROOT / "minitorch_es/py.typed").is_file()
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert set(data["package-data"]["minitorch_es"]) >= {"py.typed", "*.pyi"}


def _complete(source: str):
    lines = source.splitlines()
    script = jedi.Script(source, path=str(ROOT / "editor_probe.py"))
    return {c.name: c for c in script.complete(len(lines), len(lines[-1]))}


@pytest.mark.parametrize(
    "prefix, name, in_signature, in_doc",
    [
        ("mt.nn.Lin", "Linear", "in_features: int, out_features: int, bias: bool=True", "weight"),
        ("mt.optim.Ad", "Adam", "lr", "Adam"),
        ("mt.nn.functional.rel", "relu", "input", "max(0, x)"),
        ("mt.optim.lr_scheduler.Step", "StepLR", "step_size", "gamma"),
        ("mt.nn.init.kaiming_n", "kaiming_normal_", "nonlinearity", "He"),
        ("mt.utils.data.DataL", "DataLoader", "batch_size: int | None=1", "mini-batches"),
    ],
)
def test_jedi_completes_registry_names_with_signature_and_docstring(
    prefix, name, in_signature, in_doc
):
    found = _complete(f"import minitorch_es as mt\n{prefix}")
    assert name in found, sorted(found)
    signatures = [s.to_string() for s in found[name].get_signatures()]
    assert any(in_signature in s for s in signatures), signatures
    assert in_doc in found[name].docstring()
