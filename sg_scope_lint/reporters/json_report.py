"""The scan as one JSON object: the scope set and every call site, unresolved call and error."""

from __future__ import annotations

import json
from typing import Any

from ..findings import annotation_finding
from ..types import ScanResult


def as_data(result: ScanResult) -> dict[str, Any]:
    return {
        "scopes": list(result.scopes),
        "calls": [
            {"file": m.call.location.file, "line": m.call.location.line,
             "col": m.call.location.col, "method": m.rule.method, "path": m.rule.path,
             "scopes": list(m.scopes), "rule": m.rule.id, "call": m.call.chain}
            for m in result.matches
        ],
        "unresolved": [
            {"file": u.location.file, "line": u.location.line, "col": u.location.col,
             "reason": u.reason, "call": u.chain}
            for u in result.unresolved
        ],
        "unknown": [
            {"file": u.call.location.file, "line": u.call.location.line,
             "col": u.call.location.col, "method": u.call.endpoint.method,
             "path": u.call.endpoint.path, "reason": u.reason,
             "call": u.call.chain}
            for u in result.unknown
        ],
        "annotated": [
            {"file": a.location.file, "line": a.location.line, "col": a.location.col,
             "scopes": list(a.scopes), "annotation_line": a.annotation.line, "reason": a.reason,
             "call": a.chain}
            for a in result.annotated
        ],
        "annotation_errors": [
            {"file": f.location.file, "line": f.location.line, "col": f.location.col,
             "code": f.code, "message": f.message}
            for f in map(annotation_finding, result.annotation_problems)
        ],
        "errors": [
            {"file": e.location.file, "line": e.location.line, "col": e.location.col,
             "message": e.message}
            for e in result.errors
        ],
        "keys": [
            {"file": k.location.file, "line": k.location.line, "col": k.location.col,
             "key": k.redacted}
            for k in result.keys
        ],
    }


def render(result: ScanResult) -> str:
    return json.dumps(as_data(result), indent=2) + "\n"
