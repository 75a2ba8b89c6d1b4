"""The libcst visitor: find the calls in one module that reach SendGrid through the official client.

What it collects, per module:
- the `SendGridAPIClient` class under any import alias (`import sendgrid`,
  `from sendgrid import SendGridAPIClient as SG`, `sendgrid.sendgrid.SendGridAPIClient`);
- names bound to a client, to `client.client` or to a partial chain (`tpl = sg.client.templates`),
  in module, class and function scopes, on `self.<attr>` inside methods, and on parameters
  annotated with the client class;
- each call of a request function (`.get()`, `.post()`, ... at the end of a chain) and of
  `client.send()`, as a `RawCall` with the chain's steps;
- calls whose chain cannot be known (`getattr(sg.client, name)`), as a `RawCall` with a reason.

What it does not do: turn steps into URLs (`resolve.py`), know scopes (`rules.py`), or follow
values across modules, through function returns or through containers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from .clients import (
    API_HOSTS,
    CLIENT_CLASSES,
    DJANGO_BACKENDS,
    HTTP_CHAIN_CLASSES,
    HTTP_CLIENT_ATTRIBUTES,
    HTTP_CONNECTION_CLASSES,
    HTTP_FUNCTIONS,
    HTTP_SESSION_CLASSES,
    HTTP_SESSION_METHODS,
    LEGACY_CLIENT_CLASSES,
    LEGACY_SEND_PATH,
    MAIL_ONLY_CLIENTS,
    SMTP_CLASSES,
    SMTP_HOSTS,
    URL_REQUEST_CLASSES,
    URLJOIN_FUNCTIONS,
    URLOPEN_FUNCTIONS,
    VERBS,
)
from .prefilter import might_call_sendgrid as might_call_sendgrid  # re-exported for callers
from .types import VALUE, Location, RawCall, Segment, Step, StepKind


# Key labels for clients whose key is not read from a named variable or setting.
DEFAULT_KEY = "SENDGRID_API_KEY"  # SendGridAPIClient() with no key reads this variable
UNKNOWN_KEY = ""
HARD_CODED_KEY = "(hard-coded)"

# Django settings that route mail through SendGrid -> the setting that holds the key.
_MAIL_SETTINGS = {"EMAIL_BACKEND": "SENDGRID_API_KEY", "EMAIL_HOST": "EMAIL_HOST_PASSWORD"}
_NEWLINE = re.compile(r"\s*\n\s*")


# ---------------------------------------------------------------- symbolic values of expressions


@dataclass(frozen=True, slots=True)
class _Imported:
    qualname: str


@dataclass(frozen=True, slots=True)
class _Client:
    """An instance of `SendGridAPIClient`; `key` names where its API key comes from."""

    key: str = ""


@dataclass(frozen=True, slots=True)
class _Chain:
    """A `python_http_client.Client` with the steps that built it."""

    steps: tuple[Step, ...]
    key: str = ""


@dataclass(frozen=True, slots=True)
class _Member:
    """A function read off a chain: a verb, `_` or `version`."""

    chain: _Chain
    name: str


@dataclass(frozen=True, slots=True)
class _Send:
    """`client.send`."""

    key: str = ""


@dataclass(frozen=True, slots=True)
class _Str:
    """A string whose pieces are known, VALUE where a piece is only known at run time."""

    pieces: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class _Dynamic:
    """Something reached from a client whose request cannot be known statically."""

    reason: str
    key: str = ""


@dataclass(frozen=True, slots=True)
class _MailOnly:
    """A client that can only send mail (legacy v0–v2 client, async mail packages)."""

    send_methods: frozenset[str]
    key: str = ""
    legacy: bool = False


@dataclass(frozen=True, slots=True)
class _Session:
    """A requests/httpx/aiohttp session: the same request methods as the module functions."""


@dataclass(frozen=True, slots=True)
class _HttpRequest:
    """A plain-HTTP request function; `method` None means the method is its first argument."""

    method: str | None


@dataclass(frozen=True, slots=True)
class _UrlOpen:
    """`urllib.request.urlopen`."""


@dataclass(frozen=True, slots=True)
class _UrlRequest:
    """A `urllib.request.Request`: its URL, and its method (None: GET, or POST with data)."""

    url: tuple[Segment, ...]
    method: str | None


@dataclass(frozen=True, slots=True)
class _Connection:
    """An `http.client` connection to a SendGrid API host; `.request(method, path)` sends."""


@dataclass(frozen=True, slots=True)
class _ConnectionRequest:
    """`connection.request` of a connection to a SendGrid API host."""


_Value = (_Imported | _Client | _Chain | _Member | _Send | _Str | _Dynamic | _MailOnly | _Session
          | _HttpRequest | _UrlOpen | _UrlRequest | _Connection | _ConnectionRequest | None)


# ------------------------------------------------------------------------------ scopes, bindings


@dataclass(slots=True)
class _Binding:
    order: int
    scope: _Scope
    node: cst.BaseExpression | None = None
    fixed: _Value = None
    annotation: bool = False


@dataclass(slots=True)
class _Scope:
    kind: str  # "module", "class" or "function"
    parent: _Scope | None = None
    bindings: dict[str, list[_Binding]] = field(default_factory=dict)
    attributes: dict[str, list[_Binding]] = field(default_factory=dict)  # class scopes: self.<x>
    owner: _Scope | None = None  # methods: the class scope
    self_name: str = ""  # methods: the name of the first parameter
    global_names: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _PendingCall:
    node: cst.Call
    scope: _Scope
    order: int
    location: Location


class _Collector(cst.CSTVisitor):
    """First pass: record every binding and every call with the scope and order it occurs in."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.module_scope = _Scope("module")
        self.scope = self.module_scope
        self.order = 0
        self.calls: list[_PendingCall] = []
        self.settings: list[tuple[Location, str, str]] = []  # (where, source, key setting)

    def _next(self) -> int:
        self.order += 1
        return self.order

    def _bind(self, name: str, binding: _Binding) -> None:
        scope = self.module_scope if name in self.scope.global_names else self.scope
        scope.bindings.setdefault(name, []).append(binding)

    # scopes
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._bind(node.name.value, _Binding(self._next(), self.scope))
        self.scope = _Scope("class", parent=self.scope)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        assert self.scope.parent is not None
        self.scope = self.scope.parent

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        outer = self.scope
        self._bind(node.name.value, _Binding(self._next(), outer))
        inner = _Scope("function", parent=outer)
        params = [*node.params.posonly_params, *node.params.params]
        is_static = any(
            isinstance(d.decorator, cst.Name) and d.decorator.value == "staticmethod"
            for d in node.decorators
        )
        if outer.kind == "class" and params and not is_static:
            inner.owner = outer
            inner.self_name = params[0].name.value
        every_param = [*params, *node.params.kwonly_params]
        for extra in (node.params.star_arg, node.params.star_kwarg):
            if isinstance(extra, cst.Param):
                every_param.append(extra)
        for param in every_param:
            annotation = param.annotation.annotation if param.annotation else None
            binding = _Binding(0, outer, node=annotation, annotation=annotation is not None)
            inner.bindings.setdefault(param.name.value, []).append(binding)
        self.scope = inner

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        assert self.scope.parent is not None
        self.scope = self.scope.parent

    def visit_Global(self, node: cst.Global) -> None:
        self.scope.global_names.update(item.name.value for item in node.names)

    # bindings
    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            dotted = _dotted(alias.name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self._bind(alias.asname.name.value, _Binding(self._next(), self.scope,
                                                             fixed=_Imported(dotted)))
            else:
                top = dotted.split(".")[0]
                self._bind(top, _Binding(self._next(), self.scope, fixed=_Imported(top)))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
            return
        module = _dotted(node.module)
        for alias in node.names:
            name = _dotted(alias.name)
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            self._bind(local, _Binding(self._next(), self.scope,
                                       fixed=_Imported(f"{module}.{name}")))

    def visit_Assign(self, node: cst.Assign) -> None:
        order = self._next()
        for target in node.targets:
            self._bind_target(target.target, node.value, order)
            if isinstance(target.target, cst.Name) and target.target.value in _MAIL_SETTINGS:
                self._mail_setting(node, target.target.value)

    def _mail_setting(self, node: cst.Assign, name: str) -> None:
        """Django settings that send all mail through SendGrid, without an HTTP call in sight."""
        value = node.value
        text = value.evaluated_value if isinstance(value, cst.SimpleString) else None
        if text in DJANGO_BACKENDS or text in SMTP_HOSTS:
            position = self.get_metadata(PositionProvider, node).start
            location = Location(self.path, position.line, position.column + 1)
            self.settings.append((location, f"{name} = {text!r}", _MAIL_SETTINGS[name]))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind_target(node.target, node.value, self._next())

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind_target(node.target, node.value, self._next())

    def visit_For(self, node: cst.For) -> None:
        self._bind_target(node.target, None, self._next())

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind_target(node.asname.name, node.item, self._next())

    def _bind_target(self, target: cst.BaseExpression, value: cst.BaseExpression | None,
                     order: int) -> None:
        if isinstance(target, cst.Name):
            self._bind(target.value, _Binding(order, self.scope, node=value))
        elif isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
            method = self.scope
            if method.owner is not None and target.value.value == method.self_name:
                method.owner.attributes.setdefault(target.attr.value, []).append(
                    _Binding(order, method, node=value))
        elif isinstance(target, (cst.Tuple, cst.List)):
            values: Sequence[cst.BaseElement] | None = None
            if isinstance(value, (cst.Tuple, cst.List)) and len(value.elements) == len(
                    target.elements):
                values = value.elements
            for index, element in enumerate(target.elements):
                item = values[index].value if values is not None else None
                self._bind_target(element.value, item, order)

    # calls
    def visit_Call(self, node: cst.Call) -> None:
        position = self.get_metadata(PositionProvider, node).start
        location = Location(self.path, position.line, position.column + 1)
        self.calls.append(_PendingCall(node, self.scope, self._next(), location))


# ------------------------------------------------------------------------------ evaluation


class _Evaluator:
    """Second pass: work out the symbolic value of expressions from the recorded bindings."""

    def __init__(self, module_scope: _Scope) -> None:
        self.module_scope = module_scope
        self.in_progress: set[int] = set()
        self.cache: dict[int, _Value] = {}

    def value(self, node: cst.BaseExpression, scope: _Scope, order: int) -> _Value:
        if isinstance(node, cst.Name):
            return self._name(node.value, scope, order)
        if isinstance(node, cst.Attribute):
            if (isinstance(node.value, cst.Name) and scope.owner is not None
                    and node.value.value == scope.self_name):
                owner = scope.owner
                bindings = owner.attributes.get(node.attr.value, []) + owner.bindings.get(
                    node.attr.value, [])
                return self._first_known(bindings)
            return _attribute(self.value(node.value, scope, order), node.attr.value)
        if isinstance(node, cst.Call):
            return self._call(node, scope, order)
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            text = node.evaluated_value
            return _Str((text,)) if isinstance(text, str) else None
        if isinstance(node, cst.FormattedString):
            return _Str(_merged(self._formatted(node, scope, order)))
        if isinstance(node, cst.Integer):
            return _Str((str(node.evaluated_value),) if node.evaluated_value else ())
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            left = self.value(node.left, scope, order)
            right = self.value(node.right, scope, order)
            if isinstance(left, _Str) or isinstance(right, _Str):
                return _Str(_merged(_pieces(left) + _pieces(right)))
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Modulo):
            template = self.value(node.left, scope, order)
            if isinstance(template, _Str):
                items = node.right.elements if isinstance(node.right, cst.Tuple) else [node.right]
                values = [self.value(getattr(i, "value", i), scope, order) for i in items]
                return _Str(_interpolate(template.pieces, _PERCENT, values))
        return None

    def _formatted(self, node: cst.FormattedString, scope: _Scope, order: int) -> tuple[Segment, ...]:
        pieces: list[Segment] = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                pieces.append(part.value)
                continue
            assert isinstance(part, cst.FormattedStringExpression)
            inner = self.value(part.expression, scope, order)
            plain = part.format_spec is None and part.conversion is None
            pieces.extend(inner.pieces if isinstance(inner, _Str) and plain else (VALUE,))
        return tuple(pieces)

    def _name(self, name: str, scope: _Scope, order: int) -> _Value:
        return self._first_known(self._candidates(name, scope, order))

    def _candidates(self, name: str, scope: _Scope, order: int) -> list[_Binding]:
        """The bindings a use of `name` may see, most likely first (Python's scope rules)."""
        current: _Scope | None = scope
        innermost = True
        while current is not None:
            if current.kind == "class" and not innermost:
                current = current.parent  # class bodies are not visible from their methods
                continue
            if name in current.global_names:
                current, innermost = self.module_scope, False
                continue
            bindings = current.bindings.get(name)
            if bindings:
                if not innermost:  # an enclosing scope is complete by the time a call runs
                    return list(reversed(bindings))
                before = [b for b in bindings if b.order < order]
                return list(reversed(before)) + [b for b in bindings if b.order >= order]
            current, innermost = current.parent, False
        return []

    def _first_known(self, bindings: list[_Binding]) -> _Value:
        """The first binding with a value worth knowing (`sg = None` then `sg = Client()`)."""
        for binding in bindings:
            value = self._binding_value(binding)
            if value is not None:
                return value
        return None

    def _binding_value(self, binding: _Binding) -> _Value:
        if binding.fixed is not None or binding.node is None:
            return binding.fixed
        key = id(binding)
        if key in self.cache:
            return self.cache[key]
        if key in self.in_progress:
            return None
        self.in_progress.add(key)
        try:
            if binding.annotation:
                value = self._annotated(binding.node, binding.scope)
            else:
                value = self.value(binding.node, binding.scope, binding.order)
        finally:
            self.in_progress.discard(key)
        self.cache[key] = value
        return value

    def body_scopes(self, node: cst.Call, scope: _Scope, order: int) -> tuple[str, ...] | None:
        """The literal `scopes` list of a request body (`request_body=` or `json=`).

        A key that creates or updates keys can only grant scopes it holds, so these scopes are
        needed too. () means the body has no `scopes` entry; None means the body or its
        `scopes` entry is computed at run time and cannot be read.
        """
        body = next((a.value for a in node.args
                     if a.keyword is not None and a.keyword.value in ("request_body", "json")), None)
        if body is None:
            return ()
        literal = self._literal_node(body, scope, order)
        if not isinstance(literal, cst.Dict):
            return None
        for element in literal.elements:
            if not isinstance(element, cst.DictElement):
                return None  # `**other` may hold scopes
            key = element.key
            if isinstance(key, cst.SimpleString) and key.evaluated_value == "scopes":
                items = self._literal_node(element.value, scope, order)
                if not isinstance(items, (cst.List, cst.Tuple)):
                    return None
                names: list[str] = []
                for item in items.elements:
                    text = item.value
                    if not isinstance(item, cst.Element) or not isinstance(text, cst.SimpleString):
                        return None
                    value = text.evaluated_value
                    if not isinstance(value, str):
                        return None
                    names.append(value)
                return tuple(names)
        return ()

    def _literal_node(self, node: cst.BaseExpression, scope: _Scope,
                      order: int) -> cst.BaseExpression:
        """Follow a name to the expression it was last bound to (one hop per binding)."""
        seen = 0
        while isinstance(node, cst.Name) and seen < 8:
            bindings = [b for b in self._candidates(node.value, scope, order) if b.node is not None]
            if not bindings or bindings[0].annotation:
                return node
            node, scope, order = bindings[0].node, bindings[0].scope, bindings[0].order
            seen += 1
        return node

    def _annotated(self, node: cst.BaseExpression, scope: _Scope) -> _Value:
        """A parameter annotated with the client class (also `Optional[...]`, `... | None`)."""
        candidates: list[cst.BaseExpression] = [node]
        while candidates:
            current = candidates.pop()
            if isinstance(current, cst.BinaryOperation):
                candidates += [current.left, current.right]
            elif isinstance(current, cst.Subscript):
                candidates += [e.slice.value for e in current.slice
                               if isinstance(e.slice, cst.Index)]
            elif isinstance(current, (cst.SimpleString, cst.ConcatenatedString)):
                text = current.evaluated_value
                if isinstance(text, str):
                    try:
                        candidates.append(cst.parse_expression(text))
                    except cst.ParserSyntaxError:
                        pass
            else:
                imported = self.value(current, scope, 1 << 62)
                if isinstance(imported, _Imported) and imported.qualname in CLIENT_CLASSES:
                    return _Client(UNKNOWN_KEY)
        return None

    def _call(self, node: cst.Call, scope: _Scope, order: int) -> _Value:
        if (isinstance(node.func, cst.Name) and node.func.value == "getattr"
                and self._name("getattr", scope, order) is None and len(node.args) >= 2):
            return self._getattr(node, scope, order)
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "format":
            template = self.value(node.func.value, scope, order)
            if isinstance(template, _Str) and all(a.keyword is None and not a.star
                                                  for a in node.args):
                values = [self.value(a.value, scope, order) for a in node.args]
                return _Str(_interpolate(template.pieces, _BRACES, values))
        function = self.value(node.func, scope, order)
        if isinstance(function, _Imported):
            return self._construct(function.qualname, node, scope, order)
        if isinstance(function, _Member) and function.name in ("_", "version"):
            kind = StepKind.UNDERSCORE if function.name == "_" else StepKind.VERSION
            pieces = self._argument_pieces(node, scope, order)
            chain = function.chain
            return _Chain(chain.steps + (Step(kind, pieces),), chain.key)
        return None

    def _construct(self, qualname: str, node: cst.Call, scope: _Scope, order: int) -> _Value:
        """The value of calling an imported class or function that matters to SendGrid."""
        if qualname in CLIENT_CLASSES:
            return _Client(self._client_key(node, scope, order))
        if qualname in LEGACY_CLIENT_CLASSES:
            return _MailOnly(frozenset({"send"}), self._client_key(node, scope, order), legacy=True)
        if qualname in MAIL_ONLY_CLIENTS:
            return _MailOnly(MAIL_ONLY_CLIENTS[qualname], self._client_key(node, scope, order))
        if qualname in HTTP_SESSION_CLASSES:
            return _Session()
        if qualname in HTTP_CHAIN_CLASSES:
            host = self._argument(node, 0, "host", scope, order)
            if not (isinstance(host, _Str) and _api_path(host.pieces) is not None):
                return None
            version = self._argument(node, 2, "version", scope, order)
            pieces = version.pieces if isinstance(version, _Str) else ()
            return _Chain((Step(StepKind.VERSION, pieces),), UNKNOWN_KEY)
        if qualname in URL_REQUEST_CLASSES:
            url = self._argument(node, 0, "url", scope, order)
            method = self._argument(node, 5, "method", scope, order)
            has_data = self._argument_node(node, 1, "data") is not None
            text = _literal(method)
            return _UrlRequest(url.pieces if isinstance(url, _Str) else (VALUE,),
                               text.upper() if text else ("POST" if has_data else None))
        if qualname in HTTP_CONNECTION_CLASSES:
            host = self._argument(node, 0, "host", scope, order)
            if isinstance(host, _Str) and _literal(host) in API_HOSTS:
                return _Connection()
            return None
        if qualname in URLJOIN_FUNCTIONS:
            base = self._argument(node, 0, "base", scope, order)
            path = self._argument(node, 1, "url", scope, order)
            if isinstance(base, _Str) and isinstance(path, _Str):
                return _Str(_urljoin(base.pieces, path.pieces))
        return None

    def _argument_node(self, node: cst.Call, position: int,
                       keyword: str) -> cst.BaseExpression | None:
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value == keyword:
                return arg.value
        positional = [a.value for a in node.args if a.keyword is None and not a.star]
        return positional[position] if position < len(positional) else None

    def _argument(self, node: cst.Call, position: int, keyword: str, scope: _Scope,
                  order: int) -> _Value:
        argument = self._argument_node(node, position, keyword)
        return None if argument is None else self.value(argument, scope, order)

    def request(self, node: cst.Call, scope: _Scope,
                order: int) -> tuple[str, tuple[Step, ...], str, str] | None:
        """(verb, steps, dynamic reason, key) when this call sends a request to SendGrid."""
        function = self.value(node.func, scope, order)
        if isinstance(function, _Member) and function.name in VERBS:
            return function.name, function.chain.steps, "", function.chain.key
        if isinstance(function, _Send):
            return "send", (), "", function.key
        if isinstance(function, _Dynamic):
            return "", (), function.reason, function.key
        if isinstance(function, _Imported):
            if function.qualname in HTTP_FUNCTIONS:
                return self._http(HTTP_FUNCTIONS[function.qualname], node, scope, order)
            if function.qualname in URLOPEN_FUNCTIONS:
                return self._urlopen(node, scope, order)
            if function.qualname in SMTP_CLASSES:
                host = self._argument(node, 0, "host", scope, order)
                if isinstance(host, _Str) and _literal(host) in SMTP_HOSTS:
                    return "send", (), "", "(SMTP password)"
        if isinstance(function, _HttpRequest):
            return self._http(function.method, node, scope, order)
        if isinstance(function, _ConnectionRequest):
            method = self._argument(node, 0, "method", scope, order)
            url = self._argument(node, 1, "url", scope, order)
            return self._plain_request(_literal(method), url, UNKNOWN_KEY, path_only=True)
        if isinstance(function, _MailOnly):
            if function.legacy:
                return "post", _raw_path_steps(("/" + "/".join(LEGACY_SEND_PATH),)), "", \
                    function.key
            return "send", (), "", function.key
        return None

    def _http(self, method: str | None, node: cst.Call, scope: _Scope,
              order: int) -> tuple[str, tuple[Step, ...], str, str] | None:
        if method is None:
            given = self._argument(node, 0, "method", scope, order)
            url = self._argument(node, 1, "url", scope, order)
            return self._plain_request(_literal(given), url, UNKNOWN_KEY)
        return self._plain_request(method, self._argument(node, 0, "url", scope, order),
                                   UNKNOWN_KEY)

    def _urlopen(self, node: cst.Call, scope: _Scope,
                 order: int) -> tuple[str, tuple[Step, ...], str, str] | None:
        target = self._argument(node, 0, "url", scope, order)
        has_data = self._argument_node(node, 1, "data") is not None
        if isinstance(target, _UrlRequest):
            method = target.method or ("POST" if has_data else "GET")
            return self._plain_request(method, _Str(target.url), UNKNOWN_KEY)
        return self._plain_request("POST" if has_data else "GET", target, UNKNOWN_KEY)

    @staticmethod
    def _plain_request(method: str | None, url: _Value, key: str, path_only: bool = False
                       ) -> tuple[str, tuple[Step, ...], str, str] | None:
        """A request to a URL: SendGrid's only when the URL's host is one of its API hosts."""
        if not isinstance(url, _Str):
            return None
        path = url.pieces if path_only else _api_path(url.pieces)
        if path is None:
            return None
        if not method:
            return "", (), "the HTTP method is computed at run time", key
        return method.lower(), _raw_path_steps(path), "", key

    def _client_key(self, node: cst.Call, scope: _Scope, order: int) -> str:
        """Where a new client's API key comes from: an environment variable or setting name.

        `SendGridAPIClient()` reads `SENDGRID_API_KEY` from the environment; a key passed in is
        named after the variable or setting it is read from (`os.environ["X"]`,
        `os.getenv("X")`, `settings.X`, `config["X"]`, a constant bound to one of those).
        """
        argument = next((a.value for a in node.args if a.keyword is None), None)
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value in ("api_key", "apikey"):
                argument = arg.value
        if argument is None or (isinstance(argument, cst.Name) and argument.value == "None"):
            return DEFAULT_KEY
        return self._key_name(argument, scope, order, depth=0)

    def _key_name(self, node: cst.BaseExpression, scope: _Scope, order: int, depth: int) -> str:
        if depth > 8:
            return UNKNOWN_KEY
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            return HARD_CODED_KEY
        if isinstance(node, cst.Subscript) and len(node.slice) == 1:
            index = node.slice[0].slice
            if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
                text = index.value.evaluated_value
                return text if isinstance(text, str) else UNKNOWN_KEY
        if isinstance(node, cst.Call) and node.args:
            first = node.args[0].value
            if isinstance(first, cst.SimpleString) and isinstance(first.evaluated_value, str):
                return first.evaluated_value  # os.getenv("X"), environ.get("X"), config("X")
        if isinstance(node, cst.Attribute) and node.attr.value.isupper():
            return node.attr.value  # settings.SENDGRID_API_KEY
        if isinstance(node, cst.BooleanOperation):  # key or os.environ["X"]
            left = self._key_name(node.left, scope, order, depth + 1)
            if left != UNKNOWN_KEY:
                return left
            return self._key_name(node.right, scope, order, depth + 1)
        if isinstance(node, cst.Name):
            for binding in self._candidates(node.value, scope, order):
                if binding.node is not None and not binding.annotation:
                    return self._key_name(binding.node, binding.scope, binding.order, depth + 1)
        return UNKNOWN_KEY

    def _getattr(self, node: cst.Call, scope: _Scope, order: int) -> _Value:
        target = self.value(node.args[0].value, scope, order)
        if not isinstance(target, (_Client, _Chain, _Dynamic)):
            return None
        name = self.value(node.args[1].value, scope, order)
        if isinstance(name, _Str) and all(piece is not VALUE for piece in name.pieces):
            return _attribute(target, "".join(p for p in name.pieces if p is not None))
        return _Dynamic("the attribute name is computed at run time (getattr)", target.key)

    def _argument_pieces(self, node: cst.Call, scope: _Scope, order: int) -> tuple[Segment, ...]:
        if not node.args:
            return (VALUE,)
        argument = node.args[0].value
        if isinstance(argument, cst.Name) and argument.value in ("None", "False"):
            return ()
        value = self.value(argument, scope, order)
        if isinstance(value, _Str):
            return value.pieces
        return (VALUE,)


