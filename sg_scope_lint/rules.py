"""Load, validate and match the endpoint → scope rules in `rules/*.yaml` and the scope catalogue.

Endpoint knowledge lives only in the YAML; this module is the one generic matcher over it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import RulesError, SgScopeLintError, combined
from .types import VALUE, CallSite, Confidence, Endpoint, Match, Rule, Unknown, Unresolved
from .yamlfile import line_of, load_yaml

SCHEMA_VERSION = 1
CATALOGUE_FILE = "scopes.yaml"
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
# In-house wrapper functions (`function:` rules) are matched as this pseudo-method on a one-segment
# path holding the function's qualified name, so one matcher serves both kinds of rule.
FUNCTION_METHOD = "CALL"
SCOPE_KINDS = ("grantable", "automatic", "billing", "separate_key", "legacy")

_RULE_KEYS = frozenset(
    {"id", "method", "path", "function", "scopes", "any_of", "scopes_by_value", "source",
     "confidence", "note", "deprecated", "grants_body_scopes"}
)
_DOTTED = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_PARAM = re.compile(r"^\{[A-Za-z_][A-Za-z0-9_]*\}$")
_LITERAL = re.compile(r"^[A-Za-z0-9_.:\-]+$")
_SCOPE = re.compile(r"^[A-Za-z0-9_]+([.:][A-Za-z0-9_\-]+)*$")


def bundled_rules_dir() -> Path:
    """The rules shipped with the tool: inside the installed package, or `rules/` in a checkout."""
    packaged = Path(str(resources.files("sg_scope_lint"))) / "rules"
    if (packaged / CATALOGUE_FILE).is_file():
        return packaged
    return Path(__file__).resolve().parent.parent / "rules"


@dataclass(frozen=True, slots=True)
class ScopeCatalogue:
    """Every scope name SendGrid knows, each with its kind (grantable, automatic, billing, ...)."""

    kinds: tuple[tuple[str, str], ...]

    def kind_of(self, scope: str) -> str | None:
        return dict(self.kinds).get(scope)

    def names(self, kind: str | None = None) -> tuple[str, ...]:
        return tuple(name for name, k in self.kinds if kind is None or k == kind)

    def __contains__(self, scope: object) -> bool:
        return self.kind_of(str(scope)) is not None


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The validated rules and the catalogue their scopes come from."""

    rules: tuple[Rule, ...]
    catalogue: ScopeCatalogue
    warnings: tuple[str, ...] = ()

    def find(self, endpoint: Endpoint) -> Rule | None:
        """The most specific rule whose template fits the endpoint, or None.

        A literal segment fits a literal template segment of the same text or any `{param}`;
        a segment known only at run time fits only a `{param}`. Among several fits the rule with
        literal template segments earliest wins (`/asm/suppressions/global` over `.../{email}`).
        """
        parts = endpoint.parts
        best: Rule | None = None
        best_rank: tuple[bool, ...] = ()
        for rule in self.rules:
            if rule.method != endpoint.method:
                continue
            template = rule.template
            if len(template) != len(parts):
                continue
            rank = _fit(template, parts)
            if rank is not None and (best is None or rank > best_rank):
                best, best_rank = rule, rank
        return best

    def resembling(self, endpoint: Endpoint) -> str:
        """The endpoint of a rule whose path is closest to this one's (same method first), ""
        when none is close: a typo (`suppresion/bounces`), or a singular for a plural."""
        import difflib

        wanted = _shown(endpoint.path)
        for same_method in (True, False):
            shown = {_shown(rule.path): rule for rule in self.rules
                     if (rule.method == endpoint.method) == same_method}
            close = difflib.get_close_matches(wanted, list(shown), n=1, cutoff=0.85)
            if close:
                return f"{shown[close[0]].method} {shown[close[0]].path}"
        return ""

    def match(self, call: CallSite) -> Match | Unresolved | Unknown:
        """Turn a resolved call site into the scopes it needs, or say why that is not possible."""
        rule = self.find(call.endpoint)
        if rule is None:
            return Unknown(call, self.resembling(call.endpoint))
        if rule.scopes_by_value:
            value = _param_value(rule, call.endpoint)
            options = dict(rule.scopes_by_value)
            if value is VALUE or value not in options:
                listed = "; ".join(f"{k}: {', '.join(v)}" for k, v in rule.scopes_by_value)
                shown = "a run-time value" if value is VALUE else f"'{value}'"
                return Unresolved(
                    call.location,
                    f"{call.endpoint.method} {rule.path}: the scope depends on "
                    f"{{{rule.value_param}}}, which is {shown} (one of: {listed})",
                    call.chain,
                    call.key,
                    # a run-time value is one of the listed options; a literal that is not
                    # listed is one the rules do not know, so it could need anything
                    rule.all_scopes() if value is VALUE else None,
                )
            return Match(call, rule, options[value])
        if rule.any_of:
            return Match(call, rule, rule.any_of[0])
        return Match(call, rule, rule.scopes)

    @property
    def wrapper_functions(self) -> frozenset[str]:
        """Qualified names of the in-house functions users' rules give scopes to."""
        return frozenset(r.path[1:] for r in self.rules if r.method == FUNCTION_METHOD)

    def by_id(self, rule_id: str) -> Rule | None:
        return next((rule for rule in self.rules if rule.id == rule_id), None)


