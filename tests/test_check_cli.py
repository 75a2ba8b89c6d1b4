"""`sg-scope-lint check` end to end: real projects and key configs on disk, through `main([...])`.

The rules come from `tests/check_rules/`, so these tests pin the comparison, not the bundled
rules' contents.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sg_scope_lint import rules
from sg_scope_lint.cli import main

CHECK_RULES = Path(__file__).parent / "check_rules"
# Built at run time so that no file of this repository holds anything shaped like a key.
SECRET = "SG." + "Zx9Yw8Vu7Ts6Rq5Po4Nm3L" + "." + "k" * 21 + "J2iH1gF0eD9cB8aZ7yX6w_-"[:22]

APP = """\
import os
import sendgrid

sg = sendgrid.SendGridAPIClient(os.environ["SENDGRID_API_KEY"])


def welcome(message, tid):
    sg.send(message)
    return sg.client.templates._(tid).get()
"""

OUR_YAML = """\
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
    write(tmp_path / "src" / "app.py", APP)
    return tmp_path


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", "--no-cache", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def verdict(data: dict) -> list[dict]:
    """What a check decided, without where the key config says it."""
    return [{
        "name": key["name"], "required": key["required"],
        "missing": [(m["scope"], [(c["file"], c["line"], c["reason"]) for c in m["calls"]])
                    for m in key["missing"]],
        "excess": [e["scope"] for e in key["excess"]],
        "unknown": [(u["scope"], u["suggestions"]) for u in key["unknown"]],
        "problems": [p["severity"] for p in key["problems"]],
    } for key in data["keys"]]


def test_missing_excess_and_misspelled_scope_then_write(project: Path, capsys) -> None:
    config = write(project / "sendgrid-key.yaml", OUR_YAML)
    code, out, _ = run(capsys, "src", "--key-config", "sendgrid-key.yaml")
    assert code == 1
    findings = [line for line in out.splitlines() if ": SGS" in line]
    assert findings == [  # in file, line and column order, each with its code
        "sendgrid-key.yaml:4: SGS203 key 'default' grants `api_keys.delete`, which no call needs",
        ("sendgrid-key.yaml:5: SGS202 key 'default' lists `suppresion.bounces.read`, not a "
         "SendGrid scope; did you mean `suppression.bounces.read`?"),
        ("src/app.py:9:12: SGS201 `GET /v3/templates/{template_id}` needs `templates.read`, not "
         "in sendgrid-key.yaml"),
    ]
    assert config.read_text() == OUR_YAML  # check itself never writes

    code, out, _ = run(capsys, "src", "--key-config", "sendgrid-key.yaml", "--write")
    assert code == 0
    assert config.read_text() == ("# The app's production key\nscopes:\n  - mail.send\n"
                                  "  - templates.read\n")
    assert "--- a/sendgrid-key.yaml\n+++ b/sendgrid-key.yaml\n" in out
    assert "+  - templates.read\n" in out and "-  - api_keys.delete\n" in out
    assert run(capsys, "src", "--key-config", "sendgrid-key.yaml", "--strict")[0] == 0


