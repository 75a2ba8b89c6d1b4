"""The symbolic values the visitor gives expressions, and the scopes that bind them.

Plain data shared by `collect.py` (which records bindings) and `evaluate.py` (which works out
values); nothing here walks a tree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from ..types import RawCall, Segment, Step

if TYPE_CHECKING:  # the engine uses ProjectFacts without importing libcst
    import libcst as cst

# Key labels for clients whose key is not read from a named variable or setting.
DEFAULT_KEY = "SENDGRID_API_KEY"  # SendGridAPIClient() with no key reads this variable
UNKNOWN_KEY = ""
HARD_CODED_KEY = "(hard-coded)"
SMTP_PASSWORD = "(SMTP password)"  # the key of an SMTP connection: its password


@dataclass(frozen=True, slots=True)
class Imported:
    qualname: str


@dataclass(frozen=True, slots=True)
class Client:
    """An instance of `SendGridAPIClient`; `key` names where its API key comes from.

    `guessed` marks an unannotated parameter nothing is known about: its `.client` chains are
    kept only when they hit an endpoint the rules know (see `RawCall.guessed`).
    """

    key: str = ""
    guessed: bool = False


@dataclass(frozen=True, slots=True)
class Chain:
    """A `python_http_client.Client` with the steps that built it."""

    steps: tuple[Step, ...]
    key: str = ""
    guessed: bool = False


@dataclass(frozen=True, slots=True)
class Member:
    """A function read off a chain: a verb, `_` or `version`."""

    chain: Chain
    name: str


@dataclass(frozen=True, slots=True)
class Send:
    """`client.send`."""

    key: str = ""


@dataclass(frozen=True, slots=True)
class Str:
    """A string whose pieces are known, VALUE where a piece is only known at run time."""

    pieces: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class Dynamic:
    """Something reached from a client whose request cannot be known statically.

    `prefix` holds the chain steps known before the run-time part (`getattr(sg.client.suppression,
    kind)`: `suppression`), so the scopes the request could need can be narrowed; None when
    nothing is known.
    """

    reason: str
    key: str = ""
    prefix: tuple[Step, ...] | None = None
    verb: str = ""  # the request function read off it (`.delete`), when one was


@dataclass(frozen=True, slots=True)
class MailOnly:
    """A client that can only send mail (legacy v0–v2 client, async mail packages)."""

    send_methods: frozenset[str]
    key: str = ""
    legacy: bool = False


@dataclass(frozen=True, slots=True)
class Session:
    """A requests/httpx/aiohttp session: the same request methods as the module functions.

    `base` is the `base_url` its relative URLs are joined to (httpx, aiohttp), () for none;
    `urljoin` says how: aiohttp resolves them like `urljoin`, httpx appends them to the base.
    """

    base: tuple[Segment, ...] = ()
    urljoin: bool = False


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """A plain-HTTP request function; `method` None means the method is its first argument.

    `session` is the session it was read from (its base URL), None for a module function.
    """

    method: str | None
    session: Session | None = None


@dataclass(frozen=True, slots=True)
class Fetcher:
    """A tornado HTTP client: `fetch(request_or_url, ...)` sends."""


@dataclass(frozen=True, slots=True)
class Fetch:
    """`fetch` of a tornado HTTP client."""


@dataclass(frozen=True, slots=True)
class UrlOpen:
    """`urllib.request.urlopen`."""


@dataclass(frozen=True, slots=True)
class UrlRequest:
    """A `urllib.request.Request`: its URL, and its method (None: GET, or POST with data)."""

    url: tuple[Segment, ...]
    method: str | None
    on_sendgrid: bool = False  # a sendgrid 7.x Request: the path is on SendGrid's API host


@dataclass(frozen=True, slots=True)
class Connection:
    """An `http.client` connection to a SendGrid API host; `.request(method, path)` sends."""


@dataclass(frozen=True, slots=True)
class ConnectionRequest:
    """`connection.request` of a connection to a SendGrid API host."""


@dataclass(frozen=True, eq=False)
class Function:
    """A function defined in this module; calling it gives the value of its returns."""

    qualname: str
    scope: Scope
    params: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class Class:
    """A class defined in this module; calling it gives an instance with its attributes."""

    qualname: str
    scope: Scope


@dataclass(frozen=True, slots=True)
class Factory:
    """A function of another module of the project that returns a SendGrid value."""

    qualname: str
    returns: Value


@dataclass(frozen=True, slots=True)
class Instance:
    """An instance of a project class: the SendGrid values found on its attributes.

    `sends` marks a class with methods that matter to SendGrid (helpers whose callers describe
    the request, factories): its instances matter to other modules even with no such attribute.
    """

    qualname: str
    attributes: tuple[tuple[str, Value], ...]
    sends: bool = False


@dataclass(frozen=True, slots=True)
class Template:
    """A request a helper sends, with its parameters left in (see `strings.parameter`)."""

    verb: str
    steps: tuple[Step, ...]
    key: str = ""


@dataclass(frozen=True, slots=True)
class Helper:
    """A function or method of another module whose body sends a request built from its
    parameters (`make_api_request(self, method, endpoint)`): each call fills them in.

    `params` are the parameters a caller passes (after `self` for a method).
    """

    qualname: str
    params: tuple[str, ...]
    templates: tuple[Template, ...]
    method: bool = False


class Request(NamedTuple):
    """What a call sends: the fields of `RawCall` that evaluation decides."""

    verb: str
    steps: tuple[Step, ...] = ()
    dynamic: str = ""
    key: str = ""
    guessed: bool = False
    unknown_base: bool = False  # see `RawCall.unknown_base`
    prefix: tuple[Step, ...] | None = None  # see `RawCall.prefix`


Value = (Imported | Client | Chain | Member | Send | Str | Dynamic | MailOnly | Session
          | HttpRequest | Fetcher | Fetch | UrlOpen | UrlRequest | Connection | ConnectionRequest
          | Function | Class | Factory | Instance | Helper | None)


@dataclass(frozen=True)
class ProjectFacts:
    """What the other modules of the project tell this one.

    `exports` maps qualified names (`app.mail.sg`) to the SendGrid value a module binds there;
    `arguments` maps a function's qualified name to the values its callers pass, keyed by
    position (an int) or keyword (a str).

    Plain strings are not exports: a Django-style project imports its settings everywhere, and
    exporting every string would re-read every importer. Instead a module whose SendGrid
    request reads another module's name it cannot evaluate asks for it (`ModuleAnalysis.wanted`),
    `wanted` tells the file that binds the name (by its shown path), and that file answers in
    `constants` with the string it binds there, under the name as the importer spelt it.
    """

    exports: dict[str, Value] = field(default_factory=dict)
    arguments: dict[str, dict[int | str, Value]] = field(default_factory=dict)
    wrappers: frozenset[str] = frozenset()  # in-house functions that rules give scopes to
    wanted: dict[str, frozenset[str]] = field(default_factory=dict)
    constants: dict[str, Value] = field(default_factory=dict)
    # Asked-for names no file of the project binds (their module is not in the project, or it
    # does not bind them): a `from m import *` leaves such a name to the star import before it.
    unbound: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ModuleAnalysis:
    """One module's calls, plus what it tells the rest of the project (see `ProjectFacts`)."""

    calls: list[RawCall]
    exports: dict[str, Value]
    arguments: dict[str, dict[int | str, Value]]
    imports: frozenset[str]  # qualified names this module imports
    # Other modules' names a SendGrid request of this module reads (see `ProjectFacts`), and
    # the strings this module binds to the names other modules asked it for.
    wanted: frozenset[str] = frozenset()
    constants: dict[str, Value] = field(default_factory=dict)
    unbound: frozenset[str] = frozenset()  # asked-for names this module does not bind
    stars: frozenset[str] = frozenset()  # modules it star-imports (`from m import *`)




