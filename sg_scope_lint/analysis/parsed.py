"""The libcst trees this process parsed during one scan, kept for the scan's later rounds.

A later round of the project analysis evaluates a file again with what other modules now tell
it; its tree does not change, so it is taken from here instead of being parsed again. Trees
are kept up to a budget of source bytes (a tree costs about a kilobyte of memory per line), the
least recently used leaving first; a file whose tree has left is parsed again.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libcst as cst

# About 100,000 lines of source per process.
BUDGET_BYTES = 4 << 20


class ParsedModules:
    """Trees by file path, each with the bytes it was parsed from (a changed file misses)."""

    def __init__(self, budget: int = BUDGET_BYTES) -> None:
        self.budget = budget
        self.size = 0
        self.entries: OrderedDict[str, tuple[bytes, cst.Module, bytes]] = OrderedDict()

    def get(self, path: str, data: bytes) -> tuple[cst.Module, bytes] | None:
        """The tree of `path` and the source it holds (Python 2 source is rewritten), when
        `data` is what was parsed."""
        entry = self.entries.get(path)
        if entry is None or entry[0] != data:
            return None
        self.entries.move_to_end(path)
        return entry[1], entry[2]

    def put(self, path: str, data: bytes, module: cst.Module, source: bytes) -> None:
        if len(data) > self.budget:
            return
        old = self.entries.pop(path, None)
        if old is not None:
            self.size -= len(old[0])
        self.entries[path] = (data, module, source)
        self.size += len(data)
        while self.size > self.budget:
            _, (dropped, _, _) = self.entries.popitem(last=False)
            self.size -= len(dropped)

    def clear(self) -> None:
        self.entries.clear()
        self.size = 0


# This process's trees: a worker's live as long as the worker (one scan); the main process
# clears them when a scan starts and ends.
TREES = ParsedModules()
