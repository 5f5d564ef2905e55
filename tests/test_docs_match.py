"""The documentation says what the code does: the README commands the docs quote are the
README's, and the plugin guide's layout of the example package is the real one."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMAND = re.compile(r"^\s*(python3 -m venv \.venv\b.*)$")


def readme_commands() -> list[str]:
    """The lines of the README's ```bash blocks."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```bash\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def test_the_readme_starts_with_the_thesis_on_the_repository_data():
    first, second = readme_commands()[:2]
    assert "MINITORCH_ES_DATA=../shared/data/mnist" in first and "minitorch-es thesis" in first
    assert "-m pytest" in second  # CI runs this one verbatim (.ci/run)


def test_docs_quote_the_readme_commands_verbatim():
    readme = set(readme_commands())
    pages = [*sorted((ROOT / "docs").rglob("*.md")), ROOT / "CONTRIBUTING.md"]
    quoted = {}
    for page in pages:
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            match = COMMAND.match(line)
            if match and "&&" in line:  # a one-line install-and-run command, as the README's
                quoted[f"{page.relative_to(ROOT)}:{number}"] = match.group(1).strip()
    assert quoted, "no page quotes the README's commands any more; update this test"
    stale = {where: cmd for where, cmd in quoted.items() if cmd not in readme}
    assert stale == {}, f"these differ from the README's commands {sorted(readme)}"


def tree_paths(tree: str) -> list[str]:
    """File paths of a ``tree``-style listing (├── / └── and │ indentation, 4 columns a level),
    relative to its root line."""
    paths, stack = [], []
    for line in tree.splitlines()[1:]:
        match = re.match(r"^((?:│   |    )*)[├└]── (.+)$", line)
        if not match:
            continue
        depth, name = len(match.group(1)) // 4, match.group(2).strip()
        stack[depth:] = [name.rstrip("/")]
        if not name.endswith("/"):
            paths.append("/".join(stack))
    return paths


def test_the_plugin_guide_shows_the_example_package_as_it_is():
    text = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    tree = re.search(r"```text\n(minitorch-es-demo-plugin/\n.*?)```", text, re.DOTALL).group(1)
    shown = tree_paths(tree)
    assert "pyproject.toml" in shown
    example = ROOT / "tests" / "plugin_dist"
    missing = [path for path in shown if not (example / path).is_file()]
    assert missing == [], f"the guide shows files the example does not have: {missing}"
    real = sorted(
        str(p.relative_to(example))
        for p in example.rglob("*")
        if p.is_file() and "egg-info" not in str(p) and "__pycache__" not in str(p)
    )
    assert sorted(shown) == real
