"""The rules cover SendGrid's whole v3 API, use only catalogued scopes, and match their docs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sg_scope_lint.reporters.rules_report import render_reference
from sg_scope_lint.rules import RuleSet

REPO = Path(__file__).resolve().parent.parent
SPEC_OPERATIONS = REPO / "rules" / "spec-operations.txt"
PARAM = re.compile(r"\{[^}]*\}")


def _shape(method: str, path: str) -> tuple[str, str]:
    return method, PARAM.sub("{}", path)


def spec_operations() -> set[tuple[str, str]]:
    operations = set()
    for line in SPEC_OPERATIONS.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            method, path = line.split()
            operations.add(_shape(method, path))
    return operations


def test_every_spec_operation_has_a_rule(ruleset: RuleSet) -> None:
    covered = {_shape(r.method, r.path) for r in ruleset.rules}
    missing = sorted(spec_operations() - covered)
    assert not missing, f"{len(missing)} spec operations have no rule: {missing[:20]}"


def test_every_rule_points_at_a_current_endpoint_or_is_deprecated(ruleset: RuleSet) -> None:
    current = spec_operations()
    stale = sorted(r.id for r in ruleset.rules
                   if _shape(r.method, r.path) not in current and not r.deprecated)
    assert not stale, f"rules for endpoints the spec no longer lists (mark deprecated): {stale}"


def test_every_rule_has_a_source(ruleset: RuleSet) -> None:
    assert all(r.source.startswith("https://") for r in ruleset.rules)


def test_catalogue_kinds_are_populated(ruleset: RuleSet) -> None:
    catalogue = ruleset.catalogue
    assert "2fa_required" in catalogue.names("automatic")
    assert "mail.send" in catalogue.names("grantable")
    assert any(name.startswith("billing.") for name in catalogue.names("billing"))


@pytest.mark.parametrize(
    ("method", "path", "scopes"),
    [
        ("POST", "/v3/mail/send", ("mail.send",)),
        ("GET", "/v3/scopes", ()),
        ("GET", "/v3/messages", ("messages.read",)),
    ],
)
def test_documented_anchors(ruleset: RuleSet, method: str, path: str, scopes: tuple) -> None:
    rule = next(r for r in ruleset.rules if (r.method, r.path) == (method, path))
    assert rule.scopes == scopes
    assert rule.confidence.value == "documented"


def test_rules_reference_is_current(ruleset: RuleSet) -> None:
    committed = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == render_reference(ruleset.rules), (
        "docs/rules.md is out of date: run `python scripts/document_rules.py`")