def _fit(template: Sequence[str], segments: Sequence[str | None]) -> tuple[bool, ...] | None:
    rank = []
    for expected, actual in zip(template, segments, strict=True):
        if _PARAM.match(expected):
            rank.append(False)
        elif actual is VALUE or actual != expected:
            return None
        else:
            rank.append(True)
    return tuple(rank)


def _param_value(rule: Rule, endpoint: Endpoint) -> str | None:
    index = rule.template.index("{" + rule.value_param + "}")
    return endpoint.parts[index]


# --------------------------------------------------------------------------------- loading


def load_ruleset(directory: Path | None = None, extra_files: Iterable[Path] = (),
                 cache_root: Path | None = None) -> RuleSet:
    """Load the catalogue and every rule file of `directory` (default: the bundled rules),
    then overlay the rules of `extra_files`.

    With a `cache_root`, the validated rules of `directory` are kept as JSON in its cache folder,
    keyed by the files' bytes: parsing and validating 400 rules of YAML costs more than
    analysing a file, which a flake8 run in an editor pays on every save.
    """
    directory = directory or bundled_rules_dir()
    files = [directory / CATALOGUE_FILE, *sorted(
        p for p in directory.glob("*.yaml") if p.name != CATALOGUE_FILE)]
    loaded = _cached(files, cache_root) if cache_root is not None else None
    if loaded is None:
        catalogue = load_catalogue(files[0])
        rules: list[Rule] = []
        for path in files[1:]:
            rules.extend(load_rule_file(path, catalogue))
        loaded = RuleSet(tuple(_check_unique(rules)), catalogue)
        if cache_root is not None:
            _store(files, cache_root, loaded)
    rules = list(loaded.rules)
    catalogue = loaded.catalogue
    warnings: list[str] = []
    for path in extra_files:
        rules = _overlay(rules, load_rule_file(path, catalogue), warnings)
    return RuleSet(tuple(rules), catalogue, tuple(warnings))


def _cache_entry(files: list[Path]) -> str:
    import hashlib

    from . import __version__

    digest = hashlib.sha256(  # origins are relative
        f"{__version__}\0{Path.cwd()}\0".encode("utf-8", "surrogatepass"))
    digest.update(Path(__file__).read_bytes())  # how they are validated and matched
    for path in files:
        digest.update(path.name.encode("utf-8", "surrogatepass") + b"\0" + path.read_bytes()
                      + b"\0")
    return f"rules/{digest.hexdigest()}.json"


def _cached(files: list[Path], cache_root: Path) -> RuleSet | None:
    """The validated rules as a sealed entry of the cache holds them (`sealed.py`: an entry
    this user's tool did not write is never read), None on any miss."""
    from .cache import open_folder, read_entry

    folder = open_folder(cache_root)
    if folder is None:
        return None
    try:
        entry = _cache_entry(files)
    except OSError:
        return None  # an unreadable rules file: loading reports it
    data = read_entry(folder, entry)
    try:
        return RuleSet(
            tuple(Rule(**{**fields, "confidence": Confidence(fields["confidence"])})
                  for fields in _tuples(data["rules"])),
            ScopeCatalogue(_tuples(data["catalogue"])))
    except (TypeError, KeyError, ValueError, AttributeError, RecursionError):
        return None  # no entry, or one this version cannot read: load the YAML


