"""Show what static editors see of the API: jedi's completions and pyright's types.

    python tools/check_editor_api.py            # jedi, and pyright when it is installed

jedi reads the source tree of the editable install. pyright does not follow setuptools'
editable-install import hooks, so the package is first installed (without dependencies) into a
temporary directory, as a user's ``pip install minitorch-es`` would lay it out. ``pip install
pyright`` needs Node.js on the machine.
"""

from __future__ import annotations

import json
import pathlib
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
PREFIXES = (
    "mt.nn.Lin",
    "mt.optim.Ad",
    "mt.nn.functional.rel",
    "mt.nn.init.xavier_u",
    "mt.optim.lr_scheduler.Cos",
    "mt.utils.data.DataL",
)
PROBE = """import minitorch_es as mt

reveal_type(mt.nn.Linear)
reveal_type(mt.nn.Linear.__init__)
reveal_type(mt.optim.Adam)
reveal_type(mt.nn.functional.relu)
reveal_type(mt.nn.init.xavier_uniform_)
reveal_type(mt.optim.lr_scheduler.StepLR)
reveal_type(mt.utils.data.DataLoader)
"""


def show_jedi() -> None:
    """Complete each prefix in ``PREFIXES`` and print the matches' signatures."""
    import jedi

    for prefix in PREFIXES:
        source = f"import minitorch_es as mt\n{prefix}"
        script = jedi.Script(source, path=str(ROOT / "probe.py"))
        for c in script.complete(2, len(prefix)):
            signature = "; ".join(s.to_string() for s in c.get_signatures())
            first_doc = next((ln for ln in c.docstring(raw=True).splitlines() if ln), "")
            print(f"jedi: {prefix} -> {signature or c.name}\n      doc: {first_doc}")


def show_pyright() -> int:
    """Install into a temporary directory and print pyright's ``reveal_type`` lines."""
    pyright = shutil.which("pyright") or str(pathlib.Path(sys.executable).with_name("pyright"))
    if not pathlib.Path(pyright).exists():
        print("pyright: not installed (pip install pyright; it needs Node.js)")
        return 0
    had_build = (ROOT / "build").exists()
    with tempfile.TemporaryDirectory() as tmp:
        site = pathlib.Path(tmp, "site")
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation"]
            + ["--target", str(site), str(ROOT)],
            check=True,
            capture_output=True,
        )
        if not had_build:  # setuptools builds in the source tree; leave it as it was
            shutil.rmtree(ROOT / "build", ignore_errors=True)
        (pathlib.Path(tmp) / "probe.py").write_text(PROBE)
        config = {"extraPaths": [str(site)], "reportMissingModuleSource": False}
        (pathlib.Path(tmp) / "pyrightconfig.json").write_text(json.dumps(config))
        done = subprocess.run(
            [pyright, "--pythonpath", sys.executable, "probe.py"],
            cwd=tmp,
            capture_output=True,
            text=True,
        )
    for line in done.stdout.splitlines():
        if "information:" in line or "error" in line:
            print("pyright:", line.split(" - ", 1)[-1].strip())
    return done.returncode


if __name__ == "__main__":
    show_jedi()
    sys.exit(show_pyright())
