"""Render a key check (`sg-scope-lint check`) as text lines, one JSON object, or a CI format.

The CI formats (SARIF, GitHub annotations, Markdown) show the check's coded findings
(`findings.check_findings`), so `check` and `scan` share their renderers. Text: one
`place: CODE message` line per finding, as flake8 prints them, in file, line and column order,
so editors and CI logs link to it: findings about a call point at the call, findings about a
granted scope at its line in the key config. Then notes (scopes held back, calls no key is
known for), one summary line per key and a total.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..types import (
    CheckResult,
    Doubt,
    Finding,
    KeyProblem,
    KeyVerdict,
    Location,
    ScanResult,
    Severity,
    Unattributed,
)
from . import github_report, markdown_report, sarif_report
from .text_report import finding_line

CHECK_FORMATS = ("text", "json", "sarif", "github", "markdown")


def render_check(fmt: str, check: CheckResult, result: ScanResult,
                 findings: Sequence[Finding]) -> str:
    """`check` in any of CHECK_FORMATS: text and JSON from the comparison, the CI formats from
    its findings (with a baseline, the new ones only)."""
    if fmt == "sarif":
        return sarif_report.render_findings(findings)
    if fmt == "github":
        return github_report.render_findings(findings)
    if fmt == "markdown":
        return markdown_report.render_summary(result, findings)
    return render_json(check) if fmt == "json" else render_text(check, findings)


def render_text(check: CheckResult, findings: Sequence[Finding]) -> str:
    out = [finding_line(finding) for finding in findings]
    config = check.config.file
    for verdict in check.keys:
        out += _held_back(verdict, config)
    out += [_unattributed(unattributed, config) for unattributed in check.unattributed]
    if out:
        out.append("")
    for verdict in check.keys:
        out.append(_summary(verdict))
    errors, warnings = _counts(check)
    out.append(f"{config}: {errors} error(s), {warnings} warning(s), "
               f"{len(check.unattributed)} unattributed call(s), {len(check.doubts)} uncertain "
               "call(s)")
    return "\n".join(out) + "\n"


def _held_back(verdict: KeyVerdict, config: str) -> list[str]:
    name = f"key '{verdict.key.name}'"
    out = []
    for held in verdict.held_back:
        out.append(f"{_at(config, held.scope.line)}: note: {name} grants {held.scope.name}, which "
                   "no resolved call needs; not called excess, as these calls may need it:")
        out += [f"    {doubt.location}: {doubt.reason}{_chain(doubt)}" for doubt in held.doubts]
    return out


def _unattributed(call: Unattributed, config: str) -> str:
    source = (f"its key comes from {call.key}, the env of no key in {config}" if call.key
              else "where its key comes from cannot be told statically")
    target = (f"checked against the default key '{call.checked_against}'"
              if call.checked_against else "checked against no key")
    return f"{call.location}: note: unattributed call: {source}; {target}: {call.chain}"


def _summary(verdict: KeyVerdict) -> str:
    key = verdict.key
    loaded = f" ({key.env})" if key.env else ""
    default = " [default]" if key.default else ""
    granted = "Full Access" if verdict.full_access else f"grants {len(key.names)}"
    return (f"key '{key.name}'{loaded}{default}: needs {len(verdict.required)}, {granted}; "
            f"{len(verdict.missing)} missing, {len(verdict.excess)} excess, "
            f"{len(verdict.unknown)} unknown, {len(verdict.held_back)} held back")


def _counts(check: CheckResult) -> tuple[int, int]:
    problems = check.all_problems
    errors = sum(len(v.missing) + len(v.unknown) for v in check.keys)
    errors += sum(p.severity is Severity.ERROR for p in problems)
    warnings = sum(len(v.excess) for v in check.keys)
    warnings += sum(p.severity is Severity.WARNING for p in problems)
    return errors, warnings


def _at(file: str, line: int) -> str:
    return f"{file}:{line}" if line else file


def _chain(doubt: Doubt) -> str:
    return f": {doubt.chain}" if doubt.chain else ""


# ------------------------------------------------------------------------------------ JSON


def as_data(check: CheckResult) -> dict[str, Any]:
    errors, warnings = _counts(check)
    return {
        "config": {"file": check.config.file, "format": check.config.format.value},
        "keys": [_key_data(verdict) for verdict in check.keys],
        "unattributed": [
            {**_place(u.location), "call": u.chain, "key": u.key,
             "checked_against": u.checked_against or None}
            for u in check.unattributed
        ],
        "uncertain": [_doubt_data(doubt) for doubt in check.doubts],
        "problems": [_problem_data(problem) for problem in check.problems],
        "summary": {"errors": errors, "warnings": warnings},
    }


def render_json(check: CheckResult) -> str:
    return json.dumps(as_data(check), indent=2) + "\n"


def _key_data(verdict: KeyVerdict) -> dict[str, Any]:
    key = verdict.key
    return {
        "name": key.name, "env": key.env or None, "default": key.default, "line": key.line,
        "full_access": verdict.full_access, "required": list(verdict.required),
        "granted": list(key.names),
        "missing": [
            {"scope": m.scope,
             "calls": [{**_place(n.location), "call": n.chain, "reason": n.reason}
                       for n in m.needs]}
            for m in verdict.missing
        ],
        "excess": [{"scope": s.name, "line": s.line} for s in verdict.excess],
        "held_back": [
            {"scope": h.scope.name, "line": h.scope.line,
             "calls": [_doubt_data(d) for d in h.doubts]}
            for h in verdict.held_back
        ],
        "unknown": [{"scope": u.scope.name, "line": u.scope.line,
                     "suggestions": list(u.suggestions)} for u in verdict.unknown],
        "problems": [_problem_data(problem) for problem in verdict.problems],
    }


def _place(location: Location) -> dict[str, Any]:
    return {"file": location.file, "line": location.line, "col": location.col}


def _doubt_data(doubt: Doubt) -> dict[str, Any]:
    return {**_place(doubt.location), "call": doubt.chain, "reason": doubt.reason,
            "key": doubt.key, "could_need": None if doubt.could_need is None
            else list(doubt.could_need)}


def _problem_data(problem: KeyProblem) -> dict[str, Any]:
    return {"severity": problem.severity.value, "message": problem.message,
            "line": problem.line or None}
