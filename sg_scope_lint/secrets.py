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


def redact(text: str) -> str:
    """Any text with every API key in it replaced by its redacted form."""
    return _KEY_TEXT.sub(lambda found: redacted(found.group(0)), text)


def find_keys(data: bytes) -> list[tuple[int, int, str]]:
    """(line, column, redacted key) for each key in a file's bytes; 1-based positions."""
    found = []
    for match in KEY_PATTERN.finditer(data):
        line = data.count(b"\n", 0, match.start()) + 1
        column = match.start() - (data.rfind(b"\n", 0, match.start()) + 1) + 1
        found.append((line, column, redacted(match.group(0).decode("ascii"))))
    return found
