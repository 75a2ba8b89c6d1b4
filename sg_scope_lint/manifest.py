"""Build, serialise, read and compare the required-scopes manifest.

The manifest holds no line numbers or columns, so unrelated edits never change it: only a new
or dropped scope, endpoint, file, unresolved call or unknown endpoint does.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ManifestError
from .types import KeyConfig, Match, ScanResult

MANIFEST_VERSION = 1


@dataclass(frozen=True, slots=True)
class ManifestDiff:
    """What differs between a manifest on disk and the one the code needs."""

    added_scopes: tuple[str, ...]
    removed_scopes: tuple[str, ...]
    changed: bool


def build(result: ScanResult, key_config: KeyConfig | None = None) -> dict[str, Any]:
    """The manifest as plain JSON data: scopes → endpoints and files, plus what stays unknown.

    When the key config names several keys, `keys` adds one section per key with the scopes of
    the calls that use it (as `check` attributes them), and `unattributed` the calls no key's
    `env` names; the top-level `scopes` stay those of the whole code.
    """
    unresolved = {(u.location.file, u.chain, u.reason) for u in result.unresolved}
    unknown = {(u.call.location.file, str(u.call.endpoint)) for u in result.unknown}
    manifest: dict[str, Any] = {
        "version": MANIFEST_VERSION,
        "scopes": _scope_map(result.matches),
        "unresolved": [{"file": f, "call": c, "reason": r} for f, c, r in sorted(unresolved)],
        "unknown": [{"file": f, "endpoint": e} for f, e in sorted(unknown)],
    }
    if key_config is not None and len(key_config.keys) > 1:
        manifest.update(_key_sections(result.matches, key_config))
    return manifest


def _scope_map(matches: Iterable[Match]) -> dict[str, dict[str, list[str]]]:
    scopes: dict[str, dict[str, set[str]]] = {}
    for match in matches:
        for scope in match.scopes:
            entry = scopes.setdefault(scope, {"endpoints": set(), "files": set()})
            entry["endpoints"].add(match.rule.endpoint)
            entry["files"].add(match.call.location.file)
    return {name: {"endpoints": sorted(entry["endpoints"]), "files": sorted(entry["files"])}
            for name, entry in sorted(scopes.items())}


def _key_sections(matches: Iterable[Match], key_config: KeyConfig) -> dict[str, Any]:
    from .keycheck import key_for

    by_key: dict[str, list[Match]] = {key.name: [] for key in key_config.keys}
    unattributed: set[tuple[str, str, str]] = set()
    for match in matches:
        key, attributed = key_for(match.call.key, key_config)
        if key is not None:
            by_key[key.name].append(match)
        if not attributed:
            unattributed.add((match.call.location.file, match.call.chain, key.name if key else ""))
    return {
        "keys": {
            key.name: {"env": key.env or None, "default": key.default,
                       "scopes": _scope_map(by_key[key.name])}
            for key in key_config.keys
        },
        "unattributed": [{"file": f, "call": c, "checked_against": k or None}
                         for f, c, k in sorted(unattributed)],
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
    """Write through a temporary file and a rename, so no reader ever sees half a manifest."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
