"""The prefilter only saves work: scanning with it and with every file analysed gives the same
report (issue 7). Run over every Python tree the repository holds: the call fixtures, the
project fixtures, the golden projects and the examples. (`benchmarks/evaluate.py
--no-prefilter` does the same over the evaluation set, which is not committed.)"""

from __future__ import annotations

import json
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


def everything(data: bytes) -> bool:
    return True


@pytest.mark.parametrize("tree", TREES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_prefilter_never_changes_the_report(tree: Path, ruleset: RuleSet,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree)
    files = discover([Path(".")])
    filtered = json_report.render(engine.scan_files(files, ruleset, jobs=1))
    monkeypatch.setattr(engine, "might_call_sendgrid", everything)
    monkeypatch.setattr(engine, "might_have_annotations", everything)
    unfiltered = json_report.render(engine.scan_files(files, ruleset, jobs=1))
    assert unfiltered == filtered
    assert json.loads(filtered)["calls"], "each tree calls SendGrid: the comparison means something"
