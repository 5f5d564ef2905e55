"""Plugins: the pluggy contract, per-plugin staging, failure reports, entry-point discovery.

The registry is a process-wide singleton and the suite disables external plugins
(conftest.py), so the real entry points of tests/plugin_dist (a demo plugin) and
tests/plugin_dist_broken (broken ones) are only made visible to subprocesses.
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest
from plugin_dists import Thing, fresh_plugin_manager, make_dist_info, plugin

import minitorch_es as mt
from minitorch_es import cli, hookspecs
from minitorch_es import plugin_manager as pm
from minitorch_es.registry import Provider, Registry

HERE = pathlib.Path(__file__).resolve().parent
DISTS = [HERE / "plugin_dist", HERE / "plugin_dist_broken"]


@pytest.fixture
def isolated(monkeypatch):
    yield from fresh_plugin_manager(monkeypatch)


class Thing2(Thing):
    pass


def test_the_public_contract():
    assert hookspecs.ENTRY_POINT_GROUP == "minitorch_es" == hookspecs.PROJECT
    assert mt.hookimpl is hookspecs.hookimpl
    hooks = {h for h in dir(pm._manager.hook) if not h.startswith("_")}
    assert "minitorch_es_register" in hooks
    assert hooks <= set(vars(hookspecs))  # hookspecs.py is the one place hooks are declared
    assert pm.DISABLE_ENV == "MINITORCH_ES_DISABLE_PLUGIN_AUTOLOAD"


def test_a_plugin_registers_through_the_hook(isolated):
    target = Registry()
    provider = Provider("distribution", "demo-dist", "1.2")

    def register(registry):
        registry.add("layer", "Thing", Thing, aliases=("thingy",))
        registry.export("nn.functional", "thing", abs)

    good = plugin("t3_good", register)
    assert pm.register_plugin(good, provider, target=target)
    assert target.get("layer", "thingy") is Thing
    another = Registry()  # the same plugin can feed another registry
    assert pm.register_plugin(good, provider, target=another)
    assert another.names("layer") == ["Thing"]
    assert target.entry("layer", "Thing").provider is provider
    assert target.namespace("nn.functional") == {"thing": abs}
    assert pm.failures() == []


def test_a_failing_plugin_leaves_nothing_behind(isolated):
    target = Registry()
    target.add("layer", "Taken", Thing, provider=Provider("builtin", "minitorch_es_plugins.x"))

    def halfway(registry):
        registry.add("layer", "Early", Thing)
        registry.export("nn.functional", "early", abs)
        raise RuntimeError("boom")

    def clashing(registry):
        registry.add("layer", "Fine", Thing)
        registry.add("layer", "taken", Thing2)

    provider = Provider("distribution", "bad-dist", "0.1")
    with pytest.warns(
        RuntimeWarning,
        match=r"plugin 't3_halfway' from the distribution bad-dist "
        r"0.1 failed to load: RuntimeError: boom",
    ):
        assert not pm.register_plugin(plugin("t3_halfway", halfway), provider, target=target)
    with pytest.warns(
        RuntimeWarning,
        match=r"duplicate layer name 'taken'.*from the distribution "
        r"bad-dist 0.1 clashes with .*from built-in",
    ):
        assert not pm.register_plugin(plugin("t3_clash", clashing), provider, target=target)
    with pytest.warns(
        RuntimeWarning, match="it has no @minitorch_es.hookimpl function minitorch_es_register"
    ):
        assert not pm.register_plugin(plugin("t3_no_hook"), provider, target=target)
    assert target.names("layer") == ["Taken"] and target.namespace("nn.functional") == {}
    assert [f.plugin for f in pm.failures()] == ["t3_halfway", "t3_clash", "t3_no_hook"]
    assert all(f.provider is provider for f in pm.failures())


class FakeDist:
    def __init__(self, name, version):
        self.metadata, self.version = {"Name": name}, version


class FakeEntryPoint:
    """What importlib.metadata gives: a name, a value, its distribution, and load()."""

    def __init__(self, name, dist, load):
        self.name, self.value, self.dist, self._load = name, f"{name}_module", dist, load

    def load(self):
        return self._load()


def fake_entry_points():
    def broken():
        raise ImportError("no module named t3_missing_dependency")

    builtin = FakeDist("minitorch_es", "0.1.0")  # normalised to minitorch-es
    external = FakeDist("T3.External_Dist", "2.0")
    return [
        FakeEntryPoint(
            "ext",
            external,
            lambda: plugin("t3_ext", lambda registry: registry.add("layer", "External", Thing)),
        ),
        FakeEntryPoint("broken", external, broken),
        FakeEntryPoint(
            "core",
            builtin,
            lambda: plugin("t3_core", lambda registry: registry.add("layer", "Core", Thing2)),
        ),
    ]


def test_load_plugins_builtins_first_then_external(isolated, monkeypatch):
    monkeypatch.setattr(pm, "_entry_points", fake_entry_points)
    monkeypatch.delenv(pm.DISABLE_ENV, raising=False)
    target = Registry()
    with pytest.warns(
        RuntimeWarning,
        match=r"plugin 'broken' from the distribution "
        r"t3-external-dist 2.0 failed to load: import failed",
    ):
        pm.load_plugins(target)
    assert str(target.entry("layer", "Core").provider) == "built-in (core_module)"
    external = target.entry("layer", "External").provider
    assert str(external) == "the distribution t3-external-dist 2.0"
    assert [f.plugin for f in pm.failures()] == ["broken"]
    listing = pm.describe(target)
    assert "layer (2):\n  Core " in listing and "the distribution t3-external-dist 2.0" in listing
    assert listing.endswith(
        "failed to load (1):\n  plugin 'broken' from the distribution "
        "t3-external-dist 2.0 failed to load: import failed: ImportError: "
        "no module named t3_missing_dependency"
    )


def test_autoload_can_be_disabled_and_a_missing_catalog_is_reported(isolated, monkeypatch):
    monkeypatch.setattr(pm, "_entry_points", fake_entry_points)
    monkeypatch.setenv(pm.DISABLE_ENV, "1")
    target = Registry()
    pm.load_plugins(target)
    assert target.names("layer") == ["Core"] and pm.failures() == []
    assert pm.describe(target).endswith("failed to load: none")
    monkeypatch.setattr(pm, "_entry_points", lambda: fake_entry_points()[:2])
    with pytest.warns(RuntimeWarning, match="the built-in catalog was not found"):
        pm.load_plugins(Registry())


def test_the_cli_lists_the_registry(capsys):
    assert cli.main(["plugins"]) == 0
    out = capsys.readouterr().out
    assert "  Sequential                   built-in (minitorch_es.nn)" in out
    assert "failed to load" in out


# ----------------------------------------------------------------- real entry points
@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory):
    """A subprocess environment that sees both plugin distributions, autoload enabled."""
    site = tmp_path_factory.mktemp("site")
    for source in DISTS:
        make_dist_info(source, site)
    env = {k: v for k, v in os.environ.items() if k != pm.DISABLE_ENV}
    env["PYTHONPATH"] = os.pathsep.join([str(site), *map(str, DISTS)])
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # leave the plugin sources as they are
    return env


def run(args, env):
    done = subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done


def test_cli_lists_installed_plugins_and_failures(plugin_env):
    out = run(["-m", "minitorch_es.cli", "plugins"], plugin_env).stdout
    demo = "the distribution minitorch-es-demo-plugin 0.3.0"
    assert f"  Cube                         {demo}  [aliases: cubic]" in out
    assert f"  SignSGD                      {demo}  [aliases: sign_sgd]" in out
    assert "  Sequential                   built-in (minitorch_es.nn)" in out
    broken = "from the distribution minitorch-es-broken-plugin 0.1.0 failed to load"
    failed = [line for line in out.split("failed to load (")[1].splitlines() if broken in line]
    assert len(failed) == 3
    assert failed[0] == (
        f"  plugin 'bad_hook' {broken}: RuntimeError: demo: the hook failed half-way"
    )
    assert failed[1] == (
        f"  plugin 'bad_import' {broken}: import failed: ImportError: demo: a "
        "dependency of this plugin is missing"
    )
    assert failed[2].startswith(f"  plugin 'no_hook' {broken}: TypeError: it has no")
    assert "Halfway" not in out and "Forgotten" not in out  # nothing of a failed plugin stays


USE_PLUGINS = """
import json, warnings
import numpy as np
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import minitorch_es as mt
    from minitorch_es.plugin_manager import failures
    cube = mt.registry.create("activation", "cube")
