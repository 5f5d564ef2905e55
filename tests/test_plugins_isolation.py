"""Plugins are untrusted code: one that exits, raises anything, registers nonsense or
replaces a built-in is contained, reported and can be disabled by name."""

import json
import os
import pathlib
import subprocess
import sys
import warnings

import pytest
from plugin_dists import Thing, fresh_plugin_manager, make_dist_info, plugin

import minitorch_es as mt
from minitorch_es import plugin_manager as pm
from minitorch_es.registry import Provider, Registry, RegistryError

HERE = pathlib.Path(__file__).resolve().parent
HOSTILE = HERE / "plugin_dist_hostile"
DEMO = HERE / "plugin_dist"
EXTERNAL = Provider("distribution", "t4-dist", "1.0")
BUILTIN = Provider("builtin", "minitorch_es_plugins.t4")


@pytest.fixture
def isolated(monkeypatch):
    yield from fresh_plugin_manager(monkeypatch)


class Custom(BaseException):
    pass


@pytest.mark.parametrize(
    "error, text",
    [
        (SystemExit(3), "SystemExit: 3"),
        (Custom("odd"), "Custom: odd"),
        (GeneratorExit(), "GeneratorExit: "),
        (RuntimeError("\x1b[2Jcleared"), "RuntimeError: \\x1b[2Jcleared"),
    ],
)
def test_a_hook_that_raises_anything_is_a_reported_failure(isolated, error, text):
    def register(registry):
        registry.add("layer", "Halfway", Thing)
        raise error

    target = Registry()
    with pytest.warns(RuntimeWarning) as caught:
        assert not pm.register_plugin(plugin("t4_raises", register), EXTERNAL, target=target)
    message = str(caught[0].message)
    assert message == f"minitorch_es: plugin 't4_raises' from {EXTERNAL} failed to load: {text}"
    assert "\x1b" not in message and target.names("layer") == []
    assert str(pm.failures()[-1]) == message.removeprefix("minitorch_es: ")


def test_keyboard_interrupt_is_not_swallowed(isolated):
    def register(registry):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        pm.register_plugin(plugin("t4_interrupt", register), EXTERNAL, target=Registry())


@pytest.mark.parametrize(
    "kind, obj, expected",
    [
        ("layer", 42, "a subclass of minitorch_es.nn.module.Module, got int 42"),
        ("layer", "hello", "got str 'hello'"),
        ("layer", None, "got NoneType None"),
        ("layer", len, "got builtin_function_or_method"),  # functions are not layers
        ("activation", 42, "a subclass of minitorch_es.nn.module.Module or a function"),
        ("optimizer", Thing, "Optimizer, got the class plugin_dists.Thing"),
        ("scheduler", "hello", "a subclass of minitorch_es.optim.scheduler.LRScheduler"),
        ("callback", None, "a subclass of minitorch_es.training.callback.Callback"),
        ("metric", 1.5, "Metric or a function, got float 1.5"),
        ("initializer", None, "expected a class or a function, got NoneType None"),
        ("loss", 0, "Module or a function, got int 0"),
    ],
)
def test_entries_are_checked_by_kind_when_registered(kind, obj, expected):
    with pytest.raises(RegistryError, match=f"{kind} 'Bad' from {EXTERNAL}: expected .*"):
        Registry().add(kind, "Bad", obj, provider=EXTERNAL)
    with pytest.raises(RegistryError) as info:
        Registry().add(kind, "Bad", obj, provider=EXTERNAL)
    assert expected in str(info.value)


def test_what_each_kind_accepts():
    r = Registry()
    r.add("activation", "plain", lambda x: x)  # a function
    r.add("loss", "l1", abs)
    r.add("initializer", "ones", mt.nn.init.ones_)
    r.add("layer", "Thing", Thing)
    with pytest.raises(RegistryError, match="names and aliases must be non-empty printable"):
        r.add("layer", "Bad\x1b[2J", Thing)
    with pytest.raises(RegistryError, match="names and aliases must be non-empty printable"):
        r.add("layer", "Fine", Thing, aliases=("",))


def test_a_plugin_registering_nonsense_fails_at_its_own_line_naming_itself(isolated):
    def register(registry):
        registry.add("layer", "FortyTwo", 42)

    with pytest.warns(RuntimeWarning, match=r"plugin 't4_nonsense' from the distribution t4-dist"):
        assert not pm.register_plugin(plugin("t4_nonsense", register), EXTERNAL, target=Registry())
    assert "layer 'FortyTwo' from the distribution t4-dist 1.0: expected a subclass" in str(
        pm.failures()[-1]
    )


def test_overriding_a_builtin_warns_naming_both_providers(isolated):
    class Replacement(Thing):
        pass

    target = Registry()
    target.add("layer", "Dense", Thing, provider=BUILTIN)

    def register(registry):
        registry.add("layer", "Dense", Replacement, override=True)

    module = plugin("t4_override", register)
    with pytest.warns(RuntimeWarning) as caught:
        assert pm.register_plugin(module, EXTERNAL, target=target)
    assert [str(w.message) for w in caught] == [
        "minitorch_es: plugin 't4_override' from the distribution t4-dist 1.0 overrides layer "
        "'Dense' of built-in (minitorch_es_plugins.t4) of the distribution minitorch-es "
        "(registered as 'Dense'); to keep the original, disable the plugin: "
        "MINITORCH_ES_DISABLE_PLUGINS=t4_override"
    ]
    assert target.get("layer", "Dense") is Replacement
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # registering its own entries again is silent
        assert pm.register_plugin(module, EXTERNAL, target=target)


class FakeDist:
    def __init__(self, name, version="1.0"):
        self.metadata, self.version = {"Name": name}, version


