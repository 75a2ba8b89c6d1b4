"""A project-local cache of module analyses, keyed by everything that decides them.

An entry is one module's `ModuleAnalysis` (calls, exports, arguments; rules.py keeps its
validated rules here too, through `read_entry`/`write_entry`), stored as JSON rather than
pickle: the cache folder sits in the scanned repository, and loading a pickle from a repository
you merely lint would run its code. Entries are written to a temporary file and renamed, so
concurrent runs and interrupts never leave half an entry; an entry that cannot be read is a miss.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import hashlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from . import __version__, types
from .analysis import symbols
from .secrets import redact

CACHE_DIRECTORY = ".sg-scope-lint-cache"
# The cache keeps itself bounded: at most once an hour, a run deletes entries of other formats,
# entries nothing has read for a week, and the oldest beyond MAX_FILES.
PRUNE_EVERY_SECONDS = 3600
MAX_AGE_SECONDS = 7 * 24 * 3600
MAX_FILES = 20_000
_KEPT = frozenset({".gitignore", "CACHEDIR.TAG", ".pruned"})
# Bumped when what an entry holds, or how an analysis is made, changes: older entries are
# then never read (2: helper summaries in exports; base URLs, tornado and URL defaults;
# 3: module constants other modules' requests read, `wanted` and `constants`; 4: entries keyed
# by the facts a module can read, its imports kept beside them, `stars`, `Instance.sends`;
# 5: sessions with a SendGrid base URL in exports, helpers given whole URLs, calls per value).
_FORMAT = 5
# The only classes an entry may contain; anything else makes the entry a miss.
_CLASSES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        types.RawCall, types.Step, types.Location, symbols.Client, symbols.Chain,
        symbols.MailOnly, symbols.Str, symbols.Factory, symbols.Instance,
        symbols.Helper, symbols.Template, symbols.ModuleAnalysis, symbols.Session,
    )
}
_ENUMS: dict[str, type[enum.Enum]] = {"StepKind": types.StepKind}


class AnalysisCache:
    """Entries under `<root>/.sg-scope-lint-cache/`; `None` as root disables the cache.

    A module's entry is keyed by its bytes, name and the part of the project facts it can
    read (`solver.facts_seen_by`), which depends on its imports: those are kept beside the
    entries, under the key of its bytes alone, when it is first analysed.
    """

    def __init__(self, root: Path | None) -> None:
        self.directory = root / CACHE_DIRECTORY / f"v{_FORMAT}" if root is not None else None

    def lookup(self, data: bytes, shown: str, module: str, is_package: bool,
               facts: object) -> symbols.ModuleAnalysis | None:
        key = self._key(data, shown, module, is_package, facts)
        return self.get(key) if key else None

    def store(self, data: bytes, shown: str, module: str, is_package: bool, facts: object,
              analysis: symbols.ModuleAnalysis) -> None:
        if self.directory is None:
            return
        content = _content_key(data, shown, module, is_package)
        imports = {"imports": sorted(analysis.imports), "stars": sorted(analysis.stars)}
        write_entry(self.directory / "imports" / content[:2] / content, imports)
        key = self._key(data, shown, module, is_package, facts)
        if key:
            write_entry(self.directory / key[:2] / f"{key}.json", _encode(analysis))

    def _key(self, data: bytes, shown: str, module: str, is_package: bool, facts: object) -> str:
        """The entry's key, "" while the module's imports are not known."""
        if self.directory is None:
            return ""
        from .analysis.solver import facts_seen_by
        from .analysis.symbols import ProjectFacts

        content = _content_key(data, shown, module, is_package)
        imports = read_entry(self.directory / "imports" / content[:2] / content)
        if not isinstance(imports, dict) or not isinstance(facts, ProjectFacts):
            return ""
        names, stars = imports.get("imports"), imports.get("stars")
        if not (isinstance(names, list) and isinstance(stars, list)
                and all(isinstance(n, str) for n in (*names, *stars))):
            return ""
        seen = facts_seen_by(facts, module or "__main__", shown, names, stars)
        digest = hashlib.sha256(content.encode() + b"\0" + _facts_text(seen).encode())
        return digest.hexdigest()

    def get(self, key: str) -> symbols.ModuleAnalysis | None:
        if self.directory is None:
            return None
        path = self.directory / key[:2] / f"{key}.json"
        try:
            value = _decode(read_entry(path))
        except (ValueError, KeyError, TypeError):
            return None
        if not isinstance(value, symbols.ModuleAnalysis):
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # in use: `prune` keeps it
        return value


def mark_cache_folder(folder: Path) -> None:
    """Keep the cache folder out of git and out of backups, as ruff does for `.ruff_cache`: a
    `.gitignore` that ignores everything in it, and a `CACHEDIR.TAG`
    (https://bford.info/cachedir/). Written when missing; a read-only checkout goes without."""
    tag = ("Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory "
           "tag created by sg-scope-lint.\n# For information about cache directory tags see "
           "https://bford.info/cachedir/\n")
    for name, text in ((".gitignore", "# Created by sg-scope-lint automatically.\n*\n"),
                       ("CACHEDIR.TAG", tag)):
        path = folder / name
        if not path.exists():
            with contextlib.suppress(OSError):
                folder.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")


def maintain(root: Path) -> None:
    """Mark the cache folder under `root`, and prune it when it was last pruned long ago."""
    folder = root / CACHE_DIRECTORY
    mark_cache_folder(folder)
    stamp = folder / ".pruned"
    try:
        if time.time() - stamp.stat().st_mtime < PRUNE_EVERY_SECONDS:
            return
    except OSError:
        pass
    prune(folder)
    with contextlib.suppress(OSError):
        stamp.touch()


def prune(folder: Path, now: float | None = None) -> None:
    """Delete what no run will read again: folders of other entry formats, entries (and
    recorded runs) unread for MAX_AGE_SECONDS, and the oldest files beyond MAX_FILES."""
    now = time.time() if now is None else now
    current = f"v{_FORMAT}"
    try:
        children = list(folder.iterdir())
    except OSError:
        return
    for child in children:
        if child.is_dir() and child.name.startswith("v") and child.name[1:].isdigit() \
                and child.name != current:
            shutil.rmtree(child, ignore_errors=True)
    files: list[tuple[float, str]] = []
    for directory, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(directory, name)
            if directory == os.fspath(folder) and name in _KEPT:
                continue
            try:
                files.append((os.stat(path).st_mtime, path))
            except OSError:
                continue
    files.sort(reverse=True)
    for index, (mtime, path) in enumerate(files):
        if index >= MAX_FILES or now - mtime > MAX_AGE_SECONDS:
            with contextlib.suppress(OSError):
                os.remove(path)


def _content_key(data: bytes, shown: str, module: str, is_package: bool) -> str:
    digest = hashlib.sha256()
    for part in (__version__, shown, module, str(is_package)):
        digest.update(part.encode() + b"\0")
    digest.update(data)
    return digest.hexdigest()


def read_entry(path: Path) -> Any:
    """A cache entry's JSON, or None when it is missing or unreadable (a miss, never an error)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_entry(path: Path, data: Any) -> None:
    """Write an entry through a temporary file and a rename: readers never see half of one.
    Keys are redacted; a read-only checkout still works, it just does not cache."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(redact(json.dumps(data, separators=(",", ":"))))
        os.replace(temporary, path)
    except OSError:
        return


def _facts_text(facts: object) -> str:
    """A canonical text of the project facts a module was analysed with."""
    return json.dumps(_encode(facts), sort_keys=True)


def _encode(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return {"__enum__": type(value).__name__, "value": value.value}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"__type__": type(value).__name__, **fields}
    if isinstance(value, (tuple, list)):
        return {"__tuple__": [_encode(item) for item in value]}
    if isinstance(value, frozenset):
        return {"__frozenset__": sorted(_encode(item) for item in value)}
    if isinstance(value, dict):
        return {"__dict__": sorted(([_encode(k), _encode(v)] for k, v in value.items()),
                                   key=lambda pair: json.dumps(pair[0]))}
    return value


def _decode(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    if "__enum__" in value:
        return _ENUMS[value["__enum__"]](value["value"])
    if "__tuple__" in value:
        return tuple(_decode(item) for item in value["__tuple__"])
    if "__frozenset__" in value:
        return frozenset(_decode(item) for item in value["__frozenset__"])
    if "__dict__" in value:
        return {_decode(k): _decode(v) for k, v in value["__dict__"]}
    cls = _CLASSES[value.pop("__type__")]
    fields = {name: _decode(item) for name, item in value.items()}
    if cls is symbols.ModuleAnalysis:
        fields["calls"] = list(fields["calls"])
    return cls(**fields)
