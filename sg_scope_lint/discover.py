"""Turn the paths given on the command line into the sorted list of Python files to scan."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from .errors import ConfigError
from .paths import SKIPPED_DIRECTORIES, Tree, display_path, tree

__all__ = ["SKIPPED_DIRECTORIES", "discover", "discover_tree", "display_path"]


def discover(paths: Sequence[Path], exclude: Iterable[str] = (), gitignore: bool = True
             ) -> list[Path]:
    """Every `.py` file under `paths`, sorted (see `paths.tree` for what a folder holds)."""
    return discover_tree(paths, exclude, gitignore)[0]


def discover_tree(paths: Sequence[Path], exclude: Iterable[str] = (), gitignore: bool = True
                  ) -> tuple[list[Path], Tree]:
    """The sorted files, and the tree they came from (what was skipped, pyproject.toml files).

    `exclude` holds patterns anchored by `paths.anchor_pattern`. A file named explicitly is
    always scanned; a path that does not exist is a usage error. A file reached twice (`a.py`
    and `./a.py`, or an absolute and a relative spelling, or a file and its folder) is scanned
    once.
    """
    for path in paths:
        if not (path.exists() or path.is_symlink()):
            raise ConfigError(f"no such file or directory: {path.as_posix()}")
    found = tree([os.fspath(path) for path in paths], tuple(exclude), gitignore)
    cwd = os.getcwd()
    once: dict[str, Path] = {}
    for name in sorted({os.path.normpath(name) for name in found.files}):
        once.setdefault(os.path.normcase(os.path.abspath(name)), Path(name))
    return sorted(once.values(), key=lambda p: display_path(p, cwd)), found
