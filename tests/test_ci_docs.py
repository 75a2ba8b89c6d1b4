"""The CI jobs in docs/ci.md do what the page says: the tests read the YAML out of the page and
run every `sg-scope-lint` command of it, in order, through `main()` on a small project.

Only `sg-scope-lint` lines run; the few other lines (installing, fetching the base branch) are
listed in SETUP_LINES and their effect is arranged by the test, so a new kind of line in the
page fails here until someone decides how to exercise it.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from scan_values import APP, NEW_FINDING, NEW_SCOPE

from sg_scope_lint.cli import main

DOC = Path(__file__).resolve().parent.parent / "docs" / "ci.md"
SETUP_LINES = ("python -m pip install sg-scope-lint", "git fetch ", "git show ")
# The key the app's two calls need, as the project's key config grants it.
KEY_CONFIG = "scopes:\n  - mail.send\n  - templates.read\n"



def yaml_blocks() -> list[dict[str, Any]]:
    return [yaml.safe_load(block)
            for block in re.findall(r"^```yaml\n(.*?)^```", DOC.read_text(), re.M | re.S)]


def github_workflow() -> dict[str, Any]:
    (workflow,) = [block for block in yaml_blocks() if "jobs" in block]
    return workflow


def gitlab_job() -> dict[str, Any]:
    (job,) = [value for block in yaml_blocks() for value in block.values()
              if isinstance(value, dict) and "script" in value]
    return job


@dataclass
class Ran:
    step: str
    code: int
    may_fail: bool


def run_line(line: str, capsys: pytest.CaptureFixture[str]) -> int | None:
    """Run one `sg-scope-lint` line with its `>` or `>>` redirection; None for a setup line."""
    if line.startswith(SETUP_LINES):
        return None
    words = [os.path.expandvars(word) for word in shlex.split(line)]
    assert words[0] == "sg-scope-lint", f"docs/ci.md runs a line this test does not know: {line}"
    target, mode = None, ""
    for operator, file_mode in ((">>", "a"), (">", "w")):
        if operator in words:
            at = words.index(operator)
            words, target, mode = words[:at], words[at + 1], file_mode
            break
    assert all(not set(word) & set("|&;<>") for word in words), line
    code = main(words[1:])
    out = capsys.readouterr().out
    if target:
        with open(target, mode, encoding="utf-8") as stream:
            stream.write(out)
    return code


def run_github(capsys: pytest.CaptureFixture[str]) -> list[Ran]:
    """Every step with a `run:` script, as on a pull request (each `if:` holds)."""
    ran = []
    for step in github_workflow()["jobs"]["sendgrid-scopes"]["steps"]:
        codes = [run_line(line, capsys) for line in step.get("run", "").splitlines() if line]
        codes = [code for code in codes if code is not None]
        if codes:
            first_failure = next((code for code in codes if code), 0)
            ran.append(Ran(step["name"], first_failure, bool(step.get("continue-on-error"))))
    return ran


def run_gitlab(capsys: pytest.CaptureFixture[str]) -> list[Ran]:
    """`script` lines until one fails (GitLab stops there), then every `after_script` line."""
    job = gitlab_job()
    ran = []
    for line in job["script"]:
        code = run_line(line, capsys)
        if code is not None:
            ran.append(Ran(line, code, False))
            if code:
                break
    for line in job["after_script"]:
        code = run_line(line, capsys)
        if code is not None:
            ran.append(Ran(line, code, True))  # GitLab ignores after_script failures
    return ran


def job_failed(ran: list[Ran]) -> bool:
    return any(step.code and not step.may_fail for step in ran)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ci_rules: object,
            capsys: pytest.CaptureFixture[str]) -> Path:
    """A repository whose base branch and head both have an up-to-date manifest."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "step-summary.md"))
    monkeypatch.setenv("GITHUB_BASE_REF", "main")
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "sendgrid-key.yaml").write_text(KEY_CONFIG)
    assert main(["manifest"]) == 0
    # What `git show FETCH_HEAD:sendgrid-scopes.json > base-scopes.json` gives.
    (tmp_path / "base-scopes.json").write_bytes((tmp_path / "sendgrid-scopes.json").read_bytes())
    capsys.readouterr()
    return tmp_path


