"""Turn the paths given on the command line into the sorted list of Python files to scan."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from .errors import ConfigError

# Folders that hold other people's code, generated files or caches, never the project's own.
SKIPPED_DIRECTORIES = frozenset({
    ".git", ".hg", ".svn", ".venv", "venv", ".env", "env", "site-packages", "dist-packages",
    "node_modules", "build", "dist", "__pycache__", ".tox", ".nox", ".eggs", ".mypy_cache",
    ".pytest_cache", ".ruff_cache", ".sg-scope-lint-cache", "__pypackages__", ".direnv",
})


def display_path(path: Path, cwd: str | None = None) -> str:
    """A path as reports show it: POSIX, relative to the working directory where possible.

    Called for every file of a large tree, so the common case (a relative path inside the
    working directory) is answered with string operations; pass `cwd` in loops.
    """
    text = os.fspath(path)
    if not os.path.isabs(text) and not text.startswith(".."):
        normal = os.path.normpath(text)
        if not normal.startswith(".."):
            return normal.replace(os.sep, "/")
    return os.path.relpath(os.path.abspath(text), cwd or os.getcwd()).replace(os.sep, "/")


def discover(paths: Sequence[Path], exclude: Iterable[str] = ()) -> list[Path]:
    """Every `.py` file under `paths`, sorted, without skipped folders and `exclude` matches.

    A file named explicitly is always scanned (pre-commit passes files one by one); a path that
    does not exist is a usage error.
    """
    patterns = tuple(exclude)
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found.update(_walk(path, patterns))
        elif path.exists() or path.is_symlink():
            found.add(path)
        else:
            raise ConfigError(f"no such file or directory: {path.as_posix()}")
    cwd = os.getcwd()
    return sorted(found, key=lambda p: display_path(p, cwd))


def _walk(root: Path, patterns: tuple[str, ...]) -> Iterable[Path]:
    for directory, subdirectories, files in os.walk(root):
        base = Path(directory)
        subdirectories[:] = sorted(
            name for name in subdirectories
            if not _skipped_directory(base / name) and not _excluded(base / name, patterns)
        )
        for name in files:
            path = base / name
            if name.endswith(".py") and not _excluded(path, patterns):
                yield path


def _skipped_directory(path: Path) -> bool:
    return (path.name in SKIPPED_DIRECTORIES or path.name.endswith(".egg-info")
            or (path / "pyvenv.cfg").is_file())


def _excluded(path: Path, patterns: tuple[str, ...]) -> bool:
    """A pattern matches the path relative to the working directory, or one of its names."""
    if not patterns:
        return False
    shown = display_path(path)
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if fnmatch.fnmatch(shown, pattern) or fnmatch.fnmatch(path.name, pattern):
            return True
        if shown.startswith(pattern + "/"):
            return True
    return False
