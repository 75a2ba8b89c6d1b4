"""Reading key configs from disk: every format, its lines, and one clear error per malformed file."""

from __future__ import annotations

from pathlib import Path

import pytest

from sg_scope_lint.errors import KeyConfigError
from sg_scope_lint.keyconfig import parse_key_config, read_key_config
from sg_scope_lint.types import ConfigFormat, KeyConfig

# Built at run time so that no file of this repository holds anything shaped like a key.
SECRET = "SG." + "a1B2c3D4e5F6g7H8i9J0kL" + "." + "m" * 21 + "N0pQ1rS2tU3vW4xY5z6_-7"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def summary(config: KeyConfig) -> list[tuple[str, list[tuple[str, int]], str, bool]]:
    return [(k.name, [(s.name, s.line) for s in k.scopes], k.env, k.default) for k in config.keys]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


FORMATS = {
    "ours-yaml": ("sendgrid-key.yaml", ("# the app's key\nscopes:\n  - mail.send\n"
                  "  - templates.read\n"), ConfigFormat.SCOPES,
                  [("default", [("mail.send", 3), ("templates.read", 4)], "", True)]),
    "ours-flow-yaml": ("key.yaml", "version: 1\nscopes: [mail.send, templates.read]\n",
                       ConfigFormat.SCOPES,
                       [("default", [("mail.send", 2), ("templates.read", 2)], "", True)]),
    "get-scopes-response": ("scopes.json", ('{\n\t"scopes": [\n\t\t"mail.send",\n\t\t'
                            '"templates.read"\n\t]\n}\n'), ConfigFormat.SCOPES,
                            [("default", [("mail.send", 3), ("templates.read", 4)], "", True)]),
    "get-api-key-response": ("key.json", ('{"api_key_id": "qfTQ6KG0QBiwWdJ0-pCLCA",\n'
                             ' "name": "Mailer",\n "scopes": ["mail.send"]}\n'),
                             ConfigFormat.SENDGRID, [("Mailer", [("mail.send", 3)], "", True)]),
    "get-api-key-result": ("key.json", ('{"result": [{"name": "A", "api_key_id": "x",\n'
                           '  "scopes": ["mail.send"]},\n {"name": "B", "api_key_id": "y",\n'
                           '  "scopes": ["alerts.read"]}]}\n'), ConfigFormat.SENDGRID,
                           [("A", [("mail.send", 2)], "", False),
                            ("B", [("alerts.read", 4)], "", False)]),
    "post-request-body": ("new-key.json", '{"name": "Mailer", "scopes": ["mail.send"]}',
                          ConfigFormat.SENDGRID, [("Mailer", [("mail.send", 1)], "", True)]),
    "post-request-full-access": ("new-key.json", '{"name": "Everything"}',
                                 ConfigFormat.SENDGRID, [("Everything", [], "", True)]),
    "keys": ("keys.yaml", ("keys:\n  transactional:\n    env: SENDGRID_API_KEY\n"
             "    default: true\n    scopes: [mail.send]\n  marketing:\n"
             "    env: SENDGRID_MARKETING_KEY\n    scopes:\n      - marketing.read\n"),
             ConfigFormat.KEYS,
             [("transactional", [("mail.send", 5)], "SENDGRID_API_KEY", True),
              ("marketing", [("marketing.read", 9)], "SENDGRID_MARKETING_KEY", False)]),
    "keys-json": ("keys.json", '{"keys": {"a": {"scopes": [], "env": "A_KEY"}}}',
                  ConfigFormat.KEYS, [("a", [], "A_KEY", False)]),
    "terraform": ("main.tf", ('resource "sendgrid_api_key" "mailer" {\n  name = "mailer"\n'
                  '  scopes = [\n    "mail.send",\n    "templates.read",\n  ]\n}\n'),
                  ConfigFormat.TERRAFORM,
                  [("mailer", [("mail.send", 4), ("templates.read", 5)], "", True)]),
    "terraform-variable": ("keys.tf", ('variable "scopes" {\n  default = ["mail.send"]\n}\n'
                           'resource "sendgrid_api_key" "a" {\n  name = "a"\n'
                           '  scopes = var.scopes\n}\nresource "sendgrid_api_key" "b" {\n'
                           '  name = "b"\n}\n'), ConfigFormat.TERRAFORM,
                           [("a", [("mail.send", 6)], "", False), ("b", [], "", False)]),
    "terraform-by-content": ("sendgrid.hcl", ('resource "sendgrid_api_key" "k" {\n'
                             '  name = "k"\n  scopes = ["mail.send"]\n}\n'), ConfigFormat.TERRAFORM,
                             [("k", [("mail.send", 3)], "", True)]),
}


