"""Strings that name a SendGrid endpoint: the safety net under the call analysis.

A module may name an endpoint in a URL that reaches a request the analysis cannot follow (a
table of endpoints fed to a helper, a request method inherited from a third-party class). So
every string in the module that is a URL on SendGrid's API hosts with a path (not a bare base
URL such as `https://api.sendgrid.com/v3`) is reported as a `RawCall` with `named` set; the
engine drops the ones a reported call of the module accounts for, and reports the others as
unresolved, with the endpoints and scopes they could be (`engine.report_calls`).

In a module that names SendGrid, a string that is a bare path of the v3 API
(`"/v3/marketing/contacts"`, `"marketing/contacts"`, `"suppression/bounces?limit=50"`) is the
same kind of evidence, without a host: it is reported with `unknown_base` set, and only when a
rule knows the path (`engine.report_calls`), so that paths of other APIs stay silent.

Docstrings and other strings standing alone as statements are not counted: they document,
they send nothing; nor are strings in decorators (a web framework's routes) or compared with
something (a receiver dispatching on a path).
"""

from __future__ import annotations

import ast
import re

from ..types import VALUE, Location, RawCall, Segment
from .frameworks import string_pieces
from .pyast import parse_ast
from .strings import api_path, names_endpoint, raw_path_steps

# Bytes a module must contain before its strings are looked at.
MARKER = b"sendgrid.com"
# ... before its bare paths are: it names SendGrid somewhere (any case).
_NAMES_SENDGRID = re.compile(rb"(?i)sendgrid")
# A bare path: two segments or more of lowercase names and run-time parts, an optional
# leading `/` or `/v3/`, and a query string.
_BARE_PATH = re.compile(r"/?(v3/)?[a-z_]+(/([a-z_0-9.:-]+|\x00))+/?(\?.*)?")


def endpoint_strings(source: bytes, path: str) -> list[RawCall]:
    """The SendGrid endpoint URLs and bare v3 paths written in the module's strings, in source
    order."""
    urls = MARKER in source
    if not urls and _NAMES_SENDGRID.search(source) is None:
        return []
    tree = parse_ast(source)
    if tree is None:
        return []
    skipped = _not_sent(tree)
    found: list[RawCall] = []
    for node in ast.walk(tree):
        if id(node) in skipped or not isinstance(node, (ast.Constant, ast.JoinedStr)):
            continue
        pieces = string_pieces(node)
        if not pieces:
            continue
        endpoint = api_path(pieces) if urls else None
        bare = endpoint is None and (endpoint := _bare_path(pieces)) is not None
        if endpoint is None or not names_endpoint(endpoint):
            continue
        text = "".join(p if isinstance(p, str) else "{}" for p in pieces)
        found.append(RawCall(Location(path, node.lineno, node.col_offset + 1), text,
                             raw_path_steps(endpoint), "", unknown_base=bare, named=True))
    found.sort(key=lambda call: (call.location.line, call.location.col))
    return found


def _not_sent(tree: ast.AST) -> set[int]:
    """The ids of string nodes that name no request: docstrings and strings standing alone,
    the parts of f-strings (the f-string counts whole), strings in decorators and in
    comparisons."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr):
            skipped.add(id(node.value))
        elif isinstance(node, ast.JoinedStr):
            skipped.update(id(part) for part in node.values)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            skipped.update(id(inner) for decorator in node.decorator_list
                           for inner in ast.walk(decorator))
        elif isinstance(node, ast.Compare):
            skipped.update(id(inner) for operand in (node.left, *node.comparators)
                           for inner in ast.walk(operand))
    return skipped


def _bare_path(pieces: tuple[Segment, ...]) -> tuple[Segment, ...] | None:
    """A bare path of the v3 API as the path of a request (`/v3/...`), else None."""
    text = "".join(p if isinstance(p, str) else "\x00" for p in pieces)
    if _BARE_PATH.fullmatch(text) is None:
        return None
    text = text.lstrip("/")
    text = "/" + (text if text.startswith("v3/") else "v3/" + text)
    parts = text.split("\x00")
    path: list[Segment] = []
    for index, part in enumerate(parts):
        if index:
            path.append(VALUE)
        if part:
            path.append(part)
    return tuple(path)