def test_the_workflow_has_every_piece_the_page_promises() -> None:
    workflow = github_workflow()
    assert workflow["permissions"]["security-events"] == "write"
    steps = workflow["jobs"]["sendgrid-scopes"]["steps"]
    upload = next(s for s in steps if s.get("uses", "").startswith(
        "github/codeql-action/upload-sarif@"))
    assert upload["if"] == "always()" and upload["with"]["sarif_file"] == "sg-scope-lint.sarif"
    scripts = "\n".join(s.get("run", "") for s in steps)
    for piece in ("--format sarif > sg-scope-lint.sarif", "--format markdown >> "
                  '"$GITHUB_STEP_SUMMARY"', "manifest --check",
                  "sg-scope-lint check --key-config sendgrid-key.yaml --format github",
                  "sg-scope-lint diff"):
        assert piece in scripts
    assert steps[-1]["run"].startswith("sg-scope-lint scan")
    assert "continue-on-error" not in steps[-1] and "continue-on-error" not in steps[-2]


def test_clean_repository_passes_and_reports(project: Path, capsys) -> None:
    ran = run_github(capsys)
    assert [step.code for step in ran] == [0] * len(ran) and len(ran) == 6
    sarif = json.loads((project / "sg-scope-lint.sarif").read_text())
    assert sarif["runs"][0]["results"] == []
    summary = (project / "step-summary.md").read_text()
    assert "No findings" in summary and "### SendGrid scopes: no change" in summary


def test_pull_request_with_a_new_scope_and_an_unresolved_call(project: Path, capsys) -> None:
    (project / "app.py").write_text(APP + NEW_SCOPE + NEW_FINDING)
    assert main(["manifest"]) == 0  # the author updated the manifest
    capsys.readouterr()
    ran = run_github(capsys)
    assert job_failed(ran)
    assert [(step.step, step.code) for step in ran if step.code] == [
        ("Scan for code scanning", 1), ("Job summary", 1),
        ("Key config grants what the code needs", 1), ("Fail on findings", 1)]
    # Only the last steps fail the job, so the upload and the summary still happen before them.
    assert [step.step for step in ran if step.code and not step.may_fail] == [
        "Key config grants what the code needs", "Fail on findings"]
    results = json.loads((project / "sg-scope-lint.sarif").read_text())["runs"][0]["results"]
    # The new call needs a scope the key lacks (SGS201), and one call cannot be resolved.
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
            for r in results] == [("SGS201", 9), ("SGS101", 12)]
    summary = (project / "step-summary.md").read_text()
    assert "#### SGS101" in summary and "#### SGS201" in summary
    assert ("| added | `suppression.spam_reports.read` | `GET /v3/suppression/spam_reports` | "
            "`app.py` |") in summary


def test_a_stale_manifest_fails_the_job(project: Path, capsys) -> None:
    (project / "app.py").write_text(APP + NEW_SCOPE)
    (project / "sendgrid-key.yaml").write_text(KEY_CONFIG + "  - suppression.spam_reports.read\n")
    ran = run_github(capsys)
    assert [(step.step, step.code) for step in ran if step.code] == [
        ("Manifest is up to date", 1)]
    assert job_failed(ran)


def test_a_scope_the_key_lacks_fails_the_job_with_an_annotation_at_the_call(
        project: Path, capsys) -> None:
    (project / "app.py").write_text(APP + NEW_SCOPE)
    assert main(["manifest"]) == 0
    capsys.readouterr()
    (annotate,) = [step["run"] for step in github_workflow()["jobs"]["sendgrid-scopes"]["steps"]
                   if "--format github" in step.get("run", "")]
    assert main(shlex.split(annotate)[1:]) == 1
    assert capsys.readouterr().out == (
        "::error file=app.py,line=9,col=12,title=SGS201 scope-not-granted::"
        "`GET /v3/suppression/spam_reports` needs `suppression.spam_reports.read`, not in "
        "sendgrid-key.yaml\n")
    ran = run_github(capsys)
    assert [(step.step, step.code) for step in ran if step.code] == [
        ("Scan for code scanning", 1), ("Job summary", 1),
        ("Key config grants what the code needs", 1)]
    assert job_failed(ran)
    results = json.loads((project / "sg-scope-lint.sarif").read_text())["runs"][0]["results"]
    assert [(r["ruleId"], r["message"]["text"]) for r in results] == [(
        "SGS201", "`GET /v3/suppression/spam_reports` needs `suppression.spam_reports.read`, "
        "not in sendgrid-key.yaml")]


def test_gitlab_job_passes_clean_and_fails_on_findings(project: Path, capsys) -> None:
    ran = run_gitlab(capsys)
    assert not job_failed(ran) and len(ran) == 5
    assert "No findings" in (project / "sg-scope-lint.md").read_text()
    (project / "app.py").write_text(APP + NEW_FINDING)
    assert main(["manifest"]) == 0
    capsys.readouterr()
    ran = run_gitlab(capsys)
    assert job_failed(ran)
    assert "#### SGS101" in (project / "sg-scope-lint.md").read_text()
    assert json.loads((project / "sg-scope-lint.sarif").read_text())["runs"][0]["results"]
