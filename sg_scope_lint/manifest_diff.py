"""Compare two manifests: the scopes a change adds or drops, and what needs each of them.

This is the reviewer's view of a pull request ("this change now needs
`suppression.spam_reports.read`, for `GET /v3/suppression/spam_reports` in `src/app.py`"), so
an added scope is shown with the new manifest's endpoints and files, a dropped one with the
old manifest's. Unresolved calls, unknown endpoints and annotated calls that come or go are
listed too: they are where a scope may hide, or where a person declared one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import manifest
from .errors import ManifestError


@dataclass(frozen=True, slots=True, order=True)
class ScopeChange:
    """A scope one manifest needs and the other does not, with the endpoints and files behind it."""

    scope: str
    endpoints: tuple[str, ...]
    files: tuple[str, ...]


@dataclass(frozen=True, slots=True, order=True)
class OpenItem:
    """An unresolved call, unknown endpoint or annotated call a manifest lists.

    `text` is the call (the endpoint, for an unknown endpoint); `detail` is why a call is
    unresolved, or the scopes an annotation declares.
    """

    file: str
    text: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ManifestChanges:
    added: tuple[ScopeChange, ...] = ()
    dropped: tuple[ScopeChange, ...] = ()
    unresolved_added: tuple[OpenItem, ...] = ()
    unresolved_removed: tuple[OpenItem, ...] = ()
    unknown_added: tuple[OpenItem, ...] = ()
    unknown_removed: tuple[OpenItem, ...] = ()
    annotated_added: tuple[OpenItem, ...] = ()
    annotated_removed: tuple[OpenItem, ...] = ()

    @property
    def empty(self) -> bool:
        return not any((self.added, self.dropped, self.unresolved_added,
                        self.unresolved_removed, self.unknown_added, self.unknown_removed,
                        self.annotated_added, self.annotated_removed))


def read(path: Path) -> dict[str, Any]:
    """A manifest that must exist: a missing file is an error here, never an empty manifest."""
    data = manifest.read(path)
    if data is None:
        raise ManifestError("no such manifest file", file=path.as_posix())
    return data


def diff(old: dict[str, Any], new: dict[str, Any], old_name: str = "OLD",
         new_name: str = "NEW") -> ManifestChanges:
    """What changed from `old` to `new`; names label the manifests in error messages."""
    old_scopes, new_scopes = _scopes(old, old_name), _scopes(new, new_name)
    old_unresolved = _open_items(old, old_name, "unresolved", "call")
    new_unresolved = _open_items(new, new_name, "unresolved", "call")
    old_unknown = _open_items(old, old_name, "unknown", "endpoint")
    new_unknown = _open_items(new, new_name, "unknown", "endpoint")
    old_annotated = _open_items(old, old_name, "annotated", "call")
    new_annotated = _open_items(new, new_name, "annotated", "call")
    return ManifestChanges(
        added=tuple(new_scopes[s] for s in sorted(set(new_scopes) - set(old_scopes))),
        dropped=tuple(old_scopes[s] for s in sorted(set(old_scopes) - set(new_scopes))),
        unresolved_added=tuple(sorted(new_unresolved - old_unresolved)),
        unresolved_removed=tuple(sorted(old_unresolved - new_unresolved)),
        unknown_added=tuple(sorted(new_unknown - old_unknown)),
        unknown_removed=tuple(sorted(old_unknown - new_unknown)),
        annotated_added=tuple(sorted(new_annotated - old_annotated)),
        annotated_removed=tuple(sorted(old_annotated - new_annotated)),
    )


def _scopes(data: dict[str, Any], name: str) -> dict[str, ScopeChange]:
    found = {}
    for scope, entry in data["scopes"].items():
        if not isinstance(entry, dict):
            raise ManifestError("must be an object with 'endpoints' and 'files'", file=name,
                                key=f"scopes.{scope}")
        found[scope] = ScopeChange(scope, _strings(entry, "endpoints", name, f"scopes.{scope}"),
                                   _strings(entry, "files", name, f"scopes.{scope}"))
    return found


def _open_items(data: dict[str, Any], name: str, section: str, field: str) -> set[OpenItem]:
    items = data.get(section, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ManifestError("must be a list of objects", file=name, key=section)
    found = set()
    for index, item in enumerate(items):
        where = f"{section}[{index}]"
        file, text = item.get("file"), item.get(field)
        detail = item.get("reason", "")
        scopes = item.get("scopes", [])
        if not all(isinstance(value, str) for value in (file, text, detail)) or not (
                isinstance(scopes, list) and all(isinstance(s, str) for s in scopes)):
            raise ManifestError(f"needs 'file' and '{field}' strings", file=name, key=where)
        found.add(OpenItem(file, text, detail or ", ".join(scopes)))
    return found


def _strings(entry: dict[str, Any], field: str, name: str, where: str) -> tuple[str, ...]:
    values = entry.get(field)
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ManifestError("must be a list of strings", file=name, key=f"{where}.{field}")
    return tuple(values)
