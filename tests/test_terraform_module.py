"""Terraform as teams write it: a folder as the key config, variables.tf defaults and tfvars,
locals, concat() and for_each over a map, evaluated from real files with the real HCL parser."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sg_scope_lint.cli import main
from sg_scope_lint.errors import KeyConfigError
from sg_scope_lint.keyconfig import read_key_config

MODULE = Path(__file__).parent / "terraform_module"
EXPECTED = [
    ("marketing", ("marketing.read", "asm.groups.read")),  # terraform.tfvars wins over default
    ("combined", ("mail.send", "marketing.read", "asm.groups.read", "templates.read")),
    ("alerts", ("alerts.read",)),  # for_each over the map in variables.tf
    ("stats", ("stats.read", "mail.send")),
]


@pytest.fixture
def infra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(MODULE, tmp_path / "infra")
    return tmp_path / "infra"


@pytest.mark.parametrize("target", [".", "main.tf"], ids=["folder", "file-with-its-folder"])
def test_scopes_are_evaluated_from_the_whole_module(infra: Path, target: str) -> None:
    config = read_key_config(infra / target)
    assert config.file == "infra/main.tf"
    assert [(key.name, key.names) for key in config.keys] == EXPECTED
    assert [key.line for key in config.keys] == [6, 11, 16, 16]


def test_for_each_over_a_map_of_objects(infra: Path) -> None:
    (infra / "extra.auto.tfvars").write_text(
        'team_keys = { ops = { scopes = ["alerts.read"], owner = "ops" } }\n')
    (infra / "main.tf").write_text((infra / "main.tf").read_text().replace(
        "scopes   = each.value", "scopes   = each.value.scopes"))
    assert [(k.name, k.names) for k in read_key_config(infra).keys][-1] == (
        "ops", ("alerts.read",))


def test_an_expression_it_cannot_evaluate_is_one_error_at_its_line(infra: Path) -> None:
    (infra / "terraform.tfvars").unlink()
    (infra / "main.tf").write_text((infra / "main.tf").read_text().replace(
        "scopes = var.marketing_scopes", "scopes = var.nowhere"))
    with pytest.raises(KeyConfigError, match=r"^infra/main.tf:8: sendgrid_api_key.marketing."
                                             r"scopes: is an expression sg-scope-lint cannot"):
        read_key_config(infra)
    (infra / "main.tf").unlink()
    (infra / "variables.tf").unlink()
    with pytest.raises(KeyConfigError, match="is a folder with no `.tf` file"):
        read_key_config(infra)


APP = """\
import os
import sendgrid

sg = sendgrid.SendGridAPIClient(os.environ["APP_SECRET"])


def welcome(message):
    return sg.send(message)
"""


def test_calls_tied_to_no_key_hold_back_what_they_need_on_every_key(
        infra: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (infra.parent / "app.py").write_text(APP)
    main(["check", "--no-cache", "app.py", "--key-config", "infra", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert data["config"] == {"file": "infra/main.tf", "format": "terraform"}
    excess = {key["name"]: [e["scope"] for e in key["excess"]] for key in data["keys"]}
    held = {key["name"]: [h["scope"] for h in key["held_back"]] for key in data["keys"]}
    assert excess["combined"] == ["marketing.read", "asm.groups.read", "templates.read"]
    assert held == {"marketing": [], "combined": ["mail.send"], "alerts": [],
                    "stats": ["mail.send"]}
    assert [u["line"] for u in data["unattributed"]] == [8]
