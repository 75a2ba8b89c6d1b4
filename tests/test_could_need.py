"""An unresolved call narrows the scopes it could need by its known prefix and method, so one
such call does not hold back every excess scope of its key. Bundled rules, real files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sg_scope_lint.cli import main
from sg_scope_lint.narrow import could_need
from sg_scope_lint.rules import load_ruleset
from sg_scope_lint.types import VALUE, Location, RawCall, Step, StepKind

APP = """\
import os
import sendgrid

sg = sendgrid.SendGridAPIClient(os.environ["SENDGRID_API_KEY"])


def welcome(message):
    sg.send(message)


def forget(kind, email):
    return getattr(sg.client.suppression, kind)._(email).delete()
"""


def raw(steps: tuple[Step, ...], verb: str, dynamic: str = "", prefix=None) -> RawCall:
    return RawCall(Location("a.py", 1, 1), "c", steps, verb, dynamic, prefix=prefix)


def attr(name: str) -> Step:
    return Step(StepKind.ATTRIBUTE, (name,))


RULES = load_ruleset(())


def test_a_known_prefix_narrows_to_the_rules_under_it() -> None:
    scopes = could_need(raw((), "", "getattr", prefix=(attr("suppression"),)), RULES)
    assert scopes is not None and "suppression.bounces.delete" in scopes
    assert all(scope.startswith("suppression.") for scope in scopes)


def test_a_known_method_narrows_to_its_rules() -> None:
    scopes = could_need(raw((), "get", "getattr", prefix=()), RULES)
    assert scopes is not None and "templates.read" in scopes and "mail.send" not in scopes


@pytest.mark.parametrize("call", [
    pytest.param(raw((), "", "getattr", prefix=None), id="nothing-known"),
    pytest.param(raw((Step(StepKind.UNDERSCORE, (VALUE,)),), "post"), id="may-grant-any-scope"),
    pytest.param(raw((), "", "getattr", prefix=(attr("no_such_family"),)), id="no-rule-fits"),
])
def test_nothing_is_narrowed_when_it_could_be_anything(call: RawCall) -> None:
    assert could_need(call, RULES) is None


def test_an_unresolved_call_holds_back_only_what_its_prefix_could_need(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "key.yaml").write_text(
        "scopes: [mail.send, suppression.bounces.delete, alerts.read, templates.read]\n")
    code = main(["check", "--no-cache", "app.py", "--key-config", "key.yaml", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    (key,) = data["keys"]
    assert [e["scope"] for e in key["excess"]] == ["alerts.read", "templates.read"]
    assert [h["scope"] for h in key["held_back"]] == ["suppression.bounces.delete"]
    (doubt,) = data["uncertain"]
    assert "suppression.bounces.delete" in doubt["could_need"]
    assert code == 0  # excess is a warning without --strict

    main(["check", "--no-cache", "app.py", "--key-config", "key.yaml"])
    out = capsys.readouterr().out
    assert "`# sg-scope: <the scopes it needs>` on the call settles it; it could need only " \
           "suppression.blocks.delete, " in out
