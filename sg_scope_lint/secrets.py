"""Find SendGrid API keys written into code, and keep every key out of everything we print.

A key is `SG.` + 22 + `.` + 43 characters of the URL-safe base64 alphabet (69 in all). A key
committed to a repository must be revoked, so it is a finding of its own, always shown redacted.
"""

from __future__ import annotations

import re

KEY_PATTERN = re.compile(rb"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}")
_KEY_TEXT = re.compile(KEY_PATTERN.pattern.decode())
SHOWN_CHARACTERS = 3


def redacted(key: str) -> str:
    """`SG.abc…`: enough to find the key in SendGrid's list, never enough to use it."""
    return key[: 3 + SHOWN_CHARACTERS] + "…"


# A key written in pieces (`"SG.abc" "def…"`, `"SG.abc" + "def…"`, also as JSON shows source
# text, with escaped quotes and line breaks) is a key too: runs of key characters joined by
# the end of one string literal and the start of the next.
_PIECE = r"[A-Za-z0-9_.-]+"
_JOIN = r"""\\?["'](?:\s|\\[nrt]|\\\n)*\+?(?:\s|\\[nrt]|\\\n)*[rRbBuUfF]{0,2}\\?["']"""
_SPLIT = re.compile(rf"(?<![A-Za-z0-9_.-]){_PIECE}(?:{_JOIN}{_PIECE})+")  # from a run's start:
# each run is tried once, so long texts stay linear
_JOINS = re.compile(_JOIN)


def redact(text: str) -> str:
    """Any text with every API key in it replaced by its redacted form, also a key written in
    pieces of adjacent or added string literals (its pieces are shown as one redacted piece).

    The one function every output passes through before it leaves the process: the printed
    streams (`output.SafeStream`), every written file (`files.write_atomic`, cache entries and
    run records) and the flake8 plugin's messages.
    """
    return _KEY_TEXT.sub(_redact_found, _SPLIT.sub(_join_split_key, text))


def _redact_found(found: re.Match[str]) -> str:
    return redacted(found.group(0))


def _join_split_key(found: re.Match[str]) -> str:
    pieces = found.group(0)
    joined = _JOINS.sub("", pieces)
    return _KEY_TEXT.sub(_redact_found, joined) if _KEY_TEXT.search(joined) else pieces


def find_keys(data: bytes) -> list[tuple[int, int, str]]:
    """(line, column, redacted key) for each key in a file's bytes; 1-based positions."""
    found = []
    line, counted = 1, 0  # lines are counted from the previous key on: linear in the file
    for match in KEY_PATTERN.finditer(data):
        line += data.count(b"\n", counted, match.start())
        counted = match.start()
        column = match.start() - (data.rfind(b"\n", 0, match.start()) + 1) + 1
        found.append((line, column, redacted(match.group(0).decode("ascii"))))
    return found
