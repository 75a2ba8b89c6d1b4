"""`scan --format github` prints one workflow command per finding, escaped as the Actions runner
expects, so scanned text can never end a command early or start one of its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from scan_values import sample

from sg_scope_lint.cli import main
from sg_scope_lint.reporters import github_report
from sg_scope_lint.types import Finding, Location


@pytest.mark.parametrize(("text", "data", "prop"), [
    ("plain", "plain", "plain"),
    ("100%", "100%25", "100%25"),
    ("a\nb\r\nc", "a%0Ab%0D%0Ac", "a%0Ab%0D%0Ac"),
    ("a:b,c", "a:b,c", "a%3Ab%2Cc"),
    ("%0A", "%250A", "%250A"),  # an escape sequence in the text stays text
], ids=["plain", "percent", "newlines", "colon-comma", "pre-escaped"])
def test_escaping_follows_the_runner(text: str, data: str, prop: str) -> None:
    assert github_report.escape_data(text) == data
    assert github_report.escape_property(text) == prop


def test_each_finding_is_one_command_at_its_level() -> None:
    assert github_report.render(sample()).splitlines() == [
        "::error file=src/app.py,line=1,col=12,title=SGS002 hard-coded-key::hard-coded SendGrid "
        "API key SG.abc…: revoke it and load the key from the environment",
        "::warning file=src/app.py,line=7,col=5,title=SGS101 unresolved-call::cannot resolve "
        "SendGrid call `getattr(sg.client, name).get`: the attribute name is computed at run "
        "time (getattr); declare its scopes with `# sg-scope:`",
        "::warning file=src/app.py,line=8,col=5,title=SGS102 unknown-endpoint::`GET "
        "/v3/no_such_thing` is not covered by any rule",
        "::error file=src/broken.py,line=2,col=7,title=SGS001 file-not-analysed::cannot analyse "
        "the file: syntax error: invalid syntax",
    ]


def test_hostile_text_stays_inside_its_command() -> None:
    finding = Finding(Location("a,b:c.py", 3, 1), "SGS101",
                      "SGS101 first\n::error file=x.py::injected")
    line = github_report.render_findings([finding])
    assert line.count("\n") == 1
    assert line == ("::warning file=a%2Cb%3Ac.py,line=3,col=1,title=SGS101 unresolved-call::"
                    "first%0A::error file=x.py::injected\n")


def test_a_finding_without_a_line_names_only_the_file() -> None:
    finding = Finding(Location("sendgrid-key.yaml", 0, 0), "SGS201", "SGS201 m")
    assert github_report.annotation(finding) == (
        "::error file=sendgrid-key.yaml,title=SGS201 scope-not-granted::m")


def test_cli_prints_annotations_and_exits_1_on_findings(tmp_path: Path, ci_rules: object,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text("import sendgrid\nsg = sendgrid.SendGridAPIClient()\n"
                                     "sg.send({})\nsg.client.nope.get()\n")
    assert main(["scan", "--format", "github"]) == 1
    assert capsys.readouterr().out == (
        "::warning file=app.py,line=4,col=1,title=SGS102 unknown-endpoint::`GET /v3/nope` is "
        "not covered by any rule\n")
    (tmp_path / "app.py").write_text("import sendgrid\nsendgrid.SendGridAPIClient().send({})\n")
    assert main(["scan", "--format", "github"]) == 0
    assert capsys.readouterr().out == ""
