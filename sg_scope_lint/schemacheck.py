"""Validate a loaded file against one of the JSON Schemas shipped in `schemas/`, reporting
every problem at once, each at its own line.

The schemas (rules files, key configs, manifests, `[tool.sg-scope-lint]`) are the one statement
of each file's shape: editors and CI can use them too (docs/schemas.md). jsonschema is imported
only when a file is validated, which the cached rules and the flake8 fast path rarely need.
Lines come from the loaded mappings (`yamlfile.LineDict`) and a word search from there
(`TextLines`), since JSON Schema errors carry paths, not positions.
"""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .textlines import TextLines
from .yamlfile import line_of

SCHEMAS = Path(__file__).parent / "schemas"


@functools.cache
def schema(name: str) -> dict[str, Any]:
    """A shipped schema by name (`rules`, `key-config`, `manifest`, `pyproject`)."""
    loaded: dict[str, Any] = json.loads((SCHEMAS / f"{name}.schema.json").read_text("utf-8"))
    return loaded


def problems(data: Any, name: str, lines: TextLines | None = None
             ) -> list[tuple[int, str, str]]:
    """Every way `data` breaks schema `name`: (line, dotted path, message), in line order."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema(name))
    errors = list(validator.iter_errors(data))
    # A misspelt key (`scope:`) also makes its object lack the key it meant; saying both would
    # be one mistake twice, so the lack is left out when the misspelling names it.
    meant: dict[tuple[Any, ...], set[str]] = {}
    found = []
    for error in errors:
        path = list(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            # one problem per unknown key, at its own line
            allowed = sorted(error.schema.get("properties", {}))
            for key in sorted(str(k) for k in error.instance if k not in allowed):
                close = difflib.get_close_matches(key, allowed, n=1, cutoff=_CUTOFF)
                meant.setdefault(tuple(path), set()).update(close)
                hint = suggestion(key, allowed) or f" (expected one of {', '.join(allowed)})"
                found.append((_line(data, [*path, key], lines), _dotted([*path, key]),
                              f"unknown key{hint}"))
    for error in errors:
        path = list(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            continue
        if error.validator in ("oneOf", "required") and meant.get(tuple(path), set()) & set(
                _required_names(error)):
            continue
        if error.validator == "required":  # named at the key that is missing
            missing = [k for k in error.validator_value if k not in error.instance]
            found += [(_line(data, path, lines), _dotted([*path, key]), "is required")
                      for key in missing]
            continue
        found.append((_line(data, path, lines), _dotted(path), _message(error)))
    return sorted(set(found), key=lambda p: (p[0], p[1], p[2]))


_CUTOFF = 0.7


def _required_names(error: Any) -> list[str]:
    if error.validator == "required":
        return list(error.validator_value)
    return [key for sub in error.validator_value for key in sub.get("required", ())]


def suggestion(word: str, choices: Iterable[str]) -> str:
    """`; did you mean 'x'?` for the closest of `choices`, or ""."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=_CUTOFF)
    return f"; did you mean '{close[0]}'?" if close else ""


def _line(data: Any, path: Sequence[Any], lines: TextLines | None) -> int:
    """The line of the value at `path`: a key's own line (searched from its mapping's), an
    item's line (a mapping knows it; a scalar is searched for), else the nearest above."""
    line, node = line_of(data), data
    for step in path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        if lines is not None and isinstance(step, str):
            line = lines.find_or(step, line)
        elif line_of(node):
            line = line_of(node)
        elif lines is not None and isinstance(node, (str, int, float)):
            line = lines.find_or(str(node), line)
    return line


def _dotted(path: Sequence[Any]) -> str:
    """`rules[1].method`: how messages name a place in the file."""
    text = "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in path)
    return text.removeprefix(".")


def _message(error: Any) -> str:
    """One clause per kind of error; no long reprs of whole mappings."""
    kind, expected = error.validator, error.validator_value
    custom = error.schema.get("errorMessage")  # the schema's own words, where it has them
    if custom and kind not in ("required", "oneOf", "additionalProperties"):
        return str(custom).format(value=error.instance)
    if kind == "required":
        missing = [key for key in expected if key not in error.instance]
        return f"'{missing[0] if missing else expected[0]}' is required"
    if kind == "oneOf":
        options = [" and ".join(f"'{k}'" for k in sub.get("required", ())) for sub in expected]
        return f"needs exactly one of {', '.join(o for o in options if o)}"
    if kind == "enum":
        word = str(error.instance)
        return (f"'{word}' is not one of {', '.join(map(str, expected))}"
                f"{suggestion(word, map(str, expected))}")
    if kind == "const":
        return f"must be {json.dumps(expected)}, found {json.dumps(error.instance, default=str)}"
    if kind == "type":
        wanted = expected if isinstance(expected, str) else " or ".join(expected)
        return f"must be of type {wanted}, found {type(error.instance).__name__}"
    if kind == "pattern":
        return f"{json.dumps(error.instance)} is not of the expected form ({expected})"
    if kind in ("minItems", "minProperties", "minLength"):
        return "must not be empty"
    return str(error.message)
