"""`check --live`: the deployed key's scopes, asked of a real local HTTP server standing in
for SendGrid's `GET /v3/scopes` (no SendGrid call from the tests). The key is never printed."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from sg_scope_lint.cli import main

# Built at run time so that no file of this repository holds anything shaped like a key.
SECRET = "SG." + "Lv9Kq8Jp7Ho6Gn5Fm4El3D" + "." + "x" * 43
APP = """\
import os
import sendgrid

sg = sendgrid.SendGridAPIClient(os.environ["SENDGRID_API_KEY"])


def welcome(message):
    return sg.send(message)
"""


class Answers:
    """What the stand-in server answers, and the requests it saw (set by the fixture)."""

    status: ClassVar[int] = 200
    scopes: ClassVar[list[str]] = []
    seen: ClassVar[list[tuple[str, str]]] = []


class FakeSendGrid(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        Answers.seen.append((self.path, self.headers.get("Authorization", "")))
        body = json.dumps({"scopes": Answers.scopes} if Answers.status == 200 else
                          {"errors": [{"message": "access forbidden"}]}).encode()
        self.send_response(Answers.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeSendGrid)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    Answers.status, Answers.seen = 200, []
    Answers.scopes = ["mail.send", "alerts.read", "2fa_required"]
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DEPLOYED_KEY", SECRET)
    (tmp_path / "app.py").write_text(APP)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", "--no-cache", "app.py", *argv])
    out, err = capsys.readouterr()
    assert SECRET not in out + err
    return code, out, err


def test_the_deployed_keys_scopes_are_compared_like_a_key_config(server: str, project: Path,
                                                                  capsys) -> None:
    code, out, _ = run(capsys, "--live", "DEPLOYED_KEY", "--live-host", server, "--format",
                       "json")
    assert code == 0  # excess is a warning
    assert Answers.seen == [("/v3/scopes", f"Bearer {SECRET}")]
    (key,) = json.loads(out)["keys"]
    assert (key["required"], [e["scope"] for e in key["excess"]]) == (["mail.send"],
                                                                       ["alerts.read"])
    assert run(capsys, "--live", "DEPLOYED_KEY", "--live-host", server, "--strict")[0] == 1
    Answers.scopes = ["mail.send"]
    assert run(capsys, "--live", "DEPLOYED_KEY", "--live-host", server, "--strict")[0] == 0
    assert sorted(p.name for p in project.iterdir()) == ["app.py"]


@pytest.mark.parametrize(("status", "message"), [
    (401, "SendGrid refused the key in DEPLOYED_KEY (401 Unauthorized)"),
    (403, "SendGrid refused GET /v3/scopes for the key in DEPLOYED_KEY (403 Forbidden)"),
])
def test_a_refused_key_is_one_clear_line(server: str, project: Path, capsys, status: int,
                                         message: str) -> None:
    Answers.status = status
    code, _, err = run(capsys, "--live", "DEPLOYED_KEY", "--live-host", server)
    assert code == 2
    (line,) = err.splitlines()
    assert message in line and line.startswith("sg-scope-lint: error: DEPLOYED_KEY (live, ")


def test_network_errors_and_a_missing_variable_are_one_clear_line(project: Path, capsys,
                                                                  monkeypatch) -> None:
    code, _, err = run(capsys, "--live", "DEPLOYED_KEY", "--live-host", "http://127.0.0.1:9")
    assert code == 2 and "cannot reach SendGrid" in err and len(err.splitlines()) == 1
    monkeypatch.delenv("DEPLOYED_KEY")
    code, _, err = run(capsys, "--live", "DEPLOYED_KEY")
    assert code == 2 and "environment variable DEPLOYED_KEY is not set" in err
    code, _, err = run(capsys, "--live", "--write")
    assert code == 2 and "--live compares with the deployed key" in err
