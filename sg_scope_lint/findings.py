"""Turn reports into coded findings: what flake8, the CI formats and the baseline show.

Formatting only: the analysis is done by the engine and the key-config comparison; this module
picks the code from `codes.py`, fills in its message, and names each finding's subject without
a line number (`Finding.chain`). Findings are derived from reports, never stored beside them,
so the two cannot drift.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

from . import codes
from .types import (
    AnnotationProblem,
    AnnotationProblemKind,
    FileError,
    FileReport,
    Finding,
    HardCodedKey,
    MissingScopes,
    ScanResult,
    Unknown,
    Unresolved,
)


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


def only(result: ScanResult, keep: Iterable[Finding]) -> ScanResult:
    """The scan with only the problems in `keep`; matched and annotated calls are all kept.

    This is how a baseline hides known findings from every format at once: the reporters and
    the exit code see a result that no longer holds them.
    """
    wanted = Counter(keep)

    def kept(finding: Finding) -> bool:
        if wanted[finding] > 0:
            wanted[finding] -= 1
            return True
        return False

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
                   codes.UNKNOWN_ENDPOINT.message(endpoint=unknown.call.endpoint),
                   unknown.call.chain)


def missing_finding(missing: MissingScopes, key_config: str) -> Finding:
    """SGS201; with several keys in the config, the message names the key that lacks them."""
    where = f"{key_config} (key '{missing.key}')" if missing.key else key_config
    return Finding(missing.location, codes.SCOPE_NOT_GRANTED.code,
                   codes.SCOPE_NOT_GRANTED.message(target=missing.target,
                                                   scopes=_names(missing.scopes),
                                                   key_config=where),
                   missing.target)


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
