"""`sg-scope-lint check` in the CI formats and with a baseline, end to end through `main([...])`.

The key config's findings are located in the key config (file and line), a call lacking a scope
at the call; baselines key both without line numbers. Rules come from `tests/check_rules/`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sarif_schema import validate

from sg_scope_lint import findings, rules
from sg_scope_lint.cli import main
from sg_scope_lint.types import (
    CheckResult,
    ConfigFormat,
    ConfiguredKey,
    GrantedScope,
    KeyConfig,
    KeyProblem,
    KeyVerdict,
    ProblemKind,
    ScanResult,
    Severity,
    UnknownScope,
)

CHECK_RULES = Path(__file__).parent / "check_rules"
# Built at run time so that no file of this repository holds anything shaped like a key.
SECRET = "SG." + "Qw8Er7Ty6Ui5Op4As3Df2G" + "." + "h" * 43

APP = """\
import os
import sendgrid

sg = sendgrid.SendGridAPIClient(os.environ["SENDGRID_API_KEY"])


def welcome(message, tid):
    sg.send(message)
    return sg.client.templates._(tid).get()
"""
# A call needing one more scope the key lacks, added at the top of the file so every line moves.
BOUNCES = "def bounces():\n    return sg.client.suppression.bounces.get()\n\n\n"

KEY_YAML = """\
# The app's production key
scopes:
  - mail.send
  - api_keys.delete
  - suppresion.bounces.read
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(rules, "bundled_rules_dir", lambda: CHECK_RULES)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(APP)
    (tmp_path / "sendgrid-key.yaml").write_text(KEY_YAML)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", "--no-cache", "src", "--key-config", "sendgrid-key.yaml", *argv])
    out, err = capsys.readouterr()
    return code, out, err



def placed(log: dict[str, Any]) -> list[tuple[str, str, str, int]]:
    """(rule, level, file, line) of every SARIF result."""
    out = []
    for result in log["runs"][0]["results"]:
        physical = result["locations"][0]["physicalLocation"]
        out.append((result["ruleId"], result["level"], physical["artifactLocation"]["uri"],
                    physical.get("region", {}).get("startLine", 0)))
    return out


def test_sarif_places_missing_scopes_at_calls_and_config_findings_at_their_line(
        project: Path, capsys) -> None:
    code, out, _ = run(capsys, "--format", "sarif")
    assert code == 1  # a missing and an unknown scope fail check in every format
    assert placed(validate(out)) == [
        ("SGS203", "warning", "sendgrid-key.yaml", 4),
        ("SGS202", "error", "sendgrid-key.yaml", 5),
        ("SGS201", "error", "src/app.py", 9),
    ]
    results = json.loads(out)["runs"][0]["results"]
    assert results[1]["message"]["text"] == (
        "key 'default' lists `suppresion.bounces.read`, not a SendGrid scope; did you mean "
        "`suppression.bounces.read`?")
    assert results[2]["message"]["text"] == (
        "`GET /v3/templates/{template_id}` needs `templates.read`, not in sendgrid-key.yaml")
    rule_ids = [rule["id"] for rule in json.loads(out)["runs"][0]["tool"]["driver"]["rules"]]
    assert {"SGS201", "SGS202", "SGS203", "SGS205"} <= set(rule_ids)


def test_github_annotations(project: Path, capsys) -> None:
    code, out, _ = run(capsys, "--format", "github")
    assert code == 1
    assert out.splitlines() == [
        "::warning file=sendgrid-key.yaml,line=4,title=SGS203 excess-scope::key 'default' grants "
        "`api_keys.delete`, which no call needs",
        "::error file=sendgrid-key.yaml,line=5,title=SGS202 unknown-scope::key 'default' lists "
        "`suppresion.bounces.read`, not a SendGrid scope; did you mean "
        "`suppression.bounces.read`?",
        "::error file=src/app.py,line=9,col=12,title=SGS201 scope-not-granted::"
        "`GET /v3/templates/{template_id}` needs `templates.read`, not in sendgrid-key.yaml",
    ]


def test_markdown_summary_lists_the_check_findings(project: Path, capsys) -> None:
    code, out, _ = run(capsys, "--format", "markdown")
    assert code == 1
    assert "**3 finding(s)** need attention." in out
    for heading in ("#### SGS201 scope-not-granted (1)", "#### SGS202 unknown-scope (1)",
                    "#### SGS203 excess-scope (1)"):
        assert heading in out


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "markdown"])
def test_excess_alone_fails_only_with_strict_in_every_format(project: Path, capsys,
                                                             fmt: str) -> None:
    (project / "sendgrid-key.yaml").write_text(
        "scopes: [mail.send, templates.read, api_keys.delete]\n")
    assert run(capsys, "--format", fmt)[0] == 0
    assert run(capsys, "--format", fmt, "--strict")[0] == 1


