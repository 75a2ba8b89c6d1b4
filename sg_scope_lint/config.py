"""`[tool.sg-scope-lint]` in pyproject.toml plus command-line overrides, as one frozen `Config`."""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from . import paths
from .codes import check_prefixes
from .errors import ConfigError
from .files import read_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on Python 3.10
    import tomli as tomllib

TABLE = "sg-scope-lint"
DEFAULT_MANIFEST = "sendgrid-scopes.json"


@dataclass(frozen=True, slots=True)
class Config:
    """Settings for one run. Paths are absolute; `source` is the pyproject.toml they came from."""

    exclude: tuple[str, ...] = ()  # anchored patterns (`paths.anchor_pattern`)
    rules: tuple[Path, ...] = ()
    key_config: Path | None = None
    manifest: Path = Path(DEFAULT_MANIFEST)
    source: Path | None = None
    root: Path = Path(".")  # the project folder (`paths.project_root`)
    respect_gitignore: bool = True
    select: tuple[str, ...] = ()  # code prefixes (`suppress.chosen`)
    ignore: tuple[str, ...] = ()

    def with_overrides(self, **changes: Any) -> Config:
        """A copy with the command line's settings applied (None means "not given")."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


# key in the table -> (expected type, field name, description)
_KEYS: dict[str, tuple[type, str, str]] = {
    "exclude": (list, "exclude", "a list of glob patterns"),
    "rules": (list, "rules", "a list of rule file paths"),
    "key-config": (str, "key_config", "a path"),
    "manifest": (str, "manifest", "a path"),
    "respect-gitignore": (bool, "respect_gitignore", "true or false"),
    "select": (list, "select", "a list of codes or code prefixes"),
    "ignore": (list, "ignore", "a list of codes or code prefixes"),
}


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above `start`."""
    found = paths.find_pyproject(os.fspath(start.absolute()))
    return Path(found) if found is not None else None


def load_config(start: Path | None = None) -> Config:
    """The settings of the project the folder `start` (default: the working folder) belongs to
    (`paths.project_root`); defaults when its root has no `[tool.sg-scope-lint]`."""
    root, pyproject = paths.project_root(os.fspath((start or Path.cwd()).resolve()))
    if pyproject is None:
        return Config(manifest=Path(root) / DEFAULT_MANIFEST, root=Path(root))
    return parse_config(Path(pyproject))


def parse_config(pyproject: Path) -> Config:
    """Validate the table strictly: an unknown key or a wrong type is an error naming its line."""
    display = pyproject.as_posix()
    try:
        text = read_text(pyproject)
        document = tomllib.loads(text)
    except OSError as exc:
        raise ConfigError(f"cannot read file: {exc.strerror}", file=display) from None
    except UnicodeDecodeError:
        raise ConfigError("not UTF-8 text", file=display) from None
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        message = str(exc).replace(where.group(0), "").strip() if where else str(exc)
        raise ConfigError(f"malformed TOML: {message}", file=display,
                          line=int(where.group(1)) if where else 0) from None
    tool = document.get("tool", {})
    if not isinstance(tool, dict):  # `tool = 5`: valid TOML, but not where tools keep tables
        raise ConfigError(f"`tool` must be a table, found {tool!r}"[:200], file=display,
                          line=_line_of_key(text, "tool"))
    table: dict[str, Any] = tool.get(TABLE, {})
    if not isinstance(table, dict):
        raise ConfigError(f"[tool.{TABLE}] must be a table", file=display)
    table_line = _line_of_table(text)
    try:
        return _config(table, text, display, pyproject, table_line)
    except ConfigError as first:
        _check_shape(table, text, display, table_line)  # every problem, when the schema sees them
        raise first from None


def _config(table: dict[str, Any], text: str, display: str, pyproject: Path,
            table_line: int) -> Config:
    base = pyproject.parent
    values: dict[str, Any] = {"source": pyproject, "manifest": base / DEFAULT_MANIFEST,
                              "root": base}
    for key, value in table.items():
        line = _line_of_key(text, key, table_line)
        if key not in _KEYS:
            raise ConfigError(f"unknown setting (expected one of {', '.join(sorted(_KEYS))})",
                              file=display, line=line, key=f"tool.{TABLE}.{key}")
        expected, field_name, description = _KEYS[key]
        if not isinstance(value, expected) or (
                isinstance(value, list) and not all(isinstance(item, str) for item in value)):
            raise ConfigError(f"must be {description}, found {value!r}", file=display, line=line,
                              key=f"tool.{TABLE}.{key}")
        if any(isinstance(item, str) and "\0" in item
               for item in (value if isinstance(value, list) else [value])):
            raise ConfigError("holds a NUL character, which no path can", file=display,
                              line=line, key=f"tool.{TABLE}.{key}")
        checked: Any = value  # its type was checked just above
        if key == "exclude":
            values[field_name] = tuple(paths.anchor_pattern(item, os.fspath(base))
                                       for item in checked)
        elif key == "respect-gitignore":
            values[field_name] = checked
        elif key in ("select", "ignore"):
            try:
                values[field_name] = check_prefixes(checked)
            except ValueError as error:
                raise ConfigError(str(error), file=display, line=line,
                                  key=f"tool.{TABLE}.{key}") from None
        elif key == "rules":
            values[field_name] = tuple(base / item for item in checked)
        else:
            values[field_name] = base / checked
    return Config(**values)


def _check_shape(table: dict[str, Any], text: str, display: str, table_line: int) -> None:
    """The table against its shipped JSON Schema: every problem at once, each at its line."""
    from .errors import combined
    from .schemacheck import problems

    found = problems(table, "pyproject")
    if found:
        raise combined([ConfigError(message, file=display,
                                    line=_line_of_key(text, key.split(".")[0].split("[")[0],
                                                      table_line),
                                    key=f"tool.{TABLE}.{key}") for _, key, message in found])


def _line_of_table(text: str) -> int:
    """The line of the `[tool.sg-scope-lint]` header, 0 when the table is written otherwise."""
    header = re.compile(r'^\s*\[\s*tool\s*\.\s*("sg-scope-lint"|sg-scope-lint)\s*\]')
    for number, line in enumerate(text.splitlines(), start=1):
        if header.match(line):
            return number
    return 0


def _line_of_key(text: str, key: str, after: int = 0) -> int:
    """Best-effort line of `key = ...` in the table whose header is on line `after` (tomllib
    keeps no positions): another tool's table may use the same key."""
    for number, line in enumerate(text.splitlines(), start=1):
        if number <= after:
            continue
        stripped = line.strip()
        if after and stripped.startswith("["):
            break
        if stripped.startswith((f"{key} ", f"{key}=", f'"{key}"')):
            return number
    return 0
