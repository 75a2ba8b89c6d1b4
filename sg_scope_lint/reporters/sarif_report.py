"""The findings as a SARIF 2.1.0 log, for GitHub code scanning and other SARIF viewers.

Code scanning tracks an alert across commits by its rule id and fingerprints, so both are
stable: rule ids are the diagnostic codes, and `partialFingerprints` hash the code, file and
chain (plus the occurrence number among identical ones), never a line number, so moving code
neither closes nor reopens an alert. URIs are relative to `%SRCROOT%` (the folder the scan
ran in) and the log holds no time or absolute path, so the same code gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from .. import __version__, codedocs
from ..codes import CODES, Code, level_of
from ..findings import scan_findings
from ..types import Finding, ScanResult

SCHEMA_URI = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
              "sarif-schema-2.1.0.json")
SRCROOT = "%SRCROOT%"
FINGERPRINT = "sgScopeLintIdentity/v1"


def render(result: ScanResult) -> str:
    return render_findings(scan_findings(result))


def render_findings(findings: Iterable[Finding]) -> str:
    """Any findings (the scan's, a key-config check's) as one SARIF run."""
    codes = sorted(CODES, key=lambda c: c.code)
    docs = codedocs.load()
    index = {c.code: number for number, c in enumerate(codes)}
    seen: Counter[tuple[str, str, str]] = Counter()
    results = []
    for finding in sorted(findings):
        occurrence = seen[finding.identity]
        seen[finding.identity] += 1
        results.append(_result(finding, index[finding.code], occurrence))
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "sg-scope-lint", "version": __version__,
                                "semanticVersion": __version__,
                                "rules": [_rule(code, docs.get(code.code)) for code in codes]}},
            "originalUriBaseIds": {SRCROOT: {"description": {
                "text": "The folder sg-scope-lint ran in; every result's path is relative "
                        "to it."}}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _rule(code: Code, doc: codedocs.CodeDoc | None) -> dict[str, Any]:
    """A rule per code, its help the code's section of docs/codes.md."""
    rule: dict[str, Any] = {"id": code.code, "name": code.name}
    if doc is not None:
        rule["shortDescription"] = {"text": doc.summary.split(". ")[0].rstrip(".") + "."}
        rule["fullDescription"] = {"text": doc.summary}
        rule["help"] = {"text": doc.text, "markdown": doc.markdown}
    rule["defaultConfiguration"] = {"level": code.level.value}
    return rule


def _result(finding: Finding, rule_index: int, occurrence: int) -> dict[str, Any]:
    location = finding.location
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": quote(location.file, safe="/", errors="surrogateescape"), "uriBaseId": SRCROOT}}
    if location.line >= 1:  # a finding about a whole file has no region
        physical["region"] = {"startLine": location.line,
                              **({"startColumn": location.col} if location.col >= 1 else {})}
    identity = "\0".join((*finding.identity, str(occurrence)))
    return {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": level_of(finding).value,
        "message": {"text": finding.text},
        "locations": [{"physicalLocation": physical}],
        "partialFingerprints": {
            FINGERPRINT: hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()},
    }
