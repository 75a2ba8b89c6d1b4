"""The JSON Schemas shipped in the package: valid schemas, met by every file the project ships
or writes, and used to report every problem of a bad file in one run, each at its line."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import sg_scope_lint

from sg_scope_lint.cli import main
from sg_scope_lint.config import parse_config
from sg_scope_lint.errors import ConfigError, KeyConfigError
from sg_scope_lint.keyconfig import parse_key_config
from sg_scope_lint.schemacheck import SCHEMAS, schema
from sg_scope_lint.yamlfile import load_yaml

REPO = Path(__file__).resolve().parent.parent
NAMES = ("rules", "key-config", "manifest", "pyproject")


@pytest.mark.parametrize("name", NAMES)
def test_each_schema_is_a_valid_draft_2020_12_schema_in_the_package(name: str) -> None:
    # shipped in the package, wherever it is installed (a checkout or site-packages)
    assert (SCHEMAS / f"{name}.schema.json").is_file()
    assert SCHEMAS == Path(sg_scope_lint.__file__).parent / "schemas"
    jsonschema.Draft202012Validator.check_schema(schema(name))
    assert f"`sg_scope_lint/schemas/{name}.schema.json`" in (REPO / "docs" / "schemas.md").read_text()


@pytest.mark.parametrize("path", sorted((REPO / "rules").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_bundled_rules_file_meets_the_rules_schema(path: Path) -> None:
    if path.name == "scopes.yaml":
        pytest.skip("the scope catalogue, not a rules file")
    jsonschema.validate(load_yaml(path, path.name, KeyConfigError), schema("rules"))


def test_a_written_manifest_meets_the_manifest_schema(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(
        "import os, sendgrid\nsg = sendgrid.SendGridAPIClient(os.environ['K'])\n"
        "sg.send({})\nsg.client.templates.get()\n")
    (tmp_path / "keys.yaml").write_text("keys:\n  a: {env: K, scopes: [mail.send]}\n"
                                        "  b: {default: true, scopes: []}\n")
    assert main(["manifest", "--no-cache", "app.py", "--key-config", "keys.yaml",
                 "-o", "m.json"]) == 0
    jsonschema.validate(json.loads((tmp_path / "m.json").read_text()), schema("manifest"))


def test_every_problem_of_a_key_config_is_reported_at_once() -> None:
    text = ("version: 2\nkeys:\n  mail:\n    scopes: [mail.send, 7]\n    envs: MAIL_KEY\n"
            "  admin:\n    default: maybe\n")
    with pytest.raises(KeyConfigError) as caught:
        parse_key_config(text, "keys.yaml")
    assert str(caught.value).splitlines() == [
        "keys.yaml:1: version: must be 1",
        "keys.yaml:4: keys.mail.scopes[1]: 7 is not a scope name",
        "keys.yaml:5: keys.mail.envs: unknown key; did you mean 'env'?",
        "keys.yaml:6: keys.admin.scopes: is required",
        "keys.yaml:7: keys.admin.default: must be true or false",
    ]


def test_every_problem_of_the_pyproject_table_is_reported_at_once(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.sg-scope-lint]\nexclude = "legacy"\nkey-conifg = "k.yaml"\nmanifest = 3\n')
    with pytest.raises(ConfigError) as caught:
        parse_config(tmp_path / "pyproject.toml")
    lines = [line.split("pyproject.toml")[1] for line in str(caught.value).splitlines()]
    assert lines == [
        ":2: tool.sg-scope-lint.exclude: must be a list of glob patterns, found 'legacy'",
        ":3: tool.sg-scope-lint.key-conifg: unknown key; did you mean 'key-config'?",
        ":4: tool.sg-scope-lint.manifest: must be a path, found 3",
    ]


def test_the_pyproject_schema_knows_every_setting_and_the_table_line(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.other]\nmanifest = 1\n\n[tool.sg-scope-lint]\nselect = ["SGS2"]\n'
        'ignore = ["SGS203"]\nrespect-gitignore = false\nmanifest = 3\nexclude = "x"\n')
    with pytest.raises(ConfigError) as caught:
        parse_config(tmp_path / "pyproject.toml")
    lines = [line.split("pyproject.toml")[1] for line in str(caught.value).splitlines()]
    assert lines == [  # the lines in this table, not the other tool's
        ":9: tool.sg-scope-lint.exclude: must be a list of glob patterns, found 'x'",
        ":8: tool.sg-scope-lint.manifest: must be a path, found 3",
    ] or sorted(lines) == sorted([
        ":9: tool.sg-scope-lint.exclude: must be a list of glob patterns, found 'x'",
        ":8: tool.sg-scope-lint.manifest: must be a path, found 3",
    ])
