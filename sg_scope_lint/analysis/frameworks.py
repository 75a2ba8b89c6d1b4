"""Requests that a connector framework sends for the classes a module declares.

Connector frameworks make the HTTP request themselves: a stream class only declares its base
URL, its path and, where it is not the framework's default, its method. There is no call
expression to find, yet the key needs the endpoint's scopes. Each framework is a row of
`FRAMEWORKS`, read by one matcher over the module's classes (`declared_requests`).

What it follows: classes of the module deriving, directly or through other classes of the
module, from a framework's base class; members as class attributes, methods or properties
returning a string (`return "marketing/lists"`, an f-string with run-time pieces), and a
method that returns another method of the same object (`return self.initial_path()`). A
request is reported only when the base URL is on SendGrid's API host, at the line of the
string that names the path. What it does not follow: classes of other modules, paths built
from values known only at run time.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from ..types import VALUE, Location, RawCall, Segment
from .pyast import parse_ast
from .strings import api_path, join_base, raw_path_steps


@dataclass(frozen=True, slots=True)
class Framework:
    """One connector framework: its base classes and the members a stream class declares."""

    name: str
    bases: frozenset[str]  # qualified names of the base classes
    url: str  # member holding the base URL
    path: str  # member holding, or method returning, the path
    method: str  # member holding the HTTP method
    default_method: str
    urljoin: bool  # base and path joined like `urllib.parse.urljoin` (else appended)
    # methods through which the framework sends the request: a stream class that replaces
    # one of them without calling the framework's (`super()`) sends its own requests instead
    sends_through: frozenset[str]
    source: str


FRAMEWORKS = (
    Framework(
        "Airbyte CDK HttpStream",
        frozenset({"airbyte_cdk.HttpStream", "airbyte_cdk.HttpSubStream",
                   "airbyte_cdk.sources.streams.http.HttpStream",
                   "airbyte_cdk.sources.streams.http.HttpSubStream",
                   "airbyte_cdk.sources.streams.http.http.HttpStream",
                   "airbyte_cdk.sources.streams.http.http.HttpSubStream"}),
        url="url_base", path="path", method="http_method", default_method="GET", urljoin=True,
        sends_through=frozenset({"read_records"}),
        source="airbyte-cdk, sources/streams/http/http.py: HttpStream.http_method returns "
               "\"GET\" unless overridden; the URL is urljoin(url_base, path(...)); "
               "read_records sends the requests (through _read_pages)"),
    Framework(
        "Meltano Singer SDK RESTStream",
        frozenset({"singer_sdk.RESTStream", "singer_sdk.streams.RESTStream",
                   "singer_sdk.streams.rest.RESTStream"}),
        url="url_base", path="path", method="rest_method", default_method="GET", urljoin=False,
        sends_through=frozenset({"get_records", "request_records"}),
        source="singer-sdk, streams/rest.py: RESTStream.rest_method is \"GET\" unless "
               "overridden; get_url() appends path to url_base, `{name}` filled from context; "
               "get_records reads what request_records requests"),
)

# Framework modules a file must mention before its classes are looked at.
_MARKERS = tuple({base.partition(".")[0].encode() for f in FRAMEWORKS for base in f.bases})


def declared_requests(source: bytes, path: str) -> list[RawCall]:
    """The requests the module's connector stream classes declare, in source order."""
    if not any(marker in source for marker in _MARKERS):
        return []
    tree = parse_ast(source)
    if tree is None:
        return []
    imported = _imported_names(tree)
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    found: dict[tuple[int, int], RawCall] = {}
    for klass in classes.values():
        framework = _framework_of(klass, classes, imported, set())
        if framework is None or _sends_itself(klass, framework, classes):
            continue
        base = _string_member(klass, framework.url, classes)
        if base is None:
            continue
        method = _string_member(klass, framework.method, classes)
        verb = _literal(method[0]) if method is not None else framework.default_method
        if not verb:
            continue
        for pieces, line, col in _path_strings(klass, framework.path, classes):
            url = join_base(base[0], pieces, framework.urljoin)
            endpoint = api_path(url)
            if endpoint is None or (line, col) in found:
                continue
            found[(line, col)] = RawCall(Location(path, line, col), f"{klass.name}.{framework.path}",
                                         raw_path_steps(endpoint), verb.lower())
    return [found[key] for key in sorted(found)]