@dataclass(slots=True)
class Binding:
    order: int
    scope: Scope
    node: cst.BaseExpression | None = None
    fixed: Value = None
    annotation: bool = False
    default: bool = False  # a parameter's default: counts only as a SendGrid URL


@dataclass(slots=True)
class Scope:
    kind: str  # "module", "class" or "function"
    parent: Scope | None = None
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    attributes: dict[str, list[Binding]] = field(default_factory=dict)  # class scopes: self.<x>
    owner: Scope | None = None  # methods: the class scope
    self_name: str = ""  # methods: the name of the first parameter
    global_names: set[str] = field(default_factory=set)
    star_modules: list[str] = field(default_factory=list)  # modules: `from x import *`
    returns: list[Binding] = field(default_factory=list)  # functions: `return <value>`
    bases: list[cst.BaseExpression] = field(default_factory=list)  # classes: base classes
    init_calls: list[PendingCall] = field(default_factory=list)  # classes: `super().__init__()`

    def instance_class(self, name: str) -> Scope | None:
        """The class whose instance `name` is here: `self` in a method, also inside a function
        nested in the method (a retry callback, a closure) that does not rebind it."""
        current: Scope | None = self
        while current is not None and current.kind == "function":
            if current.owner is not None and current.self_name == name:
                return current.owner
            if name in current.bindings:
                return None
            current = current.parent
        return None


@dataclass(slots=True)
class Loop:
    """`for name in iterable:` in `scope`; the calls with an order in (`start`, `end`) are in
    its body."""

    name: str
    iterable: cst.BaseExpression
    scope: Scope
    start: int
    end: int = 1 << 62


@dataclass(slots=True)
class PendingCall:
    node: cst.Call
    scope: Scope
    order: int
    ordinal: int  # among the module's Call nodes, in walk order (see positions.py)


def literal_value(node: cst.BaseExpression) -> str | int | bytes | None:
    """The value of a string or integer literal, or None when Python itself would reject it.

    libcst accepts literals that `ast.literal_eval` cannot evaluate (a truncated `\\u` escape,
    a NUL byte inside a string); those are treated as unknown instead of raising.
    """
    try:
        value = node.evaluated_value  # type: ignore[attr-defined]
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, (str, int, bytes)) else None
