"""A scan's problems become findings with the code, level, message and line-free identity that
every CI format and the baseline rely on."""

from __future__ import annotations

from pathlib import Path

import pytest
from scan_values import sample, unresolved

from sg_scope_lint import findings
from sg_scope_lint.codes import CODES, Code
from sg_scope_lint.types import FileReport, Level, Location, ScanResult


def test_every_problem_of_a_scan_is_one_finding_in_location_order() -> None:
    assert [(f.location.file, f.location.line, f.code, f.level, f.chain)
            for f in findings.scan_findings(sample())] == [
        ("src/app.py", 1, "SGS104", Level.ERROR, "SG.abc…"),
        ("src/app.py", 7, "SGS101", Level.WARNING, "getattr(sg.client, name).get"),
        ("src/app.py", 8, "SGS102", Level.WARNING, "sg.client.no_such_thing.get"),
        ("src/broken.py", 2, "SGS103", Level.ERROR, ""),
    ]


@pytest.mark.parametrize(("code", "expected"), [
    ("SGS101", "cannot tell which endpoint `getattr(sg.client, name).get` reaches: the attribute "
               "name is computed at run time (getattr)"),
    ("SGS102", "no rule covers `GET /v3/no_such_thing` (called as `sg.client.no_such_thing.get`)"),
    ("SGS103", "syntax error: invalid syntax"),
    ("SGS104", "hard-coded SendGrid API key SG.abc…: revoke it and load the key from the "
               "environment"),
], ids=["unresolved", "unknown", "file-error", "key"])
def test_messages_come_from_the_codes_table(code: str, expected: str) -> None:
    by_code = {f.code: f.message for f in findings.scan_findings(sample())}
    assert by_code[code] == expected


def test_identity_survives_moving_code() -> None:
    before = [f.identity for f in findings.scan_findings(sample())]
    after = [f.identity for f in findings.scan_findings(sample(offset=40))]
    assert before == after
    assert [f.location for f in findings.scan_findings(sample())] != [
        f.location for f in findings.scan_findings(sample(offset=40))]


def test_make_refuses_a_code_missing_from_the_table() -> None:
    stray = Code("SGS999", "stray", Level.NOTE, "t", "m", "w", "y", "f")
    with pytest.raises(ValueError, match="SGS999"):
        findings.make(stray, Location("a.py", 1, 1))


def test_codes_are_well_formed_and_documented() -> None:
    for code in CODES.values():
        assert code.code.startswith("SGS") and len(code.code) == 6, code
        assert code.name == code.name.lower() and " " not in code.name, code
        assert code.title and code.what and code.why and code.fix, code


def test_only_keeps_the_given_problems_and_every_matched_call() -> None:
    result = sample()
    wanted = [f for f in findings.scan_findings(result) if f.code == "SGS102"]
    kept = findings.only(result, wanted)
    assert [f.code for f in findings.scan_findings(kept)] == ["SGS102"]
    assert kept.matches == result.matches
    assert [r.path for r in kept.files] == [r.path for r in result.files]


def test_only_counts_identical_problems_one_by_one() -> None:
    twice = ScanResult((FileReport("a.py", unresolved=(unresolved("a.py", 3),
                                                       unresolved("a.py", 3))),))
    one = findings.scan_findings(twice)[:1]
    assert len(findings.scan_findings(findings.only(twice, one))) == 1


def test_readme_lists_every_code_with_its_level() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    for code in CODES.values():
        assert f"| `{code.code}` | {code.level.value} |" in readme, code.code
