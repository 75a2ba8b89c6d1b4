"""Which project each scanned file belongs to, and that project's settings.

The project is the unit a run answers for: a file belongs to the nearest folder above it whose
pyproject.toml holds `[tool.sg-scope-lint]` (`paths.project_root`); a file in no such folder
belongs to the project of the command's first path. Each project brings its own excludes,
rules, key config and manifest, so a monorepo's projects each get their own answer, whether
the command runs at the top of the repository, inside one project, or names a single file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .config import Config, load_config, parse_config
from .paths import excluded_below, has_table


@dataclass(frozen=True, slots=True)
class Project:
    """A project's settings and the files of the run that belong to it, in scan order."""

    config: Config
    files: tuple[Path, ...]


def start_folder(paths: Sequence[Path]) -> Path:
    """Where the project of a command's paths is looked for: the first path's folder."""
    first = paths[0] if paths else Path(".")
    return first if first.is_dir() else first.parent


def base_config(paths: Sequence[Path]) -> Config:
    """The settings of the project the command's first path belongs to."""
    return load_config(start_folder(paths))


def split(files: Sequence[Path], base: Config,
          overridden: Callable[[Config], Config] = lambda config: config) -> list[Project]:
    """The files grouped by project, the base project first. A project other than the base
    takes its own settings, `overridden` by the command line's, and its own excludes are
    applied to its files."""
    owners: dict[str, str | None] = {}
    groups: dict[str, list[Path]] = {}
    root = os.fspath(base.root)
    for path in files:
        owner = _owner(os.path.dirname(os.path.abspath(path)), owners) or root
        groups.setdefault(owner, []).append(path)
    projects = [Project(base, tuple(groups.pop(root, ())))]
    for folder in sorted(groups):
        config = overridden(parse_config(Path(folder) / "pyproject.toml"))
        kept = tuple(path for path in groups[folder]
                     if not excluded_below(folder, os.path.abspath(path), config.exclude))
        projects.append(Project(config, kept))
    if len(projects) > 1 and not projects[0].files:
        projects.pop(0)  # the command's paths hold only other projects' files
    return projects


def _owner(folder: str, owners: dict[str, str | None]) -> str | None:
    """The nearest folder at or above `folder` with `[tool.sg-scope-lint]`, memoised."""
    if folder in owners:
        return owners[folder]
    candidate = os.path.join(folder, "pyproject.toml")
    parent = os.path.dirname(folder)
    if os.path.isfile(candidate) and has_table(candidate):
        found: str | None = folder
    else:
        found = None if parent == folder else _owner(parent, owners)
    owners[folder] = found
    return found


def check_single(projects: Sequence[Project], what: str) -> None:
    """Refuse what cannot be split per project (one output file, one JSON document)."""
    if len(projects) > 1:
        from .errors import ConfigError

        names = ", ".join(os.path.relpath(p.config.root).replace(os.sep, "/") for p in projects)
        raise ConfigError(f"the paths span {len(projects)} projects ({names}); {what}")
