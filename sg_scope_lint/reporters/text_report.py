"""The scan for a person: one line per call site or finding, then the scope set."""

from __future__ import annotations

from collections.abc import Iterable

from ..findings import scan_findings
from ..types import Finding, Location, ScanResult


def finding_line(finding: Finding) -> str:
    """`place: CODE message`, as flake8 prints a finding; a place in a key config, which has a
    line but no column, is `file:line`."""
    location = finding.location
    place = f"{location.file}:{location.line}" if location.col == 0 else str(location)
    return f"{place}: {finding.message}"


def render_findings(findings: Iterable[Finding]) -> str:
    """One line per finding and nothing else (`--quiet`)."""
    return "".join(f"{finding_line(finding)}\n" for finding in findings)


def render(result: ScanResult) -> str:
    """Each call and its scopes, each finding with its code (as flake8 shows it), in file, line
    and column order; then the scopes and the counts."""
    lines: list[tuple[Location, str]] = []
    for m in result.matches:
        scopes = ", ".join(m.scopes) or "(no scope needed)"
        lines.append((m.call.location,
                      f"{m.call.location}: {m.rule.endpoint} -> {scopes} [{m.rule.id}]"))
    for a in result.annotated:
        lines.append((a.location, (f"{a.location}: annotated -> {', '.join(a.scopes)} "
                                   f"(# sg-scope on line {a.annotation.line}): {a.chain}")))
    lines += [(f.location, finding_line(f)) for f in scan_findings(result)]
    out = [line for _, line in sorted(lines, key=lambda item: item[0])]
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