def test_baseline_hides_a_known_missing_scope_and_reports_a_new_one(project: Path,
                                                                    capsys) -> None:
    code, _, err = run(capsys, "--write-baseline", "baseline.json")
    assert code == 0  # every finding is now known
    assert "baseline.json: baseline written (3 finding(s))" in err
    entries = json.loads((project / "baseline.json").read_text())["findings"]
    assert [(e["code"], e["file"], e["chain"]) for e in entries] == [
        ("SGS201", "src/app.py", "GET /v3/templates/{template_id}"),
        ("SGS202", "sendgrid-key.yaml", "suppresion.bounces.read"),
        ("SGS203", "sendgrid-key.yaml", "api_keys.delete"),
    ]
    # Moving the code and the config's lines brings nothing back.
    (project / "src" / "app.py").write_text("# moved\n\n" + APP)
    (project / "sendgrid-key.yaml").write_text("# moved\n" + KEY_YAML)
    code, out, err = run(capsys, "--baseline", "baseline.json", "--format", "github")
    assert (code, out) == (0, "")
    assert "3 known finding(s) not shown, 0 new" in err

    (project / "src" / "app.py").write_text(BOUNCES + APP)
    code, out, err = run(capsys, "--baseline", "baseline.json", "--format", "github")
    assert code == 1
    assert out == ("::error file=src/app.py,line=2,col=12,title=SGS201 scope-not-granted::"
                   "`GET /v3/suppression/bounces` needs `suppression.bounces.read`, not in "
                   "sendgrid-key.yaml\n")
    code, out, _ = run(capsys, "--baseline", "baseline.json")
    assert code == 1
    problems = [line for line in out.splitlines() if ": SGS" in line]
    assert problems == [("src/app.py:2:12: SGS201 `GET /v3/suppression/bounces` needs "
                         "`suppression.bounces.read`, not in sendgrid-key.yaml")]
    data = json.loads(run(capsys, "--baseline", "baseline.json", "--format", "json")[1])
    (key,) = data["keys"]
    assert ([m["scope"] for m in key["missing"]], key["unknown"], key["excess"]) == (
        ["suppression.bounces.read"], [], [])


def test_a_fixed_finding_is_reported_gone(project: Path, capsys) -> None:
    run(capsys, "--write-baseline", "baseline.json")
    (project / "sendgrid-key.yaml").write_text("scopes: [mail.send, api_keys.delete]\n")
    code, _, err = run(capsys, "--baseline", "baseline.json")
    assert code == 0
    assert "run `sg-scope-lint check --write-baseline baseline.json` to drop them" in err
    assert "  - SGS202 sendgrid-key.yaml: suppresion.bounces.read" in err


def test_a_secret_in_the_key_config_is_never_baselined(project: Path, capsys) -> None:
    (project / "created-key.json").write_text(json.dumps(
        {"api_key": SECRET, "name": "app", "scopes": ["mail.send", "templates.read"]}, indent=2))
    argv = ("--key-config", "created-key.json")
    code, _, err = run(capsys, *argv, "--write-baseline", "baseline.json")
    assert code == 1
    assert "baseline written (0 finding(s))" in err
    code, out, err = run(capsys, *argv, "--baseline", "baseline.json", "--format", "sarif")
    assert code == 1 and SECRET not in out + err
    assert placed(validate(out)) == [("SGS205", "error", "created-key.json", 2)]


def test_unreadable_baseline_fails_before_the_scan(project: Path, capsys) -> None:
    (project / "baseline.json").write_text("{")
    code, out, err = run(capsys, "--baseline", "baseline.json", "--format", "sarif")
    assert (code, out) == (2, "")
    assert "baseline.json" in err


def test_every_key_problem_kind_has_a_code_at_its_line() -> None:
    key = ConfiguredKey("app", (GrantedScope("billing.read", 3), GrantedScope("mail.sned", 4)),
                        line=2)
    problems = tuple(KeyProblem(kind, Severity.WARNING, kind.value, 2) for kind in ProblemKind)
    config = KeyConfig("keys.yaml", ConfigFormat.KEYS, (key,))
    check = CheckResult(config, (KeyVerdict(key, (), unknown=(
        UnknownScope(key.scopes[1], ("mail.send",)),), problems=problems),))
    found = findings.check_findings(check, ScanResult(()))
    assert [(f.code, f.location.line, f.chain) for f in found] == [
        ("SGS204", 2, "app"), ("SGS205", 2, "app"), ("SGS206", 2, "app"), ("SGS207", 2, "app"),
        ("SGS208", 2, "app"), ("SGS209", 2, "app"), ("SGS202", 4, "mail.sned")]
