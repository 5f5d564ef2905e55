"""The package's joints, checked on its source: the import graph has no circle but the Tensor
one, the core names no plugin class, training neither imports distributed nor branches on it."""

import ast
import inspect
import pathlib

import minitorch_es as mt

ROOT = pathlib.Path(mt.__file__).parent
PACKAGE = ROOT.name


def modules() -> dict[str, tuple[pathlib.Path, bool]]:
    """Dotted module name -> (file, is a package ``__init__``)."""
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = [PACKAGE, *path.relative_to(ROOT).with_suffix("").parts]
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


MODULES = modules()
TREES = {name: ast.parse(path.read_text()) for name, (path, _) in MODULES.items()}


def imports(name: str):
    """``(module, imported name or None)`` for every import statement of a module: at the top,
    inside functions and under ``if TYPE_CHECKING`` (a type-only import is a dependency too)."""
    is_package = MODULES[name][1]
    base = name if is_package else name.rpartition(".")[0]
    for node in ast.walk(TREES[name]):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = base.split(".")[: len(base.split(".")) - node.level + 1]
                target = ".".join(parts + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                yield target, alias.name


def defined_in(package: str, name: str, seen: frozenset = frozenset()) -> str:
    """The module a name imported from ``package`` comes from: its submodule of that name, or
    the module its ``__init__`` re-exports it from (so that ``from ..nn import Module`` is an
    edge to ``nn.module``, not to the whole ``nn`` package)."""
    if f"{package}.{name}" in MODULES:
        return f"{package}.{name}"
    for module, imported in imports(package):
        if imported == name and module in MODULES and module != package:
            if MODULES[module][1] and (module, name) not in seen:
                return defined_in(module, name, seen | {(module, name)})
            return module
    return package


def import_graph() -> dict[str, set[str]]:
    graph = {name: set() for name in MODULES}
    for name in MODULES:
        for module, imported in imports(name):
            if module not in MODULES:
                continue
            target = defined_in(module, imported) if imported and MODULES[module][1] else module
            if target != name:
                graph[name].add(target)
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iteratively."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                found.append(component)
    return found


def test_the_only_import_circle_is_the_tensor_one():
    circles = [c for c in strongly_connected(import_graph()) if len(c) > 1]
    engine = tuple(f"{PACKAGE}.{m}" for m in ("tensor", "ops", "autograd"))  # tensor_math ...
    allowed = {n for n in MODULES if n.startswith(engine)}
    assert len(circles) <= 1, [sorted(c) for c in circles]
    assert all(c <= allowed for c in circles), [sorted(c - allowed) for c in circles]


def test_the_circle_finder_finds_circles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e"}}
    assert sorted(map(sorted, strongly_connected(graph))) == [["a", "b", "c"], ["d"], ["e"]]


def test_layers_keep_their_direction():
    graph = import_graph()

    def reaches(start: str, prefix: str) -> list[str]:
        return sorted(t for t in graph[start] if t.startswith(prefix))

    for name in graph:
        if name.startswith(f"{PACKAGE}.training"):
            assert not reaches(name, f"{PACKAGE}.distributed"), name
        if name.startswith(f"{PACKAGE}.checkpoint"):
            assert not reaches(name, f"{PACKAGE}.training"), name
        assert not reaches(name, "minitorch_es_plugins"), name


def test_training_holds_a_strategy_instead_of_branching_on_distribution():
    for path in (ROOT / "training").rglob("*.py"):
        assert "_sync" not in path.read_text(), path


def test_the_core_names_no_plugin_class():
    """No plugin class's name is compared with anything in the core, nor listed in a literal
    collection of names (a tuple such as ``("CrossEntropyLoss", "NLLLoss")``)."""
    plugin_classes = {
        entry.obj.__name__
        for entry in mt.registry.entries()
        if inspect.isclass(entry.obj) and entry.obj.__module__.startswith("minitorch_es_plugins")
    }
    assert {"OneCycleLR", "CrossEntropyLoss", "BCEWithLogitsLoss"} <= plugin_classes

    def is_name(node: ast.AST) -> bool:
        return isinstance(node, ast.Constant) and node.value in plugin_classes

    def strings(node: ast.AST) -> list:
        items = node.keys if isinstance(node, ast.Dict) else node.elts
        return (
            items
            if all(isinstance(i, ast.Constant) and isinstance(i.value, str) for i in items)
            else []
        )

    named = []
    for name, tree in TREES.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare):
                leaves = [
                    leaf for side in (node.left, *node.comparators) for leaf in ast.walk(side)
                ]
            elif isinstance(node, (ast.Tuple, ast.List, ast.Set, ast.Dict)):
                leaves = strings(node)
            else:
                continue
            named += [(name, leaf.lineno, leaf.value) for leaf in leaves if is_name(leaf)]
    assert named == []