def _store(files: list[Path], cache_root: Path, ruleset: RuleSet) -> None:
    from dataclasses import asdict

    from .cache import open_folder, write_entry

    folder = open_folder(cache_root)
    if folder is not None:
        write_entry(folder, _cache_entry(files), {
            "rules": [asdict(rule) for rule in ruleset.rules],
            "catalogue": ruleset.catalogue.kinds,
        })


def _tuples(value: Any) -> Any:
    """JSON's lists back into the tuples the frozen classes hold."""
    if isinstance(value, list):
        return tuple(_tuples(item) for item in value)
    if isinstance(value, dict):
        return {key: _tuples(item) for key, item in value.items()}
    return value


def _overlay(base: list[Rule], extra: list[Rule], warnings: list[str]) -> list[Rule]:
    """A user's rule for an endpoint that already has one replaces it, with a warning."""
    by_shape = {_shape(rule): index for index, rule in enumerate(base)}
    ids = {rule.id for rule in base}
    merged = list(base)
    for rule in extra:
        index = by_shape.get(_shape(rule))
        if index is not None:
            old = merged[index]
            warnings.append(f"{rule.origin}: rule '{rule.id}' overrides built-in rule '{old.id}' "
                            f"for {old.endpoint} ({', '.join(old.all_scopes()) or 'no scope'} -> "
                            f"{', '.join(rule.all_scopes()) or 'no scope'})")
            ids.discard(old.id)
            merged[index] = rule
        else:
            by_shape[_shape(rule)] = len(merged)
            merged.append(rule)
        if rule.id in ids:
            raise RulesError(f"duplicate rule id '{rule.id}'", file=rule.origin, key="id")
        ids.add(rule.id)
    return merged


def _shape(rule: Rule) -> tuple[str, tuple[str, ...]]:
    """A rule's endpoint with parameter names ignored: what makes two rules collide."""
    return rule.method, tuple("{}" if _PARAM.match(s) else s for s in rule.template)


def load_catalogue(path: Path) -> ScopeCatalogue:
    """Read the scope catalogue: scope names grouped by kind, each name in exactly one kind."""
    display = _display(path)
    data = load_yaml(path, display, RulesError)
    _expect_mapping(data, display, "the scope catalogue", {"version", "kinds"})
    _check_version(data, display)
    kinds = data.get("kinds")
    _expect_mapping(kinds, display, "kinds", set(SCOPE_KINDS), line=line_of(data))
    seen: dict[str, str] = {}
    for kind, section in kinds.items():
        _expect_mapping(section, display, f"kinds.{kind}", {"source", "scopes"}, line=line_of(kinds))
        names = section.get("scopes")
        if not isinstance(names, list):
            raise RulesError("'scopes' must be a list of scope names", file=display,
                             line=line_of(section), key=f"kinds.{kind}")
        for name in names:
            if not isinstance(name, str) or not _SCOPE.match(name):
                raise RulesError(f"{name!r} is not a scope name", file=display,
                                 line=line_of(section), key=f"kinds.{kind}")
            if name in seen:
                raise RulesError(f"scope '{name}' is listed under both '{seen[name]}' and '{kind}'",
                                 file=display, line=line_of(section), key=f"kinds.{kind}")
            seen[name] = kind
    return ScopeCatalogue(tuple(sorted(seen.items())))


def load_rule_file(path: Path, catalogue: ScopeCatalogue) -> list[Rule]:
    """Read and strictly validate one rules file against the catalogue: its shape against the
    shipped JSON Schema (`schemas/rules.schema.json`), then what a schema cannot say (scopes
    in the catalogue, path parameters, duplicates). Every problem of the file is reported in
    one error, each at its line."""
    display = _display(path)
    data = load_yaml(path, display, RulesError)
    try:  # a good file costs no jsonschema import (~0.2 s): it is used to report problems
        _expect_mapping(data, display, "a rules file", {"version", "family", "rules"})
        _check_version(data, display)
        family = data.get("family", path.stem)
        if isinstance(data.get("rules"), list) and isinstance(family, str):
            return list(_check_unique([_rule(entry, display, catalogue, family)
                                       for entry in data["rules"]]))
    except RulesError as first:
        _every_problem(path, data, display, catalogue)
        raise first from None
    _every_problem(path, data, display, catalogue)
    raise RulesError("'rules' must be a list of rules", file=display)


