"""Turn the paths given on the command line into the sorted list of Python files to scan."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from .errors import ConfigError
from .paths import SKIPPED_DIRECTORIES, display_path, python_files

__all__ = ["SKIPPED_DIRECTORIES", "discover", "display_path"]


def discover(paths: Sequence[Path], exclude: Iterable[str] = ()) -> list[Path]:
    """Every `.py` file under `paths`, sorted, without skipped folders and `exclude` matches.

    A file named explicitly is always scanned (pre-commit passes files one by one); a path that
    does not exist is a usage error. A file reached twice (`a.py` and `./a.py`, or an absolute
    and a relative spelling, or a file and its folder) is scanned once.
    """
    patterns = tuple(exclude)
    cwd = os.getcwd()
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found.update(map(Path, python_files(os.fspath(path), patterns, cwd)))
        elif path.exists() or path.is_symlink():
            found.add(path)
        else:
            raise ConfigError(f"no such file or directory: {path.as_posix()}")
    once = {os.path.normcase(os.path.abspath(p)): p for p in sorted(found, key=os.fspath)}
    return sorted(once.values(), key=lambda p: display_path(p, cwd))
