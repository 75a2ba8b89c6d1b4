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

from .types import VALUE, Location, RawCall, Segment, Step, StepKind

# Qualified names under which the official client class can be imported.
CLIENT_CLASSES = frozenset({"sendgrid.SendGridAPIClient", "sendgrid.sendgrid.SendGridAPIClient"})
# Request functions of python_http_client.Client; any other unknown attribute is a path segment.
VERBS = frozenset({"get", "post", "put", "patch", "delete"})
# Real attributes of python_http_client.Client: reading them never adds a path segment.
HTTP_CLIENT_ATTRIBUTES = frozenset({"host", "request_headers", "append_slash", "timeout", "methods"})

# Key labels for clients whose key is not read from a named variable or setting.
DEFAULT_KEY = "SENDGRID_API_KEY"  # SendGridAPIClient() with no key reads this variable
UNKNOWN_KEY = ""
HARD_CODED_KEY = "(hard-coded)"

_MARKER = re.compile(rb"sendgrid", re.IGNORECASE)
_NEWLINE = re.compile(r"\s*\n\s*")


def might_call_sendgrid(data: bytes) -> bool:
    """Cheap test: every call this visitor can find needs the word `sendgrid` in its module."""
    return _MARKER.search(data) is not None


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


_Value = _Imported | _Client | _Chain | _Member | _Send | _Str | _Dynamic | None


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
            return _Str(self._formatted(node, scope, order))
        if isinstance(node, cst.Integer):
            return _Str((str(node.evaluated_value),) if node.evaluated_value else ())
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            left = self.value(node.left, scope, order)
            right = self.value(node.right, scope, order)
            if isinstance(left, _Str) and isinstance(right, _Str):
                return _Str(left.pieces + right.pieces)
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
        function = self.value(node.func, scope, order)
        if isinstance(function, _Imported) and function.qualname in CLIENT_CLASSES:
            return _Client(self._client_key(node, scope, order))
        if isinstance(function, _Member) and function.name in ("_", "version"):
            kind = StepKind.UNDERSCORE if function.name == "_" else StepKind.VERSION
            pieces = self._argument_pieces(node, scope, order)
            chain = function.chain
            return _Chain(chain.steps + (Step(kind, pieces),), chain.key)
        return None

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
        function = evaluator.value(pending.node.func, pending.scope, pending.order)
        if isinstance(function, _Member) and function.name in VERBS:
            verb, steps, dynamic, key = function.name, function.chain.steps, "", function.chain.key
        elif isinstance(function, _Send):
            verb, steps, dynamic, key = "send", (), "", function.key
        elif isinstance(function, _Dynamic):
            verb, steps, dynamic, key = "", (), function.reason, function.key
        else:
            continue
        chain = _NEWLINE.sub("", module.code_for_node(pending.node.func))
        grants = evaluator.body_scopes(pending.node, pending.scope, pending.order)
        found.append(RawCall(pending.location, chain, steps, verb, dynamic, key, grants))
    return found
