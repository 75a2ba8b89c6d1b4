"""Read the `scopes` of `resource "sendgrid_api_key"` blocks from Terraform, with a real HCL parser.

python-hcl2 (8.x) keeps string literals with their quotes (`"\"mail.send\""`) and writes
expressions as `${...}`, so a literal scope and a computed one can be told apart. Terraform's
unit is a folder (a module), so a key config may be a folder, and a single `.tf` file is read
with the rest of its folder: the expressions teams write for scopes are evaluated as Terraform
would, from what the module declares:
- `var.NAME`: the value in `terraform.tfvars`, then `*.auto.tfvars` (later files win), else the
  `default` of `variable "NAME"` in any `.tf` file of the folder;
- `local.NAME` from `locals` blocks; `concat(...)`, `tolist(...)`, `toset(...)`,
  `distinct(...)` over lists; list literals of strings;
- `for_each` over a map of key names to scope lists (or to objects with `scopes`): one key per
  entry, named after its map key, `scopes = each.value` (or `each.value.scopes`).
Any other expression cannot be known without running Terraform, which is an error, not a
guess; so is a variable with no value.

Terraform cannot say which variable the code reads a key from, so comment lines right above a
resource may: `# env: SENDGRID_MARKETING_KEY` ties it to the calls that read that variable,
`# default: true` makes it the key of calls whose key cannot be told (`sg-scope-lint init
--terraform` writes both).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2
from hcl2.utils import SerializationOptions
from lark.exceptions import LarkError, UnexpectedInput

from .errors import KeyConfigError
from .keyscopes import scope_list
from .textlines import TextLines
from .types import ConfiguredKey, GrantedScope

RESOURCE_TYPE = "sendgrid_api_key"
# How deep locals may refer to locals and functions nest.
_MAX_DEPTH = 16


@dataclass(slots=True)
class _Module:
    """What a Terraform folder declares that a `scopes` expression may use."""

    defaults: dict[str, Any] = field(default_factory=dict)
    tfvars: dict[str, Any] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)

    def add(self, document: dict[str, Any]) -> None:
        self.defaults.update(_variables(document))
        for block in _blocks(document, "locals"):
            self.locals.update({k: v for k, v in block.items() if not k.startswith("__")})


def read_terraform(text: str, display: str, path: Path | None = None) -> tuple[ConfiguredKey, ...]:
    """One key per `sendgrid_api_key` resource of `text` (per entry of a `for_each`), its
    expressions evaluated with the rest of the folder of `path` when given; none is an error."""
    document = _parse(text, display)
    module = _Module()
    if path is not None:
        for other, other_text, other_display in _folder_files(path.parent, exclude=path):
            module.add(_parse(other_text, other_display))
        module.tfvars = _tfvars(path.parent)
    module.add(document)
    return _finish(_keys(document, text, display, module), display)


def read_terraform_folder(folder: Path, display: str) -> tuple[str, tuple[ConfiguredKey, ...]]:
    """A folder as a key config: the keys of every `.tf` file in it, and the file they are in
    (the folder when they are in several), which findings about them name."""
    files = [(path, text, shown, _parse(text, shown))
             for path, text, shown in _folder_files(folder)]
    if not files:
        raise KeyConfigError("is a folder with no `.tf` file (a folder is read as Terraform)",
                             file=display)
    module = _Module()
    for _, _, _, document in files:
        module.add(document)
    module.tfvars = _tfvars(folder)
    keys: list[ConfiguredKey] = []
    holders = []
    for _, text, shown, document in files:
        found = _keys(document, text, shown, module)
        if found:
            holders.append(shown)
            keys += found
    if not keys:
        raise KeyConfigError(f'no `resource "{RESOURCE_TYPE}"` block in this folder\'s Terraform',
                             file=display)
    if len(holders) > 1:  # lines of different files cannot share one file name
        keys = [ConfiguredKey(k.name, tuple(GrantedScope(g.name) for g in k.scopes), k.env,
                              k.default) for k in keys]
    file = holders[0] if len(holders) == 1 else display
    return file, _finish(keys, file)


def _folder_files(folder: Path, exclude: Path | None = None) -> list[tuple[Path, str, str]]:
    from .discover import display_path

    found = []
    for path in sorted(folder.glob("*.tf")):
        if exclude is not None and path.resolve() == exclude.resolve():
            continue
        try:
            found.append((path, path.read_text(encoding="utf-8"), display_path(path)))
        except (OSError, UnicodeDecodeError):
            raise KeyConfigError("cannot read the file", file=display_path(path)) from None
    return found


def _tfvars(folder: Path) -> dict[str, Any]:
    """Variable values of `terraform.tfvars` and `*.auto.tfvars`, later files winning."""
    from .discover import display_path

    values: dict[str, Any] = {}
    for path in [folder / "terraform.tfvars", *sorted(folder.glob("*.auto.tfvars"))]:
        if path.is_file():
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                raise KeyConfigError("cannot read the file", file=display_path(path)) from None
            values.update(_parse(text, display_path(path)))
    return values


def _keys(document: dict[str, Any], text: str, display: str,
          module: _Module) -> list[ConfiguredKey]:
    lines = TextLines(text)
    keys: list[ConfiguredKey] = []
    for name, body in _resources(document):
        line = _resource_line(text, name)
        env, default = _comment_settings(text, line)
        where = f"{RESOURCE_TYPE}.{name}"
        if "for_each" in body:
            entries = _evaluate(body["for_each"], module, None, 0)
            if not isinstance(entries, dict):
                raise KeyConfigError("is an expression sg-scope-lint cannot evaluate to a map of "
                                     "key names", file=display,
                                     line=lines.find_or("for_each", line), key=f"{where}.for_each")
        else:
            entries = {name: None}
        for entry_name, each in entries.items():
            if "scopes" not in body:  # SendGrid creates a Full Access key without scopes
                keys.append(ConfiguredKey(entry_name, (), env, default, line=line))
                continue
            start = lines.find_or("scopes", line)
            names = _evaluate(body["scopes"], module, (entry_name, each), 0)
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise KeyConfigError(
                    "is an expression sg-scope-lint cannot evaluate; write the scopes as a list "
                    "of strings, or use var.NAME (with a default or a tfvars value), local.NAME, "
                    "concat() or for_each over a map", file=display, line=start,
                    key=f"{where}.scopes")
            keys.append(ConfiguredKey(entry_name, scope_list(names, lines, start, display,
                                                             f"{where}.scopes"),
                                      env, default, line=line))
    return keys


def _finish(keys: list[ConfiguredKey], display: str) -> tuple[ConfiguredKey, ...]:
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


# ------------------------------------------------------------------------- expressions


def _evaluate(value: Any, module: _Module, each: tuple[str, Any] | None, depth: int) -> Any:
    """A value as parsed by python-hcl2, evaluated; None when it cannot be known statically."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(value, list):
        items = [_evaluate(item, module, each, depth + 1) for item in value]
        return None if any(item is None for item in items) else items
    if isinstance(value, dict):
        entries = {}
        for key, item in value.items():
            if key.startswith("__"):
                continue
            name, evaluated = _unquote(key), _evaluate(item, module, each, depth + 1)
            if name is None or evaluated is None:
                return None
            entries[name] = evaluated
        return entries
    if not isinstance(value, str):
        return None
    if value.startswith("${") and value.endswith("}"):
        parsed = _Expression(value[2:-1], module, each, depth).parse()
        return parsed
    return _unquote(value)


