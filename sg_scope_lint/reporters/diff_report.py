"""Render a manifest comparison (`sg-scope-lint diff`) as text, JSON or Markdown."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from ..manifest_diff import ManifestChanges, OpenItem, ScopeChange
from .markup import capped, cell, code, code_list, prose


def as_data(changes: ManifestChanges) -> dict[str, Any]:
    def items(found: tuple[OpenItem, ...] | tuple[ScopeChange, ...]) -> list[dict[str, Any]]:
        return [asdict(item) for item in found]

    return {
        "added": items(changes.added),
        "dropped": items(changes.dropped),
        "unresolved": {"added": items(changes.unresolved_added),
                       "removed": items(changes.unresolved_removed)},
        "unknown": {"added": items(changes.unknown_added),
                    "removed": items(changes.unknown_removed)},
        "annotated": {"added": items(changes.annotated_added),
                      "removed": items(changes.annotated_removed)},
    }


def render_json(changes: ManifestChanges) -> str:
    return json.dumps(as_data(changes), indent=2, ensure_ascii=False) + "\n"


def render_text(changes: ManifestChanges) -> str:
    out = [_headline(changes)]
    for sign, scopes in (("+", changes.added), ("-", changes.dropped)):
        for scope in scopes:
            out.append(f"{sign} {scope.scope}")
            out += [f"    {endpoint}" for endpoint in scope.endpoints]
            out += [f"    in {file}" for file in scope.files]
    for title, sign, items in _open_sections(changes):
        out.append(f"{title}:")
        out += [f"  {sign} {item.file}: {item.text}" + (f" ({item.detail})" if item.detail else "")
                for item in items]
    return "\n".join(out) + "\n"


def render_markdown(changes: ManifestChanges) -> str:
    out = [f"### SendGrid scopes: {_headline(changes)}", ""]
    if changes.added or changes.dropped:
        out += ["| change | scope | endpoints | files |", "|---|---|---|---|"]
        rows = [f"| {change} | {cell(code(s.scope))} | {cell(code_list(s.endpoints))} | "
                f"{cell(code_list(s.files))} |"
                for change, scopes in (("added", changes.added), ("dropped", changes.dropped))
                for s in scopes]
        out += [*capped(rows, len(rows), "scope changes"), ""]
    for title, _, items in _open_sections(changes):
        lines = [f"- {code(item.file)}: {code(item.text)}"
                 + (f" ({prose(item.detail)})" if item.detail else "") for item in items]
        out += [f"**{title}**", "", *capped(lines, len(lines), "entries"), ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _headline(changes: ManifestChanges) -> str:
    if changes.empty:
        return "no change"
    return f"{len(changes.added)} scope(s) added, {len(changes.dropped)} dropped"


def _open_sections(changes: ManifestChanges) -> list[tuple[str, str, tuple[OpenItem, ...]]]:
    sections = [("Unresolved calls added", "+", changes.unresolved_added),
                ("Unresolved calls gone", "-", changes.unresolved_removed),
                ("Unknown endpoints added", "+", changes.unknown_added),
                ("Unknown endpoints gone", "-", changes.unknown_removed),
                ("Annotated calls added", "+", changes.annotated_added),
                ("Annotated calls gone", "-", changes.annotated_removed)]
    return [section for section in sections if section[2]]


DIFF_FORMATS: dict[str, Callable[[ManifestChanges], str]] = {
    "text": render_text, "json": render_json, "markdown": render_markdown}
