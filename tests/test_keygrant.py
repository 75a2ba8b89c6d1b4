"""The key-config stand-in: reading a `scopes:` list, and the per-file missing-scope check."""

from __future__ import annotations

from pathlib import Path

import pytest

from sg_scope_lint.errors import ConfigError
from sg_scope_lint.keygrant import load_granted, missing_in_file
from sg_scope_lint.rules import ScopeCatalogue
from sg_scope_lint.types import (
    Annotated,
    CallSite,
    Confidence,
    Endpoint,
    FileReport,
    Location,
    Match,
    Rule,
)

CATALOGUE = ScopeCatalogue((
    ("2fa_required", "automatic"), ("api_keys.create", "grantable"), ("mail.send", "grantable"),
    ("marketing.read", "grantable"), ("templates.read", "grantable"),
))


def match(line: int, scopes: tuple[str, ...], *, any_of: tuple[tuple[str, ...], ...] = (),
          grants: tuple[str, ...] | None = ()) -> Match:
    rule = Rule(id=f"rule-{line}", method="GET", path="/v3/thing", scopes=scopes, source="test",
                confidence=Confidence.DOCUMENTED, origin="test", any_of=any_of)
    call = CallSite(Location("a.py", line, 1), Endpoint("GET", ("thing",)), "sg.client.thing.get",
                    grants=grants)
    return Match(call, rule, any_of[0] if any_of else scopes)


@pytest.mark.parametrize(("found", "granted", "expected"), [
    pytest.param(match(1, ("mail.send",)), {"mail.send"}, [], id="granted"),
    pytest.param(match(1, ("templates.read", "mail.send")), {"mail.send"},
                 [(1, "GET /v3/thing", ("templates.read",))], id="one-of-two-missing"),
    pytest.param(match(1, ("mail.send", "2fa_required")), {"mail.send"}, [],
                 id="automatic-never-missing"),
    pytest.param(match(1, (), any_of=(("marketing.read",), ("templates.read",))),
                 {"templates.read"}, [], id="second-alternative-granted"),
    pytest.param(match(1, (), any_of=(("marketing.read",), ("templates.read",))), set(),
                 [(1, "GET /v3/thing", ("marketing.read",))], id="no-alternative-granted"),
    pytest.param(match(1, ("api_keys.create",), grants=("templates.read",)), {"api_keys.create"},
                 [(1, "GET /v3/thing", ("templates.read",))], id="key-creation-needs-its-scopes"),
    pytest.param(Annotated(Location("a.py", 3, 5), "getattr(sg.client, n).get", ("mail.send",),
                           Location("a.py", 3, 30), "getattr"), set(),
                 [(3, "getattr(sg.client, n).get", ("mail.send",))], id="annotated-call"),
])
def test_missing_in_file(found: Match | Annotated, granted: set[str],
                         expected: list[tuple[int, str, tuple[str, ...]]]) -> None:
    report = (FileReport("a.py", annotated=(found,)) if isinstance(found, Annotated)
              else FileReport("a.py", matches=(found,)))
    missing = missing_in_file(report, frozenset(granted), CATALOGUE)
    assert [(m.location.line, m.target, m.scopes) for m in missing] == expected


@pytest.mark.parametrize("text", ["scopes: [mail.send, templates.read]\n",
                                  '{"scopes": ["mail.send", "templates.read"]}\n'],
                         ids=["yaml", "json"])
def test_load_granted(tmp_path: Path, text: str) -> None:
    path = tmp_path / "key.yaml"
    path.write_text(text)
    assert load_granted(path) == {"mail.send", "templates.read"}


@pytest.mark.parametrize("text", ["- mail.send\n", "scopes: mail.send\n", "name: x\n"])
def test_load_granted_rejects_other_shapes(tmp_path: Path, text: str) -> None:
    path = tmp_path / "key.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=r"key\.yaml.*scopes:. list"):
        load_granted(path)