@pytest.mark.parametrize(("name", "text", "fmt", "expected"), FORMATS.values(), ids=FORMATS.keys())
def test_each_format_is_read_with_its_lines(tmp_path: Path, name: str, text: str,
                                            fmt: ConfigFormat, expected) -> None:
    config = read_key_config(write(tmp_path, name, text))
    assert config.file == name
    assert config.format is fmt
    assert summary(config) == expected
    assert config.secret_lines == ()


def test_duplicate_scopes_count_once(tmp_path: Path) -> None:
    config = read_key_config(write(tmp_path, "k.yaml", "scopes: [mail.send, mail.send]\n"))
    assert config.keys[0].names == ("mail.send",)


def test_a_post_response_is_read_without_keeping_its_secret(tmp_path: Path) -> None:
    text = (f'{{\n  "api_key": "{SECRET}",\n  "api_key_id": "xxxxxxxx",\n'
            '  "name": "My API Key",\n  "scopes": ["mail.send", "alerts.read"]\n}\n')
    config = read_key_config(write(tmp_path, "created.json", text))
    assert config.format is ConfigFormat.SENDGRID
    assert summary(config) == [("My API Key", [("mail.send", 5), ("alerts.read", 5)], "", True)]
    assert config.secret_lines == (2,)
    assert SECRET not in repr(config)


ERRORS = {
    "malformed-yaml": ("k.yaml", "scopes: [mail.send\n", "malformed YAML", 2),
    "malformed-json": ("k.json", '{"scopes": [\n  "mail.send",,\n]}', "malformed JSON", 2),
    "not-a-mapping": ("k.yaml", "- mail.send\n", "found a list", 0),
    "empty": ("k.yaml", "", "found nothing", 0),
    "unknown-shape": ("k.yaml", "permissions: [mail.send]\n", "found permissions", 0),
    "unknown-top-key": ("k.yaml", "scopes: []\nenv: X\n", "env: unknown key", 2),
    "scopes-not-a-list": ("k.yaml", "scopes: mail.send\n", "scopes: must be a list", 1),
    "scope-not-a-string": ("k.yaml", "scopes:\n  - mail.send\n  - 3\n",
                           "scopes[1]: 3 is not a scope name", 3),
    "null-scopes": ("k.yaml", "scopes:\n", "must be a list", 1),
    "bad-version": ("k.yaml", "version: 2\nscopes: []\n", "version: must be 1", 1),
    "keys-not-a-mapping": ("k.yaml", "keys: [a]\n", "keys: must map", 1),
    "key-without-scopes": ("k.yaml", "keys:\n  a:\n    env: A\n",
                           "keys.a.scopes: is required", 2),
    "key-unknown-field": ("k.yaml", "keys:\n  a:\n    scopes: []\n    envs: A\n",
                          "keys.a.envs: unknown key", 4),
    "key-env-empty": ("k.yaml", "keys:\n  a:\n    scopes: []\n    env: ''\n",
                      "keys.a.env: must be the name", 4),
    "key-env-twice": ("k.yaml", "keys:\n  a: {scopes: [], env: K}\n  b: {scopes: [], env: K}\n",
                      "keys.b.env: 'K' is also the env of key 'a'", 3),
    "two-defaults": ("k.yaml", ("keys:\n  a: {scopes: [], default: true}\n"
                     "  b: {scopes: [], default: true}\n"),
                     "keys.b.default: key 'a' is the default already", 3),
    "default-not-bool": ("k.yaml", "keys:\n  a:\n    scopes: []\n    default: yes please\n",
                         "keys.a.default: must be true or false", 4),
    "api-key-list": ("keys.json", '{"result": [{"name": "A", "api_key_id": "x"}]}',
                     "GET /v3/api_keys and PATCH /v3/api_keys/{id} do not return", 1),
    "result-not-a-list": ("keys.json", '{"result": "x"}', "result: must be a list", 1),
    "terraform-expression": ("k.tf", ('resource "sendgrid_api_key" "k" {\n  name = "k"\n'
                             '  scopes = concat(var.a, ["b"])\n}\n'),
                             "sendgrid_api_key.k.scopes: is an expression", 3),
    "terraform-no-resource": ("k.tf", 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n',
                              'no `resource "sendgrid_api_key"` block', 0),
    "terraform-malformed": ("k.tf", 'resource "sendgrid_api_key" "k" {\n  scopes = = 1\n}\n',
                            "malformed HCL at column", 2),
}


