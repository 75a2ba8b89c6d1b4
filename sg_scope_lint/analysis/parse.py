"""Parse one module with libcst (Python 2 source read as Python 3) and analyse its tree,
refusing input that would crash libcst's native parser."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..types import FileError, FileReport, Location
from .python2 import as_python3

if TYPE_CHECKING:
    import libcst as cst

    from .symbols import ModuleAnalysis, ProjectFacts


def analyse(data: bytes, path: str, module_name: str, is_package: bool,
             facts: ProjectFacts | None, keep: bool = False) -> ModuleAnalysis | FileReport:
    """Parse and analyse one module; with `keep`, its tree is kept for a later round of the
    same scan (`parsed.TREES`) and taken from there when it is already."""
    from .callsites import analyse_module
    from .parsed import TREES

    kept = TREES.get(path, data) if keep else None
    if kept is not None:
        module, source = kept
    else:
        parsed = parse(data, path)
        if isinstance(parsed, FileReport):
            return parsed
        module, source = parsed
        if keep:
            TREES.put(path, data, module, source)
    try:
        return analyse_module(module, path, module_name, is_package, facts, source)
    except RecursionError:
        return file_error(path, 1, 1, "the file is nested too deeply to analyse")


def parse(data: bytes, path: str) -> tuple[cst.Module, bytes] | FileReport:
    """The module's tree and the source it holds (Python 2 source is read as Python 3), or
    the file's error."""
    import libcst as cst

    if too_deep_for_libcst(data):
        return file_error(path, 1, 1, "the file is nested too deeply to analyse safely "
                      f"(an expression deeper than {MAX_EXPRESSION_DEPTH} levels)")
    try:
        try:
            module = cst.parse_module(data)
        except cst.ParserSyntaxError:
            python3 = as_python3(data)  # Python 2 source, same lines
            if python3 is None:
                raise
            module, data = cst.parse_module(python3), python3
    except cst.ParserSyntaxError as exc:
        line, col, message = _python_syntax_error(data) or (
            exc.raw_line, exc.raw_column + 1, exc.message)
        return file_error(path, line, col, f"syntax error: {message}")
    except (UnicodeDecodeError, LookupError, SyntaxError) as exc:
        return file_error(path, 1, 1, f"cannot decode the file: {exc}")
    except RecursionError:
        return file_error(path, 1, 1, "the file is nested too deeply to parse")
    return module, data


# libcst's native parser crashes the whole process (not an exception) on expressions a few
# thousand levels deep (`1+1+...` or `a.b.b...` with ~8000 terms), so such files are refused
# before it sees them. Only files with that many operators can be that deep: the others skip
# the check, which costs about a tenth of a libcst parse.
MAX_EXPRESSION_DEPTH = 1000
_OPERATOR_BYTES = (b".", b"+", b"-", b"*", b"/", b"(", b"[", b"|", b"&", b"%", b"<", b">")


MAX_BRACKET_DEPTH = 200  # CPython's own limit: deeper is never valid Python
_OPEN, _CLOSE = b"([{", b")]}"
_NOT_BRACKETS = bytes(b for b in range(256) if b not in _OPEN + _CLOSE)


def too_deep_for_libcst(data: bytes) -> bool:
    if data.count(b"(") + data.count(b"[") + data.count(b"{") >= MAX_BRACKET_DEPTH:
        depth = 0
        for byte in data.translate(None, _NOT_BRACKETS):
            depth += 1 if byte in _OPEN else -1
            if depth > MAX_BRACKET_DEPTH:
                return True
    if sum(data.count(op) for op in _OPERATOR_BYTES) < MAX_EXPRESSION_DEPTH:
        return False
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like
            tree = ast.parse(data)
    except (RecursionError, MemoryError):
        return True
    except (SyntaxError, ValueError):
        return False  # newer syntax or an error: libcst reports it
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_EXPRESSION_DEPTH:
            return True
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return False


def _python_syntax_error(data: bytes) -> tuple[int, int, str] | None:
    """CPython's own account of a syntax error: the line, column and words users know."""
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(data)
    except SyntaxError as exc:
        return exc.lineno or 1, exc.offset or 1, " ".join(str(exc.msg).split())
    except (ValueError, RecursionError, MemoryError):
        return None
    return None




def file_error(path: str, line: int, col: int, message: str) -> FileReport:
    """The report of a file that could not be read or parsed: its one error, nothing else."""
    return FileReport(path, errors=(FileError(Location(path, line, col), message),))
