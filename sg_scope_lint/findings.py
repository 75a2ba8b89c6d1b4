"""Turn a scan's problems into `Finding`s, the one model the CI formats and the baseline read.

Findings are derived from a `ScanResult`, never stored beside it, so the two cannot drift; a
later stage (the key-config comparison) adds its own findings with `make`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

from .codes import CODES, FILE_ERROR, HARD_CODED_KEY, UNKNOWN_ENDPOINT, UNRESOLVED, Code
from .types import (
    FileError,
    FileReport,
    Finding,
    HardCodedKey,
    Location,
    ScanResult,
    Unknown,
    Unresolved,
)


def make(code: Code, location: Location, chain: str = "", **fields: str) -> Finding:
    """A finding of `code`, its message filled from `fields`; the level always comes from the
    table, so one code never shows at two levels."""
    if code.code not in CODES:
        raise ValueError(f"{code.code} is not in codes.CODES")
    return Finding(location, code.code, code.level, code.message.format(**fields), chain)


def of_unresolved(item: Unresolved) -> Finding:
    return make(UNRESOLVED, item.location, item.chain, call=item.chain, reason=item.reason)


def of_unknown(item: Unknown) -> Finding:
    call = item.call
    return make(UNKNOWN_ENDPOINT, call.location, call.chain, endpoint=str(call.endpoint),
                call=call.chain)


def of_file_error(item: FileError) -> Finding:
    # No chain: a file's error message may name a line, and the identity must not.
    return make(FILE_ERROR, item.location, message=item.message)


def of_key(item: HardCodedKey) -> Finding:
    return make(HARD_CODED_KEY, item.location, item.redacted, key=item.redacted)


def of_file(report: FileReport) -> list[Finding]:
    return [*map(of_unresolved, report.unresolved), *map(of_unknown, report.unknown),
            *map(of_file_error, report.errors), *map(of_key, report.keys)]


def scan_findings(result: ScanResult) -> tuple[Finding, ...]:
    """Every problem of the scan, sorted by location, then code and chain."""
    return tuple(sorted(finding for report in result.files for finding in of_file(report)))


def only(result: ScanResult, keep: Iterable[Finding]) -> ScanResult:
    """The scan with only the problems in `keep` (calls that matched a rule are all kept).

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
                unresolved=tuple(u for u in report.unresolved if kept(of_unresolved(u))),
                unknown=tuple(u for u in report.unknown if kept(of_unknown(u))),
                errors=tuple(e for e in report.errors if kept(of_file_error(e))),
                keys=tuple(k for k in report.keys if kept(of_key(k))))
        for report in result.files
    ))
