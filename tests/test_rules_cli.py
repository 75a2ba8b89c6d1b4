"""`rules list`, `rules validate`, `explain`, and users' own rule files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sg_scope_lint.cli import main
from sg_scope_lint.rules import RuleSet


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_rules_list_json_is_the_whole_table(capsys, ruleset: RuleSet) -> None:
    code, out, _ = run(capsys, "rules", "list", "--format", "json")
    table = json.loads(out)
    assert code == 0
    assert len(table) == len(ruleset.rules)
    send = next(row for row in table if row["path"] == "/v3/mail/send")
    assert send["method"] == "POST" and send["scopes"] == ["mail.send"]
    assert {"id", "confidence", "source"} <= set(send)


def test_explain_a_scope_lists_the_endpoints_that_need_it(capsys) -> None:
    code, out, _ = run(capsys, "explain", "mail.send")
    assert code == 0
    assert "POST /v3/mail/send" in out
    assert "grantable" in out


def test_explain_an_endpoint_template(capsys) -> None:
    code, out, _ = run(capsys, "explain", "GET /v3/templates/{template_id}")
    assert code == 0
    assert out.splitlines()[0] == "GET /v3/templates/{template_id} needs: templates.read"
    assert "source: https://" in out


def test_explain_a_concrete_path_finds_its_rule(capsys) -> None:
    code, out, _ = run(capsys, "explain", "DELETE /v3/suppression/bounces/someone@example.com")
    assert code == 0 and "suppression.bounces.delete" in out


def test_explain_unknown_suggests(capsys) -> None:
    code, _, err = run(capsys, "explain", "mail.sned")
    assert code == 2
    assert "did you mean 'mail.send'" in err


def test_rules_validate_reports_each_bad_file(tmp_path: Path, capsys) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("version: 1\nrules:\n  - {id: welcome, method: POST, path: /v3/mail/send, "
                    "scopes: [mail.send], source: 'https://example.com/doc'}\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nrules:\n  - {id: welcome, method: POST, path: /v3/mail/send, "
                   "scopes: [mail.sendd], source: doc}\n")
    code, out, err = run(capsys, "rules", "validate", str(good), str(bad))
    assert code == 1
    assert "ok (1 rules)" in out
    assert "unknown scope 'mail.sendd'" in err and "bad.yaml:3" in err


def test_user_rule_overrides_a_builtin_with_a_warning(tmp_path: Path, capsys,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ours.yaml").write_text(
        "version: 1\nrules:\n  - id: our-templates-get\n    method: GET\n"
        "    path: '/v3/templates/{id}'\n    scopes: [templates.read, templates.versions.read]\n"
        "    source: 'https://example.com/our-notes'\n")
    (tmp_path / "pyproject.toml").write_text('[tool.sg-scope-lint]\nrules = ["ours.yaml"]\n')
    (tmp_path / "app.py").write_text("import sendgrid\nsg = sendgrid.SendGridAPIClient()\n"
                                     "sg.client.templates._('t').get()\n")
    code, out, err = run(capsys, "scan", "app.py", "--format", "json")
    assert code == 0
    assert "overrides built-in rule" in err and "GET /v3/templates/{template_id}" in err
    assert json.loads(out)["scopes"] == ["templates.read", "templates.versions.read"]


def test_value_dependent_rule_with_literal_and_computed_values(tmp_path: Path, capsys,
                                                                monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(
        "import sendgrid\nsg = sendgrid.SendGridAPIClient()\n"
        "sg.client.clients._('webmail').stats.get()\n"
        "def f(kind):\n    sg.client.clients._(kind).stats.get()\n")
    code, out, _ = run(capsys, "scan", "app.py", "--format", "json")
    data = json.loads(out)
    assert data["scopes"] == ["clients.webmail.stats.read"]
    assert [u["line"] for u in data["unresolved"]] == [5]
    assert "clients.phone.stats.read" in data["unresolved"][0]["reason"]
    assert code == 1


def test_in_house_wrapper_rule_by_qualified_name(tmp_path: Path, capsys,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A user's rule gives scopes to calls of their own function, imported in any form, even in
    a module that never mentions SendGrid."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "myapp").mkdir()
    (tmp_path / "myapp" / "__init__.py").write_text("")
    (tmp_path / "myapp" / "mail.py").write_text("def send_welcome(user):\n    pass\n")
    (tmp_path / "myapp" / "signup.py").write_text(
        "import myapp.mail\nfrom myapp.mail import send_welcome as welcome\n\n"
        "def signup(user):\n    welcome(user)\n    myapp.mail.send_welcome(user)\n"
        "    send_welcome(user)  # not imported here: not the wrapper\n")
    (tmp_path / "ours.yaml").write_text(
        "version: 1\nrules:\n  - id: myapp-send-welcome\n    function: myapp.mail.send_welcome\n"
        "    scopes: [mail.send]\n    source: 'https://example.com/wiki'\n")
    code, out, _ = run(capsys, "scan", "myapp", "--rules", "ours.yaml", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert [(c["file"], c["line"], c["rule"]) for c in data["calls"]] == [
        ("myapp/signup.py", 5, "myapp-send-welcome"), ("myapp/signup.py", 6, "myapp-send-welcome")]
    assert data["scopes"] == ["mail.send"]


def test_function_rule_needs_a_dotted_name(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nrules:\n  - {id: w, function: send_welcome, scopes: [mail.send], "
                   "source: doc}\n")
    code, _, err = run(capsys, "rules", "validate", str(bad))
    assert code == 1 and "is not a dotted name" in err
