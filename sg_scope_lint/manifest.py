"""Build, serialise, read and compare the required-scopes manifest.

The manifest holds no line numbers or columns, so unrelated edits never change it: only a new
or dropped scope, endpoint, file, unresolved call or unknown endpoint does. Calls resolved by a
`# sg-scope:` annotation count towards the scopes and are listed by file and call.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ManifestError
from .secrets import redact
from .types import ScanResult

MANIFEST_VERSION = 1


@dataclass(frozen=True, slots=True)
class ManifestDiff:
    """What differs between a manifest on disk and the one the code needs."""

    added_scopes: tuple[str, ...]
    removed_scopes: tuple[str, ...]
    changed: bool


def build(result: ScanResult) -> dict[str, Any]:
    """The manifest as plain JSON data: scopes → endpoints and files, plus what stays unknown."""
    scopes: dict[str, dict[str, set[str]]] = {}
    for match in result.matches:
        for scope in match.scopes:
            entry = scopes.setdefault(scope, {"endpoints": set(), "files": set()})
            entry["endpoints"].add(match.rule.endpoint)
            entry["files"].add(match.call.location.file)
    for annotated in result.annotated:
        for scope in annotated.scopes:
            entry = scopes.setdefault(scope, {"endpoints": set(), "files": set()})
            entry["files"].add(annotated.location.file)
    declared = {(a.location.file, a.chain, tuple(sorted(a.scopes))) for a in result.annotated}
    unresolved = {(u.location.file, u.chain, u.reason) for u in result.unresolved}
    unknown = {(u.call.location.file, str(u.call.endpoint)) for u in result.unknown}
    return {
        "version": MANIFEST_VERSION,
        "scopes": {
            name: {"endpoints": sorted(entry["endpoints"]), "files": sorted(entry["files"])}
            for name, entry in sorted(scopes.items())
        },
        "unresolved": [{"file": f, "call": c, "reason": r} for f, c, r in sorted(unresolved)],
        "unknown": [{"file": f, "endpoint": e} for f, e in sorted(unknown)],
        # Calls whose scopes a `# sg-scope:` annotation declares: the tool does not know their
        # endpoint, so they are listed by file and call rather than under `endpoints`.
        "annotated": [{"file": f, "call": c, "scopes": list(s)} for f, c, s in sorted(declared)],
    }


def dumps(manifest: dict[str, Any]) -> str:
    """Deterministic text: sorted, two-space indent, trailing newline."""
    return json.dumps(manifest, indent=2, sort_keys=True) + "\n"


def read(path: Path) -> dict[str, Any] | None:
    """The manifest on disk, or None when there is no file yet."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"cannot read the manifest: {exc}", file=path.as_posix()) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ManifestError(f"not valid JSON: {exc.msg}", file=path.as_posix(),
                            line=exc.lineno) from None
    if not isinstance(data, dict) or not isinstance(data.get("scopes"), dict):
        raise ManifestError("not an sg-scope-lint manifest (no 'scopes' object)",
                            file=path.as_posix())
    return data


def compare(on_disk: dict[str, Any] | None, needed: dict[str, Any]) -> ManifestDiff:
    old = set(on_disk["scopes"]) if on_disk else set()
    new = set(needed["scopes"])
    return ManifestDiff(tuple(sorted(new - old)), tuple(sorted(old - new)), on_disk != needed)


def write_atomic(path: Path, text: str) -> None:
    """Write through a temporary file and a rename, so no reader ever sees half a manifest.

    Every file the tool writes goes through here, so every one is redacted: an API key that
    reached the text by any path is written as `SG.abc…`.
    """
    text = redact(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
