"""Read the `scopes` of `resource "sendgrid_api_key"` blocks from Terraform, with a real HCL parser.

python-hcl2 (8.x) keeps string literals with their quotes (`"\"mail.send\""`) and writes
expressions as `${...}`, so a literal scope and a computed one can be told apart. A list given
as `var.NAME` is taken from the default of `variable "NAME"` in the same file; any other
expression cannot be known without running Terraform, which is an error, not a guess.

Terraform cannot say which variable the code reads a key from, so comment lines right above a
resource may: `# env: SENDGRID_MARKETING_KEY` ties it to the calls that read that variable,
`# default: true` makes it the key of calls whose key cannot be told (`sg-scope-lint init
--terraform` writes both).
"""

from __future__ import annotations

import re
from typing import Any

import hcl2
from hcl2.utils import SerializationOptions
from lark.exceptions import LarkError, UnexpectedInput

from .errors import KeyConfigError
from .keyscopes import scope_list
from .textlines import TextLines
from .types import ConfiguredKey

RESOURCE_TYPE = "sendgrid_api_key"
_VARIABLE = re.compile(r"^\$\{var\.([A-Za-z_][A-Za-z0-9_-]*)\}$")


def read_terraform(text: str, display: str) -> tuple[ConfiguredKey, ...]:
    """One key per `sendgrid_api_key` resource, named after the resource; none is an error."""
    document = _parse(text, display)
    lines = TextLines(text)
    variables = _variables(document)
    keys: list[ConfiguredKey] = []
    for name, body in _resources(document):
        line = _resource_line(text, name)
        env, default = _comment_settings(text, line)
        if "scopes" not in body:  # SendGrid creates a Full Access key when scopes are left out
            keys.append(ConfiguredKey(name, (), env, default, line=line))
            continue
        names = _literal_list(body["scopes"], variables)
        if names is None:
            raise KeyConfigError(
                "is an expression sg-scope-lint cannot evaluate; write the scopes as a list of "
                "strings (or `var.NAME` with a default in this file)", file=display,
                line=lines.find_or("scopes", line), key=f"{RESOURCE_TYPE}.{name}.scopes")
        start = lines.find_or("scopes", line)
        keys.append(ConfiguredKey(name, scope_list(names, lines, start, display,
                                                   f"{RESOURCE_TYPE}.{name}.scopes"),
                                  env, default, line=line))
    if not keys:
        raise KeyConfigError(f'no `resource "{RESOURCE_TYPE}"` block in this Terraform file',
                             file=display)
    if len(keys) == 1:
        keys[0] = ConfiguredKey(keys[0].name, keys[0].scopes, keys[0].env, True, keys[0].line)
    defaults = [key for key in keys if key.default]
    if len(defaults) > 1:
        raise KeyConfigError(f"resources '{defaults[0].name}' and '{defaults[1].name}' both say "
                             "`# default: true`; only one key may be the default", file=display,
                             line=defaults[1].line)
    return tuple(keys)


_SETTING = re.compile(r"^\s*(?:#|//)\s*(env|default):\s*(\S+)\s*$")


def _comment_settings(text: str, line: int) -> tuple[str, bool]:
    """`# env: X` and `# default: true` in the comment lines right above line `line`."""
    env, default = "", False
    lines = text.splitlines()
    index = line - 2
    while 0 <= index < len(lines) and lines[index].lstrip().startswith(("#", "//")):
        found = _SETTING.match(lines[index])
        if found and found.group(1) == "env":
            env = found.group(2)
        elif found:
            default = found.group(2).lower() == "true"
        index -= 1
    return env, default


def _parse(text: str, display: str) -> dict[str, Any]:
    """Parse, turning the parser's errors into one line; its messages quote the source, which
    may hold a secret, so only the position is kept."""
    try:
        document = hcl2.loads(text, serialization_options=SerializationOptions(with_comments=False))
    except UnexpectedInput as exc:
        raise KeyConfigError(f"malformed HCL at column {exc.column}", file=display,
                             line=exc.line) from None
    except (LarkError, RecursionError, ValueError, TypeError, KeyError, IndexError) as exc:
        raise KeyConfigError(f"malformed HCL ({type(exc).__name__})", file=display) from None
    return document if isinstance(document, dict) else {}


def _resources(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for block in _blocks(document, "resource"):
        for kind, named in block.items():
            if _unquote(kind) != RESOURCE_TYPE or not isinstance(named, dict):
                continue
            for name, body in named.items():
                if isinstance(body, dict):
                    found.append((_unquote(name) or str(name), body))
    return found


def _variables(document: dict[str, Any]) -> dict[str, Any]:
    """`variable "NAME" { default = ... }` of this file, by name."""
    defaults = {}
    for block in _blocks(document, "variable"):
        for name, body in block.items():
            if isinstance(body, dict) and "default" in body:
                defaults[_unquote(name) or str(name)] = body["default"]
    return defaults


def _blocks(document: dict[str, Any], keyword: str) -> list[dict[str, Any]]:
    blocks = document.get(keyword, [])
    blocks = blocks if isinstance(blocks, list) else [blocks]
    return [block for block in blocks if isinstance(block, dict)]


def _literal_list(value: Any, variables: dict[str, Any]) -> list[str] | None:
    """The strings of a list literal, or None when any part is computed."""
    if isinstance(value, str):
        variable = _VARIABLE.match(value)
        if variable is None or variable.group(1) not in variables:
            return None
        value = variables[variable.group(1)]
    if not isinstance(value, list):
        return None
    names = [_unquote(item) for item in value]
    return None if any(name is None for name in names) else names  # type: ignore[return-value]


def _unquote(value: Any) -> str | None:
    """A string literal's text; None for an expression, a template or anything else."""
    if not isinstance(value, str) or "${" in value or "%{" in value:
        return None
    if len(value) >= 2 and value[0] == value[-1] == '"':
        inner = value[1:-1]
        return None if "\\" in inner or '"' in inner else inner
    return value


def _resource_line(text: str, name: str) -> int:
    pattern = re.compile(rf'^\s*resource\s+"{RESOURCE_TYPE}"\s+"{re.escape(name)}"', re.MULTILINE)
    found = pattern.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else 0
