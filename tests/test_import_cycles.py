"""No import circles among the modules of ``isf_claims``.

The import graph is read with ``ast`` from ``tooling/isf_claims`` (nothing is imported).
An edge A -> B is an ``import B`` or ``from B import x`` in A, or ``from P import B`` of a
submodule ``B`` of ``P`` (relative imports resolved); importing B also runs the
``__init__`` of each package B is in, except the packages A is in itself (Python has them
imported before A, so ``from P import m`` of a submodule inside P needs only ``m``; a name
P's ``__init__`` defines is an edge to P). Two graphs are checked:

- **Module level** (the hard rule, no exceptions): the imports run when A is imported, i.e.
  at module level and in class bodies. Imports inside functions (deferred) and under
  ``if TYPE_CHECKING:`` (never run) do not count here. This graph has no cycle.
- **With deferred and type-only imports**: every import anywhere in A, including those
  inside functions and under ``if TYPE_CHECKING:``. A circle here is one a deferred import
  hides (two modules that need each other); edges *into* a package's ``__init__`` do not
  count, because a package's ``__init__`` is its public entry point and re-exports its
  parts (counting them would fold whole packages into one circle). The circles this graph
  still has are listed in ``KNOWN_CYCLES``, which must stay exact: a new circle fails, and
  so does a listed one that is gone (remove it from the list).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOOLING = ROOT / "tooling"

# Circles tolerated while a restructuring is under way (none now). An entry is a set of
# module names; the test fails when a listed circle is gone, so the list stays exact.
KNOWN_CYCLES: set[frozenset[str]] = set()


def modules(root: Path, package: str = "isf_claims") -> dict[str, tuple[Path, bool]]:
    """Dotted name -> (file, is a package ``__init__``) of every module under ``root``."""
    out: dict[str, tuple[Path, bool]] = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        name = ".".join(parts)
        if name in out and out[name][1]:
            continue  # a folder package shadows a module file of the same name, as in Python
        out[name] = (path, is_package)
    return out


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _module_level(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """Imports run when the module is imported: not in functions, not under TYPE_CHECKING."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from _module_level(node.orelse)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        else:  # if/try/with/for/while/match blocks and class bodies run at import time
            for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                for child in getattr(node, field, []) or []:
                    if isinstance(child, ast.ExceptHandler | ast.match_case):
                        yield from _module_level(child.body)
                    elif isinstance(child, ast.stmt):
                        yield from _module_level([child])


def _within(package: str, name: str) -> bool:
    """Whether module ``name`` is ``package`` or inside it (so ``package`` is being
    imported already whenever ``name`` is)."""
    return name == package or name.startswith(package + ".")


def _targets(
    node: ast.Import | ast.ImportFrom, name: str, is_package: bool, known: set[str]
) -> set[str]:
    """The modules of ``known`` one import statement of module ``name`` runs: the modules
    it names and the packages they are in (a package's ``__init__`` runs before its
    modules), less the packages ``name`` itself is in (those run before ``name`` anyway;
    ``from P import m`` of a submodule ``m`` of such a package only needs ``m``)."""
    if isinstance(node, ast.Import):
        out = {a.name for a in node.names if a.name in known}
    else:
        base = node.module or ""
        if node.level:
            parts = name.split(".") if is_package else name.split(".")[:-1]
            parts = parts[: len(parts) - (node.level - 1)]
            base = ".".join([*parts, *([node.module] if node.module else [])])
        out = {f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in known}
        attributes = len(out) < len(node.names)  # names defined by ``base`` itself
        if base in known and (attributes or not _within(base, name)):
            out.add(base)
    for target in list(out):
        parts = target.split(".")
        for i in range(1, len(parts)):
            package = ".".join(parts[:i])
            if package in known and not _within(package, name):
                out.add(package)
    return out


def import_graph(root: Path, deferred: bool, package: str = "isf_claims") -> dict[str, set[str]]:
    """Module -> the package's modules it imports (see the module docstring)."""
    mods = modules(root, package)
    graph: dict[str, set[str]] = {}
    for name, (path, is_package) in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        if deferred:
            nodes: Iterator[ast.Import | ast.ImportFrom] = (
                n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)
            )
        else:
            nodes = _module_level(tree.body)
        deps: set[str] = set()
        for node in nodes:
            deps |= _targets(node, name, is_package, set(mods))
        if deferred:
            deps = {d for d in deps if not mods[d][1]}
        deps.discard(name)
        graph[name] = deps
    return graph


def cycles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """The import circles: strongly connected components of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: set[frozenset[str]] = set()

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                out.add(frozenset(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _describe(found: set[frozenset[str]], graph: dict[str, set[str]]) -> str:
    lines = []
    for component in sorted(found, key=sorted):
        for a in sorted(component):
            lines.append(f"{a} -> {', '.join(sorted(graph[a] & component))}")
        lines.append("")
    return "\n".join(lines)


def test_module_level_imports_form_no_cycle() -> None:
    graph = import_graph(TOOLING, deferred=False)
    found = cycles(graph)
    assert not found, "import circles at module level:\n" + _describe(found, graph)


def test_deferred_and_type_only_imports_add_no_new_cycle() -> None:
    graph = import_graph(TOOLING, deferred=True)
    found = cycles(graph)
    new, gone = found - KNOWN_CYCLES, KNOWN_CYCLES - found
    assert not new, "new import circles (counting deferred imports):\n" + _describe(new, graph)
    assert not gone, f"KNOWN_CYCLES lists circles that are gone, remove them: {gone}"


def test_the_graph_sees_submodule_imports_and_skips_deferred_ones(tmp_path: Path) -> None:
    """The checker on a small package: ``from pkg import b`` is an edge to ``pkg.b`` (and
    to ``pkg`` only for a name ``pkg`` defines, or from outside ``pkg``); importing
    ``pkg.sub.m`` from outside runs ``pkg.sub``; an import inside a function or under
    TYPE_CHECKING counts only with ``deferred``."""
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("VERSION = 1\n")
    (pkg / "sub" / "__init__.py").write_text("from pkg.sub import m\n")
    (pkg / "sub" / "m.py").write_text("from pkg import VERSION\n")
    (pkg / "a.py").write_text("from pkg import b\nfrom pkg.sub.m import x\n")
    (pkg / "b.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from pkg.a import x\n"
        "def f():\n    from . import c\n"
    )
    (pkg / "c.py").write_text("try:\n    import pkg.a\nexcept ImportError:\n    pass\n")
    module_level = import_graph(tmp_path, deferred=False, package="pkg")
    assert module_level == {
        "pkg": set(),
        "pkg.sub": {"pkg.sub.m"},
        "pkg.sub.m": {"pkg"},
        "pkg.a": {"pkg.b", "pkg.sub", "pkg.sub.m"},
        "pkg.b": set(),
        "pkg.c": {"pkg.a"},
    }
    assert cycles(module_level) == set()
    deferred = import_graph(tmp_path, deferred=True, package="pkg")
    assert deferred["pkg.b"] == {"pkg.a", "pkg.c"}
    assert cycles(deferred) == {frozenset({"pkg.a", "pkg.b", "pkg.c"})}
