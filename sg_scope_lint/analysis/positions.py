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
from collections.abc import Iterator

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from .pyast import parse_ast


class Positions:
    """1-based (line, column) of Call and Assign nodes, by their order in the libcst walk."""

    def __init__(self, module: cst.Module, calls: int, assigns: int,
                 source: bytes | None = None) -> None:
        self.module = module
        self.source = source  # the bytes parsed, when known: spares regenerating the code
        self.counts = {ast.Call: calls, ast.Assign: assigns}
        self._ordered: dict[type, list[tuple[int, int]]] | None = None  # (line, UTF-8 offset)
        self._lines: list[str] = []
        self._exact: dict[cst.CSTNode, tuple[int, int]] | None = None

    def of(self, kind: type[ast.Call | ast.Assign], ordinal: int,
           node: cst.CSTNode) -> tuple[int, int]:
        ordered = self._from_ast()
        if ordered is not None:
            line, offset = ordered[kind][ordinal]
            return line, _column(self._lines, line, offset)
        return self._from_libcst(node)

    def _from_ast(self) -> dict[type, list[tuple[int, int]]] | None:
        if self._ordered is None:
            code = self._code()
            self._ordered = _ast_positions(code) or {}
            self._lines = code.splitlines() if self._ordered else []
            if any(len(self._ordered.get(kind, ())) != count
                   for kind, count in self.counts.items()):
                self._ordered = {}
        return self._ordered or None

    def _code(self) -> str:
        """The module's text: its bytes decoded as libcst decoded them (`module.code` would
        generate it again from the tree, which costs more than the parse by `ast`)."""
        if self.source is not None:
            try:
                return self.source.decode(self.module.encoding)  # utf-8-sig drops a BOM
            except (UnicodeDecodeError, LookupError):
                pass
        return self.module.code

    def _from_libcst(self, node: cst.CSTNode) -> tuple[int, int]:
        if self._exact is None:
            wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
            self._exact = {n: (p.start.line, p.start.column + 1)
                           for n, p in wrapper.resolve(PositionProvider).items()
                           if isinstance(n, (cst.Call, cst.Assign))}
        return self._exact[node]


def _ast_positions(code: str) -> dict[type, list[tuple[int, int]]] | None:
    """(line, UTF-8 byte offset) of every Call and Assign node, in libcst's walk order."""
    tree = parse_ast(code)
    if tree is None:
        return None
    found: dict[type, list[tuple[int, int]]] = {ast.Call: [], ast.Assign: []}
    for node in _source_order(tree):
        if isinstance(node, (ast.Call, ast.Assign)):
            found[type(node)].append((node.lineno, node.col_offset))
    return found


# Nodes that never hold a Call or an Assign: the walk does not enter them (`_start` of their
# parents still counts them). Dropping them from a stable sort keeps the others' order.
_LEAVES = (ast.Name, ast.Constant, ast.expr_context, ast.operator, ast.unaryop, ast.cmpop,
           ast.boolop)


def _source_order(root: ast.AST) -> Iterator[ast.AST]:
    """Pre-order walk with each node's children sorted by where they start, like libcst's."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        children = [child for child in ast.iter_child_nodes(node)
                    if not isinstance(child, _LEAVES)]
        if len(children) > 1:
            children.sort(key=_start)
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
