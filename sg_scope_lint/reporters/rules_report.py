"""Render the rules table (`rules list`), an explanation (`explain`) and the rules reference doc."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from ..explain import Explanation
from ..types import Rule


def rule_data(rule: Rule) -> dict[str, Any]:
    data: dict[str, Any] = {"id": rule.id, "method": rule.method, "path": rule.path,
                            "scopes": list(rule.scopes)}
    if rule.any_of:
        data["any_of"] = [list(option) for option in rule.any_of]
    if rule.scopes_by_value:
        data["scopes_by_value"] = {"param": rule.value_param,
                                   "values": {v: list(s) for v, s in rule.scopes_by_value}}
    data.update(confidence=rule.confidence.value, source=rule.source, family=rule.family,
                deprecated=rule.deprecated, note=rule.note)
    return data


def render_list(rules: tuple[Rule, ...], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([rule_data(rule) for rule in rules], indent=2) + "\n"
    lines = [f"{r.id}\t{r.endpoint}\t{r.scope_text()}\t{r.confidence.value}\t{r.source}"
             for r in rules]
    return "\n".join(lines) + "\n"


def render_explanation(found: Explanation, fmt: str) -> str:
    if fmt == "json":
        return json.dumps({"query": found.query, "kind": found.kind,
                           "scope_kind": found.scope_kind or None,
                           "rules": [rule_data(r) for r in found.rules]}, indent=2) + "\n"
    if found.kind == "scope":
        head = f"{found.query} ({found.scope_kind.replace('_', ' ')} scope) is needed by " \
               f"{len(found.rules)} endpoint(s):"
        body = [f"  {r.endpoint}  [{r.id}, {r.confidence.value}]" for r in found.rules]
        return "\n".join([head, *body]) + "\n"
    if not found.rules:
        return f"{found.query}: no rule covers this endpoint\n"
    out: list[str] = []
    for rule in found.rules:
        out += [f"{rule.endpoint} needs: {rule.scope_text()}",
                f"  rule: {rule.id} ({rule.origin})",
                f"  confidence: {rule.confidence.value}",
                f"  source: {rule.source}"]
        if rule.note:
            out.append(f"  note: {rule.note}")
        if rule.deprecated:
            out.append("  deprecated: not in SendGrid's current API reference")
    return "\n".join(out) + "\n"


def render_code(query: str, fmt: str) -> str:
    """`explain SGSxxx`: the code's section of docs/codes.md."""
    from ..codedocs import load
    from ..codes import BY_CODE
    from ..errors import SgScopeLintError

    code = BY_CODE.get(query.upper())
    if code is None:
        raise SgScopeLintError(f"'{query}' is not a code (codes: {', '.join(sorted(BY_CODE))})")
    doc = load().get(code.code)
    text = doc.text if doc else "(docs/codes.md is not installed)"
    if fmt == "json":
        return json.dumps({"query": query, "kind": "code", "code": code.code, "name": code.name,
                           "level": code.level.value, "docs": doc.markdown if doc else None},
                          indent=2) + "\n"
    return f"{code.code} {code.name}\n\n{text}\n"


def render_reference(rules: tuple[Rule, ...]) -> str:
    """docs/rules.md: every endpoint and its scopes, grouped by family, generated from the YAML."""
    families: dict[str, list[Rule]] = defaultdict(list)
    for rule in rules:
        families[rule.family].append(rule)
    out = ["# Rules reference", "",
           "Generated from `rules/*.yaml` by `python scripts/document_rules.py`; do not edit.",
           f"{len(rules)} rules in {len(families)} families.", ""]
    for family in sorted(families):
        out += [f"## {family}", "", "| endpoint | scopes | confidence | rule |", "|---|---|---|---|"]
        for rule in sorted(families[family], key=lambda r: (r.path, r.method)):
            flags = " (deprecated)" if rule.deprecated else ""
            scopes = rule.scope_text().replace("|", "\\|")
            out.append(f"| `{rule.method} {rule.path}`{flags} | {scopes} | "
                       f"[{rule.confidence.value}]({rule.source}) | `{rule.id}` |")
        out.append("")
    return "\n".join(out)
