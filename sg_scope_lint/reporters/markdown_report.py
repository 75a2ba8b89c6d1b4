"""The scan as a Markdown summary for a CI job summary or a pull-request comment.

A reviewer reads it top-down: the scopes the code needs (and with which key), then the problems
grouped by code, then the call sites behind the scopes, folded away. Problems come from the
findings, so any producer of findings (a key-config check) shows up under its own codes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from .. import manifest
from ..codes import BY_CODE, level_of
from ..findings import scan_findings
from ..types import Finding, Level, ScanResult
from .markup import capped, cell, code, code_list, prose

TITLE = "## SendGrid API-key scopes (sg-scope-lint)"
UNKNOWN_KEY_LABEL = "(key not known)"


def render(result: ScanResult) -> str:
    return render_summary(result, scan_findings(result))


def render_summary(result: ScanResult, findings: Iterable[Finding]) -> str:
    """The summary of a scan and of any findings about it (the scan's own, a check's)."""
    problems = sorted(findings)
    errors = sum(level_of(finding) is Level.ERROR for finding in problems)
    verdict = (f"**{len(problems)} finding(s)** need attention: {errors} error(s), "
               f"{len(problems) - errors} warning(s)." if problems
               else "No findings: every SendGrid call maps to known scopes.")
    out = [TITLE, "", verdict, ""]
    out += _scopes(result)
    out += _keys(result)
    out += _findings(problems)
    out += _call_sites(result)
    return "\n".join(out).rstrip("\n") + "\n"


def _scopes(result: ScanResult) -> list[str]:
    needed = manifest.build(result)["scopes"]
    out = [f"### Required scopes ({len(needed)})", ""]
    if not needed:
        return [*out, "None: no call that needs a scope was found.", ""]
    out += ["| scope | endpoints | files |", "|---|---|---|"]
    rows = [f"| {cell(code(scope))} | {_endpoints(entry['endpoints'])} | "
            f"{cell(code_list(entry['files']))} |" for scope, entry in needed.items()]
    return [*out, *capped(rows, len(rows), "scopes"), ""]


def _endpoints(endpoints: list[str]) -> str:
    # A scope that only `# sg-scope:` annotations declare has no endpoint the tool knows.
    return cell(code_list(endpoints)) if endpoints else "(annotated calls)"


def _keys(result: ScanResult) -> list[str]:
    """Scopes per API key, shown only when the scan could tell which key a call uses."""
    by_key: dict[str, set[str]] = defaultdict(set)
    for match in result.matches:
        by_key[match.call.key or UNKNOWN_KEY_LABEL].update(match.scopes)
    for annotated in result.annotated:
        by_key[annotated.key or UNKNOWN_KEY_LABEL].update(annotated.scopes)
    if set(by_key) <= {UNKNOWN_KEY_LABEL}:
        return []
    out = ["### Required scopes by key", "", "| key | scopes |", "|---|---|"]
    out += [f"| {cell(code(key) if key != UNKNOWN_KEY_LABEL else key)} | "
            f"{cell(code_list(sorted(by_key[key])))} |" for key in sorted(by_key)]
    return [*out, ""]


def _findings(problems: list[Finding]) -> list[str]:
    if not problems:
        return []
    by_code: dict[str, list[Finding]] = defaultdict(list)
    for finding in problems:
        by_code[finding.code].append(finding)
    out = [f"### Findings ({len(problems)})", ""]
    for name in sorted(by_code):
        group = by_code[name]
        out += [f"#### {name} {BY_CODE[name].name} ({len(group)})", ""]
        lines = [f"- {code(str(f.location))} {prose(f.text)}" for f in group]
        out += [*capped(lines, len(lines), "findings"), ""]
    return out


def _call_sites(result: ScanResult) -> list[str]:
    """Matched calls with their rule, and annotated calls with the line of their annotation."""
    rows = [(m.call.location, code(m.rule.endpoint), code_list(m.scopes), code(m.rule.id),
             m.call.chain) for m in result.matches]
    rows += [(a.location, "(annotated)", code_list(a.scopes),
              f"`# sg-scope` on line {a.annotation.line}", a.chain) for a in result.annotated]
    if not rows:
        return []
    rows.sort(key=lambda row: row[0])
    out = ["<details>", f"<summary>Call sites ({len(rows)})</summary>", "",
           "| location | endpoint | scopes | rule | call |", "|---|---|---|---|---|"]
    lines = [f"| {cell(code(str(where)))} | {cell(endpoint)} | {cell(scopes)} | {cell(rule)} | "
             f"{cell(code(chain))} |" for where, endpoint, scopes, rule, chain in rows]
    return [*out, *capped(lines, len(lines), "call sites"), "", "</details>", ""]
