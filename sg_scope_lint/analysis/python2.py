"""Python 2 source read as Python 3, line for line.

SendGrid's v2 Web API and the library's v0–v5 releases come from the Python 2 years, and code
that still uses them is often Python 2 itself: libcst, a Python 3 parser, rejects it, and its
calls would go unreported. So the few statements that only Python 2 accepts are rewritten into
Python 3 that keeps every line where it was (reported lines stay true):

* `print x, y`, `print >>f, x`, `exec code` → `print(x, y)`, `print(  f, x)`, `exec(code)`
* `except E, e:` → `except E as e:`; `raise E, msg` → `raise E( msg)`
* backquotes → `repr(...)`, `<>` → `!=`, `0755` → `0o755`, `10L` → `10`, `ur"..."` → ` r"..."`
* indentation mixing tabs and spaces → spaces at Python 2's tab stops (every 8 columns)

CPython's own syntax errors drive it: the rewrite that explains the first error is made wherever
it applies (none of them changes valid Python 3), until the whole source compiles. A file with an error none of these explains is left alone, and
its syntax error is reported as usual. The rewrite need not run like the original
(`print(  f, x)` prints f too); the analysis needs its calls and values, and those are kept.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
import warnings
from collections.abc import Callable

# Each rewrite recompiles the file: past this many, the file is reported as a syntax error.
MAX_REWRITES = 100

Edit = tuple[int, int, str]  # replace text[start:end] with the string


def as_python3(data: bytes) -> bytes | None:
    """`data` rewritten so that Python 3 parses it, or None: it parses already, or it is not
    Python 2 that this module knows how to rewrite."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return None
    rewrites = 0
    while (error := _syntax_error(text)) is not None:
        if rewrites == MAX_REWRITES:
            return None
        fixed: str | None
        if isinstance(error, TabError):
            fixed = _python2_indentation(text)
        else:
            fixed = _rewrite_line(text, error.lineno or 0)
        if fixed is None or fixed == text:
            return None
        text, rewrites = fixed, rewrites + 1
    if not rewrites:
        return None
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return None


def _syntax_error(text: str) -> SyntaxError | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like
            ast.parse(text)
    except SyntaxError as exc:
        return exc
    except (ValueError, RecursionError, MemoryError):
        return SyntaxError("cannot be parsed")  # no line: nothing to rewrite
    return None


def _python2_indentation(text: str) -> str:
    """Leading tabs as Python 2 read them: to the next multiple of 8 columns."""
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        body = line.lstrip(" \t")
        indent = line[:len(line) - len(body)]
        if "\t" in indent:
            lines[index] = indent.expandtabs(8) + body
    return "".join(lines)


def _rewrite_line(text: str, line_number: int) -> str | None:
    """`text` with the first rewrite that applies to line `line_number` made everywhere it
    applies (none of them changes valid Python 3), or None when none applies there."""
    starts = [0, *(m.end() for m in _NEWLINE.finditer(text))]
    if not 1 <= line_number <= len(starts):
        return None
    start = starts[line_number - 1]
    end = starts[line_number] if line_number < len(starts) else len(text)
    masked = _mask(text)
    for rewrite in _REWRITES:
        if rewrite(masked, start, end):
            pieces, last = [], len(text)
            for begin, finish, replacement in sorted(rewrite(masked, 0, len(text)), reverse=True):
                pieces += [text[finish:last], replacement]
                last = begin
            pieces.append(text[:last])
            return "".join(reversed(pieces))
    return None


_NEWLINE = re.compile(r"\r\n|\r|\n")
_TOKEN = re.compile(r"#|'''|\"\"\"|'|\"")
# The rest of a string after its opening quote; group 1 is the closing quote when there is one.
_STRING_BODIES = {
    quote: re.compile(pattern, re.DOTALL)
    for quote, pattern in (("'''", r"(?:\\.|[^\\])*?(''')"), ('"""', r'(?:\\.|[^\\])*?(""")'),
                           ("'", r"(?:\\.|[^\\'\r\n])*(')?"), ('"', r'(?:\\.|[^\\"\r\n])*(")?'))
}


