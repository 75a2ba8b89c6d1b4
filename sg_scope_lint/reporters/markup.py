"""Put untrusted text (paths, call source, messages) into GitHub-flavoured Markdown safely.

Scanned code can hold backticks, pipes and angle brackets; written into a job summary or a
pull-request comment unescaped, they would break a table or vanish as HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..secrets import redact

_CODE_SPAN = re.compile(r"(`[^`\n]*`)")
_PUNCTUATION = re.compile(r"([\\*_<>\[\]#])")
MAX_ROWS = 100  # per list: a comment holds 65,536 characters, a job summary 1 MiB


def code(text: str) -> str:
    """`text` as one inline code span, whatever backticks it holds (redacted first: a key
    written in pieces on several lines is still one key)."""
    text = " ".join(redact(text).splitlines())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def prose(text: str) -> str:
    """A message as Markdown: its `code` spans kept, Markdown punctuation elsewhere escaped
    (after redaction: `SG.a\\_b…` would no longer look like a key)."""
    text = " ".join(redact(text).splitlines())
    parts = _CODE_SPAN.split(text)
    return "".join(part if index % 2 else _PUNCTUATION.sub(r"\\\1", part)
                   for index, part in enumerate(parts))


def cell(text: str) -> str:
    """Markdown for one table cell: GFM ends a cell at any `|`, even inside a code span."""
    return text.replace("|", "\\|")


def code_list(items: Iterable[str]) -> str:
    return ", ".join(code(item) for item in items) or "none"


def capped(lines: list[str], total: int, what: str) -> list[str]:
    """At most MAX_ROWS of `lines`, with a last line saying how many were left out."""
    if total <= MAX_ROWS:
        return lines
    more = f"\n… and {total - MAX_ROWS} more {what}; run sg-scope-lint locally for the full list."
    return [*lines[:MAX_ROWS], more]
