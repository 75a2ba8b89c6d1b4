"""Run the stages over one file (pure: bytes in, FileReport out) and over many files."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from .annotations import read_annotations
from .discover import display_path
from .prefilter import might_call_sendgrid, might_have_annotations
from .rules import RuleSet, ScopeCatalogue
from .types import (
    Annotated,
    AnnotationProblem,
    AnnotationProblemKind,
    FileError,
    FileReport,
    Location,
    Match,
    ScanResult,
    Unknown,
    Unresolved,
)
from .wrappers import find_wrappers


def scan_source(data: bytes, path: str, ruleset: RuleSet) -> FileReport:
    """Find, resolve and match every SendGrid call in one file's bytes, then apply its annotations.

    A file that cannot be parsed yields a `FileError` instead of calls; nothing is raised, so
    one bad file never hides the results of the others. A file that passes neither prefilter
    is not parsed at all (and libcst is not imported for it).
    """
    report = _scan_calls(data, path, ruleset) if might_call_sendgrid(data) else FileReport(path)
    if report.errors or not might_have_annotations(data):
        return report
    return _apply_annotations(report, data, ruleset.catalogue)


def _scan_calls(data: bytes, path: str, ruleset: RuleSet) -> FileReport:
    """Parse with libcst (imported only here, for files that pass the prefilter) and match."""
    import libcst as cst

    from .callsites import find_calls
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


def _apply_annotations(report: FileReport, data: bytes, catalogue: ScopeCatalogue) -> FileReport:
    """Resolve the unresolved calls that `# sg-scope:` annotations speak for.

    An annotation covers the unresolved calls on its line; on a `def` line it also covers the
    unresolved calls in that function's body and makes every call to the function (in this
    file) an annotated call. An annotation that covers nothing is reported as unused.
    """
    found = read_annotations(data, report.path, catalogue)
    if not found.valid and not found.problems:
        return report
    index = find_wrappers(data, report.path, {note.target_line for note in found.valid})
    covered: dict[Unresolved, tuple[tuple[str, ...], Location]] = {}
    annotated: list[Annotated] = []
    problems: list[AnnotationProblem] = list(found.problems)
    for note in found.valid:
        wrapper = index.at(note.target_line)
        hits = [u for u in report.unresolved if u.location.line == note.target_line or (
            wrapper is not None and wrapper.line <= u.location.line <= wrapper.end_line)]
        for call in hits:
            scopes, where = covered.get(call, ((), note.location))
            covered[call] = (tuple(dict.fromkeys(scopes + note.scopes)), where)
        if wrapper is not None:
            reason = f"calls `{wrapper.name}`, annotated on line {note.location.line}"
            annotated += [Annotated(c.location, c.text, note.scopes, note.location, reason)
                          for c in index.calls if c.wrapper == wrapper]
        elif not hits:
            problems.append(AnnotationProblem(note.location, AnnotationProblemKind.UNUSED,
                                              str(note.target_line)))
    annotated += [Annotated(call.location, call.chain, scopes, where, call.reason, call.key)
                  for call, (scopes, where) in covered.items()]
    return replace(
        report,
        unresolved=tuple(u for u in report.unresolved if u not in covered),
        annotated=tuple(sorted(annotated, key=lambda a: (a.location, a.chain))),
        annotation_problems=tuple(sorted(problems, key=lambda p: (p.location, p.detail))),
    )


def _error(path: str, line: int, col: int, message: str) -> FileReport:
    return FileReport(path, errors=(FileError(Location(path, line, col), message),))
