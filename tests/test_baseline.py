"""A baseline records findings by code, file and chain: moving code changes nothing, a new
finding is reported, a fixed one shows as gone, and a damaged file is an error, never empty."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scan_values import APP, NEW_FINDING, sample

from sg_scope_lint import baseline, findings
from sg_scope_lint.cli import main
from sg_scope_lint.errors import BaselineError

HEAD = APP + NEW_FINDING  # one unresolved call: getattr(sg.client, name).get


# ------------------------------------------------------------------------------ plain values


def test_build_counts_by_identity_and_leaves_keys_out() -> None:
    recorded = baseline.build(findings.scan_findings(sample()))
    assert recorded.entries == (
        baseline.Entry("SGS001", "src/broken.py", "", 1),
        baseline.Entry("SGS101", "src/app.py", "getattr(sg.client, name).get", 1),
        baseline.Entry("SGS102", "src/app.py", "sg.client.no_such_thing.get", 1),
    )


def test_round_trip_is_byte_stable(tmp_path: Path) -> None:
    text = baseline.dumps(baseline.build(findings.scan_findings(sample())))
    path = tmp_path / "b.json"
    path.write_text(text)
    assert baseline.dumps(baseline.read(path)) == text
    assert "line" not in text


def test_split_moved_code_is_known_and_a_second_copy_is_new() -> None:
    recorded = baseline.build(findings.scan_findings(sample()))
    moved = findings.scan_findings(sample(offset=30))
    split = baseline.split(recorded, moved)
    assert [f.code for f in split.new] == ["SGS002"]  # a key is never baselined
    assert len(split.known) == 3 and split.gone == ()
    doubled = baseline.split(recorded, (*moved, *moved))
    assert sorted(f.code for f in doubled.new) == ["SGS001", "SGS002", "SGS002", "SGS101",
                                                   "SGS102"]


def test_split_lists_what_disappeared_with_its_count() -> None:
    entry = baseline.Entry("SGS101", "src/app.py", "getattr(sg.client, name).get", 3)
    split = baseline.split(baseline.Baseline((entry,)), findings.scan_findings(sample()))
    assert split.gone == (baseline.Entry("SGS101", "src/app.py",
                                         "getattr(sg.client, name).get", 2),)


VALID_ENTRY = {"code": "SGS101", "file": "a.py", "chain": "x.get", "count": 1}


@pytest.mark.parametrize(("text", "expected"), [
    ("", "not valid JSON"),
    ("{\"version\": 1,\n \"findings\": [}", ":2: not valid JSON"),
    ("[]", "not an sg-scope-lint baseline"),
    ('{"version": 2, "findings": []}', "version: must be 1, found 2"),
    ('{"version": 1, "findings": {}}', "findings: must be a list"),
    ('{"version": 1, "findings": [{"code": "SGS101"}]}', "findings[0]: must be an object"),
    (json.dumps({"version": 1, "findings": [{**VALID_ENTRY, "count": 0}]}),
     "findings[0].count: must be a whole number of at least 1"),
    (json.dumps({"version": 1, "findings": [{**VALID_ENTRY, "count": True}]}),
     "findings[0].count: must be a whole number"),
    (json.dumps({"version": 1, "findings": [{**VALID_ENTRY, "file": 3}]}),
     "findings[0].file: must be a string"),
    (json.dumps({"version": 1, "findings": [{**VALID_ENTRY, "code": "oops"}]}),
     "findings[0].code: 'oops' is not a diagnostic code"),
    (json.dumps({"version": 1, "findings": [VALID_ENTRY, VALID_ENTRY]}),
     "findings[1]: the same code, file and chain as an earlier entry"),
], ids=["empty", "syntax", "array", "version", "findings-object", "entry-keys", "count-zero",
        "count-bool", "file-type", "code-shape", "duplicate"])
def test_a_damaged_baseline_is_one_clear_error(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(text)
    with pytest.raises(BaselineError) as caught:
        baseline.read(path)
    message = str(caught.value)
    assert message.startswith(path.as_posix())
    assert expected in message
    assert "\n" not in message


def test_a_missing_baseline_is_an_error_not_an_empty_one(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match="no such baseline file"):
        baseline.read(tmp_path / "nope.json")


# ------------------------------------------------------------------------------ the command


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ci_rules: object) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HEAD)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["scan", "src", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_unchanged_repo_reports_nothing_new(project: Path, capsys) -> None:
    assert run(capsys)[0] == 1
    code, _, err = run(capsys, "--write-baseline", "baseline.json")
    assert code == 0 and "baseline.json: baseline written (1 finding(s))" in err
    assert json.loads((project / "baseline.json").read_text())["findings"] == [
        {"code": "SGS101", "file": "src/app.py", "chain": "getattr(sg.client, name).get",
         "count": 1}]
    assert [p.name for p in project.iterdir() if p.name.startswith(".baseline")] == []
    code, out, err = run(capsys, "--baseline", "baseline.json", "--format", "json")
    assert code == 0
    assert json.loads(out)["unresolved"] == []
    assert json.loads(out)["scopes"] == ["mail.send", "templates.read"]
    assert "1 known finding(s) not shown, 0 new" in err
    (project / "src" / "app.py").write_text("# moved\n\n" + HEAD)
    assert run(capsys, "--baseline", "baseline.json")[0] == 0


def test_new_unresolved_and_unknown_calls_are_reported(project: Path, capsys) -> None:
    run(capsys, "--write-baseline", "baseline.json")
    (project / "src" / "app.py").write_text(
        HEAD + "    getattr(sg.client, other).delete()\n    sg.client.no_such_thing.get()\n")
    code, out, err = run(capsys, "--baseline", "baseline.json", "--format", "github")
    assert code == 1
    assert [line.split("::")[1].split(",")[0:2] for line in out.splitlines()] == [
        ["warning file=src/app.py", "line=10"], ["warning file=src/app.py", "line=11"]]
    assert "unresolved-call::cannot resolve SendGrid call `getattr(sg.client, other).delete`" in out
    assert "unknown-endpoint::`GET /v3/no_such_thing` is not covered by any rule" in out
    assert "1 known finding(s) not shown, 2 new" in err


def test_a_fixed_finding_is_listed_so_the_baseline_can_shrink(project: Path, capsys) -> None:
    run(capsys, "--write-baseline", "baseline.json")
    (project / "src" / "app.py").write_text(APP)
    code, _, err = run(capsys, "--baseline", "baseline.json")
    assert code == 0
    assert ("baseline.json: 1 baselined finding(s) no longer found; run `sg-scope-lint scan "
            "--write-baseline baseline.json` to drop them") in err
    assert "  - SGS101 src/app.py: getattr(sg.client, name).get" in err


def test_a_corrupt_baseline_exits_2_with_one_line(project: Path, capsys) -> None:
    (project / "baseline.json").write_text('{"version": 1, "findings": [}')
    code, out, err = run(capsys, "--baseline", "baseline.json")
    assert code == 2 and out == ""
    assert err == "sg-scope-lint: error: baseline.json:1: not valid JSON: Expecting value\n"


def test_baseline_and_write_baseline_exclude_each_other(project: Path, capsys) -> None:
    code, _, err = run(capsys, "--baseline", "a.json", "--write-baseline", "b.json")
    assert code == 2 and "not allowed with argument" in err


def test_rewriting_an_unchanged_baseline_changes_no_byte(project: Path, capsys) -> None:
    run(capsys, "--write-baseline", "baseline.json")
    first = (project / "baseline.json").read_bytes()
    run(capsys, "--write-baseline", "baseline.json")
    assert (project / "baseline.json").read_bytes() == first
