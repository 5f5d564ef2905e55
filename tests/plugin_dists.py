"""Helpers of the plugin tests: plugin modules made on the fly, and the plugin distributions
under tests/ made visible to a subprocess, as an install would."""

import pathlib
import types

import pytest

import minitorch_es as mt
from minitorch_es import plugin_manager as pm

tomllib = pytest.importorskip("tomllib")


def make_dist_info(source: pathlib.Path, site: pathlib.Path) -> None:
    """Write ``<name>-<version>.dist-info`` for the distribution in ``source`` (what an install
    would write), from its pyproject.toml."""
    project = tomllib.loads((source / "pyproject.toml").read_text())["project"]
    name, version = project["name"], project["version"]
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    lines = [f"{k} = {v}" for k, v in project["entry-points"]["minitorch_es"].items()]
    (info / "entry_points.txt").write_text("[minitorch_es]\n" + "\n".join(lines) + "\n")


def plugin(name, register=None):
    """A plugin module whose hook runs ``register(registry)``."""
    module = types.ModuleType(name)
    if register is not None:
        module.minitorch_es_register = mt.hookimpl(register)
    return module


class Thing(mt.nn.Module):
    """A layer to register."""

    def forward(self, x):
        return x


def fresh_plugin_manager(monkeypatch):
    """For a fixture: failures, disabled plugins and pluggy registrations made by a test do not
    outlive it."""
    monkeypatch.setattr(pm, "_failures", [])
    monkeypatch.setattr(pm, "_disabled", {})
    monkeypatch.setattr(pm, "_skipped", [])
    monkeypatch.setattr(pm, "_loaded", False)
    monkeypatch.delenv(pm.DISABLE_PLUGINS_ENV, raising=False)
    before = set(pm._manager.get_plugins())
    yield
    for module in set(pm._manager.get_plugins()) - before:
        pm._manager.unregister(module)
