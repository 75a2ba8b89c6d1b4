"""The scan for a person: one line per call site, finding or error, then the scope set."""

from __future__ import annotations

from ..findings import annotation_finding, key_finding
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
                      f"unknown endpoint: {k.call.endpoint} ({k.reason}): {k.call.chain}"))
    for a in result.annotated:
        lines.append((a.location, (f"annotated -> {', '.join(a.scopes)} (# sg-scope on line "
                                   f"{a.annotation.line}): {a.chain}")))
    for e in result.errors:
        lines.append((e.location, f"error: {e.message}"))
    for finding in map(annotation_finding, result.annotation_problems):
        lines.append((finding.location, f"error: {finding.message}"))
    for key in result.keys:
        lines.append((key.location, key_finding(key).text))
    out = [f"{location}: {text}" for location, text in sorted(lines, key=lambda item: item[0])]
    required = result.scopes
    if out:
        out.append("")
    out.append(f"Required scopes ({len(required)}): {', '.join(required) or 'none'}")
    out.append(
        f"{len(result.matches)} call(s) in {len(result.files)} file(s); "
        f"{len(result.unresolved)} unresolved; {len(result.unknown)} unknown endpoint(s); "
        f"{len(result.errors)} file error(s); {len(result.keys)} hard-coded key(s)"
        + _annotation_summary(result)
    )
    return "\n".join(out) + "\n"


def _annotation_summary(result: ScanResult) -> str:
    """Shown only for scans with annotations, so reports of projects without them stay as they were."""
    if not result.annotated and not result.annotation_problems:
        return ""
    return (f"; {len(result.annotated)} annotated call(s); "
            f"{len(result.annotation_problems)} annotation error(s)")
