"""Plain, frozen data shared by every stage; this module imports nothing else from the package."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """Where something is in a scanned file: a POSIX path relative to the working directory."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


# A path segment as the client builds it: a literal string, or VALUE when only known at run time.
VALUE: None = None
Segment = str | None


@dataclass(frozen=True, slots=True)
class Endpoint:
    """The HTTP request a call site makes: a method and the path segments after `/v<version>`."""

    method: str
    segments: tuple[Segment, ...]
    version: int = 3

    @property
    def parts(self) -> tuple[Segment, ...]:
        """Every path segment, the version (`v3`) included; version 0 means none (v2 Web API)."""
        return (f"v{self.version}", *self.segments) if self.version else self.segments

    @property
    def path(self) -> str:
        """The path as a reader sees it; segments known only at run time show as `{}`."""
        return "/" + "/".join("{}" if segment is VALUE else segment for segment in self.parts)

    def __str__(self) -> str:
        if self.method == "CALL":  # a call of an in-house wrapper function named by a rule
            return f"{self.path[1:]}()"
        return f"{self.method} {self.path}"


@dataclass(frozen=True, slots=True)
class CallSite:
    """One place in the code that sends a request to SendGrid, and the request it sends.

    `chain` is the source text of the call's receiver (e.g. `sg.client.templates._(tid).get`),
    kept so reports and baselines can name the call without a line number. `key` names where
    the client's API key comes from (an environment variable or setting), "" when unknown.
    `grants` is the literal `scopes` list in the request body, which matters for the calls that
    create or update API keys (a key can only grant scopes it holds): () when the body has no
    `scopes`, None when the body is computed and its scopes cannot be read.
    """

    location: Location
    endpoint: Endpoint
    chain: str
    key: str = ""
    grants: tuple[str, ...] | None = ()


@dataclass(frozen=True, slots=True)
class Unresolved:
    """A call that reaches SendGrid but whose endpoint cannot be known without running the code."""

    location: Location
    reason: str
    chain: str
    key: str = ""
    # The scopes the call could need when its rule narrows them down (a scope that depends on
    # a run-time value among known options); None: it could need any scope.
    could_need: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class FileError:
    """A scanned file that could not be read or parsed; the rest of the scan goes on."""

    location: Location
    message: str


class Confidence(str, enum.Enum):
    """How a rule's scopes are known: stated by SendGrid, or derived from family and method."""

    DOCUMENTED = "documented"
    INFERRED = "inferred"


@dataclass(frozen=True, slots=True)
class Rule:
    """One row of `rules/*.yaml`: an endpoint and the scopes it requires.

    Exactly one of `scopes`, `any_of` or `scopes_by_value` carries the scopes: `any_of` lists
    alternative sets (any one suffices, the first is preferred); `scopes_by_value` maps the
    literal value of the path parameter `value_param` to the scopes that value needs.
    """

    id: str
    method: str
    path: str
    scopes: tuple[str, ...]
    source: str
    confidence: Confidence
    origin: str
    family: str = ""
    note: str = ""
    deprecated: bool = False
    any_of: tuple[tuple[str, ...], ...] = ()
    # The request gives a key the scopes in its body's `scopes` list, which the key making it
    # must hold itself (creating and updating API keys).
    grants_body_scopes: bool = False
    value_param: str = ""
    scopes_by_value: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def template(self) -> tuple[str, ...]:
        """The path's segments, the version included; `{name}` segments are parameters."""
        return tuple(self.path.split("/")[1:])

    @property
    def endpoint(self) -> str:
        if self.method == "CALL":  # a rule for an in-house wrapper function
            return f"{self.path[1:]}()"
        return f"{self.method} {self.path}"

    def scope_text(self) -> str:
        """The scopes as a reader sees them, whatever their form."""
        if self.scopes_by_value:
            return "; ".join(f"{{{self.value_param}}}={value}: {', '.join(scopes)}"
                             for value, scopes in self.scopes_by_value)
        if self.any_of:
            return " | ".join(", ".join(option) for option in self.any_of)
        return ", ".join(self.scopes) or "(none)"

    def all_scopes(self) -> tuple[str, ...]:
        """Every scope name the rule mentions, whatever its form."""
        names = set(self.scopes)
        for alternative in self.any_of:
            names.update(alternative)
        for _, scopes in self.scopes_by_value:
            names.update(scopes)
        return tuple(sorted(names))


