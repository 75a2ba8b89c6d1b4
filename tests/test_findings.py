"""A scan's problems become findings with the code, message and line-free identity that every
CI format and the baseline rely on."""

from __future__ import annotations

import pytest
from scan_values import sample, unresolved

from sg_scope_lint import codedocs, findings
from sg_scope_lint.codes import BY_CODE, CODES
from sg_scope_lint.types import FileReport, Level, ScanResult


def test_every_problem_of_a_scan_is_one_finding_in_location_order() -> None:
    assert [(f.location.file, f.location.line, f.code, f.chain)
            for f in findings.scan_findings(sample())] == [
        ("src/app.py", 1, "SGS002", "SG.abc…"),
        ("src/app.py", 7, "SGS101", "getattr(sg.client, name).get"),
        ("src/app.py", 8, "SGS102", "sg.client.no_such_thing.get"),
        ("src/broken.py", 2, "SGS001", ""),
    ]


@pytest.mark.parametrize(("code", "expected"), [
    ("SGS101", "cannot resolve SendGrid call `getattr(sg.client, name).get`: the attribute name "
               "is computed at run time (getattr); declare its scopes with `# sg-scope:`"),
    ("SGS102", "`GET /v3/no_such_thing` is not covered by any rule"),
    ("SGS001", "cannot analyse the file: syntax error: invalid syntax"),
    ("SGS002", "hard-coded SendGrid API key SG.abc…: revoke it and load the key from the "
               "environment"),
], ids=["unresolved", "unknown", "file-error", "key"])
def test_messages_come_from_the_codes_table(code: str, expected: str) -> None:
    by_code = {f.code: f for f in findings.scan_findings(sample())}
    assert by_code[code].message == f"{code} {expected}"
    assert by_code[code].text == expected


def test_flake8_findings_leave_keys_to_scan() -> None:
    report = sample().files[0]
    assert "SGS002" not in {f.code for f in findings.file_findings(report)}


def test_identity_survives_moving_code() -> None:
    before = findings.scan_findings(sample())
    after = findings.scan_findings(sample(offset=40))
    assert [f.identity for f in before] == [f.identity for f in after]
    assert [f.location for f in before] != [f.location for f in after]


def test_levels_say_what_breaks_and_keys_are_never_baselined() -> None:
    assert {c.code for c in CODES if c.level is Level.ERROR} == {
        "SGS001", "SGS002", "SGS201", "SGS202", "SGS204", "SGS205", "SGS301", "SGS302"}
    assert [c.code for c in CODES if not c.baselinable] == ["SGS002", "SGS205"]


def test_every_code_has_its_documentation_for_sarif_help() -> None:
    docs = codedocs.load()
    assert set(docs) == set(BY_CODE)
    for code, doc in docs.items():
        assert doc.summary.startswith("Reports "), code
        assert "**Why is this bad.**" in doc.markdown and "**" not in doc.text, code


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