def _attribute(base: _Value, name: str) -> _Value:
    if isinstance(base, _Imported):
        return _Imported(f"{base.qualname}.{name}")
    if isinstance(base, _Session):
        return _HttpRequest(HTTP_SESSION_METHODS[name]) if name in HTTP_SESSION_METHODS else None
    if isinstance(base, _Connection):
        return _ConnectionRequest() if name == "request" else None
    if isinstance(base, _MailOnly):
        return base if name in base.send_methods else None
    if isinstance(base, _Client):
        return {"client": _Chain((), base.key), "send": _Send(base.key)}.get(name)
    if isinstance(base, _Chain):
        if name in VERBS or name in ("_", "version"):
            return _Member(base, name)
        if name in HTTP_CLIENT_ATTRIBUTES or name.startswith("_"):
            return None
        return _Chain(base.steps + (Step(StepKind.ATTRIBUTE, (name,)),), base.key)
    if isinstance(base, _Dynamic):
        return base
    return None


_PERCENT = re.compile(r"%[sdr]")
_BRACES = re.compile(r"\{\d*\}")


def _pieces(value: _Value) -> tuple[Segment, ...]:
    return value.pieces if isinstance(value, _Str) else (VALUE,)


def _interpolate(template: tuple[Segment, ...], placeholder: re.Pattern[str],
                 values: list[_Value]) -> tuple[Segment, ...]:
    """`"%s/x" % a` and `"{}/x".format(a)`: placeholders filled in order, VALUE when unknown."""
    pieces: list[Segment] = []
    remaining = iter(values)
    for piece in template:
        if piece is VALUE:
            pieces.append(VALUE)
            continue
        position = 0
        for found in placeholder.finditer(piece):
            pieces.append(piece[position:found.start()])
            pieces.extend(_pieces(next(remaining, None)))
            position = found.end()
        pieces.append(piece[position:])
    return _merged(pieces)