@dataclass(frozen=True, slots=True)
class Match:
    """A call site matched to its rule, with the scopes this particular call needs."""

    call: CallSite
    rule: Rule
    scopes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Unknown:
    """A call that resolved to an endpoint no rule covers; `resembles` is the closest endpoint
    a rule does cover (`GET /v3/suppression/bounces` for `.../bounce`), "" when none is close:
    often the path is a typo."""

    call: CallSite
    resembles: str = ""

    @property
    def reason(self) -> str:
        return "no rule covers this endpoint" + (
            f"; it resembles {self.resembles}" if self.resembles else "")


@dataclass(frozen=True, slots=True)
class Annotated:
    """A call the tool could not resolve, whose scopes a `# sg-scope:` comment declares.

    `annotation` is where the comment is: on the call's line, the line above it, or the `def`
    line of the wrapper the call is in or calls. `reason` says why the tool could not resolve
    the call itself, so a reader can judge whether the annotation is still needed.
    """

    location: Location
    chain: str
    scopes: tuple[str, ...]
    annotation: Location
    reason: str
    key: str = ""


class AnnotationProblemKind(str, enum.Enum):
    """What is wrong with a `# sg-scope:` comment."""

    MALFORMED = "malformed"  # not `# sg-scope: name, name`
    UNKNOWN_SCOPE = "unknown-scope"  # a name the scope catalogue does not hold
    UNUSED = "unused"  # no unresolved call and no `def` on the line it speaks for


@dataclass(frozen=True, slots=True)
class AnnotationProblem:
    """A `# sg-scope:` comment that declares nothing usable; it resolves no call.

    `detail` is what is wrong (malformed), the unknown name (unknown-scope), or the line the
    comment speaks for (unused); `suggestions` are catalogue names close to an unknown name.
    """

    location: Location
    kind: AnnotationProblemKind
    detail: str
    suggestions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class HardCodedKey:
    """A SendGrid API key written into a scanned file; `redacted` is all that is ever shown."""

    location: Location
    redacted: str


