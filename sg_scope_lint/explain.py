"""Answer "what needs this scope / what does this endpoint need / what is this rule" from the rules."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from .errors import SgScopeLintError
from .rules import METHODS, RuleSet
from .types import Endpoint, Rule


@dataclass(frozen=True, slots=True)
class Explanation:
    """What a query named (`scope`, `endpoint` or `rule`) and the rules that answer it."""

    query: str
    kind: str
    rules: tuple[Rule, ...]
    scope_kind: str = ""  # for scopes: grantable, automatic, billing, separate_key, legacy


def explain(ruleset: RuleSet, query: str) -> Explanation:
    """Look `query` up as a rule id, an endpoint (`"GET /v3/templates/{id}"`) or a scope name."""
    text = query.strip()
    rule = ruleset.by_id(text)
    if rule is not None:
        return Explanation(text, "rule", (rule,))
    method, _, path = text.partition(" ")
    if method.upper() in METHODS and path.strip().startswith("/"):
        return Explanation(text, "endpoint", _endpoint_rules(ruleset, method.upper(), path.strip()))
    scope_kind = ruleset.catalogue.kind_of(text)
    if scope_kind is not None:
        needing = tuple(r for r in ruleset.rules if text in r.all_scopes())
        return Explanation(text, "scope", needing, scope_kind)
    names = [*ruleset.catalogue.names(), *(r.id for r in ruleset.rules)]
    close = difflib.get_close_matches(text, names, n=3)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise SgScopeLintError(f"'{text}' is not a rule id, an endpoint ('METHOD /v3/...') or a "
                           f"scope in the catalogue{hint}")


def _endpoint_rules(ruleset: RuleSet, method: str, path: str) -> tuple[Rule, ...]:
    """The rule written for this template, else the rule a concrete path would match."""
    path = path.split("?")[0].rstrip("/")
    exact = tuple(r for r in ruleset.rules if r.method == method and r.path == path)
    if exact:
        return exact
    parts = tuple(None if p.startswith("{") else p for p in path.split("/")[1:])
    found = ruleset.find(Endpoint(method, parts, version=0))
    return (found,) if found else ()
