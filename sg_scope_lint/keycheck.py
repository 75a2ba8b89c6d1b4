"""Compare what the code needs with what a key config grants: one pure function over plain data.

Every call (matched to a rule, or resolved by a `# sg-scope:` annotation) goes to one key: the key whose `env` is the variable or setting the call's
client reads its key from, else the default key (the call is then *unattributed*). Per key:
- missing: needed by a call, not granted (error, with every call site);
- excess: granted, needed by no call (warning; an error when strict), unless an uncertain call could need it (an
  unresolved call, an unknown endpoint, an unreadable file, a key-creating call whose scopes
  are computed): then it is *held back*, naming those calls;
- unknown: a name not in the scope catalogue (error, with close matches);
- problems: billing scopes sharing a key with others (error), no scopes at all (Full Access,
  warning), Email Validation scopes sharing a key (warning).
Automatic scopes (`2fa_required`, ...) are set by SendGrid: never missing, never excess.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

from .rules import ScopeCatalogue
from .types import (
    Annotated,
    CheckResult,
    ConfiguredKey,
    Doubt,
    FileReport,
    GrantedScope,
    HeldBack,
    KeyConfig,
    KeyProblem,
    KeyVerdict,
    Location,
    Match,
    MissingScope,
    MissingScopes,
    Need,
    ProblemKind,
    ScanResult,
    Severity,
    Unattributed,
    UnknownScope,
)

AUTOMATIC, BILLING, SEPARATE_KEY = "automatic", "billing", "separate_key"

def key_for(call_key: str, config: KeyConfig) -> tuple[ConfiguredKey | None, bool]:
    """The configured key a call uses, and whether its `env` (or, for a `# sg-scope-key:`
    comment, its name) named it (False: the default)."""
    for key in config.keys:
        if key.env and key.env == call_key:
            return key, True
    for key in config.keys:
        if call_key and key.name == call_key:
            return key, True
    return config.default, False


def compare(result: ScanResult, config: KeyConfig, catalogue: ScopeCatalogue,
            strict: bool = False) -> CheckResult:
    """Check every configured key against the calls that use it; `strict` makes excess scopes
    errors (every format shows them so, and they fail the check)."""
    needs: dict[str, list[Need]] = {key.name: [] for key in config.keys}
    unattributed: list[Unattributed] = []
    unplaced: list[Doubt] = []  # calls tied to no key (listed as unattributed, not as doubts)
    doubts = list(_doubts(result))
    any_env = any(key.env for key in config.keys)
    calls: list[tuple[Location, str, str, Match | Annotated]] = [
        (m.call.location, m.call.chain, m.call.key, m) for m in result.matches]
    calls += [(a.location, a.chain, a.key, a) for a in result.annotated]
    for location, chain, call_key, call in sorted(calls, key=lambda c: c[0]):
        key, attributed = key_for(call_key, config)
        if not attributed and (any_env or key is None):
            unattributed.append(Unattributed(location, chain, call_key, key.name if key else ""))
        if isinstance(call, Annotated):
            found, doubt = _declared(call), None
        else:
            found, doubt = _needs(call, key.names if key else ())
        if doubt is not None:
            doubts.append(doubt)
        if key is not None:
            needs[key.name].extend(found)
        elif found:  # checked against no key: it may use any, so it holds back what it needs
            unplaced.append(Doubt(location, chain, "no configured key is tied to this call, "
                                  "so it may use any of them", "",
                                  tuple(dict.fromkeys(n.scope for n in found))))
    doubts.sort(key=lambda d: (d.location, d.reason))
    verdicts = tuple(
        _verdict(key, needs[key.name],
                 [d for d in doubts if _could_use(d, key, config)] + unplaced, catalogue)
        for key in config.keys
    )
    return CheckResult(config, verdicts, tuple(sorted(unattributed, key=lambda u: u.location)),
                       tuple(doubts), _file_problems(config, unattributed), strict)


def _doubts(result: ScanResult) -> Iterable[Doubt]:
    for unresolved in result.unresolved:
        yield Doubt(unresolved.location, unresolved.chain, unresolved.reason, unresolved.key,
                    unresolved.could_need)
    for unknown in result.unknown:
        yield Doubt(unknown.call.location, unknown.call.chain,
                    f"no rule covers {unknown.call.endpoint}", unknown.call.key)
    for error in result.errors:
        yield Doubt(error.location, "", f"the file could not be analysed: {error.message}")


def _needs(match: Match, granted: Sequence[str]) -> tuple[list[Need], Doubt | None]:
    """The scopes one call needs: its rule's (the first granted alternative of `any_of`, else
    the preferred one), plus every scope it grants when it creates or updates a key."""
    call, rule = match.call, match.rule
    scopes = match.scopes
    if rule.any_of and not rule.scopes_by_value:
        scopes = next((option for option in rule.any_of if set(option) <= set(granted)), scopes)
    found = [Need(scope, call.location, call.chain, rule.endpoint, rule.endpoint)
             for scope in scopes]
    if not rule.grants_body_scopes:  # SendGrid refuses to grant a scope the caller lacks
        return found, None
    if call.grants is None:
        return found, Doubt(call.location, call.chain,
                            f"{rule.endpoint} grants scopes computed at run time, and a key "
                            "can only grant scopes it holds", call.key)
    where = f"granted by {call.location.file}:{call.location.line}"
    found += [Need(scope, call.location, call.chain, rule.endpoint, where)
              for scope in call.grants]
    return found, None


def _declared(call: Annotated) -> list[Need]:
    """A call resolved by a `# sg-scope:` comment needs what the comment declares."""
    where = f"declared by # sg-scope: at {call.annotation.file}:{call.annotation.line}"
    return [Need(scope, call.location, call.chain, call.chain, where) for scope in call.scopes]


def missing_in_file(report: FileReport, config: KeyConfig,
                    catalogue: ScopeCatalogue) -> tuple[MissingScopes, ...]:
    """The calls of one file that need scopes their key lacks, one entry per call and target:
    what a linter that sees one file at a time (flake8) reports."""
    return missing_by_call(compare(ScanResult((report,)), config, catalogue))


def missing_by_call(check: CheckResult) -> tuple[MissingScopes, ...]:
    """The calls that need scopes their key lacks, one entry per call, target and key, in
    position order; `key` names the key only when the config has several."""
    lacking: dict[tuple[Location, str, str], list[str]] = {}
    for verdict in check.keys:
        name = verdict.key.name if len(check.config.keys) > 1 else ""
        for missing in verdict.missing:
            for need in missing.needs:
                scopes = lacking.setdefault((need.location, need.target, name), [])
                if need.scope not in scopes:
                    scopes.append(need.scope)
    return tuple(MissingScopes(location, target, tuple(scopes), name)
                 for (location, target, name), scopes in sorted(lacking.items()))


def _could_use(doubt: Doubt, key: ConfiguredKey, config: KeyConfig) -> bool:
    """An uncertain call holds back a key's excess if it may use that key: it is attributed to
    the key, or its key is unknown (so it may be any key)."""
    return not doubt.key or key_for(doubt.key, config)[0] is key


def _verdict(key: ConfiguredKey, needs: list[Need], doubts: list[Doubt],
             catalogue: ScopeCatalogue) -> KeyVerdict:
    needs = sorted((n for n in needs if catalogue.kind_of(n.scope) != AUTOMATIC),
                   key=lambda n: (n.scope, n.location, n.reason))
    required = tuple(dict.fromkeys(need.scope for need in needs))
    unknown = tuple(UnknownScope(g, _suggestions(g.name, catalogue))
                    for g in key.scopes if g.name not in catalogue)
    problems = _combination_problems(key, required, catalogue)
    if not key.scopes:
        # Full Access holds every scope but billing and Email Validation ones.
        lacking = {n.scope for n in needs if catalogue.kind_of(n.scope) in (None, BILLING,
                                                                            SEPARATE_KEY)}
        shown = ", ".join(required) or "none"
        problems.insert(0, KeyProblem(
            ProblemKind.FULL_ACCESS, Severity.WARNING,
            f"key '{key.name}' lists no scopes, which SendGrid treats as Full "
            f"Access; the code needs only {len(required)}: {shown}", key.line))
        return KeyVerdict(key, required, _missing(needs, lacking), unknown=unknown,
                          problems=tuple(problems), doubts=tuple(doubts), needs=tuple(needs))
    granted = set(key.names)
    excess: list[GrantedScope] = []
    held: list[HeldBack] = []
    for scope in key.scopes:
        kind = catalogue.kind_of(scope.name)
        if kind is None or kind == AUTOMATIC or scope.name in required:
            continue
        holding = tuple(d for d in doubts if d.could_need is None or scope.name in d.could_need)
        if holding:
            held.append(HeldBack(scope, holding))
        else:
            excess.append(scope)
    missing = _missing(needs, {n.scope for n in needs if n.scope not in granted})
    return KeyVerdict(key, required, missing, tuple(excess), tuple(held), unknown,
                      tuple(problems), tuple(doubts), tuple(needs))


def _missing(needs: list[Need], scopes: set[str]) -> tuple[MissingScope, ...]:
    return tuple(MissingScope(scope, tuple(n for n in needs if n.scope == scope))
                 for scope in sorted(scopes))


def _suggestions(name: str, catalogue: ScopeCatalogue) -> tuple[str, ...]:
    grantable = [n for n in catalogue.names() if catalogue.kind_of(n) != AUTOMATIC]
    return tuple(difflib.get_close_matches(name, grantable, n=3, cutoff=0.75))


def _combination_problems(key: ConfiguredKey, required: Sequence[str],
                          catalogue: ScopeCatalogue) -> list[KeyProblem]:
    """Scopes SendGrid keeps on keys of their own: billing (refused with any other scope) and
    Email Validation (issued as its own key type)."""
    problems = []
    for kind, problem_kind, severity, label in (
            (BILLING, ProblemKind.BILLING_SHARED, Severity.ERROR, "billing scopes"),
            (SEPARATE_KEY, ProblemKind.VALIDATION_SHARED, Severity.WARNING,
             "Email Validation scopes")):
        for scopes, whose in ((key.names, "grants"), (required, "needs")):
            own = [s for s in scopes if catalogue.kind_of(s) == kind]
            others = [s for s in scopes if catalogue.kind_of(s) not in (kind, AUTOMATIC, None)]
            if own and others:
                subject = (f"key '{key.name}' grants" if whose == "grants"
                           else f"the calls that use key '{key.name}' need")
                problems.append(KeyProblem(
                    problem_kind, severity, f"{subject} {label} ({', '.join(own)}) together "
                    f"with other scopes ({', '.join(others)}); SendGrid issues {label} on a key "
                    "of their own",
                    key.line))
                break  # the grants already show it; the needs would say it again
    return problems


def _file_problems(config: KeyConfig, unattributed: list[Unattributed]) -> tuple[KeyProblem, ...]:
    problems = [KeyProblem(ProblemKind.SECRET, Severity.ERROR, "holds an API key's secret "
                           "(`api_key`): delete it from the file, and revoke the key if the file "
                           "was ever committed", line)
                for line in config.secret_lines]
    if len(config.keys) > 1 and not any(key.env for key in config.keys):
        problems.append(KeyProblem(
            ProblemKind.NO_ENV, Severity.WARNING, f"{len(config.keys)} keys and none says which "
            "variable or setting the code loads it from, so no call can be tied to a key; name "
            "each key's `env` in an sg-scope-lint `keys:` config"))
    unchecked = [u for u in unattributed if not u.checked_against]
    if unchecked:
        problems.append(KeyProblem(
            ProblemKind.UNCHECKED, Severity.WARNING, f"{len(unchecked)} call(s) use a key no "
            "configured key's `env` names and there is no `default: true` key, so they are "
            "checked against no key"))
    return tuple(problems)
