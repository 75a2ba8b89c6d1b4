"""`scan --format sarif` is valid SARIF 2.1.0, byte-identical across runs, and keeps code-scanning
alerts stable: rule ids are codes, fingerprints ignore line numbers, URIs are relative."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sarif_schema import validate
from scan_values import APP as SAMPLE_APP
from scan_values import NEW_FINDING, sample

from sg_scope_lint import codedocs
from sg_scope_lint.cli import main
from sg_scope_lint.codes import BY_CODE
from sg_scope_lint.reporters import sarif_report
from sg_scope_lint.types import Finding, Location

FAKE_KEY = "SG." + "a" * 22 + "." + "b" * 43  # built here so no key-shaped literal is committed

# One unresolved call (line 9) and one unknown endpoint (line 10).
APP = SAMPLE_APP + NEW_FINDING + "    sg.client.no_such_thing.get()\n"



@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ci_rules: object) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(APP)
    (tmp_path / "src" / "bro ken.py").write_text("import sendgrid\ndef f(:\n")
    (tmp_path / "src" / "settings.py").write_text(f'SENDGRID_KEY = "{FAKE_KEY}"\n')
    return tmp_path


def sarif(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["scan", "src", "--format", "sarif", *extra])
    return code, capsys.readouterr().out


def test_scan_with_findings_validates_and_is_byte_identical(project: Path, capsys) -> None:
    code, first = sarif(capsys)
    assert code == 1
    log = validate(first)
    results = log["runs"][0]["results"]
    assert sorted({r["ruleId"] for r in results}) == ["SGS001", "SGS002", "SGS101", "SGS102"]
    assert FAKE_KEY not in first
    second = sarif(capsys)[1]  # the second run reads the analysis cache the first wrote
    assert second == first
    assert sarif(capsys, "--no-cache", "--jobs", "1")[1] == first


def test_results_point_at_relative_escaped_uris(project: Path, capsys) -> None:
    log = validate(sarif(capsys)[1])
    run = log["runs"][0]
    assert set(run["originalUriBaseIds"]) == {"%SRCROOT%"}
    locations = [(r["ruleId"], r["locations"][0]["physicalLocation"]) for r in run["results"]]
    assert [(rule, p["artifactLocation"]["uri"], p["artifactLocation"]["uriBaseId"],
             p["region"]["startLine"]) for rule, p in locations] == [
        ("SGS101", "src/app.py", "%SRCROOT%", 9),
        ("SGS102", "src/app.py", "%SRCROOT%", 10),
        ("SGS001", "src/bro%20ken.py", "%SRCROOT%", 2),
        ("SGS002", "src/settings.py", "%SRCROOT%", 1),
    ]
    assert str(project) not in json.dumps(log)


def test_every_code_is_a_rule_with_help_and_results_point_at_theirs(project: Path,
                                                                     capsys) -> None:
    run = validate(sarif(capsys)[1])["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    docs = codedocs.load()
    assert [r["id"] for r in rules] == sorted(BY_CODE)
    for rule in rules:
        code, doc = BY_CODE[rule["id"]], docs[rule["id"]]
        assert rule["name"] == code.name
        assert rule["defaultConfiguration"]["level"] == code.level.value
        assert rule["help"] == {"text": doc.text, "markdown": doc.markdown}
        assert rule["fullDescription"]["text"] == doc.summary
        assert doc.summary.startswith(rule["shortDescription"]["text"][:-1])
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == BY_CODE[result["ruleId"]].level.value
        assert not result["message"]["text"].startswith("SGS")


def test_fingerprints_ignore_line_numbers(project: Path, capsys) -> None:
    def fingerprints() -> dict[str, str]:
        run = json.loads(sarif(capsys)[1])["runs"][0]
        return {r["ruleId"]: r["partialFingerprints"][sarif_report.FINGERPRINT]
                for r in run["results"]}

    before = fingerprints()
    (project / "src" / "app.py").write_text("# moved\n\n\n" + APP)
    after = fingerprints()
    assert after == before
    lines = [r["locations"][0]["physicalLocation"]["region"]["startLine"]
             for r in json.loads(sarif(capsys)[1])["runs"][0]["results"]]
    assert lines[:2] == [12, 13]


def test_identical_calls_in_one_file_get_distinct_fingerprints() -> None:
    twice = [Finding(Location("a.py", line, 1), "SGS101", "SGS101 m", "x.get")
             for line in (3, 9)]
    results = json.loads(sarif_report.render_findings(twice))["runs"][0]["results"]
    prints = {r["partialFingerprints"][sarif_report.FINGERPRINT] for r in results}
    assert len(prints) == 2


def test_a_finding_without_a_line_has_no_region_and_stays_valid() -> None:
    whole_file = Finding(Location("sendgrid-key.yaml", 0, 0), "SGS201", "SGS201 m")
    log = validate(sarif_report.render_findings([whole_file]))
    assert "region" not in log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]


def test_no_findings_is_a_valid_empty_run() -> None:
    clean = sample()
    clean = type(clean)(tuple(type(f)(f.path, matches=f.matches) for f in clean.files))
    assert validate(sarif_report.render(clean))["runs"][0]["results"] == []
