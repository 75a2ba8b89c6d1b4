"""Find the functions whose `def` (or a decorator) is on given lines of one file, and the calls
to them in that file.

This is what a `# sg-scope:` annotation on a `def` line needs: the wrapper's body (whose
unresolved SendGrid calls the annotation covers) and the places that call the wrapper.
It uses the stdlib `ast`, not libcst, because it runs only for files with a wrapper annotation
and must work in files that never mention SendGrid (a wrapper around a client passed in).

What counts as a call to wrapper `f`: `f(...)` for a function, `self.f(...)` / `cls.f(...)` for a
method. Not found: calls from other modules (cross-module wrappers are planned separately),
calls through another name (`g = f; g()`), or `obj.f(...)` on an instance.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Collection
from dataclasses import dataclass

from .types import Location

# The line breaks `ast` counts (str.splitlines also splits on form feeds and others).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class Wrapper:
    """A function or method whose `def` line holds an annotation."""

    name: str
    first_line: int  # its first decorator's line, else the `def` line
    line: int  # the `def` line
    end_line: int  # the last line of its body
    method: bool  # defined directly in a class body


@dataclass(frozen=True, slots=True)
class WrapperCall:
    """A call to a wrapper: where, to which, and the called expression's source (`self.send`)."""

    location: Location
    wrapper: Wrapper
    text: str


@dataclass(frozen=True, slots=True)
class WrapperIndex:
    wrappers: tuple[Wrapper, ...] = ()
    calls: tuple[WrapperCall, ...] = ()

    def at(self, line: int) -> Wrapper | None:
        """The function whose `def` or decorators are on `line`."""
        return next((w for w in self.wrappers if w.first_line <= line <= w.line), None)


def find_wrappers(data: bytes, path: str, def_lines: Collection[int]) -> WrapperIndex:
    """The functions whose `def` or a decorator is on one of `def_lines`, and the calls to them.

    A file that does not parse has none (its syntax error is reported elsewhere).
    """
    if not def_lines:
        return WrapperIndex()
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
        tree = ast.parse(text)
    except (SyntaxError, UnicodeDecodeError, LookupError, ValueError, RecursionError):
        return WrapperIndex()
    wrappers: list[Wrapper] = []
    for parent in ast.walk(tree):
        for node in ast.iter_child_nodes(parent):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            if any(first <= line <= node.lineno for line in def_lines):
                end = node.end_lineno or node.lineno
                wrappers.append(Wrapper(node.name, first, node.lineno, end,
                                        isinstance(parent, ast.ClassDef)))
    if not wrappers:
        return WrapperIndex()
    functions = {w.name: w for w in wrappers if not w.method}
    methods = {w.name: w for w in wrappers if w.method}
    lines = _LINE_BREAK.split(text)
    calls: list[WrapperCall] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        target: Wrapper | None = None
        if isinstance(func, ast.Name):
            target = functions.get(func.id)
        elif (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
              and func.value.id in ("self", "cls")):
            target = methods.get(func.attr)
        if target is not None:
            column = _char_column(lines[node.lineno - 1], node.col_offset)
            source = ast.get_source_segment(text, func) or ""
            calls.append(WrapperCall(Location(path, node.lineno, column + 1), target, source))
    calls.sort(key=lambda call: call.location)
    return WrapperIndex(tuple(sorted(wrappers, key=lambda w: w.line)), tuple(calls))


def _char_column(line: str, byte_offset: int) -> int:
    """`ast` columns count UTF-8 bytes; reports count characters, as libcst does."""
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="replace"))
