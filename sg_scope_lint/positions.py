"""Line and column of the few nodes a report names, without libcst's PositionProvider.

libcst computes positions by generating code for the whole module, which costs more than
parsing it; a scan needs the position of a handful of calls. CPython's `ast` parses the same
text several times faster and carries positions, and its Call and Assign nodes, walked in
source order, line up one to one with the ones the libcst visitor met in its own walk. When the
two counts disagree (or `ast` cannot parse syntax newer than the running Python), the exact but
slow PositionProvider answers instead.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Iterator

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider


class Positions:
    """1-based (line, column) of Call and Assign nodes, by their order in the libcst walk."""

    def __init__(self, module: cst.Module, calls: int, assigns: int) -> None:
        self.module = module
        self.counts = {ast.Call: calls, ast.Assign: assigns}
        self._ordered: dict[type, list[tuple[int, int]]] | None = None
        self._exact: dict[cst.CSTNode, tuple[int, int]] | None = None

    def of(self, kind: type[ast.Call] | type[ast.Assign], ordinal: int,
           node: cst.CSTNode) -> tuple[int, int]:
        ordered = self._from_ast()
        if ordered is not None:
            return ordered[kind][ordinal]
        return self._from_libcst(node)

    def _from_ast(self) -> dict[type, list[tuple[int, int]]] | None:
        if self._ordered is None:
            self._ordered = _ast_positions(self.module.code) or {}
            if any(len(self._ordered.get(kind, ())) != count
                   for kind, count in self.counts.items()):
                self._ordered = {}
        return self._ordered or None

    def _from_libcst(self, node: cst.CSTNode) -> tuple[int, int]:
        if self._exact is None:
            wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
            self._exact = {n: (p.start.line, p.start.column + 1)
                           for n, p in wrapper.resolve(PositionProvider).items()
                           if isinstance(n, (cst.Call, cst.Assign))}
        return self._exact[node]


def _ast_positions(code: str) -> dict[type, list[tuple[int, int]]] | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    lines = code.splitlines()
    found: dict[type, list[tuple[int, int]]] = {ast.Call: [], ast.Assign: []}
    for node in _source_order(tree):
        if isinstance(node, (ast.Call, ast.Assign)):
            found[type(node)].append((node.lineno, _column(lines, node.lineno, node.col_offset)))
    return found


def _source_order(root: ast.AST) -> Iterator[ast.AST]:
    """Pre-order walk with each node's children sorted by where they start, like libcst's."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        children = sorted(ast.iter_child_nodes(node), key=_start)
        stack.extend(reversed(children))


def _start(node: ast.AST) -> tuple[int, int]:
    if isinstance(node, (ast.expr, ast.stmt, ast.keyword, ast.arg, ast.excepthandler,
                         ast.alias, ast.pattern)):
        return node.lineno, node.col_offset
    starts = [_start(child) for child in ast.iter_child_nodes(node)]
    return min(starts) if starts else (0, 0)


def _column(lines: list[str], line: int, byte_offset: int) -> int:
    """`ast` counts UTF-8 bytes; reports count characters, 1-based."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "ignore")) + 1
