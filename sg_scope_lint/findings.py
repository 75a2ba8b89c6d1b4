"""Turn reports into coded findings: what flake8, the CI formats and the baseline show.

Formatting only: the analysis is done by the engine and the key-config comparison; this module
picks the code from `codes.py`, fills in its message, and names each finding's subject without
a line number (`Finding.chain`). Findings are derived from reports, never stored beside them,
so the two cannot drift.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace

from . import codes
from .keycheck import missing_by_call
from .types import (
    AnnotationProblem,
    AnnotationProblemKind,
    CheckResult,
    FileError,
    FileReport,
    Finding,
    GrantedScope,
    HardCodedKey,
    KeyProblem,
    Level,
    Location,
    MissingScopes,
    ProblemKind,
    ScanResult,
    Unknown,
    UnknownScope,
    Unresolved,
)

PROBLEM_CODES = {
    ProblemKind.FULL_ACCESS: codes.FULL_ACCESS_KEY,
    ProblemKind.BILLING_SHARED: codes.BILLING_SCOPE_SHARED,
    ProblemKind.VALIDATION_SHARED: codes.VALIDATION_SCOPE_SHARED,
    ProblemKind.SECRET: codes.SECRET_IN_KEY_CONFIG,
    ProblemKind.NO_ENV: codes.KEY_NOT_ATTRIBUTABLE,
    ProblemKind.UNCHECKED: codes.CALLS_CHECKED_AGAINST_NO_KEY,
}


def file_findings(report: FileReport, missing: Iterable[MissingScopes] = (),
                  key_config: str = "") -> list[Finding]:
    """Every finding of one file that flake8 shows, in position order.

    `missing` is the key-config comparison for this file and `key_config` the name shown for
    that config; both are empty when no key config is configured. Hard-coded keys are left to
    `scan` (see `scan_findings`).
    """
    out = [*map(error_finding, report.errors), *map(unresolved_finding, report.unresolved),
           *map(unknown_finding, report.unknown)]
    out += [missing_finding(m, key_config) for m in missing]
    out += [annotation_finding(problem) for problem in report.annotation_problems]
    return sorted(out)


def scan_findings(result: ScanResult) -> tuple[Finding, ...]:
    """Every problem of a scan, hard-coded keys included, sorted by location."""
    return tuple(sorted(finding for report in result.files
                        for finding in (*file_findings(report), *map(key_finding, report.keys))))


def check_findings(check: CheckResult, result: ScanResult) -> tuple[Finding, ...]:
    """Every finding of `sg-scope-lint check`: the scan's own, plus the key config's, sorted.

    A call lacking scopes is reported at the call (SGS201, as flake8 does); what is wrong with
    the key config itself at its line in the config file.
    """
    return tuple(sorted((*scan_findings(result), *key_config_findings(check))))


def key_config_findings(check: CheckResult) -> list[Finding]:
    """The comparison's findings: missing scopes at each call, the rest in the key config."""
    config = check.config.file
    out = [missing_finding(missing, config) for missing in missing_by_call(check)]
    for verdict in check.keys:
        name = verdict.key.name
        out += [unknown_scope_finding(unknown, name, config) for unknown in verdict.unknown]
        out += [excess_finding(scope, name, config, check.strict) for scope in verdict.excess]
        out += [problem_finding(problem, config, name) for problem in verdict.problems]
    out += [problem_finding(problem, config) for problem in check.problems]
    return sorted(out)


def _taker(keep: Iterable[Finding]) -> Callable[[Finding], bool]:
    """A test that says yes to each finding in `keep` as many times as it occurs there."""
    wanted = Counter(keep)

    def kept(finding: Finding) -> bool:
        if wanted[finding] > 0:
            wanted[finding] -= 1
            return True
        return False

    return kept


def only_check(check: CheckResult, keep: Iterable[Finding]) -> CheckResult:
    """The comparison with only the key-config findings in `keep` (doubts and unattributed
    calls, which are notes, all kept): how a baseline hides known findings from `check`'s text
    and JSON and from its exit code."""
    kept = _taker(keep)

    config = check.config.file
    calls = {(m.location, m.target, m.key) for m in missing_by_call(check)
             if kept(missing_finding(m, config))}
    several = len(check.config.keys) > 1
    verdicts = []
    for verdict in check.keys:
        name = verdict.key.name
        label = name if several else ""
        missing = tuple(replace(m, needs=needs) for m in verdict.missing
                        if (needs := tuple(n for n in m.needs
                                           if (n.location, n.target, label) in calls)))
        verdicts.append(replace(
            verdict, missing=missing,
            unknown=tuple(u for u in verdict.unknown
                          if kept(unknown_scope_finding(u, name, config))),
            excess=tuple(s for s in verdict.excess if kept(excess_finding(s, name, config))),
            problems=tuple(p for p in verdict.problems if kept(problem_finding(p, config, name)))))
    return replace(check, keys=tuple(verdicts),
                   problems=tuple(p for p in check.problems if kept(problem_finding(p, config))))


