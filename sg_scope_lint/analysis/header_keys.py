"""Which API key a raw HTTP request sends: the `Authorization: Bearer ...` header it passes.

`requests.post(url, headers={"Authorization": f"Bearer {os.environ['X']}"})` uses the key in
`X`, which ties the request to the configured key whose `env` is `X` (see `keys.py` for the
key sources). The header is read from a `headers=` dict literal, or from a name bound to one
(`headers = {...}` earlier in the function or module), and its value may be an f-string,
`"Bearer " + key` or `"Bearer %s" % key`. Anything else leaves the key unknown.
"""

from __future__ import annotations

import libcst as cst

from .keys import Evaluator, key_name
from .symbols import UNKNOWN_KEY, Scope, literal_value

_BEARER = "bearer "


def header_key(evaluator: Evaluator, call: cst.Call, scope: Scope, order: int) -> str:
    """The key source the `Authorization` header of `call` names, else UNKNOWN_KEY."""
    headers = next((arg.value for arg in call.args
                    if arg.keyword is not None and arg.keyword.value == "headers"), None)
    if isinstance(headers, cst.Name):
        bound = next((b for b in evaluator.candidates(headers.value, scope, order)
                      if b.node is not None), None)
        if bound is None:
            return UNKNOWN_KEY
        headers, scope, order = bound.node, bound.scope, bound.order
    if not isinstance(headers, cst.Dict):
        return UNKNOWN_KEY
    for element in headers.elements:
        if not isinstance(element, cst.DictElement) or not isinstance(element.key,
                                                                      cst.SimpleString):
            continue
        name = literal_value(element.key)
        if isinstance(name, str) and name.lower() == "authorization":
            token = _bearer_token(element.value)
            return UNKNOWN_KEY if token is None else key_name(evaluator, token, scope, order, 0)
    return UNKNOWN_KEY


def _bearer_token(value: cst.BaseExpression) -> cst.BaseExpression | None:
    """The expression after `Bearer ` in the header's value."""
    if isinstance(value, cst.FormattedString) and len(value.parts) == 2:
        text, expression = value.parts
        if isinstance(text, cst.FormattedStringText) and text.value.lower() == _BEARER \
                and isinstance(expression, cst.FormattedStringExpression):
            return expression.expression
    if isinstance(value, cst.BinaryOperation) and isinstance(value.left, cst.SimpleString):
        prefix = literal_value(value.left)
        if isinstance(value.operator, cst.Add) and _is_bearer(prefix, ""):
            return value.right
        if isinstance(value.operator, cst.Modulo) and _is_bearer(prefix, "%s"):
            return value.right
    return None


def _is_bearer(text: object, placeholder: str) -> bool:
    return isinstance(text, str) and text.lower() == _BEARER + placeholder
