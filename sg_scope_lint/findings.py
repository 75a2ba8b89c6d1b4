"""Turn one file's report into coded findings: what a linter front end (flake8) shows.

Formatting only: the analysis is done by the engine and the key-config comparison; this module
picks the code from `codes.py` and fills in its message.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import codes
from .types import AnnotationProblem, AnnotationProblemKind, FileReport, Finding, MissingScopes


def file_findings(report: FileReport, missing: Iterable[MissingScopes] = (),
                  key_config: str = "") -> list[Finding]:
    """Every finding of one file, in position order.

    `missing` is the key-config comparison for this file and `key_config` the name shown for
    that config; both are empty when no key config is configured.
    """
    out = [Finding(e.location, codes.FILE_NOT_ANALYSED.code,
                   codes.FILE_NOT_ANALYSED.message(message=e.message)) for e in report.errors]
    out += [Finding(u.location, codes.UNRESOLVED_CALL.code,
                    codes.UNRESOLVED_CALL.message(call=u.chain, reason=u.reason))
            for u in report.unresolved]
    out += [Finding(k.call.location, codes.UNKNOWN_ENDPOINT.code,
                    codes.UNKNOWN_ENDPOINT.message(endpoint=k.call.endpoint))
            for k in report.unknown]
    out += [Finding(m.location, codes.SCOPE_NOT_GRANTED.code,
                    codes.SCOPE_NOT_GRANTED.message(
                        target=m.target, scopes=_names(m.scopes),
                        key_config=f"{key_config} (key '{m.key}')" if m.key else key_config))
            for m in missing]
    out += [annotation_finding(problem) for problem in report.annotation_problems]
    return sorted(out)


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
    return Finding(problem.location, code.code, text)


def _names(scopes: Iterable[str]) -> str:
    return ", ".join(f"`{scope}`" for scope in scopes)


def _alternatives(names: tuple[str, ...]) -> str:
    quoted = [f"`{name}`" for name in names]
    return " or ".join([", ".join(quoted[:-1]), quoted[-1]] if len(quoted) > 1 else quoted)
