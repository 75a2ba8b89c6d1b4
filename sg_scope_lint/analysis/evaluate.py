"""Second pass: the symbolic value of an expression, and the request a call sends."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import replace

import libcst as cst

from ..types import VALUE, Segment, Step, StepKind
from .clients import (
    API_HOSTS,
    CLIENT_CLASSES,
    CONFIG_LOOKUPS,
    DJANGO_BACKENDS,
    DJANGO_SMTP_BACKEND,
    HTTP_CHAIN_CLASSES,
    HTTP_CLIENT_ATTRIBUTES,
    HTTP_CONNECTION_CLASSES,
    HTTP_SESSION_CLASSES,
    HTTP_SESSION_METHODS,
    LEGACY_CLIENT_CLASSES,
    MAIL_ONLY_CLIENTS,
    SENDGRID_REQUEST_CLASSES,
    SMTP_CONNECTIONS,
    SMTP_HOSTS,
    TORNADO_CLIENT_CLASSES,
    TORNADO_REQUEST_CLASSES,
    URL_REQUEST_CLASSES,
    URLJOIN_FUNCTIONS,
    VERBS,
)
from .keys import client_key
from .strings import (
    BRACES,
    PERCENT,
    api_path,
    interpolate,
    literal_text,
    merge_pieces,
    pieces_of,
    strip_pieces,
    urljoin,
)
from .symbols import (
    UNKNOWN_KEY,
    Binding,
    Chain,
    Class,
    Client,
    Connection,
    ConnectionRequest,
    Dynamic,
    Factory,
    Fetch,
    Fetcher,
    Function,
    Helper,
    HttpRequest,
    Imported,
    Instance,
    MailOnly,
    Member,
    ProjectFacts,
    Scope,
    Send,
    Session,
    Str,
    UrlRequest,
    Value,
    literal_value,
)


class Evaluator:
    """Second pass: work out the symbolic value of expressions from the recorded bindings."""

    def __init__(self, module_scope: Scope, facts: ProjectFacts,
                 about_sendgrid: bool = False,
                 sendgrid_functions: frozenset[int] = frozenset()) -> None:
        self.module_scope = module_scope
        self.facts = facts
        # The module imports the SendGrid library or is named after SendGrid, or a function is
        # (its scope's id): evidence that their requests to a host they cannot see may be
        # SendGrid's (`requests._unknown_base_request`).
        self.about_sendgrid = about_sendgrid
        self.sendgrid_functions = sendgrid_functions
        self.in_progress: set[int] = set()
        self.call_depth = 0  # calls whose returns are being evaluated with bound arguments
        # Values given to expressions while one alternative of a call is evaluated (a table
        # looked up with a run-time key: see `alternatives.py`), by the node's id.
        self.overrides: dict[int, Value] = {}
        self.cache: dict[int, Value] = {}
        # Names of other modules whose string (`ProjectFacts.constants`) an evaluation used:
        # still wanted, so the answer stays while this module relies on it.
        self.constants_read: set[str] = set()
        # Classes whose methods the project exports (helpers, factories): their instances
        # matter to SendGrid even without a SendGrid attribute (see `transferable`).
        self.classes_with_members = frozenset(
            qualname.rpartition(".")[0] for qualname, value in facts.exports.items()
            if isinstance(value, (Helper, Factory)))

    def about_sendgrid_in(self, scope: Scope) -> bool:
        """Whether code in `scope` is about SendGrid (see `__init__`)."""
        current: Scope | None = scope
        while current is not None and not self.about_sendgrid:
            if id(current) in self.sendgrid_functions:
                return True
            current = current.parent
        return self.about_sendgrid

    def value(self, node: cst.BaseExpression, scope: Scope, order: int) -> Value:
        if isinstance(node, cst.Name):
            return self.external(self._name(node.value, scope, order))
        if isinstance(node, cst.Attribute):
            owner = scope.instance_class(node.value.value) if isinstance(
                node.value, cst.Name) else None
            if owner is not None:
                return self.class_attribute_of(owner, node.attr.value, depth=0)
            base = self.value(node.value, scope, order)
            if isinstance(base, Class):
                return self.class_attribute_of(base.scope, node.attr.value, depth=0)
            member = self._exported_member(base, node.attr.value)
            if member is not None:
                return member
            return self.external(attribute_of(base, node.attr.value))
        if isinstance(node, cst.Call):
            return self._call(node, scope, order)
        if isinstance(node, cst.Subscript):
            found = self.overrides.get(id(node))
            return found if found is not None else self._lookup(node, scope, order)
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            text = literal_value(node)
            return Str((text,)) if isinstance(text, str) else None
        if isinstance(node, cst.FormattedString):
            return Str(merge_pieces(self._formatted(node, scope, order)))
        if isinstance(node, cst.Integer):
            number = literal_value(node)
            return Str((str(number),) if number else ())
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            left = self.value(node.left, scope, order)
            right = self.value(node.right, scope, order)
            if isinstance(left, Str) or isinstance(right, Str):
                return Str(merge_pieces(pieces_of(left) + pieces_of(right)))
        if isinstance(node, cst.BooleanOperation) and isinstance(node.operator, cst.Or):
            return self._fallback(node, scope, order)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Modulo):
            template = self.value(node.left, scope, order)
            if isinstance(template, Str):
                items = ([e.value for e in node.right.elements]
                         if isinstance(node.right, cst.Tuple) else [node.right])
                values = [self.value(item, scope, order) for item in items]
                return Str(interpolate(template.pieces, PERCENT, values))
        return None

    def _fallback(self, node: cst.BooleanOperation, scope: Scope, order: int) -> Value:
        """`given or SendGridAPIClient(...)`: a client (or chain) that code makes when none was
        passed in is the one it uses. Only when the other side is unknown, or an unannotated
        parameter (a guessed client); texts are left to the string rules
        (`os.environ.get(...) or "..."` is a key, not a URL)."""
        left = self.value(node.left, scope, order)
        right = self.value(node.right, scope, order)
        for made, other in ((right, left), (left, right)):
            if isinstance(made, (Client, Chain)) and not made.guessed and (
                    other is None or (isinstance(other, (Client, Chain)) and other.guessed)):
                return made
        return None

    def _formatted(self, node: cst.FormattedString, scope: Scope, order: int) -> tuple[Segment, ...]:
        pieces: list[Segment] = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                pieces.append(part.value)
                continue
            assert isinstance(part, cst.FormattedStringExpression)
            inner = self.value(part.expression, scope, order)
            plain = part.format_spec is None and part.conversion is None
            pieces.extend(inner.pieces if isinstance(inner, Str) and plain else (VALUE,))
        return tuple(pieces)

    @contextlib.contextmanager
    def bound(self, scope: Scope, values: dict[str, Value]) -> Iterator[None]:
        """Evaluate as if `scope`'s parameters held these values (a call of a helper)."""
        added = []
        for name, value in values.items():
            binding = Binding(0, scope, fixed=value)
            scope.bindings.setdefault(name, []).append(binding)
            added.append((name, binding))
        self.cache.clear()
        try:
            yield
        finally:
            for name, binding in added:
                scope.bindings[name].remove(binding)
            self.cache.clear()

    def external(self, value: Value) -> Value:
        """An imported name another module of the project binds to a SendGrid value, or to a
        string one of this module's requests asked for."""
        if isinstance(value, Imported):
            found = self.facts.exports.get(value.qualname)
            if found is None:
                found = self.facts.constants.get(value.qualname)
                if found is not None:
                    self.constants_read.add(value.qualname)
            return value if found is None else found
        return value

    def module_constant(self, name: str) -> Value:
        """What a module-level name is bound to at the end of the module (its last binding
        with a known value; a name from `from x import *` is `Imported`)."""
        return self.external(self._name(name, self.module_scope, 1 << 62))

    def smtp_host_unknown(self, node: cst.Call, scope: Scope, order: int) -> bool:
        """Whether the call opens an SMTP connection to a host not known here, which may be a
        constant of another module (`smtplib.SMTP(settings.MAIL_SERVER)`): worth asking for."""
        function = self.value(node.func, scope, order)
        if not isinstance(function, Imported) or not self.opens_smtp(function, node, scope, order):
            return False
        return not isinstance(self.smtp_host(function, node, scope, order), Str)

    def opens_smtp(self, function: Imported, node: cst.Call, scope: Scope, order: int) -> bool:
        """Whether the call opens an SMTP connection: `smtplib.SMTP(host)`, Django's SMTP
        backend, or `get_connection(host=...)` for that backend (the default one)."""
        if function.qualname not in SMTP_CONNECTIONS:
            return False
        if not function.qualname.endswith(".get_connection"):
            return True
        backend = self.argument_node(node, 0, "backend")
        return backend is None or literal_text(
            self.value(backend, scope, order)) == DJANGO_SMTP_BACKEND

    def smtp_host(self, function: Imported, node: cst.Call, scope: Scope, order: int) -> Value:
        return self.argument(node, SMTP_CONNECTIONS[function.qualname], "host", scope, order)

    def imported_names(self, node: cst.Call, scope: Scope, order: int) -> set[str]:
        """The other modules' names (`settings.API_VERSION`, an imported `API_VERSION`) whose
        value the call's receiver and URL-like arguments read, through local names and
        `self` attributes; names already known as exports are left out.

        Asked only for a SendGrid request with a part unknown here, so that the module that
        binds such a name can be asked for its string (see `ProjectFacts`). The called function
        itself is not a name the request reads (`requests.post` is not a constant).
        """
        found: set[str] = set()
        seen: set[int] = set()
        stack: list[tuple[cst.CSTNode, Scope, int]] = [(node, scope, order)]
        while stack and len(seen) < _MAX_NAME_WALK:
            current, where, when = stack.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            if isinstance(current, cst.Call):
                if isinstance(current.func, cst.Attribute):  # the receiver: `client._(x)`
                    stack.append((current.func.value, where, when))
                stack.extend((arg.value, where, when) for arg in current.args
                             if arg.keyword is None or arg.keyword.value not in _BODY_KEYWORDS)
                continue
            raw: Value = None
            bindings: list[Binding] = []
            if isinstance(current, cst.Name):
                raw = self._name(current.value, where, when)
                bindings = self.candidates(current.value, where, when)
            elif isinstance(current, cst.Attribute):
                owner = where.instance_class(current.value.value) if isinstance(
                    current.value, cst.Name) else None
                if owner is not None:
                    name = current.attr.value
                    bindings = owner.attributes.get(name, []) + owner.bindings.get(name, [])
                else:
                    base = self.value(current.value, where, when)
                    raw = attribute_of(base, current.attr.value) \
                        if isinstance(base, Imported) else None
                    if raw is None:
                        stack.append((current.value, where, when))
            else:
                stack.extend((child, where, when) for child in current.children)
                continue
            if isinstance(raw, Imported):
                if raw.qualname not in self.facts.exports:
                    found.add(raw.qualname)
                continue
            stack.extend((b.node, b.scope, b.order) for b in bindings
                         if b.node is not None and not b.annotation and not b.default)
        return found

    def _exported_member(self, base: Value, name: str) -> Value:
        """A method of another module's class: a helper that sends a request (on an instance),
        or a factory (`Client.from_context(ctx)` on the class)."""
        if isinstance(base, Instance) and name not in dict(base.attributes):
            member = self.facts.exports.get(f"{base.qualname}.{name}")
            return member if isinstance(member, Helper) and member.method else None
        if isinstance(base, Factory) and isinstance(base.returns, Instance):
            member = self.facts.exports.get(f"{base.qualname}.{name}")
            return member if isinstance(member, Factory) else None
        return None

    def class_attribute_of(self, klass: Scope, name: str, depth: int = 0) -> Value:
        """`self.<name>`: assigned in any method or the class body, else in a base class."""
        found = self.first_known(klass.attributes.get(name, []) + klass.bindings.get(name, []))
        if found is not None or depth > 5 or klass.parent is None:
            return found
        for base_node in klass.bases:
            base = self.value(base_node, klass.parent, 1 << 62)
            if isinstance(base, Class):
                found = self.class_attribute_of(base.scope, name, depth + 1)
            elif isinstance(base, Factory) and isinstance(base.returns, Instance):
                found = dict(base.returns.attributes).get(name)
            elif isinstance(base, Imported) and base.qualname in HTTP_SESSION_CLASSES:
                found = attribute_of(self._inherited_session(klass, base.qualname), name)
            if found is not None:
                return found
        return None

    def _inherited_session(self, klass: Scope, qualname: str) -> Session:
        """The session a subclass of an HTTP client class is: the `base_url` its methods pass
        to `super().__init__(...)` (an httpx/aiohttp client made for one API)."""
        aiohttp = qualname.startswith("aiohttp.")
        for call in klass.init_calls:
            base = self.argument_node(call.node, 0 if aiohttp else 1 << 30, "base_url")
            if base is not None:
                value = self.value(base, call.scope, call.order)
                return Session(pieces_of(value), urljoin=aiohttp)
        return Session(urljoin=aiohttp)

    def instance_attributes(self, klass: Class, depth: int = 0) -> tuple[tuple[str, Value], ...]:
        """The SendGrid values on a class's attributes, its bases' included."""
        scope = klass.scope
        names = sorted(set(scope.attributes) | set(scope.bindings))
        found = {name: self.class_attribute_of(scope, name, 0) for name in names}
        if depth < 5 and scope.parent is not None:
            for base_node in scope.bases:
                base = self.value(base_node, scope.parent, 1 << 62)
                inherited: tuple[tuple[str, Value], ...] = ()
                if isinstance(base, Class):
                    inherited = self.instance_attributes(base, depth + 1)
                elif isinstance(base, Factory) and isinstance(base.returns, Instance):
                    inherited = base.returns.attributes
                for name, value in inherited:
                    found.setdefault(name, value)
        return tuple(sorted((n, v) for n, v in found.items() if transferable(v)))

    def _name(self, name: str, scope: Scope, order: int) -> Value:
        return self.first_known(self.candidates(name, scope, order))

    def candidates(self, name: str, scope: Scope, order: int) -> list[Binding]:
        """The bindings a use of `name` may see, most likely first (Python's scope rules)."""
        current: Scope | None = scope
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
        return [Binding(0, self.module_scope, fixed=Imported(qualname))
                for qualname in self.star_names(name)]

    def may_bind(self, name: str) -> bool:
        """Whether the module binds `name` at module level, itself or through a star import."""
        return name in self.module_scope.bindings or bool(self.star_names(name))

    def star_names(self, name: str) -> list[str]:
        """Where the module's star imports may bind `name`, the last import first (it wins);
        those known not to bind it (`ProjectFacts.unbound`) are left out."""
        names = [f"{module}.{name}" for module in reversed(self.module_scope.star_modules)]
        left_out = self.facts.unbound.intersection(names)
        self.constants_read.update(left_out)  # still wanted: the answer stays while relied on
        return [qualname for qualname in names if qualname not in left_out]

    def first_known(self, bindings: list[Binding]) -> Value:
        """The first binding with a value worth knowing (`sg = None` then `sg = Client()`)."""
        for binding in bindings:
            value = self._binding_value(binding)
            if value is not None:
                return value
        return None

    def _binding_value(self, binding: Binding) -> Value:
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
            if binding.default and not (isinstance(value, Str) and transferable(value)):
                value = None  # callers may pass anything: only a SendGrid URL default counts
        finally:
            self.in_progress.discard(key)
        self.cache[key] = value
        return value

    def body_scopes(self, node: cst.Call, scope: Scope, order: int) -> tuple[str, ...] | None:
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
            if isinstance(key, cst.SimpleString) and literal_value(key) == "scopes":
                items = self._literal_node(element.value, scope, order)
                if not isinstance(items, (cst.List, cst.Tuple)):
                    return None
                names: list[str] = []
                for item in items.elements:
                    text = item.value
                    if not isinstance(item, cst.Element) or not isinstance(text, cst.SimpleString):
                        return None
                    value = literal_value(text)
                    if not isinstance(value, str):
                        return None
                    names.append(value)
                return tuple(names)
        return ()

    def _lookup(self, node: cst.Subscript, scope: Scope, order: int) -> Value:
        """`PATHS["bounces"]`, `ENDPOINTS[0]`: an entry of a literal table, by a literal key."""
        key = subscript_key(node)
        wanted = key_literal(key) if key is not None else None
        if wanted is None:
            return None
        table = self.table(node.value, scope, order)
        if table is None:
            return None
        entries, where, at = table
        for index, (entry_key, entry_value) in enumerate(entries):
            if (entry_key is None and index == wanted) or (
                    entry_key is not None and key_literal(entry_key) == wanted):
                return self.value(entry_value, where, at)
        return None

    def table(self, node: cst.BaseExpression, scope: Scope, order: int
              ) -> tuple[list[tuple[cst.BaseExpression | None, cst.BaseExpression]], Scope, int] | None:
        """The entries (key, value; key None for a list or tuple) of the literal dict, list or
        tuple a name is bound to, with the scope and order to evaluate them in."""
        node, scope, order = self._bound_node(node, scope, order, attributes=True)
        if isinstance(node, cst.Dict):
            return [(e.key, e.value) for e in node.elements if isinstance(e, cst.DictElement)], \
                scope, order
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            return [(None, e.value) for e in node.elements if isinstance(e, cst.Element)], \
                scope, order
        return None

    def _literal_node(self, node: cst.BaseExpression, scope: Scope,
                      order: int) -> cst.BaseExpression:
        """Follow a name to the expression it was last bound to (one hop per binding)."""
        return self._bound_node(node, scope, order)[0]

    def _bound_node(self, node: cst.BaseExpression, scope: Scope, order: int,
                    attributes: bool = False) -> tuple[cst.BaseExpression, Scope, int]:
        """A name followed to the expression last bound to it, with that binding's scope and
        order (at most 8 hops); with `attributes`, also `self.X` / a class's own `X` through
        its class body. Stops at an annotation or a name bound to nothing written."""
        for _ in range(8):
            if isinstance(node, cst.Name):
                bindings = self.candidates(node.value, scope, order)
            elif attributes and isinstance(node, cst.Attribute) and isinstance(node.value,
                                                                                  cst.Name):
                owner = scope.instance_class(node.value.value)
                bindings = owner.bindings.get(node.attr.value, []) if owner else []
            else:
                break
            bindings = [b for b in bindings if b.node is not None and not b.default]
            if not bindings or bindings[0].annotation:
                break
            bound = bindings[0].node
            assert bound is not None
            node, scope, order = bound, bindings[0].scope, bindings[0].order
        return node, scope, order

    def _annotated(self, node: cst.BaseExpression, scope: Scope) -> Value:
        """A parameter annotated with the client class (also `Optional[...]`, `... | None`), an
        HTTP session class, or with a class of the module whose attributes hold SendGrid values (a configuration
        dataclass whose `base_url` field defaults to SendGrid's API)."""
        candidates: list[cst.BaseExpression] = [node]
        while candidates:
            current = candidates.pop()
            if isinstance(current, cst.BinaryOperation):
                candidates += [current.left, current.right]
            elif isinstance(current, cst.Subscript):
                candidates += [e.slice.value for e in current.slice
                               if isinstance(e.slice, cst.Index)]
            elif isinstance(current, (cst.SimpleString, cst.ConcatenatedString)):
                text = literal_value(current)
                if isinstance(text, str):
                    try:
                        candidates.append(cst.parse_expression(text))
                    except cst.ParserSyntaxError:
                        pass
            else:
                imported = self.value(current, scope, 1 << 62)
                if isinstance(imported, Imported) and imported.qualname in CLIENT_CLASSES:
                    return Client(UNKNOWN_KEY)
                if isinstance(imported, Imported) and imported.qualname in HTTP_SESSION_CLASSES:
                    # a session passed in: its requests are checked like a module's own (a
                    # `base_url` given where it was made is not seen here)
                    return Session(urljoin=imported.qualname.startswith("aiohttp."))
                if isinstance(imported, Class):  # a configuration dataclass of the module
                    attributes = self.instance_attributes(imported)
                    if attributes:
                        return Instance(imported.qualname, attributes,
                                        imported.qualname in self.classes_with_members)
        return None

    def _call(self, node: cst.Call, scope: Scope, order: int) -> Value:
        if (isinstance(node.func, cst.Name) and node.func.value == "getattr"
                and self._name("getattr", scope, order) is None and len(node.args) >= 2):
            return self._getattr(node, scope, order)
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "format":
            template = self.value(node.func.value, scope, order)
            if isinstance(template, Str) and not any(a.star for a in node.args):
                values = [self.value(a.value, scope, order) for a in node.args
                          if a.keyword is None]
                named = {a.keyword.value: self.value(a.value, scope, order)
                         for a in node.args if a.keyword is not None}
                return Str(interpolate(template.pieces, BRACES, values, named))
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in _STRIPS:
            text = self.value(node.func.value, scope, order)
            if isinstance(text, Str) and len(node.args) <= 1:
                chars = literal_text(self.value(node.args[0].value, scope, order)) \
                    if node.args else None
                if chars is not None or not node.args:
                    return Str(strip_pieces(text.pieces, node.func.attr.value, chars))
        function = self.value(node.func, scope, order)
        if (isinstance(function, Imported) and function.qualname in CONFIG_LOOKUPS) or (
                function is None and isinstance(node.func, cst.Attribute)
                and node.func.attr.value == "get"):
            return self._configured_url(node, scope, order)
        if isinstance(function, Imported):
            return self._construct(function.qualname, node, scope, order)
        if isinstance(function, Function):
            return self._returned(function, node, scope, order)
        if isinstance(function, Class):
            return Instance(function.qualname, self.instance_attributes(function),
                            function.qualname in self.classes_with_members)
        if isinstance(function, Factory):
            return function.returns
        if isinstance(function, Member) and function.name in ("_", "version"):
            kind = StepKind.UNDERSCORE if function.name == "_" else StepKind.VERSION
            pieces = self._argument_pieces(node, scope, order)
            chain = function.chain
            return Chain(chain.steps + (Step(kind, pieces),), chain.key, chain.guessed)
        return None

    def _returned(self, function: Function, node: cst.Call, scope: Scope, order: int) -> Value:
        """What a call of one of the module's functions returns; when the call passes a
        SendGrid value, with the function's parameters bound to what it passes
        (`self.build_request(sg_url)` returning `urllib.request.Request(sg_url)`). Two calls
        deep at most: each level evaluates the function's returns again."""
        plain = self.first_known(list(function.scope.returns))
        if self.call_depth >= 2:
            return plain
        arguments = self.call_arguments(function, node, scope, order)
        if not any(transferable(value) for value in arguments.values()):
            return plain
        self.call_depth += 1
        try:
            with self.bound(function.scope, arguments):
                found = self.first_known(list(function.scope.returns))
        finally:
            self.call_depth -= 1
        return found if found is not None else plain

    def call_arguments(self, function: Function, node: cst.Call, scope: Scope,
                       order: int) -> dict[str, Value]:
        """The function's parameters bound to the values a call of it passes (known values
        only; none when the call unpacks `*args` or `**kwargs`)."""
        if any(arg.star for arg in node.args):
            return {}
        method_call = isinstance(node.func, cst.Attribute) and bool(function.scope.self_name)
        params = function.params[1:] if method_call else function.params
        values: dict[str, Value] = {}
        positional = [arg for arg in node.args if arg.keyword is None]
        for name, arg in zip(params, positional):
            values[name] = self.value(arg.value, scope, order)
        for arg in node.args:
            if arg.keyword is not None:
                values[arg.keyword.value] = self.value(arg.value, scope, order)
        return {name: value for name, value in values.items() if value is not None}

    def _configured_url(self, node: cst.Call, scope: Scope, order: int) -> Value:
        """`getenv("X", default)`, `options.get("host", default)`: the default when it is a
        SendGrid API URL (see `CONFIG_LOOKUPS`), else nothing known."""
        default = self.argument(node, 1, "default", scope, order)
        return default if isinstance(default, Str) and transferable(default) else None

    def _construct(self, qualname: str, node: cst.Call, scope: Scope, order: int) -> Value:
        """The value of calling an imported class or function that matters to SendGrid."""
        if qualname in CLIENT_CLASSES:
            return Client(self._client_key(node, scope, order))
        if qualname in LEGACY_CLIENT_CLASSES:
            return MailOnly(frozenset({"send"}), self._client_key(node, scope, order), legacy=True)
        if qualname in MAIL_ONLY_CLIENTS:
            return MailOnly(MAIL_ONLY_CLIENTS[qualname], self._client_key(node, scope, order))
        if qualname in HTTP_SESSION_CLASSES:
            return self._session(qualname, node, scope, order)
        if qualname in TORNADO_CLIENT_CLASSES:
            return Fetcher()
        if qualname in TORNADO_REQUEST_CLASSES:
            url = self.argument(node, 0, "url", scope, order)
            given = self.argument(node, 1, "method", scope, order)
            text = literal_text(given) if given is not None else "GET"
            return UrlRequest(url.pieces if isinstance(url, Str) else (VALUE,),
                              text.upper() if text else None)
        if qualname in HTTP_CHAIN_CLASSES:
            host = self.argument(node, 0, "host", scope, order)
            if not (isinstance(host, Str) and api_path(host.pieces) is not None):
                return None
            version = self.argument(node, 2, "version", scope, order)
            pieces = version.pieces if isinstance(version, Str) else ()
            return Chain((Step(StepKind.VERSION, pieces),), UNKNOWN_KEY)
        if qualname in SENDGRID_REQUEST_CLASSES:  # sendgrid 7.x: a path on the client's host
            url = self.argument(node, 1, "url", scope, order)
            method = literal_text(self.argument(node, 0, "method", scope, order))
            return UrlRequest(url.pieces if isinstance(url, Str) else (VALUE,),
                              method.upper() if method else None, on_sendgrid=True)
        if qualname in URL_REQUEST_CLASSES:
            url = self.argument(node, 0, "url", scope, order)
            has_data = self.argument_node(node, 1, "data") is not None
            text = literal_text(self.argument(node, 5, "method", scope, order))
            return UrlRequest(url.pieces if isinstance(url, Str) else (VALUE,),
                               text.upper() if text else ("POST" if has_data else None))
        if qualname in HTTP_CONNECTION_CLASSES:
            host = self.argument(node, 0, "host", scope, order)
            if isinstance(host, Str) and literal_text(host) in API_HOSTS:
                return Connection()
            return None
        if qualname in URLJOIN_FUNCTIONS:
            base = self.argument(node, 0, "base", scope, order)
            path = self.argument(node, 1, "url", scope, order)
            if isinstance(base, Str) and isinstance(path, Str):
                return Str(urljoin(base.pieces, path.pieces))
        return None

    def _session(self, qualname: str, node: cst.Call, scope: Scope, order: int) -> Session:
        """A session, with the `base_url` its relative URLs are joined to (httpx, aiohttp)."""
        aiohttp = qualname.startswith("aiohttp.")
        # aiohttp's ClientSession(base_url=None, ...) may take it positionally; httpx's
        # Client(*, base_url=...) only by keyword.
        base = self.argument_node(node, 0 if aiohttp else 1 << 30, "base_url")
        if base is None:
            return Session(urljoin=aiohttp)
        return Session(pieces_of(self.value(base, scope, order)), urljoin=aiohttp)

    def argument_node(self, node: cst.Call, position: int,
                       keyword: str) -> cst.BaseExpression | None:
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value == keyword:
                return arg.value
        positional = [a.value for a in node.args if a.keyword is None and not a.star]
        return positional[position] if position < len(positional) else None

    def argument(self, node: cst.Call, position: int, keyword: str, scope: Scope,
                  order: int) -> Value:
        argument = self.argument_node(node, position, keyword)
        return None if argument is None else self.value(argument, scope, order)

    def mail_setting_value(self, node: cst.BaseExpression, scope: Scope, order: int,
                           depth: int = 0) -> str | None:
        """The SendGrid backend or SMTP host a Django mail setting may take, else None.

        Settings are often read from the environment with SendGrid as the default
        (`os.environ.get("EMAIL_HOST", "smtp.sendgrid.net")`, `env("EMAIL_BACKEND",
        default=...)`) or chosen by a condition; any literal the setting may take counts.
        """
        if depth > 8:
            return None
        node = self._literal_node(node, scope, order)
        candidates: list[cst.BaseExpression] = []
        if isinstance(node, cst.SimpleString):
            text = literal_value(node)
            return text if text in DJANGO_BACKENDS or text in SMTP_HOSTS else None
        if isinstance(node, cst.IfExp):
            candidates = [node.body, node.orelse]
        elif isinstance(node, cst.BooleanOperation):
            candidates = [node.left, node.right]
        elif isinstance(node, cst.Call):
            candidates = [arg.value for arg in node.args]  # the default of a getenv-like call
        for candidate in candidates:
            found = self.mail_setting_value(candidate, scope, order, depth + 1)
            if found:
                return found
        return None

    def _client_key(self, node: cst.Call, scope: Scope, order: int) -> str:
        """Where a new client's API key comes from (see `keys.py`)."""
        return client_key(self, node, scope, order)

    def _getattr(self, node: cst.Call, scope: Scope, order: int) -> Value:
        target = self.value(node.args[0].value, scope, order)
        if not isinstance(target, (Client, Chain, Dynamic)):
            return None
        if isinstance(target, (Client, Chain)) and target.guessed:
            return None
        name = self.value(node.args[1].value, scope, order)
        if isinstance(name, Str) and all(piece is not VALUE for piece in name.pieces):
            return attribute_of(target, "".join(p for p in name.pieces if p is not None))
        prefix = target.steps if isinstance(target, Chain) else target.prefix
        return Dynamic("the attribute name is computed at run time (getattr)", target.key, prefix)

    def _argument_pieces(self, node: cst.Call, scope: Scope, order: int) -> tuple[Segment, ...]:
        if not node.args:
            return (VALUE,)
        argument = node.args[0].value
        if isinstance(argument, cst.Name) and argument.value in ("None", "False"):
            return ()
        value = self.value(argument, scope, order)
        if isinstance(value, Str):
            return value.pieces
        return (VALUE,)