def _every_problem(path: Path, data: Any, display: str, catalogue: ScopeCatalogue) -> None:
    """Raise every problem of a rules file found bad, each at its line (schema, then scopes and
    each rule); return when they add nothing to the first one found (a duplicate)."""
    from . import schemacheck
    from .textlines import TextLines

    lines = TextLines(path.read_text(encoding="utf-8"))
    found: list[SgScopeLintError] = [
        RulesError(message, file=display, line=line, key=key)
        for line, key, message in schemacheck.problems(data, "rules", lines)]
    entries = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        if found:
            raise combined(found)
        return
    family = data.get("family", path.stem)
    shaped = {int(m.group(1)) for e in found if (m := _RULE_INDEX.match(e.key))}
    rules: list[Rule] = []
    for index, entry in enumerate(entries):
        unknown = _unknown_scopes(entry, index, catalogue, display, lines)
        found += unknown
        if index in shaped or unknown or not isinstance(family, str):
            continue
        try:
            rules.append(_rule(entry, display, catalogue, family))
        except RulesError as problem:
            found.append(problem)
    if found:
        raise combined(found)


_RULE_INDEX = re.compile(r"^rules\[(\d+)\]")


def _unknown_scopes(entry: Any, index: int, catalogue: ScopeCatalogue, display: str,
                    lines: Any) -> list[SgScopeLintError]:
    """Each scope name of a rule that is not in the catalogue, at its line, with the closest
    name the catalogue has."""
    from .schemacheck import suggestion

    if not isinstance(entry, dict):
        return []
    listed: list[tuple[str, Any]] = [("scopes", entry.get("scopes"))]
    options = entry.get("any_of")
    listed += [(f"any_of[{n}]", o) for n, o in enumerate(options)] \
        if isinstance(options, list) else []
    by_value = entry.get("scopes_by_value")
    values = by_value.get("values") if isinstance(by_value, dict) else None
    listed += [(f"scopes_by_value.values.{v}", s) for v, s in values.items()] \
        if isinstance(values, dict) else []
    start = line_of(entry)
    return [RulesError(f"unknown scope '{scope}' (not in the scope catalogue)"
                       f"{suggestion(scope, catalogue.names())}", file=display,
                       line=lines.find_or(scope, start), key=f"rules[{index}].{where}")
            for where, names in listed if isinstance(names, list)
            for scope in names if isinstance(scope, str) and scope not in catalogue]


