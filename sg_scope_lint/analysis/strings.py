"""Strings known in pieces (VALUE where only run time knows): joining, formatting, URLs."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..types import VALUE, Segment, Step, StepKind
from .clients import (
    API_HOSTS,
    LEGACY_WEB_API_HOSTS,
    LEGACY_WEB_API_PREFIX,
)
from .symbols import (
    Str,
    Value,
)

PERCENT = re.compile(r"%[sdr]")
_VERSION_PREFIX = re.compile(r"^v[0-9]+(/|$)")
BRACES = re.compile(r"\{(\w*)\}")
# While a helper's summary is worked out, its parameters hold these markers; they survive
# joining and formatting as text, and each call puts its arguments in their place. A NUL does
# not occur in the URLs real code sends.
_MARKER = re.compile("\x00([0-9]+)\x00")


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
    upload URL a contact import returns) is never taken for SendGrid. On the main site's host
    only the v2 Web API's `/api/` paths count.
    """
    if not pieces or pieces[0] is VALUE:
        return None
    head = pieces[0]
    _, separator, rest = head.partition("://")
    if not separator:
        rest = head
    if "\x00" in rest.partition("/")[0]:  # a helper's path parameter right after the host
        rest = rest.replace("\x00", "/\x00", 1)
    host, slash, path = rest.partition("/")
    host = host.split(":")[0]
    if host in LEGACY_WEB_API_HOSTS and (slash + path).startswith(LEGACY_WEB_API_PREFIX):
        return (slash + path, *pieces[1:])
    if host not in API_HOSTS:
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


def join_base(base: tuple[Segment, ...], url: tuple[Segment, ...],
              like_urljoin: bool) -> tuple[Segment, ...]:
    """A session's request URL: `url` joined to the session's `base_url`.

    An absolute URL ignores the base. aiohttp resolves a relative URL like `urljoin`; httpx
    appends it to the base with exactly one slash between (`base_url="https://h/v3"` and
    `"/mail/send"` give `https://h/v3/mail/send`).
    """
    if not base or (url and url[0] is not VALUE and "://" in url[0]):
        return url
    if like_urljoin:
        return urljoin(base, url)
    head = merge_pieces(base)
    last = head[-1]
    if last is VALUE or not last.endswith("/"):
        head = head + ("/",)
    if url and url[0] is not VALUE:
        url = (url[0].lstrip("/"), *url[1:])
    return merge_pieces(head + url)


def parameter(index: int) -> str:
    """The marker standing for a helper's `index`-th parameter."""
    return f"\x00{index}\x00"


def whole_url(pieces: tuple[Segment, ...]) -> bool:
    """Whether a URL (or a raw path step) starts with a helper's parameter: the parameter is
    the whole URL, whose host only each call of the helper tells (see `fill_url`)."""
    return bool(pieces) and pieces[0] is not VALUE and _MARKER.match(pieces[0]) is not None


def fill_url(pieces: tuple[Segment, ...],
             arguments: Sequence[tuple[Segment, ...] | None]) -> tuple[Segment, ...] | None:
    """A helper's raw path with the call's arguments in place: when the helper's parameter
    was the whole URL, the path of the URL the call passes on a SendGrid API host (None for
    any other URL); else the path as filled in."""
    filled = fill_parameters(pieces, arguments)
    return api_path(filled) if whole_url(pieces) else filled


def has_parameter(text: str | None) -> bool:
    return text is not None and "\x00" in text and _MARKER.search(text) is not None


def fill_parameters(pieces: tuple[Segment, ...],
                    arguments: Sequence[tuple[Segment, ...] | None]) -> tuple[Segment, ...]:
    """Pieces with each parameter marker replaced by the argument's pieces (VALUE: unknown)."""
    filled: list[Segment] = []
    for piece in pieces:
        if piece is VALUE or not has_parameter(piece):
            filled.append(piece)
            continue
        position = 0
        for found in _MARKER.finditer(piece):
            filled.append(piece[position:found.start()])
            index = int(found.group(1))
            argument = arguments[index] if index < len(arguments) else None
            filled.extend(argument if argument is not None else (VALUE,))
            position = found.end()
        filled.append(piece[position:])
    return merge_pieces(filled)


def strip_pieces(pieces: tuple[Segment, ...], how: str,
                 chars: str | None) -> tuple[Segment, ...]:
    """`s.strip(chars)`, `lstrip`, `rstrip` on the known ends of a string."""
    result = list(pieces)
    if result and how in ("strip", "lstrip") and result[0] is not VALUE:
        result[0] = result[0].lstrip(chars)
    if result and how in ("strip", "rstrip") and result[-1] is not VALUE:
        result[-1] = result[-1].rstrip(chars)
    return merge_pieces(result)


def starts_with_literal(steps: tuple[Step, ...]) -> bool:
    """The request's path begins with literal text (so the endpoint can be known)."""
    for step in steps:
        if step.kind is StepKind.VERSION:
            continue
        first = step.pieces[0] if step.pieces else ""
        if first is VALUE:
            return False
        # `/v3` then a run-time value names no endpoint: the version is not the path
        known = _VERSION_PREFIX.sub("", first.strip("/"))
        return bool(known) or (bool(first.strip("/")) and len(step.pieces) == 1)
    return True


def raw_path_steps(path: tuple[Segment, ...]) -> tuple[Step, ...]:
    """Steps for a request made with a full path: no implied version, the path as written."""
    return (Step(StepKind.VERSION, ()), Step(StepKind.UNDERSCORE, path))


def names_endpoint(path: tuple[Segment, ...]) -> bool:
    """More than a base: a segment after the version (`/v3/...`) or the v2 `/api/`."""
    text = "".join(p if isinstance(p, str) else "{}" for p in path)
    segments = [s for s in text.split("?")[0].split("/") if s]
    if segments and segments[0] in ("v2", "v3", "api"):
        segments = segments[1:]
    return bool(segments)
