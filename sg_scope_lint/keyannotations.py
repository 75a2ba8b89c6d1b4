"""Read `# sg-scope-key: NAME` comments: which configured key the calls they speak for use.

NAME is a key's name in the key config or the variable its `env` names. A comment after code
speaks for the calls of its line; one on a line of its own speaks for what follows: a `def` or
`class` (with its decorators) and every call in it, a module when it comes before the first
statement, else the calls of the next line. The nearest comment wins (call, then innermost
function, then module). Comments are read with stdlib `tokenize` and `ast`, never evaluated.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass, field, replace
from pathlib import Path

from .types import FileReport, Location, ScanResult

TAG = "sg-scope-key"
_COMMENT = re.compile(r"#\s*sg-scope-key:\s*(?P<name>[A-Za-z0-9_.\-]+)\s*$")


@dataclass(slots=True)
class KeyMarks:
    """The key comments of one file: per line, per function span, for the whole module."""

    module: str = ""
    spans: list[tuple[int, int, str]] = field(default_factory=list)
    lines: dict[int, str] = field(default_factory=dict)

    def key_at(self, line: int) -> str:
        if line in self.lines:
            return self.lines[line]
        inside = [(end - start, name) for start, end, name in self.spans if start <= line <= end]
        return min(inside)[1] if inside else self.module


def read_marks(text: str) -> KeyMarks:
    """The key comments of a file's text; a file that does not tokenize or parse has none."""
    marks = KeyMarks()
    if TAG not in text:
        return marks
    try:
        tree = ast.parse(text)
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (SyntaxError, tokenize.TokenError, ValueError):
        return marks
    starts = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            starts[first] = node.end_lineno or node.lineno
    code_lines = sorted({t.start[0] for t in tokens if t.type not in (
        tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
        tokenize.ENDMARKER, tokenize.ENCODING)})
    first_statement = tree.body[0].lineno if tree.body else 0
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        found = _COMMENT.match(token.string)
        if found is None:
            continue
        name, line = found.group("name"), token.start[0]
        if token.line[:token.start[1]].strip():  # after code: the calls of its line
            marks.lines[line] = name
            continue
        following = next((n for n in code_lines if n > line), None)
        if following is None:
            continue
        if following in starts:
            marks.spans.append((following, starts[following], name))
        elif following == first_statement and not marks.module and line < first_statement:
            marks.module = name
        else:
            marks.lines[following] = name
    return marks


def apply_key_marks(result: ScanResult) -> ScanResult:
    """The scan with each call's key replaced by the `# sg-scope-key:` comment that speaks for
    it (files read again from disk; only those holding the tag are changed)."""
    return replace(result, files=tuple(_apply(report) for report in result.files))


def _apply(report: FileReport) -> FileReport:
    try:
        text = Path(report.path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return report
    marks = read_marks(text)
    if not (marks.module or marks.spans or marks.lines):
        return report

    def key(location: Location, current: str) -> str:
        return marks.key_at(location.line) or current

    return replace(
        report,
        matches=tuple(replace(m, call=replace(m.call, key=key(m.call.location, m.call.key)))
                      for m in report.matches),
        unresolved=tuple(replace(u, key=key(u.location, u.key)) for u in report.unresolved),
        unknown=tuple(replace(u, call=replace(u.call, key=key(u.call.location, u.call.key)))
                      for u in report.unknown),
        annotated=tuple(replace(a, key=key(a.location, a.key)) for a in report.annotated),
    )
