"""`[tool.sg-scope-lint]` in pyproject.toml plus command-line overrides, as one frozen `Config`."""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from . import paths
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

    exclude: tuple[str, ...] = ()
    rules: tuple[Path, ...] = ()
    key_config: Path | None = None
    manifest: Path = Path(DEFAULT_MANIFEST)
    source: Path | None = None
    root: Path = Path(".")  # the project folder: pyproject.toml's, else the working folder

    def with_overrides(self, **changes: Any) -> Config:
        """A copy with the command line's settings applied (None means "not given")."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


# key in the table -> (expected type, field name, description)
_KEYS: dict[str, tuple[type, str, str]] = {
    "exclude": (list, "exclude", "a list of glob patterns"),
    "rules": (list, "rules", "a list of rule file paths"),
    "key-config": (str, "key_config", "a path"),
    "manifest": (str, "manifest", "a path"),
}


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above `start`."""
    found = paths.find_pyproject(os.fspath(start.absolute()))
    return Path(found) if found is not None else None


def load_config(start: Path | None = None) -> Config:
    """Read `[tool.sg-scope-lint]` from the nearest pyproject.toml; defaults when there is none."""
    start = (start or Path.cwd()).resolve()
    pyproject = find_pyproject(start)
    if pyproject is None:
        return Config(manifest=start / DEFAULT_MANIFEST, root=start)
    return parse_config(pyproject)


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
    base = pyproject.parent
    tool = document.get("tool", {})
    if not isinstance(tool, dict):  # `tool = 5`: valid TOML, but not where tools keep tables
        raise ConfigError(f"`tool` must be a table, found {tool!r}"[:200], file=display,
                          line=_line_of_key(text, "tool"))
    table: dict[str, Any] = tool.get(TABLE, {})
    if not isinstance(table, dict):
        raise ConfigError(f"[tool.{TABLE}] must be a table", file=display)
    values: dict[str, Any] = {"source": pyproject, "manifest": base / DEFAULT_MANIFEST,
                              "root": base}
    for key, value in table.items():
        line = _line_of_key(text, key)
        if key not in _KEYS:
            raise ConfigError(f"unknown setting (expected one of {', '.join(sorted(_KEYS))})",
                              file=display, line=line, key=f"tool.{TABLE}.{key}")
        expected, field_name, description = _KEYS[key]
        if not isinstance(value, expected) or (
                isinstance(value, list) and not all(isinstance(item, str) for item in value)):
            raise ConfigError(f"must be {description}, found {value!r}", file=display, line=line,
                              key=f"tool.{TABLE}.{key}")
        if any("\0" in item for item in (value if isinstance(value, list) else [value])):
            raise ConfigError("holds a NUL character, which no path can", file=display,
                              line=line, key=f"tool.{TABLE}.{key}")
        checked: Any = value  # its type was checked just above
        if key == "exclude":
            values[field_name] = tuple(checked)
        elif key == "rules":
            values[field_name] = tuple(base / item for item in checked)
        else:
            values[field_name] = base / checked
    return Config(**values)


def _line_of_key(text: str, key: str) -> int:
    """Best-effort line of `key = ...` (tomllib keeps no positions)."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith((f"{key} ", f"{key}=", f'"{key}"')):
            return number
    return 0
