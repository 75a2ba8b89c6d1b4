"""Strings that name a SendGrid endpoint: the safety net under the call analysis.

A module may name an endpoint in a URL that reaches a request the analysis cannot follow (a
table of endpoints fed to a helper, a request method inherited from a third-party class). So
every string in the module that is a URL on SendGrid's API hosts with a path (not a bare base
URL such as `https://api.sendgrid.com/v3`) is reported as a `RawCall` with `named` set; the
engine drops the ones a reported call of the module accounts for, and reports the others as
unresolved, with the endpoints and scopes they could be (`engine.report_calls`).

Docstrings and other strings standing alone as statements are not counted: they document,
they send nothing.
"""

from __future__ import annotations

import ast

from ..types import Location, RawCall
from .frameworks import string_pieces
from .pyast import parse_ast
from .strings import api_path, raw_path_steps

# Bytes a module must contain before its strings are looked at.
MARKER = b"sendgrid.com"


def endpoint_strings(source: bytes, path: str) -> list[RawCall]:
    """The SendGrid endpoint URLs written in the module's strings, in source order."""
    if MARKER not in source:
        return []
    tree = parse_ast(source)
    if tree is None:
        return []
    standalone = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    inner = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)
             for part in node.values}
    found: list[RawCall] = []
    for node in ast.walk(tree):
        if id(node) in standalone or id(node) in inner or not isinstance(
                node, (ast.Constant, ast.JoinedStr)):
            continue
        pieces = string_pieces(node)
        endpoint = api_path(pieces) if pieces else None
        if endpoint is None or not _names_endpoint(endpoint):
            continue
        text = "".join(p if isinstance(p, str) else "{}" for p in pieces or ())
        found.append(RawCall(Location(path, node.lineno, node.col_offset + 1), text,
                             raw_path_steps(endpoint), "", named=True))
    found.sort(key=lambda call: (call.location.line, call.location.col))
    return found


def _names_endpoint(path: tuple[str | None, ...]) -> bool:
    """More than a base: a segment after the version (`/v3/...`) or the v2 `/api/`."""
    text = "".join(p if isinstance(p, str) else "{}" for p in path)
    segments = [s for s in text.split("?")[0].split("/") if s]
    if segments and segments[0] in ("v2", "v3", "api"):
        segments = segments[1:]
    return bool(segments)
