"""CPython's own parser, for the passes that need positions or declarations but no libcst tree:
several times faster than libcst, and quiet about invalid escape sequences and the like."""

from __future__ import annotations

import ast
import warnings


def parse_ast(source: bytes | str) -> ast.Module | None:
    """The module's tree, None when CPython cannot parse it (syntax newer than the running
    Python, or nested too deeply): the libcst analysis still runs."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