x = mt.tensor([-2.0, 0.5, 3.0], requires_grad=True)
y = cube(x)
y.sum().backward()
p = mt.nn.Parameter(mt.tensor([1.0, -1.0, 0.0]))
opt = mt.registry.create("optimizer", {"name": "sign_sgd", "config": {"lr": 0.5}}, params=[p])
p.grad = np.array([3.0, -0.1, 2.0], dtype=np.float32)
opt.step()
model = mt.nn.Sequential(mt.nn.Cube())
rebuilt = mt.registry.create("layer", {"name": "Sequential", "config": model.get_config()})
print(json.dumps({
    "y": y.tolist(), "grad": x.grad.tolist(), "p": p.tolist(), "dtype": str(p.dtype),
    "classes": [mt.nn.Cube is type(cube), mt.optim.SignSGD is type(opt),
                mt.registry.get("activation", "cubic") is mt.nn.Cube,
                type(rebuilt[0]) is mt.nn.Cube],
    "config": opt.get_config(), "layers": model.get_config()["layers"],
    "halfway": ("activation", "halfway") in mt.registry,
    "warnings": [str(w.message) for w in caught if w.category is RuntimeWarning],
    "failures": [(f.plugin, f.provider.name, f.provider.version)
                 for f in failures()],
}))
"""


def test_plugins_are_usable_by_name_and_failures_are_reported(plugin_env):
    result = json.loads(run(["-c", USE_PLUGINS], plugin_env).stdout)
    assert result["y"] == [-8.0, 0.125, 27.0] and result["grad"] == [12.0, 0.75, 27.0]
    assert result["p"] == [0.5, -0.5, -0.5] and result["dtype"] == "torch.float32"
    assert result["classes"] == [True, True, True, True]
    assert result["config"] == {"lr": 0.5}
    assert result["layers"] == [["0", {"kind": "activation", "name": "Cube", "config": {}}]]
    assert result["halfway"] is False
    broken = ("minitorch-es-broken-plugin", "0.1.0")
    ours = sorted(tuple(f) for f in result["failures"] if f[1] == broken[0])
    assert ours == [("bad_hook", *broken), ("bad_import", *broken), ("no_hook", *broken)]
    warned = [w for w in result["warnings"] if "minitorch-es-broken-plugin 0.1.0" in w]
    assert len(warned) == 3 and "demo-plugin" not in " ".join(result["warnings"])


def test_disabling_autoload_keeps_the_builtins_only(plugin_env):
    env = {**plugin_env, pm.DISABLE_ENV: "1"}
    out = run(["-m", "minitorch_es.cli", "plugins"], env).stdout
    assert "Cube" not in out and "SignSGD" not in out and "broken" not in out
    assert "built-in (minitorch_es_plugins." in out  # the catalog's own entry points loaded
    assert "built-in (minitorch_es.nn)" in out


def test_a_real_pip_install_is_discovered(tmp_path):
    """Install the demo distribution for real, offline, with pip --target. The build runs
    without isolation on this environment's setuptools (>= 70.1 builds wheels on its own; the
    ``dev`` extra asks for it), so no index is needed."""
    source = tmp_path / "src"
    shutil.copytree(DISTS[0], source, ignore=shutil.ignore_patterns("__pycache__"))
    env = {k: v for k, v in os.environ.items() if k != pm.DISABLE_ENV}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INDEX="1", PIP_NO_CACHE_DIR="1")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-build-isolation",
            "--no-deps",
            "--target",
            str(tmp_path / "site"),
            str(source),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"pip could not build the plugin offline: {done.stderr[-2000:]}"
    env["PYTHONPATH"] = str(tmp_path / "site")
    out = run(["-m", "minitorch_es.cli", "plugins"], env).stdout
    assert "  Cube                         the distribution minitorch-es-demo-plugin 0.3.0" in out
    assert "minitorch-es-demo-plugin" not in out.split("failed to load")[1]