@pytest.mark.parametrize(("name", "text", "message", "line"), ERRORS.values(), ids=ERRORS.keys())
def test_malformed_configs_are_one_line_errors(tmp_path: Path, name: str, text: str,
                                               message: str, line: int) -> None:
    with pytest.raises(KeyConfigError) as caught:
        read_key_config(write(tmp_path, name, text))
    error = caught.value
    assert message in str(error)
    assert str(error).startswith(f"{name}:{line}: " if line else f"{name}: ")
    assert (error.file, error.line) == (name, line)
    assert "\n" not in str(error)


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(KeyConfigError, match="^nope.yaml: no such file$"):
        read_key_config(tmp_path / "nope.yaml")
    (tmp_path / "folder").mkdir()
    with pytest.raises(KeyConfigError, match="is a folder"):
        read_key_config(tmp_path / "folder")
    (tmp_path / "latin1.yaml").write_bytes(b"scopes: [caf\xe9]\n")
    with pytest.raises(KeyConfigError, match="not UTF-8"):
        read_key_config(tmp_path / "latin1.yaml")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        pytest.param("k.json", f'{{"api_key": "{SECRET}", "api_key_id": "x", "name": "n", '
                     f'"scopes": ["{SECRET}", 5]}}', id="json-scope-item"),
        pytest.param("k.json", f'{{"api_key": "{SECRET}", "name": "n", "scopes": "{SECRET}"}}',
                     id="json-scopes-string"),
        pytest.param("k.tf", f'resource "sendgrid_api_key" "k" {{\n  key = {SECRET} =\n}}\n',
                     id="hcl-token"),
        pytest.param("k.yaml", f"keys:\n  a:\n    scopes: []\n    {SECRET}: 1\n",
                     id="yaml-unknown-key"),
    ],
)
def test_errors_never_quote_a_secret(tmp_path: Path, name: str, text: str) -> None:
    with pytest.raises(KeyConfigError) as caught:
        read_key_config(write(tmp_path, name, text))
    assert SECRET not in str(caught.value)
    assert SECRET[:12] not in str(caught.value)


def test_terraform_comments_name_a_resources_env_and_the_one_default() -> None:
    text = ('# env: SENDGRID_MARKETING_KEY\n# default: true\nresource "sendgrid_api_key" "m" {\n'
            '  scopes = ["marketing.read"]\n}\n\n// env: SENDGRID_API_KEY\n'
            'resource "sendgrid_api_key" "t" {\n  scopes = ["mail.send"]\n}\n')
    keys = parse_key_config(text, "keys.tf").keys
    assert [(k.name, k.env, k.default) for k in keys] == [
        ("m", "SENDGRID_MARKETING_KEY", True), ("t", "SENDGRID_API_KEY", False)]
    with pytest.raises(KeyConfigError, match="both say `# default: true`"):
        parse_key_config(text.replace("// env", "# default: true\n# env"), "keys.tf")
