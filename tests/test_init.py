"""`sg-scope-lint init` writes the first key config from the code; `check --strict` then passes,
and after a new call `check --write` brings it up to date keeping the team's comments. Bundled
rules, real files, through `main([...])`."""

from __future__ import annotations

from pathlib import Path

import pytest

from sg_scope_lint.cli import main
from sg_scope_lint.keyconfig import read_key_config

APP = """\
import os

import requests
import sendgrid

sg = sendgrid.SendGridAPIClient()
API = "https://api.sendgrid.com/v3"


def welcome(message):
    return sg.send(message)


def lists():
    return requests.get(f"{API}/marketing/lists", headers={
        "Authorization": f"Bearer {os.environ['SENDGRID_MARKETING_KEY']}"})
"""
NEW_CALL = """

def bounces():
    return sg.client.suppression.bounces.get()
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(APP)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([*argv[:1], "--no-cache", *argv[1:]])
    out, err = capsys.readouterr()
    return code, out, err


def test_init_then_strict_check_then_write_after_a_new_call(project: Path, capsys) -> None:
    code, _, err = run(capsys, "init", "app.py")
    assert (code, err) == (0, ("sendgrid-key.yaml: written (2 key(s)); `sg-scope-lint check` "
                               "compares the code with it\n"))
    config = project / "sendgrid-key.yaml"
    assert config.read_text().endswith(
        "keys:\n"
        "  default:\n    env: SENDGRID_API_KEY\n    default: true\n    scopes:\n"
        "      - mail.send  # needed by app.py:11:12 (POST /v3/mail/send): sg.send\n"
        "  marketing:\n    env: SENDGRID_MARKETING_KEY\n    scopes:\n"
        "      - marketing.read  # needed by app.py:15:12 (GET /v3/marketing/lists): "
        "requests.get\n")
    assert run(capsys, "check", "app.py", "--key-config", "sendgrid-key.yaml", "--strict")[0] == 0

    edited = config.read_text().replace("      - mail.send  # needed by app.py:11:12 (POST "
                                        "/v3/mail/send): sg.send\n",
                                        "      - mail.send  # ops: keep\n")
    config.write_text(edited)
    (project / "app.py").write_text(APP + NEW_CALL)
    assert run(capsys, "check", "app.py", "--key-config", "sendgrid-key.yaml", "--strict")[0] == 1
    assert run(capsys, "check", "app.py", "--key-config", "sendgrid-key.yaml", "--write")[0] == 0
    assert config.read_text() == edited.replace(
        "      - mail.send  # ops: keep\n",
        "      - mail.send  # ops: keep\n      - suppression.bounces.read  # needed by "
        "app.py:20:12 (GET /v3/suppression/bounces): sg.client.suppression.bounces.get\n")
    assert run(capsys, "check", "app.py", "--key-config", "sendgrid-key.yaml", "--strict")[0] == 0

    code, _, err = run(capsys, "init", "app.py")
    assert code == 2 and "sendgrid-key.yaml exists" in err  # init never overwrites silently


def test_init_terraform_prints_resources_that_check_reads_back(project: Path, capsys) -> None:
    code, out, _ = run(capsys, "init", "app.py", "--terraform")
    assert code == 0
    assert not (project / "sendgrid-key.yaml").exists()
    (project / "infra").mkdir()
    (project / "infra" / "keys.tf").write_text(out)
    keys = read_key_config(project / "infra" / "keys.tf").keys
    assert [(k.name, k.env, k.default, k.names) for k in keys] == [
        ("default", "SENDGRID_API_KEY", True, ("mail.send",)),
        ("marketing", "SENDGRID_MARKETING_KEY", False, ("marketing.read",)),
    ]
    assert run(capsys, "check", "app.py", "--key-config", "infra/keys.tf", "--strict")[0] == 0


def test_init_with_one_key_writes_a_scopes_file(project: Path, capsys) -> None:
    (project / "app.py").write_text("import sendgrid\nsendgrid.SendGridAPIClient().send({})\n")
    assert run(capsys, "init", "app.py", "-o", "-")[1].endswith(
        "scopes:\n  - mail.send  # needed by app.py:2:1 (POST /v3/mail/send): "
        "sendgrid.SendGridAPIClient().send\n")


def test_init_answers_for_one_project_only(project: Path, capsys) -> None:
    for name in ("svc_a", "svc_b"):
        (project / name).mkdir()
        (project / name / "pyproject.toml").write_text('[tool.sg-scope-lint]\nexclude = []\n')
        (project / name / "app.py").write_text(APP)
    code, _, err = run(capsys, "init", "svc_a", "svc_b")
    assert code == 2
    assert "the paths span 2 projects" in err and "run it once per project" in err
    code, _, err = run(capsys, "init", "svc_a")
    assert code == 0
    assert (project / "svc_a" / "sendgrid-key.yaml").exists()  # the project's own folder
    assert not (project / "svc_b" / "sendgrid-key.yaml").exists()