_FUNCTIONS = {"concat", "tolist", "toset", "distinct"}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*")
_STRING = re.compile(r'"([^"\\$%]*)"')


class _Expression:
    """A small recursive-descent reader of the expressions `scopes` are written with."""

    def __init__(self, text: str, module: _Module, each: tuple[str, Any] | None,
                 depth: int) -> None:
        self.text, self.module, self.each, self.depth, self.at = text, module, each, depth, 0

    def parse(self) -> Any:
        value = self._value()
        self._space()
        return value if self.at == len(self.text) else None

    def _space(self) -> None:
        while self.at < len(self.text) and self.text[self.at] in " \t\n\r":
            self.at += 1

    def _value(self) -> Any:
        self._space()
        if self.text.startswith("[", self.at):
            self.at += 1
            return self._sequence("]")
        string = _STRING.match(self.text, self.at)
        if string:
            self.at = string.end()
            return string.group(1)
        name = _NAME.match(self.text, self.at)
        if name is None:
            return None
        self.at = name.end()
        self._space()
        if self.text.startswith("(", self.at):
            self.at += 1
            arguments = self._sequence(")")
            if name.group() not in _FUNCTIONS or arguments is None or \
                    not all(isinstance(a, list) for a in arguments):
                return None
            joined = [item for argument in arguments for item in argument]
            return joined if name.group() == "concat" else list(dict.fromkeys(joined))
        return self._reference(name.group())

    def _sequence(self, closing: str) -> list[Any] | None:
        items: list[Any] = []
        while True:
            self._space()
            if self.text.startswith(closing, self.at):
                self.at += 1
                return items
            item = self._value()
            if item is None:
                return None
            items.append(item)
            self._space()
            if self.text.startswith(",", self.at):
                self.at += 1
            elif not self.text.startswith(closing, self.at):
                return None

    def _reference(self, name: str) -> Any:
        kind, _, rest = name.partition(".")
        if kind == "var" and rest in self.module.tfvars:
            return _evaluate(self.module.tfvars[rest], self.module, None, self.depth + 1)
        if kind == "var" and rest in self.module.defaults:
            return _evaluate(self.module.defaults[rest], self.module, None, self.depth + 1)
        if kind == "local" and rest in self.module.locals:
            return _evaluate(self.module.locals[rest], self.module, self.each, self.depth + 1)
        if kind == "each" and self.each is not None:
            key, value = self.each
            if rest == "key":
                return key
            if rest == "value":
                return value
            if rest == "value.scopes" and isinstance(value, dict):
                return value.get("scopes")
        return None


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


def _unquote(value: Any) -> str | None:
    """A string literal's text; None for an expression, a template or anything else."""
    if not isinstance(value, str) or "${" in value or "%{" in value:
        return None
    if len(value) >= 2 and value[0] == value[-1] == '"':
        inner = value[1:-1]
        return None if "\\" in inner or '"' in inner else inner
    return value


def _resource_line(text: str, name: str) -> int:
    pattern = re.compile(rf'^[ \t]*resource\s+"{RESOURCE_TYPE}"\s+"{re.escape(name)}"', re.MULTILINE)
    found = pattern.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else 0


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
