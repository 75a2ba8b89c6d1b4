"""Never silent: every string that names a SendGrid endpoint in a scanned tree is part of a
reported call or is itself reported (issue "Never silent").

The strings are found here by a regular expression over the raw text, independently of the
tool's own finder (`analysis/endpoint_strings.py`); a string counts as reported when a finding
(call, unresolved call or unknown endpoint) is on its line, or when a reported call's path is
the string's path (run-time parts as wildcards) or begins with it. Run over every Python tree
the repository holds; `benchmarks/evaluate.py --check-endpoint-strings` does the same over
the evaluation set, which is not committed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sg_scope_lint import engine
from sg_scope_lint.discover import discover
from sg_scope_lint.reporters import json_report
from sg_scope_lint.rules import RuleSet

TESTS = Path(__file__).parent
TREES = [TESTS / "fixtures" / "calls", *sorted((TESTS / "fixtures" / "projects").iterdir()),
         *sorted((TESTS / "golden" / "projects").iterdir()),
         *sorted(p for p in (TESTS.parent / "examples").iterdir() if p.is_dir())]

# A quoted URL on SendGrid's API hosts with at least one segment after the version.
ENDPOINT_STRING = re.compile(
    r"""["'](?:https?://)?api(?:\.eu)?\.sendgrid\.com(/v[23]/[^"'\s?]+)""")


def unreported(tree: Path, report: dict) -> list[str]:
    lines = {(f["file"], f["line"]) for kind in ("calls", "unresolved", "unknown")
             for f in report[kind]}
    paths = [c["path"] for c in report["calls"]] + [u["path"] for u in report["unknown"]]
    missing = []
    for path in sorted(tree.rglob("*.py")):
        shown = path.relative_to(tree).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            if line.lstrip().startswith("#"):
                continue
            for found in ENDPOINT_STRING.finditer(line):
                named = re.sub(r"\{[^}]*\}|%[sd]", "{}", found.group(1)).rstrip("/")
                pattern = re.compile(".*?".join(
                    re.escape(p) for p in re.sub(r"\{[^}]*\}", "{}", named).split("{}")))
                if (shown, number) in lines or any(
                        pattern.match(re.sub(r"\{[^}]*\}", "{}", p)) for p in paths):
                    continue
                missing.append(f"{shown}:{number}: {found.group(0)}")
    return missing


@pytest.mark.parametrize("tree", TREES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_endpoint_string_goes_unreported(tree: Path, ruleset: RuleSet,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree)
    report = json.loads(json_report.render(engine.scan_files(discover([Path(".")]), ruleset,
                                                             jobs=1)))
    assert unreported(tree, report) == []


def test_the_check_sees_a_string_nothing_reports(tmp_path: Path, ruleset: RuleSet,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above would pass vacuously if it never found a string."""
    (tmp_path / "m.py").write_text('URL = "https://api.sendgrid.com/v3/templates"\n')
    monkeypatch.chdir(tmp_path)
    silent = {"calls": [], "unresolved": [], "unknown": []}
    assert unreported(tmp_path, silent) == [
        'm.py:1: "https://api.sendgrid.com/v3/templates']
    report = json.loads(json_report.render(engine.scan_files(discover([Path(".")]), ruleset,
                                                             jobs=1)))
    assert unreported(tmp_path, report) == []