def _rule(entry: Any, display: str, catalogue: ScopeCatalogue, family: str) -> Rule:
    if not isinstance(entry, dict):
        raise RulesError(f"each rule must be a mapping, found {type(entry).__name__}", file=display)
    line = line_of(entry)
    rule_id = entry.get("id")
    where = {"file": display, "line": line}

    def fail(message: str, key: str) -> RulesError:
        label = f"rule '{rule_id}'" if isinstance(rule_id, str) else "rule"
        return RulesError(f"{label}: {message}", key=key, **where)  # type: ignore[arg-type]

    unknown = sorted(set(entry) - _RULE_KEYS)
    if unknown:
        raise fail(f"unknown key (expected one of {', '.join(sorted(_RULE_KEYS))})", unknown[0])
    target = ("function",) if "function" in entry else ("method", "path")
    if "function" in entry and ({"method", "path"} & set(entry)):
        raise fail("a rule names either a `function` or a `method` and `path`", "function")
    for key in ("id", *target, "source"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise fail("is required and must be a non-empty string", key)
    rule_id = str(rule_id)
    if not _ID.match(rule_id):
        raise fail("ids are kebab-case: lower-case letters, digits and dashes", "id")
    if "function" in entry:
        if not _DOTTED.match(entry["function"]):
            raise fail(f"'{entry['function']}' is not a dotted name like myapp.mail.send_welcome",
                       "function")
        method, path = FUNCTION_METHOD, "/" + entry["function"]
    else:
        method, path = entry["method"], entry["path"]
        if method not in METHODS:
            raise fail(f"'{method}' is not one of {', '.join(sorted(METHODS))}", "method")
        _check_path(path, entry.get("deprecated") is True, fail)
    confidence_text = entry.get("confidence", "inferred")
    try:
        confidence = Confidence(confidence_text)
    except ValueError:
        raise fail(f"'{confidence_text}' is not 'documented' or 'inferred'", "confidence") from None
    forms = [key for key in ("scopes", "any_of", "scopes_by_value") if key in entry]
    if len(forms) != 1:
        raise fail("needs exactly one of 'scopes', 'any_of', 'scopes_by_value'", "scopes")

    def scope_list(value: Any, key: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
            raise fail("must be a list of scope names", key)
        if any(scope not in catalogue for scope in value):  # `_unknown_scopes` says which
            raise fail("lists a scope that is not in the scope catalogue", key)
        return tuple(value)

    scopes: tuple[str, ...] = ()
    any_of: tuple[tuple[str, ...], ...] = ()
    value_param = ""
    by_value: tuple[tuple[str, tuple[str, ...]], ...] = ()
    if "scopes" in entry:
        scopes = scope_list(entry["scopes"], "scopes")
    elif "any_of" in entry:
        options = entry["any_of"]
        if not isinstance(options, list) or not options:
            raise fail("must be a non-empty list of scope lists", "any_of")
        any_of = tuple(scope_list(option, "any_of") for option in options)
    else:
        spec = entry["scopes_by_value"]
        if not isinstance(spec, dict) or set(spec) != {"param", "values"}:
            raise fail("needs 'param' and 'values'", "scopes_by_value")
        value_param = spec["param"]
        if "{" + str(value_param) + "}" not in path.split("/"):
            raise fail(f"'{value_param}' is not a parameter of {path}", "scopes_by_value.param")
        values = spec["values"]
        if not isinstance(values, dict) or not values:
            raise fail("must map parameter values to scope lists", "scopes_by_value.values")
        by_value = tuple(
            (str(value), scope_list(names, "scopes_by_value.values"))
            for value, names in sorted(values.items(), key=lambda item: str(item[0]))
        )
    note = entry.get("note", "")
    if not isinstance(note, str):
        raise fail("must be a string", "note")
    deprecated, grants = entry.get("deprecated", False), entry.get("grants_body_scopes", False)
    for key, flag in (("deprecated", deprecated), ("grants_body_scopes", grants)):
        if not isinstance(flag, bool):
            raise fail("must be true or false", key)
    return Rule(
        id=rule_id, method=method, path=path, scopes=scopes, source=entry["source"],
        confidence=confidence, origin=f"{display}:{line}", family=family, note=note,
        deprecated=deprecated, grants_body_scopes=grants,
        any_of=any_of, value_param=value_param, scopes_by_value=by_value,
    )


def _check_path(path: str, deprecated: bool, fail: Any) -> None:
    if not (path.startswith("/v3/") or (deprecated and path.startswith("/api/"))):
        raise fail(f"'{path}' must start with /v3/ (or /api/ for a deprecated v2 endpoint)",
                   "path")
    for segment in path.split("/")[1:]:
        if not (_PARAM.match(segment) or _LITERAL.match(segment)):
            raise fail(f"bad path segment '{segment}' in '{path}' (literal or {{param}})", "path")


def _check_unique(rules: list[Rule]) -> tuple[Rule, ...]:
    ids: dict[str, Rule] = {}
    shapes: dict[tuple[str, tuple[str, ...]], Rule] = {}
    for rule in rules:
        if rule.id in ids:
            raise RulesError(f"duplicate rule id '{rule.id}' (first at {ids[rule.id].origin})",
                             file=rule.origin, key="id")
        ids[rule.id] = rule
        shape = _shape(rule)
        if shape in shapes:
            raise RulesError(f"duplicate endpoint {rule.endpoint} (also rule '{shapes[shape].id}' "
                             f"at {shapes[shape].origin})", file=rule.origin, key="path")
        shapes[shape] = rule
    return tuple(rules)


def _expect_mapping(data: Any, display: str, what: str, allowed: set[str], line: int = 0) -> None:
    if not isinstance(data, dict):
        raise RulesError(f"{what} must be a mapping, found {type(data).__name__}",
                         file=display, line=line)
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise RulesError(f"unknown key in {what} (expected {', '.join(sorted(allowed))})",
                         file=display, line=line_of(data) or line, key=str(unknown[0]))


def _check_version(data: dict[str, Any], display: str) -> None:
    if data.get("version") != SCHEMA_VERSION:
        raise RulesError(f"'version' must be {SCHEMA_VERSION}, found {data.get('version')!r}",
                         file=display, line=line_of(data), key="version")


def _display(path: Path) -> str:
    """Rule files are named relative to the working directory when inside it, else as given."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _shown(path: str) -> str:
    """A rule's path with `{param}` slots as `{}`, without the version, to compare with."""
    parts = [part for part in path.split("/") if part]
    if parts and parts[0] in ("v2", "v3"):
        parts = parts[1:]
    return "/" + "/".join("{}" if part.startswith("{") else part for part in parts)
