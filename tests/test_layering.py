"""The package's layers: libcst is imported by `sg_scope_lint/analysis/` only, so the front
ends, the engine and the reporters stay cheap to import (the flake8 plugin and the fast path
import the package on every run) and the parser can change in one place."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sg_scope_lint"
OUTSIDE = sorted(p for p in PACKAGE.rglob("*.py") if "analysis" not in p.relative_to(PACKAGE).parts)


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_bytes())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("path", OUTSIDE, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_libcst_is_imported_in_the_analysis_package_only(path: Path) -> None:
    libcst = {m for m in imported_modules(path) if m == "libcst" or m.startswith("libcst.")}
    assert not libcst, f"{path.relative_to(PACKAGE)} imports {sorted(libcst)}"


def test_the_check_sees_the_analysis_package_import_libcst() -> None:
    """The check above would pass vacuously if it never found an import of libcst."""
    inside = [p for p in (PACKAGE / "analysis").glob("*.py") if "libcst" in imported_modules(p)]
    assert len(inside) >= 4 and OUTSIDE


def package_imports() -> dict[str, set[str]]:
    """Each module of the package and the package modules it imports, lazily or not."""
    def name_of(path: Path) -> str:
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

    modules = {name_of(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_bytes())):
            if not (isinstance(node, ast.ImportFrom) and node.level):
                continue
            base = package.split(".")[:len(package.split(".")) - node.level + 1]
            target = ".".join(base + ([node.module] if node.module else []))
            found.update(m for m in (target, *(f"{target}.{a.name}" for a in node.names))
                         if m in modules)
        graph[name] = found - {name}
    return graph


def test_no_import_cycles() -> None:
    graph = package_imports()
    assert graph["sg_scope_lint.command"] >= {"sg_scope_lint.quick", "sg_scope_lint.cli"}
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        if module in path:
            cycle = " -> ".join((*path[path.index(module):], module))
            raise AssertionError(f"import cycle: {cycle}")
        if module in done:
            return
        for imported in sorted(graph[module]):
            visit(imported, (*path, module))
        done.add(module)

    for module in sorted(graph):
        visit(module, ())
