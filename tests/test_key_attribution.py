"""Which key a raw HTTP request uses: the `Authorization: Bearer` header it sends. The check,
the manifest's per-key sections and `--write` follow it. Bundled rules, real files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sg_scope_lint.cli import main

APP = """\
import os

import requests
import sendgrid

API = "https://api.sendgrid.com/v3"
HEADERS = {"Authorization": "Bearer " + os.environ["SENDGRID_MARKETING_KEY"]}
sg = sendgrid.SendGridAPIClient(os.environ["SENDGRID_API_KEY"])


def welcome(message):
    return sg.send(message)


def lists():
    return requests.get(f"{API}/marketing/lists", headers={
        "Authorization": f"Bearer {os.environ['SENDGRID_MARKETING_KEY']}"})


def contacts():
    return requests.get(API + "/marketing/contacts", headers=HEADERS)
"""

KEYS = """\
keys:
  transactional:
    env: SENDGRID_API_KEY
    default: true
    scopes: [mail.send]
  marketing:
    env: SENDGRID_MARKETING_KEY
    scopes:
      - mail.send  # to be dropped
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "keys.yaml").write_text(KEYS)
    return tmp_path


def test_a_raw_request_uses_the_key_of_its_authorization_header(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", "--no-cache", "app.py", "--key-config", "keys.yaml", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert data["unattributed"] == []
    by_name = {key["name"]: key for key in data["keys"]}
    assert by_name["transactional"]["required"] == ["mail.send"]
    assert by_name["marketing"]["required"] == ["marketing.read"]

    assert main(["manifest", "--no-cache", "app.py", "--key-config", "keys.yaml",
                 "-o", "m.json"]) == 0
    sections = json.loads((project / "m.json").read_text())["keys"]
    assert {name: list(section["scopes"]) for name, section in sections.items()} == {
        "transactional": ["mail.send"], "marketing": ["marketing.read"]}

    assert main(["check", "--no-cache", "app.py", "--key-config", "keys.yaml", "--write"]) == 0
    written = (project / "keys.yaml").read_text()
    assert "    scopes: [mail.send]\n" in written  # the transactional key is right already
    assert written.endswith("    scopes:\n      - marketing.read  # needed by app.py:16:12 "
                            "(GET /v3/marketing/lists): requests.get\n")


ANNOTATED = """\
# sg-scope-key: transactional
import os

import sendgrid

sg = sendgrid.SendGridAPIClient(os.environ["SENDGRID_API_KEY"])
client = sendgrid.SendGridAPIClient(os.environ["APP_SECRET"])


def welcome(message):
    return client.send(message)


# sg-scope-key: marketing
def campaign(tid):
    client.client.marketing.lists.get()
    return client.client.templates._(tid).get()


def bounces():
    return client.client.suppression.bounces.get()  # sg-scope-key: SENDGRID_MARKETING_KEY
"""


def test_a_key_comment_on_a_call_a_function_or_the_module_picks_the_key(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "app.py").write_text(ANNOTATED)
    main(["check", "--no-cache", "app.py", "--key-config", "keys.yaml", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert data["unattributed"] == []
    by_name = {key["name"]: key["required"] for key in data["keys"]}
    assert by_name == {"transactional": ["mail.send"],
                       "marketing": ["marketing.read", "suppression.bounces.read",
                                     "templates.read"]}