class FakeEntryPoint:
    def __init__(self, name, dist, load):
        self.name, self.value, self.dist, self.load = name, f"{name}_module", dist, load


def entry_points():
    def layer(name):
        return lambda: plugin(f"t4_{name}", lambda registry: registry.add("layer", name, Thing))

    def exits():
        sys.exit("bye")

    return [
        FakeEntryPoint("core", FakeDist("minitorch-es"), layer("Core")),
        FakeEntryPoint("first", FakeDist("T4_Alpha"), layer("First")),
        FakeEntryPoint("second", FakeDist("t4-alpha"), layer("Second")),
        FakeEntryPoint("third", FakeDist("t4-beta"), layer("Third")),
        FakeEntryPoint("exits", FakeDist("t4-beta"), exits),
    ]


def load(monkeypatch):
    monkeypatch.setattr(pm, "_entry_points", entry_points)
    monkeypatch.delenv(pm.DISABLE_ENV, raising=False)
    target = Registry()
    pm.load_plugins(target)
    return target


def test_an_import_that_exits_is_a_reported_failure(isolated, monkeypatch):
    with pytest.warns(RuntimeWarning, match="plugin 'exits' .* import failed: SystemExit: bye"):
        target = load(monkeypatch)
    assert target.names("layer") == ["Core", "First", "Second", "Third"]


def test_plugins_are_disabled_by_distribution_or_entry_point_name(isolated, monkeypatch):
    monkeypatch.setenv(pm.DISABLE_PLUGINS_ENV, "t4-alpha, exits")  # normalised: T4_Alpha too
    pm.disable_plugin("Third")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        target = load(monkeypatch)
    assert target.names("layer") == ["Core"] and pm.failures() == []
    listing = pm.describe(target)
    disabled = listing.split("disabled (4):\n")[1].splitlines()[:4]
    assert sorted(disabled) == [
        "  exits (the distribution t4-beta 1.0; MINITORCH_ES_DISABLE_PLUGINS)",
        "  first (the distribution t4-alpha 1.0; MINITORCH_ES_DISABLE_PLUGINS)",
        "  second (the distribution t4-alpha 1.0; MINITORCH_ES_DISABLE_PLUGINS)",
        "  third (the distribution t4-beta 1.0; disable_plugin())",
    ]
    with pytest.raises(RuntimeError, match="already loaded"):
        pm.disable_plugin("second")


def test_a_disabled_name_that_matches_nothing_is_reported(isolated, monkeypatch):
    monkeypatch.setenv(pm.DISABLE_PLUGINS_ENV, "t4-gamma,exits")
    with pytest.warns(RuntimeWarning, match="no installed plugin is named 't4-gamma'"):
        load(monkeypatch)
    with pytest.raises(TypeError, match="expects a plugin name"):
        pm.disable_plugin("")


# ----------------------------------------------------------------- installed distributions
@pytest.fixture(scope="module")
def hostile_env(tmp_path_factory):
    site = tmp_path_factory.mktemp("site")
    for source in (HOSTILE, DEMO):
        make_dist_info(source, site)
    env = {k: v for k, v in os.environ.items() if k not in (pm.DISABLE_ENV, pm.DISABLE_PLUGINS_ENV)}
    env["PYTHONPATH"] = os.pathsep.join([str(site), str(HOSTILE), str(DEMO)])
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def run(args, env):
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=60
    )


USE = """
import json, warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import minitorch_es as mt
    adam = mt.registry.get("optimizer", "adam")
print(json.dumps({
    "adam": f"{adam.__module__}.{adam.__name__}",
    "cube": ("activation", "cube") in mt.registry,
    "warnings": [str(w.message) for w in caught],
}))
"""


def test_hostile_installed_plugins_do_not_take_the_host_down(hostile_env):
    done = run(["-m", "minitorch_es.cli", "plugins"], hostile_env)
    assert done.returncode == 0, done.stderr
    failed = done.stdout.split("failed to load (")[1]
    hostile = "from the distribution minitorch-es-hostile-plugin 0.2.0 failed to load"
    assert f"  plugin 'exits_in_hook' {hostile}: SystemExit: 3" in failed
    assert (
        f"  plugin 'exits_on_import' {hostile}: import failed: SystemExit: \\x1b[2Jbye from "
        "exits_on_import" in failed
    )
    assert f"  plugin 'not_a_layer' {hostile}: RegistryError: layer 'FortyTwo'" in failed
    assert "  Early " not in done.stdout and "\x1b" not in done.stdout

    used = json.loads(run(["-c", USE], hostile_env).stdout)
    assert used["adam"] == "minitorch_es_hostile_plugin.replaces_adam.NotAdam" and used["cube"]
    overrides = [w for w in used["warnings"] if "overrides" in w]
    assert overrides == [
        "minitorch_es: plugin 'replaces_adam' from the distribution minitorch-es-hostile-plugin "
        "0.2.0 overrides optimizer 'Adam' of built-in (minitorch_es_plugins.optimizers) of the "
        "distribution minitorch-es (registered as 'Adam'); to keep the original, disable the "
        "plugin: MINITORCH_ES_DISABLE_PLUGINS=replaces_adam"
    ]


def test_the_user_disables_a_hostile_distribution_by_name(hostile_env):
    env = {**hostile_env, pm.DISABLE_PLUGINS_ENV: "minitorch-es-hostile-plugin"}
    used = json.loads(run(["-c", USE], env).stdout)
    assert used["adam"] == "minitorch_es_plugins.optim_adam.Adam" and used["cube"]
    assert [w for w in used["warnings"] if "hostile" in w] == []
    listing = run(["-m", "minitorch_es.cli", "plugins"], env).stdout
    assert "disabled (4):\n  exits_in_hook (the distribution minitorch-es-hostile-plugin" in listing
