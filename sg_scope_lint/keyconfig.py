"""Read a key config (the scopes the team says its keys hold), its format told by its content.

Formats (see the README, "Key configs"):
- ours, YAML or JSON: `scopes: [...]` for one key, or `keys:` mapping each key's name to its
  `scopes`, the `env` variable or setting the code loads it from, and `default: true|false`;
- SendGrid's JSON: the body of GET /v3/scopes (`{"scopes": [...]}`, the same as ours), of
  GET /v3/api_keys/{id} (`{"api_key_id", "name", "scopes"}`, bare or in `{"result": [...]}`),
  and the request and response bodies of POST /v3/api_keys and PUT /v3/api_keys/{id};
- Terraform: `resource "sendgrid_api_key"` blocks in a `.tf` file (`terraform.py`).

A committed POST /v3/api_keys response holds the key's secret in `api_key`. It is never kept
nor quoted: the reader only records the line, so the check can say the file must be cleaned.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .discover import display_path
from .errors import KeyConfigError
from .files import JsonProblem, parse_json, read_text
from .keyscopes import scope_list
from .secrets import KEY_PATTERN
from .textlines import TextLines
from .types import ConfigFormat, ConfiguredKey, KeyConfig
from .yamlfile import load_yaml_text

SCHEMA_VERSION = 1
SINGLE_KEY_NAME = "default"
_SCOPES_FILE_KEYS = frozenset({"version", "scopes"})
_KEYS_FILE_KEYS = frozenset({"version", "keys"})
_KEY_ENTRY_KEYS = frozenset({"scopes", "env", "default"})
_SENDGRID_MARKERS = ("result", "api_key_id", "api_key", "name")

# A Terraform block opens on a line like `resource "sendgrid_api_key" "mail" {`: a keyword,
# labels and a brace, never the `key:` of a YAML mapping.
_HCL_BLOCK = re.compile(
    r"^\s*(resource|data|variable|provider|terraform|locals|module|output)\b[^:\n]*\{\s*$", re.MULTILINE
)
_SECRET_FIELD = re.compile(r"""(?<![\w.])["']?api_key["']?\s*:""")


def read_key_config(path: Path) -> KeyConfig:
    """Read and validate a key config file, or a folder of Terraform; any problem is a
    `KeyConfigError` naming the place."""
    if path.is_dir():
        from .terraform import read_terraform_folder

        file, keys = read_terraform_folder(path, display_path(path))
        return KeyConfig(file, ConfigFormat.TERRAFORM, keys)
    return parse_key_config(read_key_text(path), display_path(path), path)


def read_key_text(path: Path) -> str:
    """A key config's text; a missing or unreadable file is a `KeyConfigError`."""
    display = display_path(path)
    try:
        return read_text(path)
    except FileNotFoundError:
        raise KeyConfigError("no such file", file=display) from None
    except IsADirectoryError:
        raise KeyConfigError("is a folder, not a key config file", file=display) from None
    except OSError as exc:
        raise KeyConfigError(f"cannot read the file: {exc.strerror or exc}", file=display) from None
    except UnicodeDecodeError:
        raise KeyConfigError("not UTF-8 text", file=display) from None


def parse_key_config(text: str, display: str, path: Path | None = None) -> KeyConfig:
    """The keys a config's text describes; `display` names the file in messages. `path`, when
    given, is where the text was read: Terraform evaluates it with the rest of its folder."""
    secret_lines = _secret_lines(text)
    if display.endswith(".tf") or _HCL_BLOCK.search(text):
        from .terraform import read_terraform  # python-hcl2 is loaded only for Terraform

        return KeyConfig(display, ConfigFormat.TERRAFORM, read_terraform(text, display, path),
                         secret_lines)
    data = _load(text, display)
    lines = TextLines(text)
    if not isinstance(data, dict):
        found = "nothing" if data is None else f"a {type(data).__name__}"
        raise KeyConfigError(f"a key config is a mapping with `scopes:` or `keys:`, found {found}",
                             file=display)
    if "keys" in data:
        return KeyConfig(display, ConfigFormat.KEYS, _ours(_keys_file, data, lines, display),
                         secret_lines)
    if any(marker in data for marker in _SENDGRID_MARKERS):
        return KeyConfig(display, ConfigFormat.SENDGRID, _sendgrid_body(data, lines, display),
                         secret_lines)
    if "scopes" in data:
        return KeyConfig(display, ConfigFormat.SCOPES, _ours(_scopes_file, data, lines, display),
                         secret_lines)
    found = ", ".join(sorted(str(key) for key in data)) or "an empty mapping"
    raise KeyConfigError(
        "not a key config: expected `scopes:`, `keys:`, a SendGrid API key body "
        f"(`api_key_id`, `name`, `scopes`) or Terraform `sendgrid_api_key` resources; found {found}",
        file=display,
    )


def _load(text: str, display: str) -> Any:
    """JSON when the text starts like JSON (JSON may indent with tabs, which YAML refuses)."""
    if text.lstrip().startswith(("{", "[")):
        try:
            return parse_json(text)
        except JsonProblem as exc:
            raise KeyConfigError(f"malformed JSON: {exc.message}", file=display,
                                 line=exc.line) from None
    return load_yaml_text(text, display, KeyConfigError)


def _ours(read: Any, data: dict[Any, Any], lines: TextLines,
          display: str) -> tuple[ConfiguredKey, ...]:
    """Our format's keys; when it is bad, every problem the shipped JSON Schema finds, each at
    its line (a good file costs no jsonschema import), else the one problem found."""
    try:
        keys: tuple[ConfiguredKey, ...] = read(data, lines, display)
    except KeyConfigError as first:
        from .errors import combined
        from .schemacheck import problems

        found = problems(data, "key-config", lines)
        if found:
            raise combined([KeyConfigError(message, file=display, line=line, key=key)
                            for line, key, message in found]) from None
        raise first from None
    return keys


def _secret_lines(text: str) -> tuple[int, ...]:
    """Lines holding an `api_key` field or anything shaped like a SendGrid key."""
    pattern = re.compile(KEY_PATTERN.pattern.decode())
    return tuple(number for number, line in enumerate(text.splitlines(), start=1)
                 if _SECRET_FIELD.search(line) or pattern.search(line))


# ------------------------------------------------------------------------------- our formats


def _scopes_file(data: dict[Any, Any], lines: TextLines, display: str) -> tuple[ConfiguredKey, ...]:
    """`scopes: [...]`: the one key every call is checked against."""
    _only(data, _SCOPES_FILE_KEYS, display, lines, "")
    _check_version(data, display, lines)
    start = lines.find_or("scopes", 1)
    scopes = scope_list(data["scopes"], lines, start, display, "scopes")
    return (ConfiguredKey(SINGLE_KEY_NAME, scopes, default=True, line=start),)


def _keys_file(data: dict[Any, Any], lines: TextLines, display: str) -> tuple[ConfiguredKey, ...]:
    """`keys: {name: {scopes, env, default}}`: each key checked against the calls that load it."""
    _only(data, _KEYS_FILE_KEYS, display, lines, "")
    _check_version(data, display, lines)
    entries = data["keys"]
    start = lines.find_or("keys", 1)
    if not isinstance(entries, dict) or not entries:
        raise KeyConfigError("must map each key's name to its `scopes`, `env` and `default`",
                             file=display, line=start, key="keys")
    keys: list[ConfiguredKey] = []
    envs: dict[str, str] = {}
    defaults: list[str] = []
    for name, entry in entries.items():
        where = f"keys.{name}"
        if not isinstance(name, str) or not name:
            raise KeyConfigError("a key's name must be a non-empty string", file=display,
                                 line=start, key=where)
        line = lines.find_or(name, start)
        if not isinstance(entry, dict):
            raise KeyConfigError("must be a mapping with `scopes` (and `env`, `default`)",
                                 file=display, line=line, key=where)
        _only(entry, _KEY_ENTRY_KEYS, display, lines, f"{where}.", line)
        if "scopes" not in entry:
            raise KeyConfigError("is required (write `scopes: []` for a Full Access key)",
                                 file=display, line=line, key=f"{where}.scopes")
        env = entry.get("env", "")
        if not isinstance(env, str) or ("env" in entry and not env.strip()):
            raise KeyConfigError("must be the name of the environment variable or setting the "
                                 "code reads this key from", file=display,
                                 line=lines.find_or("env", line), key=f"{where}.env")
        if env in envs:
            raise KeyConfigError(f"'{env}' is also the env of key '{envs[env]}': each call must "
                                 "belong to one key", file=display,
                                 line=lines.find_or("env", line), key=f"{where}.env")
        if env:
            envs[env] = name
        default = entry.get("default", False)
        if not isinstance(default, bool):
            raise KeyConfigError("must be true or false", file=display,
                                 line=lines.find_or("default", line), key=f"{where}.default")
        if default:
            defaults.append(name)
            if len(defaults) > 1:
                raise KeyConfigError(f"key '{defaults[0]}' is the default already; only one key "
                                     "may be", file=display, line=lines.find_or("default", line),
                                     key=f"{where}.default")
        scopes = scope_list(entry["scopes"], lines, line, display, f"{where}.scopes")
        keys.append(ConfiguredKey(name, scopes, env, default, line))
    return tuple(keys)


# ------------------------------------------------------------------------------ SendGrid's JSON


def _sendgrid_body(data: dict[Any, Any], lines: TextLines,
                   display: str) -> tuple[ConfiguredKey, ...]:
    """GET /v3/api_keys/{id} (bare or in `result`), POST/PUT /v3/api_keys bodies.

    Only `name`, `api_key_id` and `scopes` are read; `api_key` (the secret) never is. A body
    without `scopes` is a POST request, which creates a Full Access key; one with an
    `api_key_id` but no scopes comes from an endpoint that does not return them.
    """
    items = data.get("result", [data])
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        raise KeyConfigError("must be a list of API keys", file=display,
                             line=lines.find_or("result", 1), key="result")
    keys: list[ConfiguredKey] = []
    line = 1
    for index, item in enumerate(items, start=1):
        label = item.get("name") or item.get("api_key_id")
        name = label if isinstance(label, str) else f"key {index}"
        line = lines.find_or(name, line)
        if "scopes" not in item:
            if "api_key_id" in item:
                raise KeyConfigError(
                    "has no `scopes`: GET /v3/api_keys and PATCH /v3/api_keys/{id} do not return "
                    "them; commit the body of GET /v3/api_keys/{id} instead", file=display,
                    line=line, key=f"result[{index - 1}]" if "result" in data else "scopes")
            keys.append(ConfiguredKey(name, (), default=len(items) == 1, line=line))
            continue
        where = f"result[{index - 1}].scopes" if "result" in data else "scopes"
        scopes = scope_list(item["scopes"], lines, line, display, where)
        keys.append(ConfiguredKey(name, scopes, default=len(items) == 1, line=line))
    return tuple(keys)


# ------------------------------------------------------------------------------------ shared


def _only(data: dict[Any, Any], allowed: frozenset[str], display: str, lines: TextLines,
          prefix: str, line: int = 1) -> None:
    unknown = sorted(str(key) for key in data if key not in allowed)
    if unknown:
        raise KeyConfigError(f"unknown key (expected one of {', '.join(sorted(allowed))})",
                             file=display, line=lines.find_or(unknown[0], line),
                             key=prefix + unknown[0])


def _check_version(data: dict[Any, Any], display: str, lines: TextLines) -> None:
    if "version" in data and data["version"] != SCHEMA_VERSION:
        raise KeyConfigError(f"must be {SCHEMA_VERSION}", file=display,
                             line=lines.find_or("version", 1), key="version")
