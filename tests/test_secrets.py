"""A key planted in every kind of input appears in no output and no written file.

The key is planted in scanned code (as a client argument, a path segment, a setting, a comment),
in the key config (SendGrid's GET /v3/api_keys/{id} body holding `api_key`), in a user's rules
file, in pyproject.toml and in the environment; then every command and format runs, and stdout,
stderr and every file the tool wrote are searched for it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sg_scope_lint.cli import main

KEY = "SG.abcdefghijklmnopqrstuv.ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq"
CODE = f"""\
import sendgrid
sg = sendgrid.SendGridAPIClient("{KEY}")
EMAIL_HOST_PASSWORD = "{KEY}"  # the key again, in a comment: {KEY}

def calls(kind):
    sg.send({{}})
    sg.client.templates._("{KEY}").get()
    sg.client.clients._("{KEY}").stats.get()
    getattr(sg.client, "{KEY}" + kind).get()
"""
KEY_CONFIG = json.dumps({"api_key_id": "abc", "name": "prod", "api_key": KEY,
                         "scopes": ["mail.send", "templates.read"]})
RULES = f"""\
version: 1
rules:
  - id: our-send
    method: POST
    path: /v3/mail/send
    scopes: [mail.send]
    source: "https://example.com/{KEY}"
    note: "{KEY}"
"""

COMMANDS = [
    ["scan", "src"], ["scan", "src", "--format", "json"], ["scan", "src", "--format", "sarif"],
    ["scan", "src", "--format", "github"], ["scan", "src", "--format", "markdown"],
    ["scan", "src", "--write-baseline", "baseline.json"],
    ["scan", "src", "--baseline", "baseline.json"],
    ["manifest", "src", "-o", "manifest.json"], ["manifest", "src", "-o", "-"],
    ["check", "src", "--key-config", "key.json"],
    ["check", "src", "--key-config", "key.json", "--format", "json"],
    ["diff", "manifest.json", "manifest.json"],
    ["rules", "list"], ["rules", "list", "--format", "json"], ["rules", "validate", "ours.yaml"],
    ["explain", "our-send"], ["explain", KEY],
]


@pytest.fixture
def planted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SENDGRID_API_KEY", KEY)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(CODE)
    (tmp_path / "key.json").write_text(KEY_CONFIG)
    (tmp_path / "ours.yaml").write_text(RULES)
    (tmp_path / "pyproject.toml").write_text(f'[tool.sg-scope-lint]\nrules = ["ours.yaml"]\n'
                                             f'# {KEY}\n')
    return tmp_path


def test_no_output_or_written_file_contains_the_key(planted: Path, capsys) -> None:
    for argv in COMMANDS:
        main(argv)
        out, err = capsys.readouterr()
        assert KEY not in out and KEY not in err, f"the key leaked from {argv}"
        assert KEY[:20] not in out + err, f"part of the key leaked from {argv}"
    written = [p for p in planted.rglob("*") if p.is_file() and p.name not in
               {"app.py", "key.json", "ours.yaml", "pyproject.toml"}]
    assert any(p.name == "manifest.json" for p in written)
    assert any(".sg-scope-lint-cache" in p.parts for p in written)
    for path in written:
        assert KEY not in path.read_text(errors="replace"), f"the key was written to {path}"


def test_the_hard_coded_key_is_reported_redacted(planted: Path, capsys) -> None:
    main(["scan", "src", "--format", "json"])
    keys = json.loads(capsys.readouterr().out)["keys"]
    assert [(k["line"], k["key"]) for k in keys] == [
        (2, "SG.abc…"), (3, "SG.abc…"), (3, "SG.abc…"), (7, "SG.abc…"), (8, "SG.abc…"),
        (9, "SG.abc…")]
