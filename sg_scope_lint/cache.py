"""A project-local cache of module analyses, keyed by everything that decides them.

An entry is one module's `ModuleAnalysis` (calls, exports, arguments; rules.py keeps its
validated rules here too, through `read_entry`/`write_entry`), stored as JSON rather than
pickle: the cache folder sits in the scanned repository, and loading a pickle from a repository
you merely lint would run its code. Entries are sealed (`sealed.Folder`): one this user's tool
did not write here is a miss, so a committed or crafted entry cannot change a finding. Entries
are written to a temporary file and renamed, so concurrent runs and interrupts never leave half
an entry; an entry that cannot be read or decoded is a miss.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import functools
import hashlib
import json
import os
import shutil
import time
import types as pytypes
import typing
from pathlib import Path
from typing import Any

from . import __version__, types
from .analysis import symbols
from .sealed import STAMP, Folder, mark_folder
from .secrets import redact

CACHE_DIRECTORY = ".sg-scope-lint-cache"
# The cache keeps itself bounded: at most once an hour, a run deletes entries of other formats,
# entries nothing has read for a week, and the oldest beyond MAX_FILES.
PRUNE_EVERY_SECONDS = 3600
MAX_AGE_SECONDS = 7 * 24 * 3600
MAX_FILES = 20_000
_KEPT = frozenset({".gitignore", "CACHEDIR.TAG", ".pruned", STAMP})  # STAMP: see sealed.py
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
        self.folder = open_folder(root)
        self.directory = f"v{_FORMAT}" if self.folder is not None else None

    def claim(self) -> str | None:
        """A warning when the cache folder was not made by this user's tool (see `sealed`)."""
        return self.folder.claim() if self.folder is not None else None

    def lookup(self, data: bytes, shown: str, module: str, is_package: bool,
               facts: object) -> symbols.ModuleAnalysis | None:
        key = self._key(data, shown, module, is_package, facts)
        return self.get(key) if key else None

    def store(self, data: bytes, shown: str, module: str, is_package: bool, facts: object,
              analysis: symbols.ModuleAnalysis) -> None:
        if self.folder is None:
            return
        content = _content_key(data, shown, module, is_package)
        imports = {"imports": sorted(analysis.imports), "stars": sorted(analysis.stars)}
        write_entry(self.folder, f"{self.directory}/imports/{content[:2]}/{content}", imports)
        key = self._key(data, shown, module, is_package, facts)
        if key:
            write_entry(self.folder, f"{self.directory}/{key[:2]}/{key}.json", _encode(analysis))

    def _key(self, data: bytes, shown: str, module: str, is_package: bool, facts: object) -> str:
        """The entry's key, "" while the module's imports are not known."""
        if self.folder is None:
            return ""
        from .analysis.solver import facts_seen_by
        from .analysis.symbols import ProjectFacts

        content = _content_key(data, shown, module, is_package)
        imports = read_entry(self.folder, f"{self.directory}/imports/{content[:2]}/{content}")
        if not isinstance(imports, dict) or not isinstance(facts, ProjectFacts):
            return ""
        names, stars = imports.get("imports"), imports.get("stars")
        if not (isinstance(names, list) and isinstance(stars, list)
                and all(isinstance(n, str) for n in (*names, *stars))):
            return ""
        seen = facts_seen_by(facts, module or "__main__", shown, names, stars)
        digest = hashlib.sha256(content.encode() + b"\0" + _facts_text(seen).encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def get(self, key: str) -> symbols.ModuleAnalysis | None:
        if self.folder is None:
            return None
        try:
            value = _decode(read_entry(self.folder, f"{self.directory}/{key[:2]}/{key}.json"))
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return None
        return value if isinstance(value, symbols.ModuleAnalysis) else None  # read: touched


def mark_cache_folder(folder: Path) -> None:
    """Keep the cache folder out of git and out of backups, as ruff does for `.ruff_cache`: a
    `.gitignore` that ignores everything in it, and a `CACHEDIR.TAG`
    (https://bford.info/cachedir/). Written when missing; a read-only checkout goes without.
    One implementation with the sealed folder's own (`sealed.mark_folder`)."""
    with contextlib.suppress(OSError):
        mark_folder(os.fspath(folder))


def maintain(root: Path) -> None:
    """Mark the cache folder under `root`, and prune it when it was last pruned long ago."""
    folder = root / CACHE_DIRECTORY
    mark_cache_folder(folder)
    if folder.is_symlink() or not folder.is_dir():
        return  # a committed link must not let pruning delete files elsewhere (sealed.py)
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
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")  # non-UTF-8 names
    digest.update(data)
    return digest.hexdigest()


def open_folder(root: Path | None) -> Folder | None:
    """The project's cache folder, None when caching is off or impossible (no secret)."""
    if root is None:
        return None
    folder = Folder(str(root / CACHE_DIRECTORY))
    return folder if folder.usable else None


def read_entry(folder: Folder, relative: str) -> Any:
    """A sealed entry's JSON, or None when it is missing, foreign or unreadable (a miss, never
    an error: deep nesting and huge numbers included)."""
    text = folder.read(relative)
    if text is None:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def write_entry(folder: Folder, relative: str, data: Any) -> None:
    """Write a sealed entry, keys redacted (through a temporary file and a rename)."""
    folder.write(relative, redact(json.dumps(data, separators=(",", ":"))))


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
    hints = _hints(cls)
    for name, item in fields.items():
        if name not in hints or not _conforms(item, hints[name]):
            raise TypeError(f"{cls.__name__}.{name} is not a {hints.get(name)}")
    return cls(**fields)


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _conforms(value: Any, hint: Any) -> bool:
    """Whether a decoded value has the type its field declares: an entry is checked against
    the classes' own annotations, so a wrong type is a miss, never a crash in the engine."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return True
    if hint is None or hint is type(None):
        return value is None
    if origin is typing.Union or origin is pytypes.UnionType:
        return any(_conforms(value, option) for option in args)
    if origin is tuple:
        if not isinstance(value, tuple):
            return False
        if len(args) == 2 and args[1] is Ellipsis:
            return all(_conforms(item, args[0]) for item in value)
        return len(args) == len(value) and all(map(_conforms, value, args))
    if origin in (list, frozenset):
        return isinstance(value, origin) and all(_conforms(item, args[0]) for item in value)
    if origin is dict:
        return isinstance(value, dict) and all(
            _conforms(k, args[0]) and _conforms(v, args[1]) for k, v in value.items())
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(hint, type):
        return isinstance(value, hint)  # a dataclass was checked when it was decoded
    return False  # a form entries never hold
