"""Rewrite our own key config to the scopes the code needs (`check --write`), and show the diff.

Only the `scopes` lists change. In YAML the text of each list is replaced where it stands, so
comments and the rest of the file stay as they were; a JSON file is written back with two-space
indentation. SendGrid's bodies and Terraform are refused: they record what SendGrid or
Terraform holds, which editing the file would not change.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any

from .errors import KeyConfigError
from .keyconfig import parse_key_config
from .types import CheckResult, ConfigFormat, KeyConfig, KeyVerdict
from .yamlfile import compose_yaml, reads_back_plain

_FORMAT_NAMES = {
    ConfigFormat.SENDGRID: "a SendGrid API key body",
    ConfigFormat.TERRAFORM: "Terraform (change the sendgrid_api_key resource instead)",
}


@dataclass(frozen=True, slots=True)
class KeyPlan:
    """The scopes one key should list after `--write`; None leaves it as it is, for `reason`."""

    name: str
    scopes: tuple[str, ...] | None
    reason: str = ""


def plan(check: CheckResult) -> tuple[KeyPlan, ...]:
    """Each key's new scopes: what its calls need, plus what no call is proven not to need.

    Held-back scopes (an uncertain call may need them) and automatic ones stay; excess and
    unknown names go. A Full Access key that uncertain calls may use, and a key no call needs,
    are left alone: narrowing them would be a guess.
    """
    return tuple(_plan_key(verdict) for verdict in check.keys)


def _plan_key(verdict: KeyVerdict) -> KeyPlan:
    name = verdict.key.name
    if verdict.full_access and verdict.doubts:
        return KeyPlan(name, None, f"left as Full Access: {len(verdict.doubts)} uncertain call(s) "
                                   "may need any scope")
    dropped = {g.name for g in verdict.excess} | {u.scope.name for u in verdict.unknown}
    kept = {name for name in verdict.key.names if name not in dropped}
    scopes = tuple(sorted(kept | set(verdict.required)))
    if not verdict.required:
        return KeyPlan(name, None, "no call needs a scope through this key; left as it is")
    return KeyPlan(name, scopes)


def rewrite(text: str, config: KeyConfig, plans: tuple[KeyPlan, ...]) -> str:
    """The config's text with each planned key's scopes replaced; refuses other formats."""
    if not config.format.writable:
        raise KeyConfigError(f"--write rewrites only sg-scope-lint key configs (`scopes:` or "
                             f"`keys:`); this file is {_FORMAT_NAMES[config.format]}",
                             file=config.file)
    current = {key.name: key.names for key in config.keys}
    changes = {p.name: p.scopes for p in plans
               if p.scopes is not None and p.scopes != current.get(p.name)}
    if not changes:
        return text
    if text.lstrip().startswith("{"):
        new = _rewrite_json(text, config.format, changes)
    else:
        new = _rewrite_yaml(text, config.format, changes)
    _verify(new, config, changes)
    return new


def unified_diff(old: str, new: str, display: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(keepends=True),
                                        new.splitlines(keepends=True),
                                        fromfile=f"a/{display}", tofile=f"b/{display}"))


def _rewrite_json(text: str, fmt: ConfigFormat, changes: dict[str, tuple[str, ...]]) -> str:
    data = json.loads(text)
    for name, scopes in changes.items():
        _entry(data, fmt, name)["scopes"] = list(scopes)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _entry(data: Any, fmt: ConfigFormat, name: str) -> Any:
    return data if fmt is ConfigFormat.SCOPES else data["keys"][name]


def _rewrite_yaml(text: str, fmt: ConfigFormat, changes: dict[str, tuple[str, ...]]) -> str:
    root = compose_yaml(text)
    edits = []
    for name, scopes in changes.items():
        entry = root if fmt is ConfigFormat.SCOPES else _child(_child(root, "keys"), name)
        edits.append(_replace_list(text, _child(entry, "scopes"), scopes))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _child(node: Any, key: str) -> Any:
    for key_node, value in node.value:
        if key_node.value == key:
            return value
    raise KeyError(key)  # the file was read and validated just before: cannot happen


def _replace_list(text: str, node: Any, scopes: tuple[str, ...]) -> tuple[int, int, str]:
    """The span of a YAML list and its new text: a flow list stays a flow list; a block list
    keeps its indentation, one scope a line (comments between its items go)."""
    start = node.start_mark.index
    line_start = text.rfind("\n", 0, start) + 1
    indent = text[line_start:start]
    if node.flow_style or not node.value or indent.strip():
        return start, node.end_mark.index, "[" + ", ".join(_scalar(s, True) for s in scopes) + "]"
    last = node.value[-1].end_mark.index
    end = text.find("\n", last)
    end = len(text) if end < 0 else end
    return line_start, end, "\n".join(f"{indent}- {_scalar(s, False)}" for s in scopes)


def _scalar(scope: str, flow: bool) -> str:
    """A scope as a plain YAML scalar when it reads back the same, else double-quoted."""
    special = flow and any(c in scope for c in ",[]{}")
    plain = not special and reads_back_plain(scope) and not scope.startswith(("'", '"'))
    return scope if plain else json.dumps(scope)


def _verify(new: str, config: KeyConfig, changes: dict[str, tuple[str, ...]]) -> None:
    """Read the new text back: anything but exactly the planned scopes means a bug, not a write."""
    reread = {key.name: key.names for key in parse_key_config(new, config.file).keys}
    for name, scopes in changes.items():
        if tuple(sorted(reread.get(name, ()))) != tuple(sorted(scopes)):
            raise KeyConfigError("could not rewrite the scopes safely; nothing was written, "
                                 "please edit the file by hand", file=config.file,
                                 key="scopes" if config.format is ConfigFormat.SCOPES
                                 else f"keys.{name}.scopes")
