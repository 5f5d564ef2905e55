"""Every ```python block of README.md and docs/**/*.md runs, so the documentation cannot rot.

The blocks of one page run in order in one namespace (a later block may use what an earlier one
defined), in a temporary working directory. Markers on the line just before a block's fence:

* ``<!-- no-run -->``: never executed (for code that downloads data or runs for minutes).
* ``<!-- needs-mnist -->``: executed only when ``MINITORCH_ES_DATA`` names the MNIST directory.
* ``<!-- needs-onnx -->``: executed only when the ``onnx`` extra (onnx, onnxruntime) is installed.

Registry entries, exports and plugin registrations that a page makes are undone after it, so the
pages cannot leak names into the rest of the test suite.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import pkgutil
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")  # figures drawn by snippets never open a window

import minitorch_es as mt  # noqa: E402
from minitorch_es import plugin_manager  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NO_RUN = "<!-- no-run -->"
NEEDS_MNIST = "<!-- needs-mnist -->"
NEEDS_ONNX = "<!-- needs-onnx -->"
HAS_ONNX = all(importlib.util.find_spec(m) is not None for m in ("onnx", "onnxruntime"))
OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<lang>[\w+-]*)")
INCLUDE = re.compile(r'^--8<-- "(?P<path>[^"]+)"\s*$')  # pymdownx.snippets, relative to ROOT


@dataclass
class Block:
    line: int  # 1-based line of the first code line in the page
    code: str
    marker: str | None  # NO_RUN, NEEDS_MNIST or None


def python_blocks(text: str) -> list[Block]:
    """The fenced ``python`` blocks of a Markdown text (indented fences, as inside tabs and
    admonitions, included), each with the marker on the line before its fence."""
    lines = text.splitlines()
    blocks, i = [], 0
    while i < len(lines):
        match = OPEN.match(lines[i])
        if not match:
            i += 1
            continue
        indent, fence, lang = match["indent"], match["fence"], match["lang"].lower()
        previous = next((ln.strip() for ln in reversed(lines[:i]) if ln.strip()), "")
        start, i = i + 1, i + 1
        while i < len(lines) and not (
            lines[i].strip().startswith(fence)
            and lines[i].startswith(indent)
            and not lines[i].strip().strip(fence[0])
        ):
            i += 1
        if lang == "python":
            body = "\n".join(
                ln[len(indent) :] if ln.startswith(indent) else ln.lstrip() for ln in lines[start:i]
            )
            marker = previous if previous in (NO_RUN, NEEDS_MNIST, NEEDS_ONNX) else None
            blocks.append(Block(start + 1, textwrap.dedent(body), marker))
        i += 1
    return blocks


def page_text(page: Path) -> str:
    """The page as the site shows it: ``--8<-- "FILE"`` lines replaced by FILE's text."""
    lines = page.read_text(encoding="utf-8").splitlines()
    return "\n".join(
        (ROOT / m["path"]).read_text(encoding="utf-8") if (m := INCLUDE.match(ln)) else ln
        for ln in lines
    )


def pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


PAGES = [p for p in pages() if python_blocks(page_text(p))]


@functools.cache
def _import_every_module() -> None:
    """A module that registers an entry when imported (minitorch_es.thesis.xor adds its ONNX
    translation) must be imported before the snapshot below: imported first by a page, its
    entry would be undone with the page's, and a second import does not register it again."""
    for module in pkgutil.walk_packages(mt.__path__, "minitorch_es."):
        importlib.import_module(module.name)


@pytest.fixture
def isolated_registry():
    """Undo what a page registers (entries, exports, plugins, failures)."""
    reg = mt.registry
    reg._load()
    _import_every_module()
    saved = dict(reg._entries), dict(reg._exports), dict(reg._by_object)
    failures = list(plugin_manager._failures)
    plugins = set(plugin_manager._manager.get_plugins())
    yield
    reg._entries, reg._exports, reg._by_object = saved
    plugin_manager._failures[:] = failures
    for plugin in set(plugin_manager._manager.get_plugins()) - plugins:
        plugin_manager._manager.unregister(plugin)


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_page_snippets_run(page, tmp_path, monkeypatch, isolated_registry):
    monkeypatch.chdir(tmp_path)  # files a snippet writes (checkpoints, CSV logs) stay here
    namespace = {"__name__": "__docs__"}
    ran, skipped = 0, []
    for block in python_blocks(page_text(page)):
        if block.marker == NO_RUN:
            continue
        if (block.marker == NEEDS_MNIST and not os.environ.get("MINITORCH_ES_DATA")) or (
            block.marker == NEEDS_ONNX and not HAS_ONNX
        ):
            skipped.append(block.line)
            continue
        # Leading newlines make traceback line numbers those of the Markdown page (of the
        # included file, for a page that is one include).
        source = "\n" * (block.line - 1) + block.code
        exec(compile(source, str(page), "exec"), namespace)
        ran += 1
    if not ran:
        pytest.skip(f"every block needs MNIST or the onnx extra (missing), lines {skipped}")


def test_collector_reads_fences_markers_and_indentation():
    text = textwrap.dedent("""\
        Intro
        ```python
        a = 1
        ```
        <!-- no-run -->
        ```python
        download()
        ```
        ```bash
        echo not python
        ```
        === "Tab"

            ```python
            b = a + 1
            ```
        <!-- needs-mnist -->

        ```python
        load()
        ```
        """)
    blocks = python_blocks(text)
    assert [(b.line, b.code.strip(), b.marker) for b in blocks] == [
        (3, "a = 1", None),
        (7, "download()", NO_RUN),
        (15, "b = a + 1", None),
        (20, "load()", NEEDS_MNIST),
    ]


def test_every_documentation_page_is_collected():
    docs = sorted((ROOT / "docs").rglob("*.md"))
    assert docs, "docs/ has no pages"
    assert ROOT / "README.md" in PAGES  # the README's example runs too
    # Both languages of the thesis guide have runnable code in every chapter.
    for chapter in sorted((ROOT / "docs" / "thesis").glob("*.md")):
        spanish = ROOT / "docs" / "es" / "thesis" / chapter.name
        assert spanish.exists(), f"{chapter.name} has no Spanish version"
        if chapter.name != "index.md":
            assert chapter in PAGES and spanish in PAGES, f"{chapter.name} has no runnable code"
