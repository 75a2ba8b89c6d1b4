"""walk.py meets the same nodes in the same order as libcst's own visit, and its field table
is the one scripts/update_cst_fields.py derives from the installed libcst."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import libcst as cst
import pytest

from sg_scope_lint.analysis.cst_fields import CHILD_FIELDS
from sg_scope_lint.analysis.walk import walk

REPO = Path(__file__).resolve().parent.parent
SOURCES = sorted([*(REPO / "tests" / "fixtures").rglob("*.py"),
                  *(REPO / "tests" / "golden").rglob("*.py"),
                  *(REPO / "sg_scope_lint").rglob("*.py"),
                  *(REPO / "examples").rglob("*.py")])

# Constructs the sources above may lack, in one module.
EVERY_SYNTAX = '''
import a.b as c, d
from .. import (e, f as g)
from h import *
@dec(1)
@other
class K(Base, metaclass=M):
    x: int = 1
    async def m(self, /, a, b=f(1), *args, c: "T" = g(), **kw) -> R:
        global q
        nonlocal_ = lambda y, *z: y(z) if y else (yield z)
        async with o(1) as (p, r), s():
            async for t in u():
                await v(t)
        try:
            w = [i(j) for j in k if l(j) for i in j]
        except* E as e:
            raise X(e) from Y()
        else:
            del d[1:2:3], e.f
        finally:
            assert z(), msg()
        return {a: b(c) for a, b in d}, {e(f)}, {**g(), "h": i()}, (*j(),)
def h[T: int, *U, **V](x):
    match x(1):
        case [1, *rest] | {"k": v, **kw} | C(a, b=c) if guard(a):
            pass
        case _:
            x += f"{a(1)!r:>{b(2)}}" "s" r"t"
    type Alias = list[int]
    while (n := m()) > 0 and not o(): print(n, ~n, -n, n @ n)
'''


class Recorder(cst.CSTVisitor):
    """Records every non-trivia node it is told about, on entry and on leaving (one
    `visit_<Class>`/`leave_<Class>` method per class of the table, added below)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, str, int]] = []


def _recording(event: str, name: str) -> object:
    def method(self: Recorder, node: cst.CSTNode) -> None:
        self.seen.append((event, name, id(node)))
    return method


for _name in CHILD_FIELDS:
    setattr(Recorder, f"visit_{_name}", _recording("visit", _name))
    setattr(Recorder, f"leave_{_name}", _recording("leave", _name))


@pytest.mark.parametrize("source", [*SOURCES, None],
                         ids=[str(p.relative_to(REPO)) for p in SOURCES] + ["every-syntax"])
def test_walk_meets_nodes_like_libcst(source: Path | None) -> None:
    data = source.read_bytes() if source is not None else EVERY_SYNTAX.encode()
    try:
        module = cst.parse_module(data)
    except cst.ParserSyntaxError:
        pytest.skip("not valid Python (a bad-input fixture)")
    by_libcst, by_walk = Recorder(), Recorder()
    module.visit(by_libcst)
    walk(module, by_walk)
    assert by_walk.seen == by_libcst.seen


def test_skipping_children_like_libcst() -> None:
    class NoFunctionBodies(cst.CSTVisitor):
        def __init__(self) -> None:
            super().__init__()
            self.calls: list[int] = []

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False

        def visit_Call(self, node: cst.Call) -> None:
            self.calls.append(id(node))

    module = cst.parse_module(EVERY_SYNTAX)
    by_libcst, by_walk = NoFunctionBodies(), NoFunctionBodies()
    module.visit(by_libcst)
    walk(module, by_walk)
    assert by_walk.calls == by_libcst.calls and by_walk.calls


def test_field_table_is_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location(
        "update_cst_fields", REPO / "scripts" / "update_cst_fields.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.render(script.child_fields()) == (
        REPO / "sg_scope_lint" / "analysis" / "cst_fields.py").read_text(encoding="utf-8"), (
        "sg_scope_lint/analysis/cst_fields.py is out of date: run "
        "`python scripts/update_cst_fields.py`")


def test_the_table_is_used_only_under_the_libcst_it_was_made_from(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Under another libcst the walk hands every node to libcst (no field silently skipped)."""
    from sg_scope_lint.analysis import walk as walk_module

    assert walk_module._FIELDS, "the installed libcst is the table's: the fast walk is on"
    module = cst.parse_module("import sendgrid\nsendgrid.SendGridAPIClient().send(m)\n")
    visited: list[str] = []

    class Names(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            visited.append(node.value)

    monkeypatch.setattr(walk_module, "_FIELDS", {})
    walk_module.walk(module, Names())
    assert visited == ["sendgrid", "sendgrid", "SendGridAPIClient", "send", "m"]
