"""The scan for a person: one line per call site, finding or error, then the scope set."""

from __future__ import annotations

from ..types import Location, ScanResult


def render(result: ScanResult) -> str:
    lines: list[tuple[Location, str]] = []
    for m in result.matches:
        scopes = ", ".join(m.scopes) or "(no scope needed)"
        lines.append((m.call.location, f"{m.rule.endpoint} -> {scopes} [{m.rule.id}]"))
    for u in result.unresolved:
        lines.append((u.location, f"unresolved: {u.reason}: {u.chain}"))
    for k in result.unknown:
        lines.append((k.call.location,
                      f"unknown endpoint: {k.call.endpoint} (no rule covers it): {k.call.chain}"))
    for e in result.errors:
        lines.append((e.location, f"error: {e.message}"))
    for k in result.keys:
        lines.append((k.location, f"hard-coded SendGrid API key {k.redacted}: revoke it and load "
                                  "the key from the environment"))
    out = [f"{location}: {text}" for location, text in sorted(lines, key=lambda item: item[0])]
    scopes = result.scopes
    if out:
        out.append("")
    out.append(f"Required scopes ({len(scopes)}): {', '.join(scopes) if scopes else 'none'}")
    out.append(
        f"{len(result.matches)} call(s) in {len(result.files)} file(s); "
        f"{len(result.unresolved)} unresolved; {len(result.unknown)} unknown endpoint(s); "
        f"{len(result.errors)} file error(s); {len(result.keys)} hard-coded key(s)"
    )
    return "\n".join(out) + "\n"
