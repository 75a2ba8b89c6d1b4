"""Where a client's API key comes from: one matcher over a table of key sources.

`SendGridAPIClient()` reads `SENDGRID_API_KEY` from the environment; a key passed in is named
after the variable or setting it is read from. Each way code reads a key is a row of
`_SOURCES`, keyed by the kind of expression, as pyflakes dispatches on node classes:
`os.environ["X"]` and `config["X"]` (a subscript with a literal key), `os.getenv("X")`,
`environ.get("X")`, `config("X")` (a call whose first argument is a literal), `settings.X` (an
upper-case attribute), `key or os.environ["X"]` (either side), a name bound to any of those,
and a string literal (a hard-coded key). Anything else is an unknown key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import libcst as cst

from .symbols import DEFAULT_KEY, HARD_CODED_KEY, UNKNOWN_KEY, Binding, Scope, literal_value


class Evaluator(Protocol):
    """What a key source needs of the interpreter: the bindings a name may see."""

    def candidates(self, name: str, scope: Scope, order: int) -> list[Binding]: ...

# How many names and operators a key's expression is followed through.
MAX_DEPTH = 8

KeySource = Callable[[Evaluator, cst.BaseExpression, Scope, int, int], str]


def client_key(evaluator: Evaluator, node: cst.Call, scope: Scope, order: int) -> str:
    """The key of a client made by `node`: its first positional argument or `api_key=` /
    `apikey=`, or the default variable when none is passed."""
    argument = next((a.value for a in node.args if a.keyword is None), None)
    for arg in node.args:
        if arg.keyword is not None and arg.keyword.value in ("api_key", "apikey"):
            argument = arg.value
    if argument is None or (isinstance(argument, cst.Name) and argument.value == "None"):
        return DEFAULT_KEY
    return key_name(evaluator, argument, scope, order, 0)


def key_name(evaluator: Evaluator, node: cst.BaseExpression, scope: Scope, order: int,
             depth: int) -> str:
    """The variable or setting the key expression `node` reads, or what kind of key it is."""
    source = _SOURCES.get(type(node))
    if source is None or depth > MAX_DEPTH:
        return UNKNOWN_KEY
    return source(evaluator, node, scope, order, depth)


def _hard_coded(evaluator: Evaluator, node: cst.BaseExpression, scope: Scope, order: int,
                depth: int) -> str:
    return HARD_CODED_KEY


def _subscript(evaluator: Evaluator, node: cst.BaseExpression, scope: Scope, order: int,
               depth: int) -> str:
    """`os.environ["X"]`, `config["X"]`."""
    assert isinstance(node, cst.Subscript)
    if len(node.slice) == 1:
        index = node.slice[0].slice
        if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
            text = literal_value(index.value)
            return text if isinstance(text, str) else UNKNOWN_KEY
    return UNKNOWN_KEY


def _call(evaluator: Evaluator, node: cst.BaseExpression, scope: Scope, order: int,
          depth: int) -> str:
    """`os.getenv("X")`, `environ.get("X")`, `config("X")`."""
    assert isinstance(node, cst.Call)
    if node.args:
        first = node.args[0].value
        name = literal_value(first) if isinstance(first, cst.SimpleString) else None
        if isinstance(name, str):
            return name
    return UNKNOWN_KEY


def _setting(evaluator: Evaluator, node: cst.BaseExpression, scope: Scope, order: int,
             depth: int) -> str:
    """`settings.SENDGRID_API_KEY`."""
    assert isinstance(node, cst.Attribute)
    return node.attr.value if node.attr.value.isupper() else UNKNOWN_KEY


def _either(evaluator: Evaluator, node: cst.BaseExpression, scope: Scope, order: int,
            depth: int) -> str:
    """`key or os.environ["X"]`: the left side when it names a source, else the right."""
    assert isinstance(node, cst.BooleanOperation)
    left = key_name(evaluator, node.left, scope, order, depth + 1)
    if left != UNKNOWN_KEY:
        return left
    return key_name(evaluator, node.right, scope, order, depth + 1)


def _bound(evaluator: Evaluator, node: cst.BaseExpression, scope: Scope, order: int,
           depth: int) -> str:
    """A name: the source its binding reads (`KEY = os.environ["X"]`)."""
    assert isinstance(node, cst.Name)
    for binding in evaluator.candidates(node.value, scope, order):
        if binding.node is not None and not binding.annotation and not binding.default:
            return key_name(evaluator, binding.node, binding.scope, binding.order, depth + 1)
    return UNKNOWN_KEY


_SOURCES: dict[type, KeySource] = {
    cst.SimpleString: _hard_coded,
    cst.ConcatenatedString: _hard_coded,
    cst.FormattedString: _hard_coded,
    cst.Subscript: _subscript,
    cst.Call: _call,
    cst.Attribute: _setting,
    cst.BooleanOperation: _either,
    cst.Name: _bound,
}