def _merged(pieces: Sequence[Segment]) -> tuple[Segment, ...]:
    """Adjacent literal pieces joined and empty ones dropped, so a URL's host is one piece."""
    merged: list[Segment] = []
    for piece in pieces:
        if piece is VALUE or not merged or merged[-1] is VALUE:
            if piece != "":
                merged.append(piece)
        else:
            merged[-1] = merged[-1] + piece
    return tuple(merged)


def _literal(value: _Value) -> str | None:
    """The text of a string known entirely before run time, else None."""
    if isinstance(value, _Str) and VALUE not in value.pieces:
        return "".join(p for p in value.pieces if p is not None)
    return None


def _api_path(pieces: tuple[Segment, ...]) -> tuple[Segment, ...] | None:
    """The path pieces of a URL on a SendGrid API host, or None for any other URL.

    The host must be known before run time: a URL that starts with a variable (such as the
    upload URL a contact import returns) is never taken for SendGrid.
    """
    if not pieces or pieces[0] is VALUE:
        return None
    head = pieces[0]
    scheme, separator, rest = head.partition("://")
    if not separator:
        rest = head
    host, slash, path = rest.partition("/")
    if host.split(":")[0] not in API_HOSTS:
        return None
    return (slash + path, *pieces[1:])


def _urljoin(base: tuple[Segment, ...], path: tuple[Segment, ...]) -> tuple[Segment, ...]:
    """`urljoin` for the shapes API code uses: an absolute path replaces the base's path."""
    if path and path[0] is not VALUE and path[0].startswith(("http://", "https://")):
        return path
    if VALUE in base:
        return base + path
    text = "".join(p for p in base if p is not None)
    if path and path[0] is not VALUE and path[0].startswith("/"):
        scheme, _, rest = text.partition("://")
        return (f"{scheme}://{rest.split('/')[0]}", *path)
    return (text[: text.rfind("/") + 1], *path)


def _raw_path_steps(path: tuple[Segment, ...]) -> tuple[Step, ...]:
    """Steps for a request made with a full path: no implied version, the path as written."""
    return (Step(StepKind.VERSION, ()), Step(StepKind.UNDERSCORE, path))


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


# ------------------------------------------------------------------------------ entry point


def find_calls(module: cst.Module, path: str) -> list[RawCall]:
    """Every call in `module` that reaches SendGrid, in source order."""
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    collector = _Collector(path)
    wrapper.visit(collector)
    evaluator = _Evaluator(collector.module_scope)
    found: list[RawCall] = []
    for pending in collector.calls:
        request = evaluator.request(pending.node, pending.scope, pending.order)
        if request is None:
            continue
        verb, steps, dynamic, key = request
        chain = _NEWLINE.sub("", module.code_for_node(pending.node.func))
        grants = evaluator.body_scopes(pending.node, pending.scope, pending.order)
        found.append(RawCall(pending.location, chain, steps, verb, dynamic, key, grants))
    for location, source, key in collector.settings:
        found.append(RawCall(location, source, (), "send", key=key))
    found.sort(key=lambda call: (call.location.line, call.location.col))
    return found