def test_json_lists_each_finding_with_its_call_sites(project: Path, capsys) -> None:
    write(project / "sendgrid-key.yaml", OUR_YAML)
    code, out, _ = run(capsys, "src", "--key-config", "sendgrid-key.yaml", "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert data["config"] == {"file": "sendgrid-key.yaml", "format": "scopes"}
    assert verdict(data) == [{
        "name": "default", "required": ["mail.send", "templates.read"],
        "missing": [("templates.read", [("src/app.py", 9, "GET /v3/templates/{template_id}")])],
        "excess": ["api_keys.delete"],
        "unknown": [("suppresion.bounces.read", ["suppression.bounces.read"])],
        "problems": [],
    }]
    assert data["summary"] == {"errors": 2, "warnings": 1}


KEY_FORMATS = {
    "ours": ("sendgrid-key.yaml", OUR_YAML),
    "get-scopes-response": ("scopes.json", json.dumps(
        {"scopes": ["mail.send", "api_keys.delete", "suppresion.bounces.read"]}, indent=2)),
    "terraform": ("infra/sendgrid.tf", ('resource "sendgrid_api_key" "app" {\n'
                  '  name   = "app"\n  scopes = [\n    "mail.send",\n    "api_keys.delete",\n'
                  '    "suppresion.bounces.read",\n  ]\n}\n')),
}


def test_the_same_key_in_any_format_gives_the_same_verdict(project: Path, capsys) -> None:
    verdicts = {}
    for label, (name, text) in KEY_FORMATS.items():
        write(project / name, text)
        code, out, _ = run(capsys, "src", "--key-config", name, "--format", "json")
        verdicts[label] = (code, [{**v, "name": None} for v in verdict(json.loads(out))])
    assert verdicts["ours"][0] == 1
    assert verdicts["get-scopes-response"] == verdicts["ours"]
    assert verdicts["terraform"] == verdicts["ours"]


TWO_KEYS_APP = """\
import os
from django.conf import settings
from sendgrid import SendGridAPIClient

mail = SendGridAPIClient(settings.SENDGRID_API_KEY)
marketing = SendGridAPIClient(os.getenv("SENDGRID_MARKETING_KEY"))


def send(message):
    mail.send(message)


def lists():
    return marketing.client.marketing.lists.get()


def template(tid):
    return marketing.client.templates._(tid).get()


def unknown_key(client: SendGridAPIClient):
    return client.client.suppression.bounces.get()
"""

TWO_KEYS = """\
version: 1
keys:
  transactional:
    env: SENDGRID_API_KEY
    default: true
    scopes: [mail.send, suppression.bounces.read]
  marketing:
    env: SENDGRID_MARKETING_KEY
    scopes:
      - marketing.read
      - mail.send
"""


def test_two_keys_are_each_checked_against_their_own_calls(project: Path, capsys) -> None:
    write(project / "src" / "app.py", TWO_KEYS_APP)
    write(project / "keys.yaml", TWO_KEYS)
    code, out, _ = run(capsys, "src", "--key-config", "keys.yaml", "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert verdict(data) == [
        {"name": "transactional", "required": ["mail.send", "suppression.bounces.read"],
         "missing": [], "excess": [], "unknown": [], "problems": []},
        {"name": "marketing", "required": ["marketing.read", "templates.read"],
         "missing": [("templates.read", [("src/app.py", 18, "GET /v3/templates/{template_id}")])],
         "excess": ["mail.send"], "unknown": [], "problems": []},
    ]
    assert [(u["file"], u["line"], u["key"], u["checked_against"])
            for u in data["unattributed"]] == [("src/app.py", 22, "", "transactional")]

    code, out, _ = run(capsys, "src", "--key-config", "keys.yaml")
    assert ("src/app.py:22:12: note: unattributed call: where its key comes from cannot be told "
            "statically; checked against the default key 'transactional': "
            "client.client.suppression.bounces.get") in out

    assert run(capsys, "src", "--key-config", "keys.yaml", "--write")[0] == 0
    assert (project / "keys.yaml").read_text() == TWO_KEYS.replace(
        "      - marketing.read\n      - mail.send\n",
        "      - marketing.read\n      - templates.read\n")


def test_manifest_has_one_section_per_key(project: Path, capsys) -> None:
    write(project / "src" / "app.py", TWO_KEYS_APP)
    write(project / "keys.yaml", TWO_KEYS)
    assert main(["manifest", "src", "--no-cache", "--key-config", "keys.yaml", "-o", "m.json"]) == 0
    manifest = json.loads((project / "m.json").read_text())
    assert list(manifest["scopes"]) == ["mail.send", "marketing.read", "suppression.bounces.read",
                                        "templates.read"]
    assert {name: (section["env"], section["default"], list(section["scopes"]))
            for name, section in manifest["keys"].items()} == {
        "transactional": ("SENDGRID_API_KEY", True, ["mail.send", "suppression.bounces.read"]),
        "marketing": ("SENDGRID_MARKETING_KEY", False, ["marketing.read", "templates.read"]),
    }
    assert manifest["unattributed"] == [{"file": "src/app.py", "checked_against": "transactional",
                                         "call": "client.client.suppression.bounces.get"}]


def test_a_planted_secret_is_never_printed(project: Path, capsys) -> None:
    write(project / "created-key.json", json.dumps({
        "api_key": SECRET, "api_key_id": "xxxxxxxx", "name": "app",
        "scopes": ["mail.send", "templates.read"]}, indent=2))
    for fmt in ("text", "json"):
        code, out, err = run(capsys, "src", "--key-config", "created-key.json", "--format", fmt)
        assert code == 1
        assert SECRET not in out + err and SECRET[:10] not in out + err
    assert ("created-key.json:2: SGS205 the key config holds an API key's secret (`api_key`): "
            "delete it from the file, and revoke the key if the file was ever committed") in run(
        capsys, "src", "--key-config", "created-key.json")[1]
    code, out, err = run(capsys, "src", "--key-config", "created-key.json", "--write")
    assert code == 2 and SECRET not in out + err
    assert "--write rewrites only sg-scope-lint key configs" in err


def test_key_management_calls_need_what_they_grant(project: Path, capsys) -> None:
    write(project / "src" / "admin.py", """\
import sendgrid

sg = sendgrid.SendGridAPIClient()


def make_key(name, scopes):
    sg.client.api_keys.post(request_body={"name": name, "scopes": ["mail.send", "alerts.read"]})
    sg.client.api_keys._("id").put(request_body={"name": name, "scopes": scopes})
""")
    write(project / "k.yaml", "scopes: [mail.send, templates.read, api_keys.create, "
                              "api_keys.update, api_keys.read]\n")
    code, out, _ = run(capsys, "src", "--key-config", "k.yaml")
    assert code == 1
    assert "src/admin.py:7:5: SGS201 `POST /v3/api_keys` needs `alerts.read`, not in k.yaml" in out
    assert "k.yaml:1: note: key 'default' grants api_keys.read, which no resolved call needs" in out
    assert "    src/admin.py:8:5: PUT /v3/api_keys/{api_key_id} grants scopes computed" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param([], "check needs a key config", id="no-key-config"),
        pytest.param(["--key-config", "nope.yaml"], "nope.yaml: no such file", id="missing"),
        pytest.param(["--key-config", "bad.yaml"], "bad.yaml:3: malformed YAML", id="malformed"),
    ],
)
def test_unreadable_key_config_exits_2(project: Path, capsys, argv: list[str],
                                       message: str) -> None:
    write(project / "bad.yaml", "scopes:\n  - [unclosed\n")
    code, out, err = run(capsys, "src", *argv)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_an_unreadable_source_file_exits_2(project: Path, capsys) -> None:
    write(project / "src" / "broken.py", "import sendgrid\ndef f(:\n")
    write(project / "k.yaml", "scopes: [mail.send, templates.read]\n")
    code, out, _ = run(capsys, "src", "--key-config", "k.yaml")
    assert code == 2
    assert "src/broken.py:2:" in out


