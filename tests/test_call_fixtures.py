"""Every call fixture is checked strictly both ways against its inline `# expect:` comments.

Grammar (one expectation per comment; stack several above a line with several calls):
    # expect: POST /v3/mail/send -> mail.send      a match: rule path template -> scopes
    # expect: GET /v3/scopes -> (none)            a match that needs no scope
    # expect: unresolved: <part of the reason>    an unresolved call
    # expect: unknown: GET /v3/foo/{}             an endpoint no rule covers
    # expect: nothing                             no finding on the next code line
An expectation applies to the next line that is not a comment.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from sg_scope_lint.cache import CACHE_DIRECTORY, AnalysisCache
from sg_scope_lint.engine import scan_files, scan_source
from sg_scope_lint.rules import RuleSet
from sg_scope_lint.types import FileReport

FIXTURES = Path(__file__).parent / "fixtures" / "calls"
# Projects whose calls need more than one module: scanned whole, each file checked the same way.
PROJECTS = Path(__file__).parent / "fixtures" / "projects"
EXPECT = re.compile(r"#\s*expect:\s*(?P<what>.+?)\s*$")


def expectations(path: Path) -> tuple[Counter[tuple[int, str]], set[int]]:
    expected: Counter[tuple[int, str]] = Counter()
    silent: set[int] = set()
    pending: list[str] = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        stripped = line.strip()
        found = EXPECT.search(stripped) if stripped.startswith("#") else None
        if found:
            pending.append(found["what"])
            continue
        if stripped.startswith("#") or not stripped:
            continue
        for what in pending:
            if what == "nothing":
                silent.add(number)
            else:
                expected[(number, what)] += 1
        pending = []
    assert not pending, f"{path.name}: an expectation at the end of the file applies to nothing"
    return expected, silent


def observed(path: Path, ruleset: RuleSet) -> Counter[tuple[int, str]]:
    return findings_of(scan_source(path.read_bytes(), path.name, ruleset))


def findings_of(report: FileReport) -> Counter[tuple[int, str]]:
    assert not report.errors, report.errors
    seen: Counter[tuple[int, str]] = Counter()
    for match in report.matches:
        scopes = ", ".join(match.scopes) or "(none)"
        seen[(match.call.location.line, f"{match.rule.endpoint} -> {scopes}")] += 1
    for unresolved in report.unresolved:
        seen[(unresolved.location.line, f"unresolved: {unresolved.reason}")] += 1
    for unknown in report.unknown:
        seen[(unknown.call.location.line, f"unknown: {unknown.call.endpoint}")] += 1
    return seen


def _normalise(expected: Counter[tuple[int, str]], seen: Counter[tuple[int, str]]) -> Counter:
    """`unresolved: part` in an expectation matches a reason that contains `part`."""
    result: Counter[tuple[int, str]] = Counter()
    for (line, what), count in expected.items():
        if what.startswith("unresolved:"):
            part = what.removeprefix("unresolved:").strip()
            full = next((w for (l, w) in seen if l == line and w.startswith("unresolved:")
                         and part in w), what)
            result[(line, full)] += count
        else:
            result[(line, what)] += count
    return result


def check(name: str, path: Path, seen: Counter[tuple[int, str]]) -> None:
    expected, silent = expectations(path)
    expected = _normalise(expected, seen)
    missing = sorted((expected - seen).elements())
    extra = sorted((seen - expected).elements())
    assert not missing and not extra, (
        f"{name}: expected but not found: {missing}; found but not expected: {extra}")
    assert not {line for line, _ in seen} & silent, f"{name}: finding on an `expect: nothing` line"


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.py")), ids=lambda p: p.stem)
def test_fixture_matches_its_expectations(path: Path, ruleset: RuleSet) -> None:
    check(path.name, path, observed(path, ruleset))


@pytest.mark.parametrize("project", sorted(p for p in PROJECTS.iterdir() if p.is_dir()),
                         ids=lambda p: p.name)
def test_project_fixture_matches_its_expectations(project: Path, ruleset: RuleSet,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    paths = sorted(p.relative_to(project) for p in project.rglob("*.py"))
    result = scan_files(paths, ruleset, jobs=1)
    assert [report.path for report in result.files] == [p.as_posix() for p in paths]
    for path, report in zip(paths, result.files, strict=True):
        check(path.as_posix(), path, findings_of(report))


def test_every_fixture_has_expectations() -> None:
    for path in [*FIXTURES.glob("*.py"), *PROJECTS.rglob("*.py")]:
        expected, silent = expectations(path)
        assert expected or silent, f"{path.name} has no `# expect:` comment"


@pytest.mark.parametrize("project", sorted(p for p in PROJECTS.iterdir() if p.is_dir()),
                         ids=lambda p: p.name)
def test_project_fixture_scans_the_same_from_the_cache(project: Path, ruleset: RuleSet,
                                                       tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """What modules tell each other (helpers, factories) survives the analysis cache."""
    copy = tmp_path / project.name
    shutil.copytree(project, copy)
    monkeypatch.chdir(copy)
    paths = sorted(p.relative_to(copy) for p in copy.rglob("*.py"))
    fresh = scan_files(paths, ruleset, jobs=1)
    cache = AnalysisCache(copy)
    scan_files(paths, ruleset, jobs=1, cache=cache)
    entries = sorted((copy / CACHE_DIRECTORY).rglob("*.json"))
    assert entries
    assert all(cache.get(entry.stem) is not None for entry in entries), "an entry did not load"
    assert scan_files(paths, ruleset, jobs=1, cache=cache) == fresh
