"""What a call sends to SendGrid: one matcher over the kinds of callee the interpreter finds.

The interpreter (`evaluate.Evaluator`) gives a call's callee a symbolic value (`symbols.py`);
each kind of value that can send a request has one row in `_BY_KIND`, the way pyflakes
dispatches on node classes, and an imported function is looked up in the library tables of
`clients.py` (`_IMPORTED`). Which hosts are SendGrid's and how URLs are joined is in
`strings.py`; which endpoint needs which scope is in `rules/`, never here.

What it does not do: follow a value (the interpreter does), or decide that a request to an
unknown host is SendGrid's: a URL counts only when its host is one of SendGrid's API hosts,
or, as unresolved, when the module imports the SendGrid library and the path is SendGrid's
(`_unknown_base_request`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import libcst as cst

from ..types import VALUE, Segment, Step, StepKind
from .clients import (
    BASE_URL_ATTRIBUTES,
    HTTP_FUNCTIONS,
    HTTP_SESSION_METHODS,
    LEGACY_SEND_PATH,
    SMTP_HOSTS,
    URLOPEN_FUNCTIONS,
    VERBS,
)
from .header_keys import header_key
from .strings import (
    api_path,
    fill_parameters,
    fill_url,
    has_parameter,
    join_base,
    literal_text,
    names_endpoint,
    pieces_of,
    raw_path_steps,
    starts_with_literal,
    whole_url,
)
from .symbols import (
    SMTP_PASSWORD,
    UNKNOWN_KEY,
    ConnectionRequest,
    Dynamic,
    Factory,
    Fetch,
    Function,
    Helper,
    HttpRequest,
    Imported,
    MailOnly,
    Member,
    Request,
    Scope,
    Send,
    Session,
    Str,
    UrlRequest,
    Value,
)

if TYPE_CHECKING:
    from .evaluate import Evaluator

Recogniser = Callable[["Evaluator", Value, cst.Call, Scope, int], "Request | None"]


def recognise(evaluator: Evaluator, node: cst.Call, scope: Scope, order: int) -> Request | None:
    """What `node` sends to SendGrid (verb, steps, run-time reason, key), None when nothing."""
    function = evaluator.value(node.func, scope, order)
    recogniser = _BY_KIND.get(type(function))
    found = recogniser(evaluator, function, node, scope, order) if recogniser else None
    if found is None and (function is None or isinstance(function, Imported)):
        found = _url_with_verb(evaluator, node, scope, order)
    return found


# Keywords that name the HTTP method of a request helper another package provides.
_METHOD_KEYWORDS = ("method", "http_method", "verb", "request_method", "http_verb")


def _url_with_verb(evaluator: Evaluator, node: cst.Call, scope: Scope,
                   order: int) -> Request | None:
    """A call of a function nothing is known about (another package's request helper, a task
    framework's wrapper) that is given a whole SendGrid URL and says the HTTP method: a keyword
    such as `http_method=HTTPMethod.GET` or `method="POST"`, a first argument `"PUT"` before
    the URL, or the callee's name (`fetch.get_json(url)`). Without a method the URL's string
    is left to the safety net (`endpoint_strings.py`)."""
    if any(arg.star for arg in node.args) or isinstance(
            evaluator.value(node, scope, order), UrlRequest):  # made here, sent elsewhere
        return None
    positional = [arg.value for arg in node.args if arg.keyword is None]
    keywords = {arg.keyword.value: arg.value for arg in node.args if arg.keyword is not None}
    urls = [(n, v) for n in (*positional, *keywords.values())
            if isinstance(v := evaluator.value(n, scope, order), Str)
            and (path := api_path(v.pieces)) is not None and names_endpoint(path)]
    if len(urls) != 1:
        return None
    (url_node, url), = urls
    method = next((_verb_of(evaluator, keywords[k], scope, order) for k in _METHOD_KEYWORDS
                   if k in keywords), None)
    if method is None and len(positional) >= 2 and positional[1] is url_node:
        method = _verb_of(evaluator, positional[0], scope, order)
    if method is None and (positional[:1] == [url_node] or "url" in keywords):
        name = node.func.attr.value if isinstance(node.func, cst.Attribute) else (
            node.func.value if isinstance(node.func, cst.Name) else "")
        named = _VERBS_BY_NAME.fullmatch(name)
        method = named.group(1).lower() if named is not None else None
    return _plain_request(method, url, UNKNOWN_KEY) if method else None


def _verb_of(evaluator: Evaluator, node: cst.BaseExpression, scope: Scope,
             order: int) -> str | None:
    """An HTTP method written as a string or as an enum member (`HTTPMethod.GET`)."""
    text = literal_text(evaluator.value(node, scope, order))
    if text is None and isinstance(node, cst.Attribute):
        text = node.attr.value
    return text.lower() if text and text.lower() in VERBS else None


# ------------------------------------------------------------------------- the official client


def _chain_verb(evaluator: Evaluator, function: Value, node: cst.Call, scope: Scope,
                order: int) -> Request | None:
    """`sg.client.templates._(tid).get()`: a verb read off a chain."""
    assert isinstance(function, Member)
    if function.name not in VERBS:
        return None
    chain = function.chain
    return Request(function.name, chain.steps, key=chain.key, guessed=chain.guessed)


def _send(evaluator: Evaluator, function: Value, node: cst.Call, scope: Scope,
          order: int) -> Request | None:
    assert isinstance(function, Send)
    return Request("send", key=function.key)


def _dynamic(evaluator: Evaluator, function: Value, node: cst.Call, scope: Scope,
             order: int) -> Request | None:
    assert isinstance(function, Dynamic)
    return Request(function.verb, dynamic=function.reason, key=function.key,
                   prefix=function.prefix)


def _mail_only(evaluator: Evaluator, function: Value, node: cst.Call, scope: Scope,
               order: int) -> Request | None:
    """A mail-only client's send method; the v0-v2 client posts to the v2 mail endpoint."""
    assert isinstance(function, MailOnly)
    if function.legacy:
        path = ("/" + "/".join(LEGACY_SEND_PATH),)
        return Request("post", raw_path_steps(path), key=function.key)
    return Request("send", key=function.key)


# ------------------------------------------------------------------ helpers of the project


def _through_helper(evaluator: Evaluator, function: Value, node: cst.Call, scope: Scope,
                    order: int) -> Request | None:
    """A call of another module's helper: the request it sends for these arguments, when
    they make a known endpoint (else the request inside the helper speaks for itself)."""
    assert isinstance(function, Helper)
    arguments: list[tuple[Segment, ...] | None] = [None] * len(function.params)
    positional = [a for a in node.args if a.keyword is None]
    if any(a.star for a in node.args):
        return None
    for index, arg in enumerate(positional[: len(function.params)]):
        value = evaluator.value(arg.value, scope, order)
        arguments[index] = value.pieces if isinstance(value, Str) else None
    for arg in node.args:
        if arg.keyword is not None and arg.keyword.value in function.params:
            value = evaluator.value(arg.value, scope, order)
            arguments[function.params.index(arg.keyword.value)] = (
                value.pieces if isinstance(value, Str) else None)
    for template in function.templates:
        verb = template.verb
        if has_parameter(verb):
            verb = (literal_text(Str(fill_parameters((verb,), arguments))) or "").lower()
        if not verb or has_parameter(verb):
            continue
        filled = [fill_url(step.pieces, arguments) for step in template.steps]
        if any(pieces is None for pieces in filled):
            continue  # the URL the call passes is not on a SendGrid API host
        steps = tuple(Step(step.kind, pieces) for step, pieces in zip(template.steps, filled)
                      if pieces is not None)
        if starts_with_literal(steps):
            return Request(verb, steps, key=template.key)
    return None


def _wrapper(evaluator: Evaluator, function: Value, node: cst.Call, scope: Scope,
             order: int) -> Request | None:
    """A call of an in-house function that a rule gives scopes to (`wrapper` rules)."""
    assert isinstance(function, (Imported, Function, Factory))
    if function.qualname in evaluator.facts.wrappers:
        return Request("call", (Step(StepKind.ATTRIBUTE, (function.qualname,)),))
    return None


# ------------------------------------------------------------------------------ plain HTTP


def _imported(evaluator: Evaluator, function: Value, node: cst.Call, scope: Scope,
              order: int) -> Request | None:
    """An imported function: an in-house wrapper, else a row of the library tables."""
    assert isinstance(function, Imported)
    found = _wrapper(evaluator, function, node, scope, order)
    if found is not None:
        return found
    for table, recogniser in _IMPORTED:
        if function.qualname in table:
            return recogniser(evaluator, function, node, scope, order)
    if evaluator.opens_smtp(function, node, scope, order):
        host = evaluator.smtp_host(function, node, scope, order)
        if isinstance(host, Str) and literal_text(host) in SMTP_HOSTS:
            return Request("send", key=SMTP_PASSWORD)
    return None


def _http_function(evaluator: Evaluator, function: Value, node: cst.Call, scope: Scope,
                   order: int) -> Request | None:
    assert isinstance(function, Imported)
    return _http(evaluator, HTTP_FUNCTIONS[function.qualname], node, scope, order)


def _session_method(evaluator: Evaluator, function: Value, node: cst.Call, scope: Scope,
                    order: int) -> Request | None:
    assert isinstance(function, HttpRequest)
    return _http(evaluator, function.method, node, scope, order, function.session)


def _http(evaluator: Evaluator, method: str | None, node: cst.Call, scope: Scope, order: int,
          session: Session | None = None) -> Request | None:
    """`requests.post(url)`, `session.request("PUT", url)`: the method from the function's
    name or its first argument, the URL joined to the session's base URL."""
    if method is None:
        method = literal_text(evaluator.argument(node, 0, "method", scope, order)) or ""
        url = evaluator.argument(node, 1, "url", scope, order)
    else:
        url = evaluator.argument(node, 0, "url", scope, order)
    if session is not None:
        url = Str(join_base(session.base, pieces_of(url), session.urljoin))
    request = _plain_request(method, url, header_key(evaluator, node, scope, order),
                             whole_url_parameter=True)
    if request is None and evaluator.about_sendgrid_in(scope):
        request = _unknown_base_request(method, url)
    return request


def _urlopen(evaluator: Evaluator, function: Value, node: cst.Call, scope: Scope,
             order: int) -> Request | None:
    """`urllib.request.urlopen(url_or_Request, data)`: GET, or POST with data."""
    target = evaluator.argument(node, 0, "url", scope, order)
    has_data = evaluator.argument_node(node, 1, "data") is not None
    if isinstance(target, UrlRequest):
        method = target.method or ("POST" if has_data else "GET")
        return _plain_request(method, Str(target.url), UNKNOWN_KEY)
    return _plain_request("POST" if has_data else "GET", target, UNKNOWN_KEY,
                          whole_url_parameter=True)


def _fetch(evaluator: Evaluator, function: Value, node: cst.Call, scope: Scope,
           order: int) -> Request | None:
    """tornado's `fetch(request)`, or `fetch(url, method=..., body=...)` (GET by default)."""
    target = evaluator.argument(node, 0, "request", scope, order)
    if isinstance(target, UrlRequest):
        return _plain_request(target.method, Str(target.url), UNKNOWN_KEY)
    method = evaluator.argument_node(node, 1 << 30, "method")
    text = literal_text(evaluator.value(method, scope, order)) if method is not None else "GET"
    return _plain_request(text, target, UNKNOWN_KEY)


def _connection(evaluator: Evaluator, function: Value, node: cst.Call, scope: Scope,
                order: int) -> Request | None:
    """`http.client` connection to a SendGrid API host: `.request(method, path)`."""
    method = evaluator.argument(node, 0, "method", scope, order)
    url = evaluator.argument(node, 1, "url", scope, order)
    return _plain_request(literal_text(method), url, UNKNOWN_KEY, path_only=True)


def _by_url(evaluator: Evaluator, function: Value, node: cst.Call, scope: Scope,
            order: int) -> Request | None:
    """A request method of an object nothing is known about, sent to a SendGrid URL.

    Sessions arrive as parameters or from factories in other packages; when the URL itself
    is statically on a SendGrid API host, the receiver must be an HTTP client. A sendgrid
    7.x `Request` passed to `.send()` is the generated client's way to call an endpoint.
    """
    if not isinstance(node.func, cst.Attribute):
        return None
    name = node.func.attr.value
    if name == "send":
        request = evaluator.argument(node, 0, "request", scope, order)
        if isinstance(request, UrlRequest) and request.on_sendgrid:
            return _plain_request(request.method, Str(request.url), UNKNOWN_KEY, path_only=True)
        return None
    if name == "request":
        method = literal_text(evaluator.argument(node, 0, "method", scope, order))
        return _plain_request(method, evaluator.argument(node, 1, "url", scope, order),
                              UNKNOWN_KEY)
    if name in HTTP_SESSION_METHODS:
        found = _plain_request(HTTP_SESSION_METHODS[name] or None,
                               evaluator.argument(node, 0, "url", scope, order), UNKNOWN_KEY)
        if found is not None:
            return found
    return _inherited_helper(evaluator, node.func, node, scope, order)


_VERBS_BY_NAME = re.compile(r"_*(?:api_|http_|do_|make_|send_)?(get|post|put|patch|delete)"
                            r"(?:_json|_request|_data)?", re.IGNORECASE)


def _inherited_helper(evaluator: Evaluator, func: cst.Attribute, node: cst.Call, scope: Scope,
                      order: int) -> Request | None:
    """`self.request_api("PUT", "/v3/marketing/contacts")`, `self._get(path)`: a method the
    class inherits from another package, on a class whose base URL attribute is SendGrid's;
    also `self._http.post("/templates")`, a request method of an HTTP client the class holds
    (made by a base class or a helper of another module) with a path relative to that base.

    The method comes from a literal first argument (the path is then the second) or from the
    helper's name (`_get`, `post_json`: the path is the first argument).
    """
    holder = func.value
    held = isinstance(holder, cst.Attribute) and func.attr.value in HTTP_SESSION_METHODS
    if held:  # `self._http.post("/templates")`: a client the class holds
        holder = holder.value
    if not isinstance(holder, cst.Name):
        return None
    owner = scope.instance_class(holder.value)
    if owner is None or (held and not _made_here(owner, func.value)):
        return None
    base: Value = None
    for attribute in BASE_URL_ATTRIBUTES:
        base = evaluator.class_attribute_of(owner, attribute)
        if base is None:
            base = evaluator.class_attribute_of(owner, "_" + attribute)
        # on SendGrid's API host, with or without a path (`https://api.sendgrid.com`)
        if isinstance(base, Str) and api_path(base.pieces + ("/v3",)) is not None:
            break
        base = None
    if not isinstance(base, Str):
        return None
    named = _VERBS_BY_NAME.fullmatch(func.attr.value)
    first = literal_text(evaluator.argument(node, 0, "method", scope, order))
    if first and first.lower() in VERBS:
        method, target = first, evaluator.argument(node, 1, "endpoint", scope, order)
        if target is None:
            target = evaluator.argument(node, 1 << 30, "path", scope, order)
    elif named is not None:
        method, target = named.group(1), evaluator.argument(node, 0, "endpoint", scope, order)
        if target is None:
            target = evaluator.argument(node, 1 << 30, "path", scope, order)
    else:
        return None
    if not isinstance(target, Str):
        return None
    if held and not (target.pieces and isinstance(target.pieces[0], str)
                     and target.pieces[0].startswith("/")):
        return None  # a held client's path is absolute (`self.config.get("api_key")` is not)
    url = Str(join_base(base.pieces, target.pieces, False))
    return _plain_request(method, url, UNKNOWN_KEY)


def _made_here(owner: Scope, held: cst.BaseExpression) -> bool:
    """Whether the class makes the client it holds in `self.<name>` (a constructor, a factory,
    or a base class of another module that sets it), rather than only taking one in (a test
    double, a client for another service): only a client the class makes is taken to use the
    class's base URL."""
    assert isinstance(held, cst.Attribute)
    bindings = owner.attributes.get(held.attr.value, [])
    if not bindings:
        return bool(owner.bases)
    return any(isinstance(b.node, (cst.Call, cst.Await)) for b in bindings)


def _plain_request(method: str | None, url: Value, key: str, path_only: bool = False,
                   whole_url_parameter: bool = False) -> Request | None:
    """A request to a URL: SendGrid's only when the URL's host is one of its API hosts.

    While a helper's summary is worked out (`callsites._helper`), a URL that is wholly a
    parameter of the helper (`session.request("get", url)`) is kept as it is, so that each call
    of the helper can be checked with the URL it passes (`whole_url` in `strings.py`)."""
    if not isinstance(url, Str):
        return None
    path = url.pieces if path_only else api_path(url.pieces)
    if path is None and whole_url_parameter and whole_url(url.pieces):
        path = url.pieces
    if path is None:
        return None
    if not method:  # the steps say which string it sends to (see `engine.report_calls`)
        return Request("", raw_path_steps(path), dynamic="the HTTP method is computed at run "
                       "time", key=key)
    return Request(method.lower(), raw_path_steps(path), key=key)


def _unknown_base_request(method: str | None, url: Value) -> Request | None:
    """A request to a base URL known only at run time plus a literal path, such as
    `requests.post(settings.api_url + "/marketing/lists")` where the base is a database
    field, in a module that imports the SendGrid library (or code named after SendGrid).

    Its host cannot be known, so it is never reported as SendGrid's endpoint; it is kept,
    as unresolved, only when a rule knows the path on SendGrid's v3 API (see
    `engine.report_calls`): elsewhere it is taken for another service's request.
    """
    if not method or not isinstance(url, Str) or len(url.pieces) < 2:
        return None
    base, head, *rest = url.pieces
    if base is not VALUE or head is VALUE or not head.startswith("/") or head == "/":
        return None
    path = (head if head.startswith("/v3/") else "/v3" + head, *rest)
    return Request(method.lower(), raw_path_steps(tuple(path)), key=UNKNOWN_KEY,
                   unknown_base=True)


# Imported functions of the HTTP libraries: the table each is found in, and its recogniser.
_IMPORTED: tuple[tuple[object, Recogniser], ...] = (
    (HTTP_FUNCTIONS, _http_function),
    (URLOPEN_FUNCTIONS, _urlopen),
)

# The kinds of callee that may send a request, each with its recogniser.
_BY_KIND: dict[type, Recogniser] = {
    Member: _chain_verb,
    Send: _send,
    Dynamic: _dynamic,
    MailOnly: _mail_only,
    Helper: _through_helper,
    Function: _wrapper,
    Factory: _wrapper,
    Imported: _imported,
    HttpRequest: _session_method,
    Fetch: _fetch,
    ConnectionRequest: _connection,
    type(None): _by_url,
}