def _imported_names(tree: ast.Module) -> dict[str, str]:
    """Local name -> qualified name of the module's imports."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.partition(".")[0]] = (
                    alias.name if alias.asname else alias.name.partition(".")[0])
    return names


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Subscript):  # RESTStream[str]
        return _dotted(node.value)
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else ""
    return ""


def _framework_of(klass: ast.ClassDef, classes: dict[str, ast.ClassDef],
                  imported: dict[str, str], seen: set[str]) -> Framework | None:
    if klass.name in seen:
        return None
    seen.add(klass.name)
    for base in klass.bases:
        name = _dotted(base)
        head, _, rest = name.partition(".")
        qualname = f"{imported[head]}.{rest}".rstrip(".") if head in imported else name
        for framework in FRAMEWORKS:
            if qualname in framework.bases:
                return framework
        if name in classes:
            found = _framework_of(classes[name], classes, imported, seen)
            if found is not None:
                return found
    return None


def _sends_itself(klass: ast.ClassDef, framework: Framework,
                  classes: dict[str, ast.ClassDef]) -> bool:
    """Whether the class (or a base of it in the module) replaces the method the framework
    sends its request through, without calling the framework's own: its requests are then
    its own calls, found like any other."""
    for name in framework.sends_through:
        for member in _members(klass, name, classes):
            if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return not any(isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                               and node.func.id == "super" for node in ast.walk(member))
            break
    return False


def _members(klass: ast.ClassDef, name: str, classes: dict[str, ast.ClassDef],
             seen: frozenset[str] = frozenset()) -> Iterator[ast.stmt]:
    """The statements of the class, then of its bases in the module (left to right), that
    bind `name`: the first one is the member Python would find."""
    if klass.name in seen:
        return
    for statement in klass.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and \
                statement.name == name or isinstance(statement, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in statement.targets) or isinstance(statement, ast.AnnAssign) and statement.value is not None and \
                isinstance(statement.target, ast.Name) and statement.target.id == name:
            yield statement
    for base in klass.bases:
        parent = classes.get(_dotted(base))
        if parent is not None:
            yield from _members(parent, name, classes, seen | {klass.name})


def _string_member(klass: ast.ClassDef, name: str, classes: dict[str, ast.ClassDef]
                   ) -> tuple[tuple[Segment, ...], int, int] | None:
    """The string a member holds or returns (its first return), with where it is written."""
    for pieces, line, col in _path_strings(klass, name, classes):
        return pieces, line, col
    return None


def _path_strings(klass: ast.ClassDef, name: str, classes: dict[str, ast.ClassDef],
                  depth: int = 0) -> Iterator[tuple[tuple[Segment, ...], int, int]]:
    """The strings the member `name` holds or returns, each with its line and column; a method
    returning another method of the object (`return self.initial_path()`) gives that one's."""
    member = next(_members(klass, name, classes), None)
    if member is None or depth > 4:
        return
    if isinstance(member, (ast.Assign, ast.AnnAssign)):
        value = member.value
        pieces = string_pieces(value) if value is not None else None
        if pieces is not None and value is not None:
            yield pieces, value.lineno, value.col_offset + 1
        return
    for node in ast.walk(member):
        if not isinstance(node, ast.Return) or node.value is None:
            continue
        pieces = string_pieces(node.value)
        if pieces is not None:
            yield pieces, node.value.lineno, node.value.col_offset + 1
            continue
        call = node.value
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and \
                isinstance(call.func.value, ast.Name) and call.func.value.id in ("self", "cls"):
            yield from _path_strings(klass, call.func.attr, classes, depth + 1)


def string_pieces(node: ast.expr) -> tuple[Segment, ...] | None:
    """A string literal or f-string as pieces (VALUE for run-time parts and `{name}` slots)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _slots(node.value)
    if isinstance(node, ast.JoinedStr):
        pieces: list[Segment] = []
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                pieces.extend(_slots(part.value))
            else:
                pieces.append(VALUE)
        return tuple(pieces)
    return None


def _slots(text: str) -> tuple[Segment, ...]:
    """`"/lists/{list_id}/contacts"`: the SDK fills `{name}` from the stream's context."""
    pieces: list[Segment] = []
    while "{" in text and "}" in text.partition("{")[2]:
        before, _, rest = text.partition("{")
        _, _, text = rest.partition("}")
        pieces.extend([before, VALUE] if before else [VALUE])
    if text:
        pieces.append(text)
    return tuple(pieces)


def _literal(pieces: tuple[Segment, ...]) -> str:
    return "".join(p for p in pieces if isinstance(p, str)) if VALUE not in pieces else ""
