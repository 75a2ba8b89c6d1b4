"""Run the stages over one file (pure: bytes in, FileReport out) and over many files."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .discover import display_path
from .rules import RuleSet
from .types import FileError, FileReport, Location, Match, ScanResult, Unknown, Unresolved


def scan_source(data: bytes, path: str, ruleset: RuleSet) -> FileReport:
    """Find, resolve and match every SendGrid call in one file's bytes.

    A file that cannot be parsed yields a `FileError` instead of calls; nothing is raised, so
    one bad file never hides the results of the others.
    """
    from .callsites import find_calls, might_call_sendgrid

    if not might_call_sendgrid(data):
        return FileReport(path)
    import libcst as cst

    from .resolve import resolve

    try:
        module = cst.parse_module(data)
    except cst.ParserSyntaxError as exc:
        return _error(path, exc.raw_line, exc.raw_column + 1, f"syntax error: {exc.message}")
    except (UnicodeDecodeError, LookupError, SyntaxError) as exc:
        return _error(path, 1, 1, f"cannot decode the file: {exc}")
    except RecursionError:
        return _error(path, 1, 1, "the file is nested too deeply to parse")
    try:
        raw_calls = find_calls(module, path)
    except RecursionError:
        return _error(path, 1, 1, "the file is nested too deeply to analyse")
    matches: list[Match] = []
    unresolved: list[Unresolved] = []
    unknown: list[Unknown] = []
    for raw in raw_calls:
        resolved = resolve(raw)
        outcome = resolved if isinstance(resolved, Unresolved) else ruleset.match(resolved)
        if isinstance(outcome, Match):
            matches.append(outcome)
        elif isinstance(outcome, Unresolved):
            unresolved.append(outcome)
        else:
            unknown.append(outcome)
    return FileReport(path, tuple(matches), tuple(unresolved), tuple(unknown))


def scan_file(path: Path, ruleset: RuleSet) -> FileReport:
    """Read one file from disk and scan it; a file that cannot be read is a `FileError`."""
    shown = display_path(path)
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        return _error(shown, 1, 1, "is a directory, not a Python file")
    except OSError as exc:
        return _error(shown, 1, 1, f"cannot read the file: {exc.strerror or exc}")
    return scan_source(data, shown, ruleset)


def scan_files(paths: Iterable[Path], ruleset: RuleSet) -> ScanResult:
    """Scan every file; reports come back in the order of `paths` (discover sorts them)."""
    return ScanResult(tuple(scan_file(path, ruleset) for path in paths))


def _error(path: str, line: int, col: int, message: str) -> FileReport:
    return FileReport(path, errors=(FileError(Location(path, line, col), message),))
