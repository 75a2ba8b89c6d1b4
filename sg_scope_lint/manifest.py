"""Build, serialise, read and compare the required-scopes manifest.

The manifest holds no line numbers or columns, so unrelated edits never change it: only a new
or dropped scope, endpoint, file, unresolved call or unknown endpoint does. Calls resolved by a
`# sg-scope:` annotation count towards the scopes and are listed by file and call.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import files
from .errors import ManifestError, WriteError
from .files import JsonProblem, parse_json, read_text
from .secrets import redact
from .types import Annotated, KeyConfig, Match, ScanResult

MANIFEST_VERSION = 1


@dataclass(frozen=True, slots=True)
class ManifestDiff:
    """What differs between a manifest on disk and the one the code needs."""

    added_scopes: tuple[str, ...]
    removed_scopes: tuple[str, ...]
    changed: bool


def build(result: ScanResult, key_config: KeyConfig | None = None,
          root: str | None = None) -> dict[str, Any]:
    """The manifest as plain JSON data: scopes → endpoints and files, plus what stays unknown.

    With `root` (the project's folder), files are named relative to it rather than to the
    working folder, so the manifest is the same wherever the command runs.

    When the key config names several keys, `keys` adds one section per key with the scopes of
    the calls that use it (as `check` attributes them), and `unattributed` the calls no key's
    `env` names; the top-level `scopes` stay those of the whole code.
    """
    file = _namer(root)
    declared = {(file(a.location.file), a.chain, tuple(sorted(a.scopes)))
                for a in result.annotated}
    unresolved = {(file(u.location.file), u.chain, u.reason) for u in result.unresolved}
    unknown = {(file(u.call.location.file), str(u.call.endpoint)) for u in result.unknown}
    manifest: dict[str, Any] = {
        "version": MANIFEST_VERSION,
        "scopes": _scope_map(result.matches, result.annotated, file),
        "unresolved": [{"file": f, "call": c, "reason": r} for f, c, r in sorted(unresolved)],
        "unknown": [{"file": f, "endpoint": e} for f, e in sorted(unknown)],
        # Calls whose scopes a `# sg-scope:` annotation declares: the tool does not know their
        # endpoint, so they are listed by file and call rather than under `endpoints`.
        "annotated": [{"file": f, "call": c, "scopes": list(s)} for f, c, s in sorted(declared)],
    }
    if key_config is not None and len(key_config.keys) > 1:
        manifest.update(_key_sections(result, key_config, file))
    return manifest


def _namer(root: str | None) -> Callable[[str], str]:
    """How the manifest names a file shown relative to the working folder."""
    if root is None:
        return lambda shown: shown
    cwd = os.getcwd()
    return lambda shown: os.path.relpath(os.path.join(cwd, shown), root).replace(os.sep, "/")


def _scope_map(matches: Iterable[Match], annotated: Iterable[Annotated],
               file: Callable[[str], str]) -> dict[str, dict[str, list[str]]]:
    scopes: dict[str, dict[str, set[str]]] = {}
    for match in matches:
        for scope in match.scopes:
            entry = scopes.setdefault(scope, {"endpoints": set(), "files": set()})
            entry["endpoints"].add(match.rule.endpoint)
            entry["files"].add(file(match.call.location.file))
    for declared in annotated:
        for scope in declared.scopes:
            entry = scopes.setdefault(scope, {"endpoints": set(), "files": set()})
            entry["files"].add(file(declared.location.file))
    return {name: {"endpoints": sorted(entry["endpoints"]), "files": sorted(entry["files"])}
            for name, entry in sorted(scopes.items())}


def _key_sections(result: ScanResult, key_config: KeyConfig,
                  file: Callable[[str], str]) -> dict[str, Any]:
    from .keycheck import key_for

    matches: dict[str, list[Match]] = {key.name: [] for key in key_config.keys}
    annotated: dict[str, list[Annotated]] = {key.name: [] for key in key_config.keys}
    unattributed: set[tuple[str, str, str]] = set()

    def owner(call_key: str, shown: str, chain: str) -> str | None:
        key, attributed = key_for(call_key, key_config)
        if not attributed:
            unattributed.add((file(shown), chain, key.name if key else ""))
        return key.name if key else None

    for match in result.matches:
        name = owner(match.call.key, match.call.location.file, match.call.chain)
        if name is not None:
            matches[name].append(match)
    for declared in result.annotated:
        name = owner(declared.key, declared.location.file, declared.chain)
        if name is not None:
            annotated[name].append(declared)
    return {
        "keys": {
            key.name: {"env": key.env or None, "default": key.default,
                       "scopes": _scope_map(matches[key.name], annotated[key.name], file)}
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
        text = read_text(path)
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"cannot read the manifest: {exc}", file=path.as_posix()) from None
    try:
        data = parse_json(text)
    except JsonProblem as exc:
        raise ManifestError(f"not valid JSON: {exc.message}", file=path.as_posix(),
                            line=exc.line) from None
    if not isinstance(data, dict) or not isinstance(data.get("scopes"), dict):
        raise ManifestError("not an sg-scope-lint manifest (no 'scopes' object)",
                            file=path.as_posix())
    return data


def compare(on_disk: dict[str, Any] | None, needed: dict[str, Any]) -> ManifestDiff:
    """What writing `needed` would change on disk; `needed` as it would be written (redacted:
    a folder named like a key is written `SG.abc…`, and must compare equal to that)."""
    needed = json.loads(redact(dumps(needed)))
    old = set(on_disk["scopes"]) if on_disk else set()
    new = set(needed["scopes"])
    return ManifestDiff(tuple(sorted(new - old)), tuple(sorted(old - new)), on_disk != needed)


def write_atomic(path: Path, text: str) -> None:
    """Write a file the user asked for (manifest, baseline, key config) through
    `files.write_atomic`: redacted, atomic, keeping the link, mode and line endings it replaces.
    A failure (a full disk, a read-only folder) is a `WriteError` naming the file."""
    try:
        files.write_atomic(path, text)
    except OSError as exc:
        raise WriteError(f"cannot write the file: {exc.strerror or exc}",
                         file=path.as_posix()) from None