def test_the_key_config_can_come_from_pyproject(project: Path, capsys) -> None:
    write(project / "pyproject.toml", '[tool.sg-scope-lint]\nkey-config = "ops/key.yaml"\n')
    write(project / "ops" / "key.yaml", "scopes: [templates.read, mail.send, alerts.read]\n")
    code, out, _ = run(capsys, "src")
    assert code == 0
    assert "ops/key.yaml:1: SGS203 key 'default' grants `alerts.read`" in out
    assert run(capsys, "src", "--strict")[0] == 1


def test_full_access_is_a_warning(project: Path, capsys) -> None:
    write(project / "k.yaml", "scopes: []\n")
    code, out, _ = run(capsys, "src", "--key-config", "k.yaml")
    assert code == 0
    assert ("k.yaml:1: SGS206 key 'default' lists no scopes, which SendGrid treats as Full "
            "Access; the code needs only 2: mail.send, templates.read") in out


def test_write_in_json_mode_keeps_stdout_one_document(project: Path, capsys) -> None:
    write(project / "sendgrid-key.yaml", OUR_YAML)
    code, out, err = run(capsys, "src", "--key-config", "sendgrid-key.yaml", "--write",
                         "--format", "json")
    assert code == 0
    assert json.loads(out)["summary"] == {"errors": 0, "warnings": 0}
    assert err.startswith("--- a/sendgrid-key.yaml\n+++ b/sendgrid-key.yaml\n")


def test_write_refuses_terraform_and_leaves_it_alone(project: Path, capsys) -> None:
    name, text = KEY_FORMATS["terraform"]
    tf = write(project / name, text)
    code, out, err = run(capsys, "src", "--key-config", name, "--write")
    assert code == 2 and out == ""
    assert err == ("sg-scope-lint: error: infra/sendgrid.tf: --write rewrites only sg-scope-lint "
                   "key configs (`scopes:` or `keys:`); this file is Terraform (change the "
                   "sendgrid_api_key resource instead)\n")
    assert tf.read_text() == text


def test_write_leaves_a_file_that_already_fits(project: Path, capsys) -> None:
    text = "scopes:  # exactly right\n  - mail.send\n  - templates.read\n"
    write(project / "k.yaml", text)
    code, out, _ = run(capsys, "src", "--key-config", "k.yaml", "--write")
    assert code == 0 and "nothing written" in out
    assert (project / "k.yaml").read_text() == text


def test_done_when_with_the_bundled_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys) -> None:
    """The issue's scenario against the real catalogue and rules, not the test ones."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "src" / "app.py", APP)
    write(tmp_path / "sendgrid-key.yaml", OUR_YAML)
    code, out, _ = run(capsys, "src", "--key-config", "sendgrid-key.yaml", "--format", "json")
    (key,) = json.loads(out)["keys"]
    assert code == 1
    assert [m["scope"] for m in key["missing"]] == ["templates.read"]
    assert [e["scope"] for e in key["excess"]] == ["api_keys.delete"]
    assert [u["scope"] for u in key["unknown"]] == ["suppresion.bounces.read"]
    assert key["unknown"][0]["suggestions"][0] == "suppression.bounces.read"
    assert run(capsys, "src", "--key-config", "sendgrid-key.yaml", "--write")[0] == 0
    assert run(capsys, "src", "--key-config", "sendgrid-key.yaml", "--strict")[0] == 0
