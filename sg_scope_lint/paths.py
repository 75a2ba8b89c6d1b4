"""Path work shared by discovery and the fast path: walking a tree for Python files, showing
paths, finding the project's pyproject.toml.

Standard library only, strings rather than `pathlib`, and `fnmatch` imported only when there are
exclude patterns: the fast path (`quick.py`) walks whole trees before the package's analysis is
imported, and must cost little more than reading the files.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

# Folders that hold other people's code, generated files or caches, never the project's own.
SKIPPED_DIRECTORIES = frozenset({
    ".git", ".hg", ".svn", ".venv", "venv", ".env", "env", "site-packages", "dist-packages",
    "node_modules", "build", "dist", "__pycache__", ".tox", ".nox", ".eggs", ".mypy_cache",
    ".pytest_cache", ".ruff_cache", ".sg-scope-lint-cache", "__pypackages__", ".direnv",
})


# Control characters in a file name, as reports show them: a name holding a line break must not
# start a line of its own in a report (it would read as a finding).
_CONTROL = {code: f"\\x{code:02x}" for code in (*range(32), 127, 0x85)} | {
    10: "\\n", 13: "\\r", 9: "\\t", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def display_path(path: str | os.PathLike[str], cwd: str | None = None) -> str:
    """A path as reports show it: POSIX, relative to the working directory where possible,
    control characters escaped (`\\n`).

    Called for every file of a large tree, so the common case (a relative path inside the
    working directory) is answered with string operations; pass `cwd` in loops.
    """
    text = os.fspath(path)
    if not os.path.isabs(text) and not text.startswith(".."):
        normal = os.path.normpath(text)
        if not normal.startswith(".."):
            return printable(normal.replace(os.sep, "/"))
    return printable(
        os.path.relpath(os.path.abspath(text), cwd or os.getcwd()).replace(os.sep, "/"))


def printable(text: str) -> str:
    """`text` on one line: control characters escaped (`\\n`, `\\x00`)."""
    return text if text.isprintable() else text.translate(_CONTROL)


def python_files(root: str, patterns: Sequence[str] = (), cwd: str | None = None) -> Iterator[str]:
    """Every `.py` file under the folder `root`, skipping SKIPPED_DIRECTORIES, `*.egg-info`,
    virtualenvs (a folder with `pyvenv.cfg`) and whatever `patterns` exclude. Unsorted. Like
    `os.walk`, it does not descend into symlinked folders."""
    cwd = cwd or os.getcwd()
    pending = [root]
    while pending:
        directory = pending.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue  # an unreadable folder holds nothing we can scan (os.walk did the same)
        for entry in entries:
            name = entry.name
            if entry.is_dir():
                if not entry.is_symlink() and not skipped_directory(entry.path, name) and not excluded(
                        entry.path, name, patterns, cwd):
                    pending.append(entry.path)
            elif name.endswith(".py") and not excluded(entry.path, name, patterns, cwd):
                yield entry.path


def skipped_directory(path: str, name: str) -> bool:
    return (name in SKIPPED_DIRECTORIES or name.endswith(".egg-info")
            or os.path.isfile(os.path.join(path, "pyvenv.cfg")))


def excluded(path: str, name: str, patterns: Sequence[str], cwd: str | None = None) -> bool:
    """A pattern matches the path relative to the working directory, or one of its names."""
    if not patterns:
        return False
    from fnmatch import fnmatch

    shown = display_path(path, cwd)
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if fnmatch(shown, pattern) or fnmatch(name, pattern):
            return True
        if shown.startswith(pattern + "/"):
            return True
    return False


def pyproject_candidates(start: str) -> Iterator[str]:
    """Where the nearest pyproject.toml is looked for, nearest first: `start` (an absolute
    folder) and each folder above it."""
    directory = start
    while True:
        yield os.path.join(directory, "pyproject.toml")
        parent = os.path.dirname(directory)
        if parent == directory:
            return
        directory = parent


def find_pyproject(start: str) -> str | None:
    """The nearest pyproject.toml at or above the folder `start` (an absolute path)."""
    return next((path for path in pyproject_candidates(start) if os.path.isfile(path)), None)