_STRIPS = frozenset({"strip", "lstrip", "rstrip"})
# Keyword arguments that carry a request's payload, not its endpoint.
_BODY_KEYWORDS = frozenset({"json", "data", "headers", "params", "query_params", "request_body",
                            "body", "files", "auth", "timeout", "cookies"})
# A bound on the nodes `imported_names` visits: names chained through many assignments.
_MAX_NAME_WALK = 2000


def attribute_of(base: Value, name: str) -> Value:
    if isinstance(base, Imported):
        return Imported(f"{base.qualname}.{name}")
    if isinstance(base, Session):
        if name not in HTTP_SESSION_METHODS:
            return None
        return HttpRequest(HTTP_SESSION_METHODS[name], base if base.base else None)
    if isinstance(base, Fetcher):
        return Fetch() if name == "fetch" else None
    if isinstance(base, Connection):
        return ConnectionRequest() if name == "request" else None
    if isinstance(base, MailOnly):
        return base if name in base.send_methods else None
    if isinstance(base, Client):
        if name == "client":
            return Chain((), base.key, base.guessed)
        return Send(base.key) if name == "send" and not base.guessed else None
    if isinstance(base, Instance):
        return dict(base.attributes).get(name)
    if isinstance(base, Factory) and isinstance(base.returns, Instance):
        # `Scopes.endpoint` on another module's class: a URL in its class body
        found = dict(base.returns.attributes).get(name)
        return found if isinstance(found, Str) else None
    if isinstance(base, Chain):
        if name in VERBS or name in ("_", "version"):
            return Member(base, name)
        if name in HTTP_CLIENT_ATTRIBUTES or name.startswith("_"):
            return None
        return Chain(base.steps + (Step(StepKind.ATTRIBUTE, (name,)),), base.key, base.guessed)
    if isinstance(base, Dynamic):
        return replace(base, verb=name) if name in VERBS else base
    return None