def only(result: ScanResult, keep: Iterable[Finding]) -> ScanResult:
    """The scan with only the problems in `keep`; matched and annotated calls are all kept.

    This is how a baseline hides known findings from every format at once: the reporters and
    the exit code see a result that no longer holds them.
    """
    kept = _taker(keep)

    return ScanResult(tuple(
        replace(report,
                errors=tuple(e for e in report.errors if kept(error_finding(e))),
                unresolved=tuple(u for u in report.unresolved if kept(unresolved_finding(u))),
                unknown=tuple(u for u in report.unknown if kept(unknown_finding(u))),
                annotation_problems=tuple(p for p in report.annotation_problems
                                          if kept(annotation_finding(p))),
                keys=tuple(k for k in report.keys if kept(key_finding(k))))
        for report in result.files
    ))


def error_finding(error: FileError) -> Finding:
    # No chain: the message may name a line, and the identity must not.
    return Finding(error.location, codes.FILE_NOT_ANALYSED.code,
                   codes.FILE_NOT_ANALYSED.message(message=error.message))


def key_finding(key: HardCodedKey) -> Finding:
    return Finding(key.location, codes.HARD_CODED_KEY.code,
                   codes.HARD_CODED_KEY.message(key=key.redacted), key.redacted)


def unresolved_finding(call: Unresolved) -> Finding:
    return Finding(call.location, codes.UNRESOLVED_CALL.code,
                   codes.UNRESOLVED_CALL.message(call=call.chain, reason=call.reason), call.chain)


def unknown_finding(unknown: Unknown) -> Finding:
    return Finding(unknown.call.location, codes.UNKNOWN_ENDPOINT.code,
                   codes.UNKNOWN_ENDPOINT.message(endpoint=unknown.call.endpoint) + (
                       f"; it resembles `{unknown.resembles}`" if unknown.resembles else ""),
                   unknown.call.chain)


def missing_finding(missing: MissingScopes, key_config: str) -> Finding:
    """SGS201; with several keys in the config, the message names the key that lacks them."""
    where = f"{key_config} (key '{missing.key}')" if missing.key else key_config
    return Finding(missing.location, codes.SCOPE_NOT_GRANTED.code,
                   codes.SCOPE_NOT_GRANTED.message(target=missing.target,
                                                   scopes=_names(missing.scopes),
                                                   key_config=where),
                   missing.target)


def unknown_scope_finding(unknown: UnknownScope, key: str, key_config: str) -> Finding:
    """SGS202 at the scope's line; the chain is the scope name, so edits elsewhere in the
    config do not bring a baselined finding back."""
    hint = f"; did you mean {_alternatives(unknown.suggestions)}?" \
        if unknown.suggestions else " (not in the scope catalogue)"
    return Finding(Location(key_config, unknown.scope.line, 0), codes.UNKNOWN_SCOPE.code,
                   codes.UNKNOWN_SCOPE.message(key=key, scope=unknown.scope.name, hint=hint),
                   unknown.scope.name)


def excess_finding(scope: GrantedScope, key: str, key_config: str,
                   strict: bool = False) -> Finding:
    """SGS203, a warning; an error under `check --strict`, so every format says what fails."""
    return Finding(Location(key_config, scope.line, 0), codes.EXCESS_SCOPE.code,
                   codes.EXCESS_SCOPE.message(key=key, scope=scope.name), scope.name,
                   Level.ERROR if strict else None)


def problem_finding(problem: KeyProblem, key_config: str, key: str = "") -> Finding:
    """A problem with one key (its chain: the key's name) or with the whole config ("")."""
    code = PROBLEM_CODES[problem.kind]
    return Finding(Location(key_config, problem.line, 0), code.code,
                   code.message(detail=problem.message), key)


def annotation_finding(problem: AnnotationProblem) -> Finding:
    """The coded finding for a problem with a `# sg-scope:` comment (also shown by `scan`)."""
    if problem.kind is AnnotationProblemKind.MALFORMED:
        code, text = codes.MALFORMED_ANNOTATION, codes.MALFORMED_ANNOTATION.message(
            detail=problem.detail)
    elif problem.kind is AnnotationProblemKind.UNKNOWN_SCOPE:
        hint = f"; did you mean {_alternatives(problem.suggestions)}?" \
            if problem.suggestions else " (not in the scope catalogue)"
        code, text = codes.UNKNOWN_ANNOTATION_SCOPE, codes.UNKNOWN_ANNOTATION_SCOPE.message(
            scope=problem.detail, hint=hint)
    else:
        code, text = codes.UNUSED_ANNOTATION, codes.UNUSED_ANNOTATION.message(line=problem.detail)
    # An unused annotation's detail is a line number, which an identity must not hold.
    chain = "" if problem.kind is AnnotationProblemKind.UNUSED else problem.detail
    return Finding(problem.location, code.code, text, chain)


def _names(scopes: Iterable[str]) -> str:
    return ", ".join(f"`{scope}`" for scope in scopes)


def _alternatives(names: tuple[str, ...]) -> str:
    quoted = [f"`{name}`" for name in names]
    return " or ".join([", ".join(quoted[:-1]), quoted[-1]] if len(quoted) > 1 else quoted)
