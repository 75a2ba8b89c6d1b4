"""Rewrite our own key config to the scopes the code needs (`check --write`), and show the diff.

Only the `scopes` lists change, and only the items that change: in a YAML block list the line
of a dropped scope goes, each added scope is appended after the last item with a comment naming
the first call that needs it, and every other line (comments on kept scopes, the order the team
chose, comment lines between and after the items) stays as it was, so the diff shows the
decision and nothing else. A flow list (`[a, b]`) is rewritten in place, kept items first. The
places come from the YAML parser's marks; a text edit there beats a round-trip YAML dumper, which
re-indents lists and moves a comment that follows the last item below an appended one. A JSON
file is written back with two-space indentation. SendGrid's bodies and Terraform are refused:
they record what SendGrid or Terraform holds, which editing the file would not change.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any

from .errors import KeyConfigError
from .keyconfig import parse_key_config
from .types import CheckResult, ConfigFormat, KeyConfig, KeyVerdict, Need
from .yamlfile import compose_yaml, reads_back_plain

_FORMAT_NAMES = {
    ConfigFormat.SENDGRID: "a SendGrid API key body",
    ConfigFormat.TERRAFORM: "Terraform (change the sendgrid_api_key resource instead)",
}


@dataclass(frozen=True, slots=True)
class KeyPlan:
    """The scopes one key should list after `--write`; None leaves it as it is, for `reason`.

    `scopes` keeps the listed scopes in their order, then the added ones; `why` says, for each
    added scope, which call needs it first (the comment written beside it).
    """

    name: str
    scopes: tuple[str, ...] | None
    reason: str = ""
    why: tuple[tuple[str, str], ...] = ()


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
    if not verdict.required:
        return KeyPlan(name, None, "no call needs a scope through this key; left as it is")
    dropped = {g.name for g in verdict.excess} | {u.scope.name for u in verdict.unknown}
    kept = tuple(dict.fromkeys(n for n in verdict.key.names if n not in dropped))
    added = sorted(set(verdict.required) - set(kept))
    return KeyPlan(name, (*kept, *added),
                   why=tuple((scope, first_call(verdict.needs, scope)) for scope in added))


def first_call(needs: tuple[Need, ...], scope: str) -> str:
    """`file:line:col (reason): call` of the first call that needs `scope`."""
    first = min((n for n in needs if n.scope == scope), key=lambda n: n.location, default=None)
    if first is None:
        return ""
    return f"{first.location} ({first.reason}): {first.chain}" if first.chain \
        else f"{first.location} ({first.reason})"


def rewrite(text: str, config: KeyConfig, plans: tuple[KeyPlan, ...]) -> str:
    """The config's text with each planned key's scopes replaced; refuses other formats."""
    if not config.format.writable:
        raise KeyConfigError(f"--write rewrites only sg-scope-lint key configs (`scopes:` or "
                             f"`keys:`); this file is {_FORMAT_NAMES[config.format]}",
                             file=config.file)
    current = {key.name: key.names for key in config.keys}
    changes = {p.name: p for p in plans
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


def _rewrite_json(text: str, fmt: ConfigFormat, changes: dict[str, KeyPlan]) -> str:
    data = json.loads(text)
    for name, key_plan in changes.items():
        _entry(data, fmt, name)["scopes"] = list(key_plan.scopes or ())
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _entry(data: Any, fmt: ConfigFormat, name: str) -> Any:
    return data if fmt is ConfigFormat.SCOPES else data["keys"][name]


def _rewrite_yaml(text: str, fmt: ConfigFormat, changes: dict[str, KeyPlan]) -> str:
    unterminated = not text.endswith("\n")  # every line ends in a newline while editing
    text += "\n" if unterminated else ""
    root = compose_yaml(text)
    edits: list[tuple[int, int, str]] = []
    for name, key_plan in changes.items():
        entry = root if fmt is ConfigFormat.SCOPES else _child(_child(root, "keys"), name)
        edits += _edit_list(text, _child(entry, "scopes"), key_plan)
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text[:-1] if unterminated else text


def _child(node: Any, key: str) -> Any:
    for key_node, value in node.value:
        if key_node.value == key:
            return value
    raise KeyError(key)  # the file was read and validated just before: cannot happen


def _edit_list(text: str, node: Any, key_plan: KeyPlan) -> list[tuple[int, int, str]]:
    """The edits that turn one YAML list into the planned one, as (start, end, new text)."""
    scopes = key_plan.scopes or ()
    why = dict(key_plan.why)
    start = node.start_mark.index
    line_start = text.rfind("\n", 0, start) + 1
    indent = text[line_start:start]
    if node.flow_style or not node.value or indent.strip():
        return [_flow_edit(text, node, scopes, why)]
    keep = set(scopes)
    edits = []
    for item in node.value:  # a dropped item's whole line goes, with its own comment
        if item.value not in keep:
            begin = text.rfind("\n", 0, item.start_mark.index) + 1
            edits.append((begin, text.index("\n", item.end_mark.index) + 1, ""))
    listed = {item.value for item in node.value}
    added = [scope for scope in scopes if scope not in listed]
    if added:  # right after the last item, before any comment lines that follow it
        after = text.index("\n", node.value[-1].end_mark.index) + 1
        edits.append((after, after, "".join(
            f"{indent}- {yaml_scalar(s, False)}{_comment(why.get(s, ''))}\n" for s in added)))
    return edits


def _flow_edit(text: str, node: Any, scopes: tuple[str, ...],
               why: dict[str, str]) -> tuple[int, int, str]:
    """A flow list written anew, kept items first; a comment after it names the added scopes'
    first calls when the rest of its line is free."""
    listed = {item.value for item in node.value}
    new = "[" + ", ".join(yaml_scalar(s, True) for s in scopes) + "]"
    end = node.end_mark.index
    line_end = text.find("\n", end)
    rest = text[end:len(text) if line_end < 0 else line_end]
    notes = [f"{s}: {why[s]}" for s in scopes if s not in listed and why.get(s)]
    if notes and not rest.strip():
        new += _comment("; ".join(notes), "needed: ")
    return node.start_mark.index, end, new


def _comment(why: str, label: str = "needed by ") -> str:
    return f"  # {label}{why}" if why else ""


def yaml_scalar(scope: str, flow: bool) -> str:
    """A scope as a plain YAML scalar when it reads back the same, else double-quoted."""
    special = flow and any(c in scope for c in ",[]{}")
    plain = not special and reads_back_plain(scope) and not scope.startswith(("'", '"'))
    return scope if plain else json.dumps(scope)


def _verify(new: str, config: KeyConfig, changes: dict[str, KeyPlan]) -> None:
    """Read the new text back: anything but exactly the planned scopes means a bug, not a write."""
    reread = {key.name: key.names for key in parse_key_config(new, config.file).keys}
    for name, key_plan in changes.items():
        if tuple(sorted(reread.get(name, ()))) != tuple(sorted(key_plan.scopes or ())):
            raise KeyConfigError("could not rewrite the scopes safely; nothing was written, "
                                 "please edit the file by hand", file=config.file,
                                 key="scopes" if config.format is ConfigFormat.SCOPES
                                 else f"keys.{name}.scopes")
