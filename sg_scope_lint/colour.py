"""Colour for a person at a terminal: the code of each finding line, by how loud it is.

On only when the stream is a terminal, never with `NO_COLOR` set, always with `FORCE_COLOR`
set (https://no-color.org, https://force-color.org; NO_COLOR wins when both are). Only lines
shaped like a finding (`place: SGSxxx message`) are touched, so JSON, SARIF and the CI formats
never are. Standard library only: the fast path paints its replays too.
"""

from __future__ import annotations

import os

# `re` is imported only to paint: a run at no terminal does not pay for it.
_FINDING = r"^(\S+?:\d+(?::\d+)?:) (SGS\d{3}) "
_ANSI = r"\x1b\[[0-9;]*m"
_COLOURS = {"error": "31", "warning": "33", "note": "36"}  # red, yellow, cyan


def enabled(stream: object) -> bool:
    """Whether to colour what goes to `stream` (any object with `isatty`)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def paint(text: str, stream: object) -> str:
    """The text as `stream` should show it."""
    if not enabled(stream) or "SGS" not in text:
        return text
    import re

    from .codes import BY_CODE  # only at a terminal: the fast path does not import it otherwise

    def coloured(match: re.Match[str]) -> str:
        code = BY_CODE.get(match.group(2))
        colour = _COLOURS[code.level.value] if code else _COLOURS["warning"]
        return f"\x1b[1m{match.group(1)}\x1b[0m \x1b[{colour};1m{match.group(2)}\x1b[0m "

    return re.sub(_FINDING, coloured, text, flags=re.MULTILINE)


def plain(text: str) -> str:
    """The text without colour, as a recording keeps it."""
    if "\x1b[" not in text:
        return text
    import re

    return re.sub(_ANSI, "", text)
