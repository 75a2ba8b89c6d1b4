"""Narrow the scopes an unresolved call could need by what is known of it.

A call whose endpoint is only partly known still says something: `getattr(sg.client.suppression,
kind)._(email).delete()` reaches a path under `/v3/suppression`, and `sg.client._(path).post()`
makes a POST. The rules whose path starts with the known prefix (a `{param}` slot fits any
segment) and whose method fits the known one are the endpoints the call could hit; what it
could need is every scope any of them may need (every `any_of` option, every
`scopes_by_value` value). A key's granted scope outside that set is then no longer held back
by the call. Nothing is narrowed (None: any scope) when nothing is known, when no rule fits
(the call may hit an endpoint the rules do not know), or when a fitting rule hands on the
scopes of its request body (creating and updating API keys), which may be any.
"""

from __future__ import annotations

from .resolve import DEFAULT_VERSION, NO_VERSION, split_segments, version_number
from .rules import RuleSet
from .types import VALUE, RawCall, Rule, Step, StepKind, Unresolved

_METHODS = frozenset({"get", "post", "put", "patch", "delete"})


def narrowed(unresolved: Unresolved, raw: RawCall, ruleset: RuleSet) -> Unresolved:
    """The unresolved call with `could_need` narrowed when it says nothing yet."""
    from dataclasses import replace

    if unresolved.could_need is not None:
        return unresolved
    scopes = could_need(raw, ruleset)
    return unresolved if scopes is None else replace(unresolved, could_need=scopes)


def could_need(raw: RawCall, ruleset: RuleSet) -> tuple[str, ...] | None:
    """Every scope the endpoints `raw` could hit may need, sorted; None: any scope."""
    steps = raw.prefix if raw.dynamic else raw.steps
    method = raw.verb.upper() if raw.verb in _METHODS else ""
    version, segments = known_prefix(steps or ())
    if not method and not segments:
        return None
    fitting = [rule for rule in ruleset.rules
               if (not method or rule.method == method) and _starts(rule, version, segments)]
    if not fitting or any(rule.grants_body_scopes for rule in fitting):
        return None
    return tuple(sorted({scope for rule in fitting for scope in _every_scope(rule)}))


def known_prefix(steps: tuple[Step, ...]) -> tuple[int | None, tuple[str, ...]]:
    """The API version (None: only known at run time) and the literal path segments before
    the first run-time one, as `resolve` would build them."""
    version: int | None = DEFAULT_VERSION
    segments: list[str] = []
    for step in steps:
        if step.kind is StepKind.VERSION:
            version = version_number(step)
            if version is None:
                break
            continue
        pieces = list(step.pieces) if step.kind is StepKind.ATTRIBUTE \
            else split_segments(step.pieces)
        if VALUE in pieces:
            segments += [p for p in pieces[:pieces.index(VALUE)] if isinstance(p, str)]
            break
        segments += [p for p in pieces if isinstance(p, str)]
    if version == NO_VERSION and segments and segments[0][:1] == "v" and segments[0][1:].isdigit():
        version, segments = int(segments[0][1:]), segments[1:]  # a full path written out
    return version, tuple(segments)


def _starts(rule: Rule, version: int | None, segments: tuple[str, ...]) -> bool:
    template = rule.template
    if version is None:  # any version: compare the path after it
        template = template[1:] if template and template[0][1:].isdigit() else template
        parts: tuple[str, ...] = segments
    else:
        parts = (f"v{version}", *segments) if version else segments
    if len(template) < len(parts):
        return False
    return all(slot.startswith("{") or slot == part for slot, part in zip(template, parts))


def _every_scope(rule: Rule) -> set[str]:
    found = set(rule.scopes)
    found.update(scope for option in rule.any_of for scope in option)
    found.update(scope for _, scopes in rule.scopes_by_value for scope in scopes)
    return found
