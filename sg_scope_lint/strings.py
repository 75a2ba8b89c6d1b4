"""Strings known in pieces (VALUE where only run time knows): joining, formatting, URLs."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .clients import (
    API_HOSTS,
)
from .symbols import (
    Str,
    Value,
)
from .types import VALUE, Segment, Step, StepKind

PERCENT = re.compile(r"%[sdr]")
BRACES = re.compile(r"\{(\w*)\}")


def pieces_of(value: Value) -> tuple[Segment, ...]:
    return value.pieces if isinstance(value, Str) else (VALUE,)


def interpolate(template: tuple[Segment, ...], placeholder: re.Pattern[str],
                 values: list[Value], named: dict[str, Value] | None = None
                 ) -> tuple[Segment, ...]:
    """`"%s/x" % a`, `"{}/x".format(a)`, `"{id}/x".format(id=a)`: placeholders filled in order
    or by name, VALUE when unknown."""
    pieces: list[Segment] = []
    remaining = iter(values)
    for piece in template:
        if piece is VALUE:
            pieces.append(VALUE)
            continue
        position = 0
        for found in placeholder.finditer(piece):
            pieces.append(piece[position:found.start()])
            name = found.group(1) if found.groups() else ""
            if name and not name.isdigit():
                pieces.extend(pieces_of((named or {}).get(name)))
            else:
                pieces.extend(pieces_of(next(remaining, None)))
            position = found.end()
        pieces.append(piece[position:])
    return merge_pieces(pieces)


def merge_pieces(pieces: Sequence[Segment]) -> tuple[Segment, ...]:
    """Adjacent literal pieces joined and empty ones dropped, so a URL's host is one piece."""
    merged: list[Segment] = []
    for piece in pieces:
        if piece is VALUE or not merged or merged[-1] is VALUE:
            if piece != "":
                merged.append(piece)
        else:
            merged[-1] = merged[-1] + piece
    return tuple(merged)


def literal_text(value: Value) -> str | None:
    """The text of a string known entirely before run time, else None."""
    if isinstance(value, Str) and VALUE not in value.pieces:
        return "".join(p for p in value.pieces if p is not None)
    return None


def api_path(pieces: tuple[Segment, ...]) -> tuple[Segment, ...] | None:
    """The path pieces of a URL on a SendGrid API host, or None for any other URL.

    The host must be known before run time: a URL that starts with a variable (such as the
    upload URL a contact import returns) is never taken for SendGrid.
    """
    if not pieces or pieces[0] is VALUE:
        return None
    head = pieces[0]
    scheme, separator, rest = head.partition("://")
    if not separator:
        rest = head
    host, slash, path = rest.partition("/")
    if host.split(":")[0] not in API_HOSTS:
        return None
    return (slash + path, *pieces[1:])


def urljoin(base: tuple[Segment, ...], path: tuple[Segment, ...]) -> tuple[Segment, ...]:
    """`urljoin` for the shapes API code uses: an absolute path replaces the base's path."""
    if path and path[0] is not VALUE and path[0].startswith(("http://", "https://")):
        return path
    if VALUE in base:
        return base + path
    text = "".join(p for p in base if p is not None)
    if path and path[0] is not VALUE and path[0].startswith("/"):
        scheme, _, rest = text.partition("://")
        return (f"{scheme}://{rest.split('/')[0]}", *path)
    return (text[: text.rfind("/") + 1], *path)


def raw_path_steps(path: tuple[Segment, ...]) -> tuple[Step, ...]:
    """Steps for a request made with a full path: no implied version, the path as written."""
    return (Step(StepKind.VERSION, ()), Step(StepKind.UNDERSCORE, path))
