"""Making the plugin distributions under tests/ visible to a subprocess, as an install would."""

import pathlib

import pytest

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
