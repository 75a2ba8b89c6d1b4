"""Walk a libcst tree for a visitor's `visit_*`/`leave_*` methods without rebuilding it.

libcst's own `Module.visit` rebuilds (and re-validates) every node it passes, whitespace
included, even for a visitor that changes nothing: on a scan that was most of the analysis.
This walk reads each node's child fields in the order libcst's visit meets them (the table in
`cst_fields.py`, generated from libcst's source), skips whitespace, brackets, punctuation and
operators, and calls the same methods, so a visitor sees the same nodes in the same order.

What it does not do: attribute visitors (`visit_Call_func`), overridden `on_visit`/`on_leave`,
or metadata; a visitor that uses them, and any node class the table does not know (a newer
libcst), is walked by libcst itself.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import libcst as cst

from .cst_fields import CHILD_FIELDS, LIBCST_VERSION


def _installed_libcst() -> str:
    """libcst's version (its setuptools-scm module; importlib.metadata costs milliseconds)."""
    try:
        from libcst._version import __version__
    except ImportError:  # pragma: no cover - a libcst built without it: walk with libcst
        return ""
    return str(__version__)


# Under another libcst a node may have gained a field the table does not list, and its children
# would be skipped without a word: there, every node is walked by libcst itself.
_FIELDS: dict[type, tuple[str, ...]] = {
    getattr(cst, name): fields for name, fields in CHILD_FIELDS.items() if hasattr(cst, name)
} if _installed_libcst() == LIBCST_VERSION else {}

# Values a child field holds besides nodes and sequences of them.
_NOT_NODES = (type(None), type(cst.MaybeSentinel.DEFAULT), str)

_Method = Callable[[Any], Any] | None
_HOOKS = ("on_visit", "on_leave", "on_visit_attribute", "on_leave_attribute")


def walk(tree: cst.CSTNode, visitor: cst.CSTVisitor) -> None:
    """Call `visitor`'s methods over `tree` as `tree.visit(visitor)` would."""
    if not _plain(type(visitor)):
        tree.visit(visitor)
        return
    _Walker(visitor).walk(tree)


def _overrides(cls: type, name: str) -> bool:
    return getattr(cls, name, None) is not getattr(cst.CSTVisitor, name, None)


@functools.lru_cache(maxsize=64)
def _plain(cls: type) -> bool:
    """A visitor with only per-class `visit_*`/`leave_*` methods (what this walk supports)."""
    if any(_overrides(cls, hook) for hook in _HOOKS):
        return False
    return not any(name.startswith(("visit_", "leave_")) and name.count("_") > 1
                   and _overrides(cls, name) for name in dir(cls))


class _Walker:
    def __init__(self, visitor: cst.CSTVisitor) -> None:
        self.visitor = visitor
        self.entries: dict[type, tuple[_Method, _Method, tuple[str, ...] | None]] = {}

    def _entry(self, cls: type) -> tuple[_Method, _Method, tuple[str, ...] | None]:
        name = cls.__name__
        visitor_class = type(self.visitor)
        visit = getattr(self.visitor, f"visit_{name}") if _overrides(
            visitor_class, f"visit_{name}") else None
        leave = getattr(self.visitor, f"leave_{name}") if _overrides(
            visitor_class, f"leave_{name}") else None
        entry = self.entries[cls] = (visit, leave, _FIELDS.get(cls))
        return entry

    def walk(self, node: cst.CSTNode) -> None:
        cls = type(node)
        visit, leave, fields = self.entries.get(cls) or self._entry(cls)
        if fields is None:
            node.visit(self.visitor)
            return
        # CSTVisitor.on_visit: only an explicit False skips the children.
        if visit is None or visit(node) is not False:
            for field in fields:
                child = getattr(node, field)
                kind = type(child)
                if kind is tuple or kind is list:
                    for item in child:
                        self.walk(item)
                # A dict lookup before isinstance: CSTNode is an ABC, slow to test against.
                elif kind in _FIELDS or (kind not in _NOT_NODES
                                         and isinstance(child, cst.CSTNode)):
                    self.walk(child)
        if leave is not None:
            leave(node)