def transferable(value: Value) -> bool:
    """Whether a value matters to SendGrid, and so may cross into another module (through an
    import, an argument or a return).

    Only SendGrid values travel: clients, partial chains, mail-only clients, SendGrid base URLs
    and SMTP relay hosts, HTTP sessions whose base URL is SendGrid's, and factories and instances that hold one (or whose class has
    request helpers). An instance of an ordinary project class, or a factory of one, stays in
    its module: were it to travel, every module it reaches would be analysed again, and those
    modules' own ordinary values would travel on, through most of a large tree, without ever
    changing a finding. This is sound for what the tool reports because a finding needs a
    SendGrid value at the call: an ordinary value cannot become one in another module. It is
    not where the SendGrid value sits inside a container (a dict of clients) or is produced by
    a method of an ordinary object; those were not followed before either.
    """
    if isinstance(value, (Client, Chain)):
        return not value.guessed
    if isinstance(value, Str):  # a SendGrid base URL, or SendGrid's SMTP relay
        return api_path(value.pieces) is not None or literal_text(value) in SMTP_HOSTS
    if isinstance(value, Session):  # an HTTP client made for SendGrid's API (`base_url=`)
        return api_path(value.base) is not None
    if isinstance(value, Instance):
        return value.sends or any(transferable(v) for _, v in value.attributes)
    if isinstance(value, Factory):
        return transferable(value.returns)
    return isinstance(value, MailOnly)


def subscript_key(node: cst.Subscript) -> cst.BaseExpression | None:
    """The key of `table[key]` (one plain index), None for slices and several indices."""
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    return node.slice[0].slice.value


def key_literal(node: cst.BaseExpression) -> str | int | None:
    """A table key written literally: a string or an integer, else None."""
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        text = literal_value(node)
        return text if isinstance(text, str) else None
    if isinstance(node, cst.Integer):
        try:
            return int(node.value, 0)
        except ValueError:
            return None
    return None
