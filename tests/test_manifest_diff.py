"""`sg-scope-lint diff OLD NEW`: the scopes a change adds or drops, with the endpoints and files
behind each, in text, JSON and Markdown; it informs (exit 0) and never reads a bad file as empty."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from scan_values import APP, NEW_SCOPE

from sg_scope_lint import manifest_diff
from sg_scope_lint.cli import main
from sg_scope_lint.errors import ManifestError
from sg_scope_lint.manifest_diff import OpenItem, ScopeChange
from sg_scope_lint.reporters.diff_report import DIFF_FORMATS


def manifest(scopes: dict[str, tuple[list[str], list[str]]], unresolved: list[dict[str, str]] = (),
             unknown: list[dict[str, str]] = ()) -> dict[str, Any]:
    return {"version": 1,
            "scopes": {s: {"endpoints": e, "files": f} for s, (e, f) in scopes.items()},
            "unresolved": list(unresolved), "unknown": list(unknown)}


OLD = manifest({"mail.send": (["POST /v3/mail/send"], ["a.py"]),
                "templates.read": (["GET /v3/templates/{template_id}"], ["t.py"])},
               unresolved=[{"file": "a.py", "call": "getattr(sg.client, n).get", "reason": "r"}])
NEW = manifest({"mail.send": (["POST /v3/mail/send"], ["a.py", "b.py"]),
                "suppression.spam_reports.read": (["GET /v3/suppression/spam_reports"],
                                                  ["s.py"])},
               unknown=[{"file": "s.py", "endpoint": "GET /v3/nope"}])


def test_added_scopes_come_with_the_new_side_and_dropped_with_the_old() -> None:
    changes = manifest_diff.diff(OLD, NEW)
    assert changes.added == (ScopeChange("suppression.spam_reports.read",
                                         ("GET /v3/suppression/spam_reports",), ("s.py",)),)
    assert changes.dropped == (ScopeChange("templates.read",
                                           ("GET /v3/templates/{template_id}",), ("t.py",)),)
    assert changes.unresolved_removed == (OpenItem("a.py", "getattr(sg.client, n).get", "r"),)
    assert changes.unknown_added == (OpenItem("s.py", "GET /v3/nope"),)
    assert changes.unresolved_added == () and changes.unknown_removed == ()
    assert manifest_diff.diff(NEW, NEW).empty


@pytest.mark.parametrize(("bad", "expected"), [
    ({"version": 1, "scopes": {"x": []}},
     "scopes.x: must be an object with 'endpoints' and 'files'"),
    ({"version": 1, "scopes": {"x": {"endpoints": "GET /v3/x", "files": []}}},
     "scopes.x.endpoints: must be a list of strings"),
    ({"version": 1, "scopes": {}, "unresolved": [{"file": "a.py"}]},
     "unresolved[0]: needs 'file' and 'call' strings"),
    ({"version": 1, "scopes": {}, "unknown": {}}, "unknown: must be a list of objects"),
], ids=["scope-entry", "endpoints", "unresolved-entry", "unknown-list"])
def test_a_malformed_manifest_names_the_file_and_key(bad: dict[str, Any], expected: str) -> None:
    with pytest.raises(ManifestError) as caught:
        manifest_diff.diff(OLD, bad, "old.json", "new.json")
    assert str(caught.value) == f"new.json: {expected}"


# ------------------------------------------------------------------------------ the command


@pytest.fixture
def before_and_after(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ci_rules: object,
                     capsys: pytest.CaptureFixture[str]) -> Path:
    """Manifests written by `sg-scope-lint manifest` before and after adding a call."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(APP)
    assert main(["manifest", "src", "-o", "before.json"]) == 0
    (tmp_path / "src" / "reports.py").write_text(APP + NEW_SCOPE)
    assert main(["manifest", "src", "-o", "after.json"]) == 0
    capsys.readouterr()
    return tmp_path


def diff(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["diff", *argv])
    return code, capsys.readouterr().out


def test_text_names_the_new_scope_and_the_call(before_and_after: Path, capsys) -> None:
    code, out = diff(capsys, "before.json", "after.json")
    assert code == 0
    assert out == ("1 scope(s) added, 0 dropped\n"
                   "+ suppression.spam_reports.read\n"
                   "    GET /v3/suppression/spam_reports\n"
                   "    in src/reports.py\n")


def test_json_and_markdown_carry_the_same_change(before_and_after: Path, capsys) -> None:
    data = json.loads(diff(capsys, "before.json", "after.json", "--format", "json")[1])
    assert data["added"] == [{"scope": "suppression.spam_reports.read",
                              "endpoints": ["GET /v3/suppression/spam_reports"],
                              "files": ["src/reports.py"]}]
    assert data["dropped"] == []
    markdown = diff(capsys, "before.json", "after.json", "--format", "markdown")[1]
    assert markdown.startswith("### SendGrid scopes: 1 scope(s) added, 0 dropped\n")
    assert ("| added | `suppression.spam_reports.read` | `GET /v3/suppression/spam_reports` | "
            "`src/reports.py` |") in markdown


def test_reversed_diff_drops_the_scope_and_same_file_is_no_change(before_and_after: Path,
                                                                  capsys) -> None:
    out = diff(capsys, "after.json", "before.json")[1]
    assert out.startswith("0 scope(s) added, 1 dropped\n- suppression.spam_reports.read\n")
    assert diff(capsys, "after.json", "after.json") == (0, "no change\n")


def test_a_missing_or_broken_manifest_exits_2(before_and_after: Path, capsys) -> None:
    assert main(["diff", "before.json", "nope.json"]) == 2
    assert capsys.readouterr().err == "sg-scope-lint: error: nope.json: no such manifest file\n"
    (before_and_after / "broken.json").write_text("{")
    assert main(["diff", "broken.json", "after.json"]) == 2
    assert "broken.json:1: not valid JSON" in capsys.readouterr().err


def test_annotated_calls_that_come_and_go_are_listed() -> None:
    declared = {"file": "a.py", "call": "sg.client._(kind).get", "scopes": ["templates.read"]}
    changes = manifest_diff.diff(OLD, {**OLD, "annotated": [declared]})
    assert changes.annotated_added == (OpenItem("a.py", "sg.client._(kind).get",
                                                "templates.read"),)
    assert "Annotated calls added:\n  + a.py: sg.client._(kind).get (templates.read)" in (
        DIFF_FORMATS["text"](changes))
    assert manifest_diff.diff({**OLD, "annotated": [declared]}, OLD).annotated_removed