class Level(str, enum.Enum):
    """How loud a finding is, in SARIF's words; GitHub shows `note` as a notice."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class FileReport:
    """Everything one scanned file contributes to the result."""

    path: str
    matches: tuple[Match, ...] = ()
    unresolved: tuple[Unresolved, ...] = ()
    unknown: tuple[Unknown, ...] = ()
    errors: tuple[FileError, ...] = ()
    annotated: tuple[Annotated, ...] = ()
    annotation_problems: tuple[AnnotationProblem, ...] = ()
    keys: tuple[HardCodedKey, ...] = ()


@dataclass(frozen=True, slots=True)
class ScanStats:
    """What a project scan cost: how many files it read, and how often it analysed them.

    `rounds` holds the number of files analysed in each round of the project analysis (the
    first round reads the files that mention SendGrid, later ones the files a SendGrid value of
    another module reaches); a file analysed again in a later round is parsed again only when
    its tree was not kept (`parsed.py`). `most_parses` is the most times one file was parsed.
    """

    files: int = 0
    analysed: int = 0
    analyses: int = 0
    parsed: int = 0
    most_parses: int = 0
    rounds: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class ScanResult:
    """The reports of every scanned file, in path order, and what the scan cost."""

    files: tuple[FileReport, ...] = field(default_factory=tuple)
    stats: ScanStats = field(default_factory=ScanStats, compare=False)

    @property
    def matches(self) -> tuple[Match, ...]:
        return tuple(m for f in self.files for m in f.matches)

    @property
    def unresolved(self) -> tuple[Unresolved, ...]:
        return tuple(u for f in self.files for u in f.unresolved)

    @property
    def unknown(self) -> tuple[Unknown, ...]:
        return tuple(u for f in self.files for u in f.unknown)

    @property
    def errors(self) -> tuple[FileError, ...]:
        return tuple(e for f in self.files for e in f.errors)

    @property
    def annotated(self) -> tuple[Annotated, ...]:
        return tuple(a for f in self.files for a in f.annotated)

    @property
    def annotation_problems(self) -> tuple[AnnotationProblem, ...]:
        return tuple(p for f in self.files for p in f.annotation_problems)

    @property
    def keys(self) -> tuple[HardCodedKey, ...]:
        return tuple(k for f in self.files for k in f.keys)

    @property
    def scopes(self) -> tuple[str, ...]:
        """The minimal scope set: what every matched or annotated call needs, sorted."""
        needed = {scope for match in self.matches for scope in match.scopes}
        needed.update(scope for annotated in self.annotated for scope in annotated.scopes)
        return tuple(sorted(needed))


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    """One diagnostic as a linter shows it: where, a code from `codes.py`, and its message.

    Every front end reads this one model: flake8, and the CI formats (SARIF, GitHub, Markdown)
    and the baseline of `scan` and `check`. `chain` names the subject without a line number
    (the call's source for a call, the endpoint for a call lacking a granted scope, the redacted
    key for a key, the scope or key name for a key-config finding, "" for a whole-file problem), so `identity` (code, file, chain) survives moving code:
    baselines and SARIF fingerprints are built from it.
    """

    location: Location
    code: str
    message: str
    chain: str = ""
    # How loud this one finding is when it differs from its code's level (an excess scope
    # under `check --strict` is an error). Not part of equality: a baseline matches findings
    # whatever their level.
    level: Level | None = field(default=None, compare=False)

    @property
    def identity(self) -> tuple[str, str, str]:
        return (self.code, self.location.file, self.chain)

    @property
    def text(self) -> str:
        """The message without its leading code, for formats that show the code apart."""
        return self.message.removeprefix(f"{self.code} ")


# ------------------------------------------------------------------------------ key configs


class ConfigFormat(str, enum.Enum):
    """Where a key config came from; only our own format may be rewritten by `check --write`."""

    SCOPES = "scopes"  # `scopes: [...]` (ours, and the body of GET /v3/scopes)
    KEYS = "keys"  # `keys: {name: {scopes, env, default}}` (ours)
    SENDGRID = "sendgrid"  # a GET /v3/api_keys/{id} response, a POST/PUT /v3/api_keys body
    TERRAFORM = "terraform"  # `resource "sendgrid_api_key"` blocks in a .tf file

    @property
    def writable(self) -> bool:
        return self in (ConfigFormat.SCOPES, ConfigFormat.KEYS)


@dataclass(frozen=True, slots=True)
class GrantedScope:
    """A scope name as written in a key config, with its line (0 when it cannot be told)."""

    name: str
    line: int = 0


@dataclass(frozen=True, slots=True)
class ConfiguredKey:
    """One API key as the team's config describes it.

    `env` is the environment variable or setting the code reads this key from ("" when the
    config does not say); calls whose `CallSite.key` equals it are checked against this key.
    The `default` key also answers for calls whose key cannot be attributed. No scopes at all
    means a Full Access key, as SendGrid creates one when `scopes` is left out.
    """

    name: str
    scopes: tuple[GrantedScope, ...]
    env: str = ""
    default: bool = False
    line: int = 0

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(scope.name for scope in self.scopes))


@dataclass(frozen=True, slots=True)
class KeyConfig:
    """A key config file as read: its keys, and the lines where it holds a key's secret.

    The secret itself is never kept: `secret_lines` only says where the file must be cleaned.
    """

    file: str
    format: ConfigFormat
    keys: tuple[ConfiguredKey, ...]
    secret_lines: tuple[int, ...] = ()

    @property
    def default(self) -> ConfiguredKey | None:
        return next((key for key in self.keys if key.default), None)


# ------------------------------------------------------------------- code vs. key config


class Severity(str, enum.Enum):
    """How bad a problem with a key is: errors fail `check`, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Need:
    """One call site that needs one scope.

    `target` is what the call reaches: its endpoint, or its source when a `# sg-scope:`
    annotation declares its scopes. `reason` is why it needs this scope: the endpoint,
    `granted by file:line` for a scope a key-creating call hands on, or the annotation.
    """

    scope: str
    location: Location
    chain: str
    target: str
    reason: str


@dataclass(frozen=True, slots=True)
class MissingScopes:
    """A call that needs scopes its key does not grant: what a linter reports at the call.

    `key` names that key when the key config has several, "" when it has one.
    """

    location: Location
    target: str
    scopes: tuple[str, ...]
    key: str = ""


@dataclass(frozen=True, slots=True)
class Doubt:
    """A call whose scopes cannot be known statically, so it may need any granted scope.

    `could_need` narrows that down when the rules can (None: any scope); `key` is the call's
    key label, "" when unknown (then it may use any configured key).
    """

    location: Location
    chain: str
    reason: str
    key: str = ""
    could_need: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class MissingScope:
    """A scope the code needs and the key lacks, with every call site that needs it."""

    scope: str
    needs: tuple[Need, ...]


@dataclass(frozen=True, slots=True)
class HeldBack:
    """A granted, unused scope that is not called excess because uncertain calls may need it."""

    scope: GrantedScope
    doubts: tuple[Doubt, ...]


@dataclass(frozen=True, slots=True)
class UnknownScope:
    """A scope name in the config that is not in the scope catalogue, with close matches."""

    scope: GrantedScope
    suggestions: tuple[str, ...]


