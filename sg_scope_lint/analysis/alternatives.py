"""Calls that send one of a few literal values: each value is a request of its own.

`for name in ("bounces", "blocks"): sg.client.suppression._(name).get()` sends two requests,
and `sg.client._(PATHS[kind]).delete()` one of the table's, whichever the run takes. Taken
whole, such a call has a path that starts with a run-time value (unresolved), or a run-time
segment no rule has (an unknown endpoint). Here each value is tried in turn: the loop's name
bound to it, or the table lookup given it (`Evaluator.overrides`). When every value makes a
request with a known endpoint, and they are not all the same, the call is reported once per
value: a key needs the scopes of every request the code may send.

What it follows: a `for` over a literal tuple, list, set or dict (its keys), or a name bound
to one, around the call in the same function; a lookup in a literal dict, list or tuple with
a key known only at run time, written inside the call. At most `MAX_ALTERNATIVES` values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

import libcst as cst

from ..types import VALUE
from .evaluate import Evaluator, key_literal, subscript_key
from .strings import literal_text, starts_with_literal
from .symbols import Loop, PendingCall, Request, Str, Value

MAX_ALTERNATIVES = 16


def alternatives(evaluator: Evaluator, pending: PendingCall, loops: list[Loop],
                 request_of: Callable[[PendingCall], Request | None]) -> list[Request] | None:
    """The requests the call sends, one per literal value it may take; None when it takes
    no such value, or when a value leaves its endpoint unknown."""
    for loop in loops:
        if loop.scope is not pending.scope or not loop.start < pending.order < loop.end:
            continue
        values = _loop_values(evaluator, loop)
        if values is None:
            continue
        found = _each(values, partial(_bound, evaluator, loop, pending=pending,
                                      request_of=request_of))
        if found is not None:
            return found
    for lookup in _lookups(pending.node):
        table = evaluator.table(lookup.value, pending.scope, pending.order)
        if table is None or not 1 < len(table[0]) <= MAX_ALTERNATIVES:
            continue
        entries, scope, order = table
        values = [evaluator.value(value, scope, order) for _, value in entries]
        found = _each(values, partial(_given, evaluator, lookup, pending=pending,
                                      request_of=request_of))
        if found is not None:
            return found
    return None


def _each(values: list[Value], request_for: Callable[[Value], Request | None]
          ) -> list[Request] | None:
    if not all(isinstance(v, Str) and v.pieces and v.pieces[0] is not VALUE for v in values):
        return None
    requests = [request_for(value) for value in values]
    if any(r is None or r.dynamic or not starts_with_literal(r.steps) for r in requests):
        return None
    distinct = list(dict.fromkeys(r for r in requests if r is not None))
    return distinct if len(distinct) > 1 else None


def _loop_values(evaluator: Evaluator, loop: Loop) -> list[Value] | None:
    """The literal values a loop's name takes: the items of a literal sequence, or the keys
    of a literal dict."""
    table = evaluator.table(loop.iterable, loop.scope, loop.start)
    if table is None or not 1 < len(table[0]) <= MAX_ALTERNATIVES:
        return None
    entries, scope, order = table
    items = [key if key is not None else value for key, value in entries]
    values = [evaluator.value(item, scope, order) for item in items]
    return values if all(literal_text(v) is not None for v in values) else None


def _bound(evaluator: Evaluator, loop: Loop, value: Value, pending: PendingCall,
           request_of: Callable[[PendingCall], Request | None]) -> Request | None:
    with evaluator.bound(loop.scope, {loop.name: value}):
        return request_of(pending)


def _given(evaluator: Evaluator, lookup: cst.Subscript, value: Value, pending: PendingCall,
           request_of: Callable[[PendingCall], Request | None]) -> Request | None:
    evaluator.overrides[id(lookup)] = value
    evaluator.cache.clear()
    try:
        return request_of(pending)
    finally:
        del evaluator.overrides[id(lookup)]
        evaluator.cache.clear()


def _lookups(node: cst.CSTNode) -> Iterator[cst.Subscript]:
    """Table lookups with a key that is not a literal, inside the call."""
    stack: list[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Subscript):
            key = subscript_key(current)
            if key is not None and key_literal(key) is None:
                yield current
        stack.extend(current.children)