def _mask(text: str) -> str:
    """`text` with the insides of strings as `_` and comments as spaces, newlines kept: what is
    left is code, so patterns can be searched for without matching inside literals."""
    pieces: list[str] = []
    position = 0
    while (found := _TOKEN.search(text, position)) is not None:
        pieces.append(text[position:found.end()])
        token = found.group()
        if token == "#":
            end = text.find("\n", found.end())
            end = len(text) if end < 0 else end
            pieces[-1] = pieces[-1][:-1] + " "
            pieces.append(" " * (end - found.end()))
        else:
            body = _STRING_BODIES[token].match(text, found.end())
            end = body.end() if body else len(text)
            closing = len(body.group(1) or "") if body else 0
            inside = text[found.end():end - closing]
            pieces.append(re.sub(r"[^\r\n]", "_", inside))
            pieces.append(text[end - closing:end])
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _statement_end(masked: str, position: int) -> int:
    """Where the statement running through `position` ends: before its newline, `;` or
    comment, following brackets and backslash continuations."""
    depth = 0
    index = position
    length = len(masked)
    while index < length:
        char = masked[index]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(depth - 1, 0)
        elif char == "\\" and masked.startswith(("\n", "\r"), index + 1):
            index += 2
            continue
        elif (char in "\r\n" and depth == 0) or (char == ";" and depth == 0):
            break
        index += 1
    while index > position and masked[index - 1] in " \t":
        index -= 1
    return index


def _top_level_commas(masked: str, start: int, end: int) -> list[int]:
    depth, commas = 0, []
    for index in range(start, end):
        char = masked[index]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            commas.append(index)
    return commas


# `print x` / `exec code` at the start of a statement: the keyword, then something that cannot
# follow a Python 3 name there (not `(`, `=`, `.`, an operator or the end of the statement).
_STATEMENT_KEYWORD = re.compile(
    r"(?:^|(?<=[:;]))[ \t]*(print|exec)([ \t]+(?:>>[ \t]*)?|>>[ \t]*)(?=[\w'\"`\-~\[{(])",
    re.MULTILINE)


def _wrap_statement(masked: str, start: int, end: int) -> list[Edit]:
    """`print x` → `print(x)`: the gap after the keyword becomes `(` (and `>>` spaces, so
    `print >>f, x` passes f first), `)` goes where the statement ends."""
    edits: list[Edit] = []
    for found in _STATEMENT_KEYWORD.finditer(masked, start, end):
        gap = found.group(2)
        if masked.startswith("(", found.end()) and ">>" not in gap:
            continue  # `print (x)` means the same in both
        close = _statement_end(masked, found.end())
        edits += [(found.start(2), found.end(2), "(" + " " * (len(gap) - 1)), (close, close, ")")]
    return edits


_EXCEPT = re.compile(r"^[ \t]*except\b", re.MULTILINE)
_RAISE = re.compile(r"^[ \t]*raise\b", re.MULTILINE)


def _except_comma(masked: str, start: int, end: int) -> list[Edit]:
    """`except E, e:` → `except E as e:` (the last comma outside brackets)."""
    edits: list[Edit] = []
    for found in _EXCEPT.finditer(masked, start, end):
        header_end = masked.find(":", found.end())
        commas = _top_level_commas(masked, found.end(), header_end if header_end >= 0 else end)
        if commas:
            edits.append((commas[-1], commas[-1] + 1, " as"))
    return edits


def _raise_comma(masked: str, start: int, end: int) -> list[Edit]:
    """`raise E, msg` → `raise E( msg)`."""
    edits: list[Edit] = []
    for found in _RAISE.finditer(masked, start, end):
        close = _statement_end(masked, found.end())
        commas = _top_level_commas(masked, found.end(), close)
        if commas:
            edits += [(commas[0], commas[0] + 1, "("), (close, close, ")")]
    return edits


def _inline(pattern: str, replace: Callable[[re.Match[str]], str]) -> Callable[[str, int, int], list[Edit]]:
    compiled = re.compile(pattern)

    def rewrite(masked: str, start: int, end: int) -> list[Edit]:
        return [(m.start(), m.end(), replace(m)) for m in compiled.finditer(masked, start, end)]

    return rewrite


def _backquotes(masked: str, start: int, end: int) -> list[Edit]:
    """`` `x` `` → `repr(x)`, for pairs on one line."""
    edits: list[Edit] = []
    for line in _LINE.finditer(masked, start, end):
        ticks = [line.start() + i for i, char in enumerate(line.group()) if char == "`"]
        if len(ticks) % 2:
            continue
        for opening, closing in zip(ticks[::2], ticks[1::2], strict=True):
            edits += [(opening, opening + 1, "repr("), (closing, closing + 1, ")")]
    return edits


_LINE = re.compile(r"[^\r\n]*(?=[\r\n]|\Z)")


_REWRITES: tuple[Callable[[str, int, int], list[Edit]], ...] = (
    _wrap_statement,
    _except_comma,
    _raise_comma,
    _backquotes,
    _inline(r"<>", lambda m: "!="),
    _inline(r"(?<![\w.])0([0-7]+)(?![\w.])", lambda m: "0o" + m.group(1)),
    _inline(r"(?<![\w.])(\d+|0[xX][0-9a-fA-F]+)[lL](?!\w)", lambda m: m.group(1)),
    _inline(r"(?<!\w)[uU][rR](?=['\"])", lambda m: " r"),
)
