"""Read each code's section of docs/codes.md, which the SARIF format shows as the rule's help.

docs/codes.md is the one place a code is explained; the wheel ships a copy (see pyproject.toml),
so reading it here keeps SARIF's help and the documentation the same text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

_HEADING = re.compile(r"^## (SGS[0-9]{3}) \S+\n", re.MULTILINE)
_WHAT = re.compile(r"\*\*What it does\.\*\*\s*(.*?)(?:\n\n|\Z)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class CodeDoc:
    """`summary` is the "What it does." paragraph; `markdown` the section below its heading."""

    summary: str
    markdown: str

    @property
    def text(self) -> str:
        """The section as plain text: bold markers dropped, code blocks kept as they are."""
        return self.markdown.replace("**", "")


def docs_path() -> Path:
    """The copy inside the installed package, or docs/codes.md in a checkout."""
    packaged = Path(str(resources.files("sg_scope_lint"))) / "docs" / "codes.md"
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parent.parent / "docs" / "codes.md"


def load(path: Path | None = None) -> dict[str, CodeDoc]:
    """Every documented code's section; {} when the documentation is not installed, so a
    damaged install costs SARIF its help text but never a CI run its results."""
    try:
        text = (path or docs_path()).read_text(encoding="utf-8")
    except OSError:
        return {}
    found = {}
    headings = list(_HEADING.finditer(text))
    for heading, following in zip(headings, [*headings[1:], None], strict=True):
        body = text[heading.end():following.start() if following else len(text)].strip()
        what = _WHAT.search(body)
        summary = " ".join(what.group(1).split()) if what else ""
        found[heading.group(1)] = CodeDoc(summary, body)
    return found
