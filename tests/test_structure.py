"""The house's structure: no import circle between modules of `src/sanctuary`, and no private name
(a leading underscore) imported from another package. Every import counts, those inside functions
too; only those under `if TYPE_CHECKING:` (annotations, never run) are left out."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
ROOT = SRC / "sanctuary"


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in ROOT.rglob("*.py")}


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement of `tree`, at any depth, except under `if TYPE_CHECKING:`."""
    found: list[ast.Import | ast.ImportFrom] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child):
                stack.extend(child.orelse)
                continue
            stack.append(child)
    return found


def _absolute(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def imports_of(module: str) -> list[tuple[str, str | None]]:
    """(the module of ours imported, the name taken from it or None) for each import of `module`."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    out: list[tuple[str, str | None]] = []
    for node in _imports(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, None) for alias in node.names if alias.name in MODULES]
            continue
        source = _absolute(module, node)
        if source not in MODULES:
            continue
        for alias in node.names:
            sub = f"{source}.{alias.name}"
            out.append((sub, None) if sub in MODULES else (source, alias.name))
    return out


GRAPH = {m: sorted({target for target, _ in imports_of(m) if target != m}) for m in MODULES}


def circles(graph: dict[str, list[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, []):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def package_of(module: str) -> str:
    return module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]


def test_no_import_circle() -> None:
    assert circles(GRAPH) == []


def test_no_private_name_across_packages() -> None:
    crossing = [
        f"{importer} imports {name} from {source}"
        for importer in MODULES
        for source, name in imports_of(importer)
        if name is not None and name.startswith("_") and not name.startswith("__") and package_of(source) != package_of(importer)
    ]
    assert crossing == []


def test_the_log_imports_nothing_of_the_domain() -> None:
    """`sanctuary.audit` takes bytes: it knows no request, decision or rule (sanctuary.recording
    encodes a decision into its entry)."""
    domain = ("sanctuary.models", "sanctuary.policy", "sanctuary.pipeline", "sanctuary.recording", "sanctuary.screening")
    found = [
        f"{m} imports {target}"
        for m in MODULES
        if m == "sanctuary.audit" or m.startswith("sanctuary.audit.")
        for target, _ in imports_of(m)
        if target.startswith(domain)
    ]
    assert found == []


@pytest.mark.parametrize(
    ("graph", "expected"),
    [({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}, [["a", "b", "c"]]), ({"a": ["b"], "b": [], "c": ["a"]}, [])],
)
def test_circles_are_found(graph: dict[str, list[str]], expected: list[list[str]]) -> None:
    assert circles(graph) == expected


def test_imports_inside_functions_count_and_type_checking_does_not() -> None:
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from sanctuary.models import Request\n"
        "def f():\n    from sanctuary.pipeline import Pipeline\n"
    )
    assert sorted(n.module or "" for n in _imports(tree) if isinstance(n, ast.ImportFrom)) == ["sanctuary.pipeline", "typing"]