class ProblemKind(str, enum.Enum):
    """Which problem a `KeyProblem` is: the CI formats give each kind its own code."""

    FULL_ACCESS = "full_access"  # a key with no scopes listed
    BILLING_SHARED = "billing_shared"  # billing scopes with other scopes on one key
    VALIDATION_SHARED = "validation_shared"  # Email Validation scopes with others on one key
    SECRET = "secret"  # the key config holds a key's secret
    NO_ENV = "no_env"  # several keys, none naming the variable it is loaded from
    UNCHECKED = "unchecked"  # calls tied to no configured key and no default key


@dataclass(frozen=True, slots=True)
class KeyProblem:
    """Something wrong with a key as a whole (billing mixed with others, Full Access, ...)."""

    kind: ProblemKind
    severity: Severity
    message: str
    line: int = 0


@dataclass(frozen=True, slots=True)
class KeyVerdict:
    """One configured key checked against the calls that use it.

    `required` is what those calls need (automatic scopes left out); `missing` are errors,
    `excess` least-privilege warnings, `held_back` excess that uncertain calls may yet need;
    `doubts` are the uncertain calls that may use this key.
    """

    key: ConfiguredKey
    required: tuple[str, ...]
    missing: tuple[MissingScope, ...] = ()
    excess: tuple[GrantedScope, ...] = ()
    held_back: tuple[HeldBack, ...] = ()
    unknown: tuple[UnknownScope, ...] = ()
    problems: tuple[KeyProblem, ...] = ()
    doubts: tuple[Doubt, ...] = ()
    needs: tuple[Need, ...] = ()  # every call site behind `required`, by scope and place

    @property
    def full_access(self) -> bool:
        return not self.key.scopes


@dataclass(frozen=True, slots=True)
class Unattributed:
    """A call no configured key's `env` names; `checked_against` is the default key, or ""."""

    location: Location
    chain: str
    key: str
    checked_against: str


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The whole comparison: a verdict per key, plus what could not be tied to one key."""

    config: KeyConfig
    keys: tuple[KeyVerdict, ...]
    unattributed: tuple[Unattributed, ...] = ()
    doubts: tuple[Doubt, ...] = ()
    problems: tuple[KeyProblem, ...] = ()  # about the file as a whole (secrets, attribution)
    strict: bool = False  # excess scopes are errors (`check --strict`)

    @property
    def all_problems(self) -> tuple[KeyProblem, ...]:
        return self.problems + tuple(p for verdict in self.keys for p in verdict.problems)

    @property
    def excess_severity(self) -> Severity:
        """What an excess scope is in every format: an error under --strict, else a warning."""
        return Severity.ERROR if self.strict else Severity.WARNING

    def failed(self) -> bool:
        """Missing or unknown scopes and error problems fail a check; excess only when strict."""
        return any(
            verdict.missing or verdict.unknown or (self.strict and verdict.excess)
            for verdict in self.keys
        ) or any(problem.severity is Severity.ERROR for problem in self.all_problems)


class StepKind(str, enum.Enum):
    """One link of a client chain, as written in the code."""

    ATTRIBUTE = "attribute"  # `.templates`: the name becomes one path segment
    UNDERSCORE = "underscore"  # `._(x)`: the value of x is appended verbatim
    VERSION = "version"  # `.version(n)`: the chain's API version changes


@dataclass(frozen=True, slots=True)
class Step:
    """A chain link with its text: pieces of a string, VALUE where a piece is known only at run time.

    For `_()` an empty `pieces` means a falsy argument (`""`, `None`, `0`), which adds nothing.
    """

    kind: StepKind
    pieces: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class RawCall:
    """A call the visitor recognised as reaching SendGrid, before its endpoint is worked out.

    `verb` is the lower-case request function (`get`, `post`, ...) or `send` for the client's
    `send()`; `dynamic` says why the request cannot be known statically, when that is so.
    `grants` is the literal `scopes` list of the request body: () when there is none, None
    when the body is computed at run time (see `CallSite.grants`).
    """

    location: Location
    chain: str
    steps: tuple[Step, ...]
    verb: str
    dynamic: str = ""
    key: str = ""
    grants: tuple[str, ...] | None = ()
    guessed: bool = False  # made on a parameter nothing is known about; kept only if a rule fits
    # The URL's base is known only at run time (a setting, a database field): reported as
    # unresolved, with the endpoint it would be on SendGrid's v3 API, only if a rule fits.
    unknown_base: bool = False
    # Not a request but something that names one: a string naming an endpoint
    # (`analysis/endpoint_strings.py`, reported as unresolved) or an SMTP host setting read by
    # a framework or the project's code (verb `send`, reported as mail send). Either is
    # reported only when no request of the project accounts for it (`engine.report_calls`).
    named: bool = False
    # For a dynamic call, the chain steps known before its run-time part (None: none known);
    # `narrow.py` narrows the scopes it could need by them.
    prefix: tuple[Step, ...] | None = None
