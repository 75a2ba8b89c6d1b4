"""Read `# sg-scope: name, name` comments: the scopes they declare, the line they speak for.

An annotation is how a user tells the tool what a call it cannot resolve needs. It is read from
comment tokens (stdlib `tokenize`, so `# sg-scope:` inside a string or docstring is not an
annotation) and never evaluated. A comment on a line of its own speaks for the next line; a
comment after code speaks for its own line. Names are checked against the scope catalogue: an
annotation with a problem declares nothing, so the call it was meant for stays unresolved.

Pairing annotations with calls and wrapper definitions is the engine's job, not this module's.
"""

from __future__ import annotations

import difflib
import io
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass

from .rules import ScopeCatalogue
from .types import AnnotationProblem, AnnotationProblemKind, Location

TAG = "sg-scope"
# `#`, then the tag or a near miss of it (`sg_scope`, `SG-Scopes`, `sg scope`), but not a longer
# word such as `sg-scope-lint`; the annotation runs to the next `#` or the end of the comment.
_CHUNK = re.compile(r"#\s*(?P<tag>sg[-_ ]?scopes?)(?![\w-])(?P<rest>[^#]*)", re.IGNORECASE)
# A scope name as SendGrid spells them (`mail.send`, `2fa_required`, `suppression.bounces.read`).
_NAME = re.compile(r"^[A-Za-z0-9_]+([.:][A-Za-z0-9_\-]+)*$")


@dataclass(frozen=True, slots=True)
class ScopeAnnotation:
    """A well-formed annotation whose names are all in the catalogue."""

    location: Location  # the `#` that starts it
    target_line: int  # the line of code it speaks for
    scopes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Annotations:
    """Every annotation of one file: the usable ones, and the problems of the others."""

    valid: tuple[ScopeAnnotation, ...] = ()
    problems: tuple[AnnotationProblem, ...] = ()


@dataclass(frozen=True, slots=True)
class _Comment:
    line: int
    col: int  # 0-based character offset of the comment's first `#`
    text: str
    own_line: bool


def read_annotations(data: bytes, path: str, catalogue: ScopeCatalogue) -> Annotations:
    """Every `# sg-scope:` annotation in a file, validated against the catalogue."""
    valid: list[ScopeAnnotation] = []
    problems: list[AnnotationProblem] = []
    if not _may_hold_annotations(data):
        return Annotations((), ())
    for comment in _comments(data):
        for chunk in _CHUNK.finditer(comment.text):
            where = Location(path, comment.line, comment.col + chunk.start() + 1)
            target = comment.line + 1 if comment.own_line else comment.line
            names, trouble = _parse(chunk, comment.col, path, comment.line)
            if trouble is not None:
                problems.append(trouble)
                continue
            unknown = [_unknown(name, col, catalogue, path, comment.line)
                       for name, col in names if name not in catalogue]
            if unknown:
                problems.extend(unknown)
            else:
                valid.append(ScopeAnnotation(where, target, tuple(name for name, _ in names)))
    return Annotations(tuple(valid), tuple(problems))


def _parse(chunk: re.Match[str], offset: int, path: str,
           line: int) -> tuple[list[tuple[str, int]], AnnotationProblem | None]:
    """The names of one annotation with their 0-based columns, or what makes it malformed."""

    def malformed(detail: str) -> tuple[list[tuple[str, int]], AnnotationProblem]:
        where = Location(path, line, offset + chunk.start() + 1)
        return [], AnnotationProblem(where, AnnotationProblemKind.MALFORMED, detail)

    tag, rest = chunk.group("tag"), chunk.group("rest")
    if tag != TAG:
        return malformed(f"write `{TAG}:`, not `{tag}`")
    if not rest.startswith(":"):
        return malformed(f"`{TAG}` must be followed by `:` and the scope names")
    start = offset + chunk.start("rest") + 1  # column of the first character after the colon
    body = rest[1:]
    if not body.strip():
        return malformed("it names no scope; list them: `# sg-scope: mail.send, templates.read`")
    names: list[tuple[str, int]] = []
    position = 0
    for item in body.split(","):
        name = item.strip()
        column = start + position + (len(item) - len(item.lstrip()))
        position += len(item) + 1
        if not name:
            return malformed("an empty entry between commas")
        if not _NAME.match(name):
            return malformed(f"`{name}` is not a scope name (separate scopes with commas)")
        names.append((name, column))
    return names, None


def _unknown(name: str, col: int, catalogue: ScopeCatalogue, path: str,
             line: int) -> AnnotationProblem:
    close = tuple(difflib.get_close_matches(name, catalogue.names(), n=3))
    return AnnotationProblem(Location(path, line, col + 1), AnnotationProblemKind.UNKNOWN_SCOPE,
                             name, close)


def _may_hold_annotations(data: bytes) -> bool:
    """False when no comment can hold an annotation: the pattern matches nowhere in the text.

    A match inside a comment is a match in the whole text, so this never hides one; it spares
    tokenizing the files that only mention the tag (`sg-scope-lint` in a docstring), which
    costs about as much as parsing them. Text that does not decode is left to tokenize.
    """
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return _CHUNK.search(data.decode(encoding)) is not None
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return True


def _comments(data: bytes) -> Iterator[_Comment]:
    """The comment tokens of a file; a file tokenize cannot finish yields those before the error.

    Such a file fails to parse too, and that is reported as the file's error, not here.
    """
    try:
        for token in tokenize.tokenize(io.BytesIO(data).readline):
            if token.type == tokenize.COMMENT:
                row, col = token.start
                yield _Comment(row, col, token.string, not token.line[:col].strip())
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError, LookupError):
        return
