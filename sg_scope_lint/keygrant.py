"""Stand-in for `keyconfig.py` (issue 4): which scopes a key config grants, and which calls of
one file need scopes it does not grant.

Deliberately minimal, so the key-config work can replace it at merge: the reader takes only our
own YAML/JSON form with one `scopes:` list (no named keys, no SendGrid API bodies, no
Terraform), and every call is checked against that one key whatever key its client uses.
The flake8 plugin depends on exactly two names here: `load_granted(path)` and
`missing_in_file(report, granted, catalogue)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .discover import display_path
from .errors import ConfigError
from .rules import ScopeCatalogue
from .types import FileReport, Location
from .yamlfile import line_of, load_yaml

# Scopes SendGrid adds to keys by itself; code can never lack them.
AUTOMATIC = "automatic"


@dataclass(frozen=True, slots=True)
class MissingScopes:
    """A call that needs scopes the key config does not grant.

    `target` names what is called: the endpoint (`GET /v3/templates/{template_id}`), or the
    call's source for an annotated call, whose endpoint the tool does not know.
    """

    location: Location
    target: str
    scopes: tuple[str, ...]


def load_granted(path: Path) -> frozenset[str]:
    """The scopes of a key config file: a mapping with a `scopes:` list (YAML or JSON)."""
    shown = display_path(path)
    data = load_yaml(path, shown, ConfigError)
    scopes = data.get("scopes") if isinstance(data, dict) else None
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise ConfigError("a key config needs a `scopes:` list of scope names",
                          file=shown, line=line_of(data), key="scopes")
    return frozenset(scopes)


def missing_in_file(report: FileReport, granted: frozenset[str],
                    catalogue: ScopeCatalogue) -> tuple[MissingScopes, ...]:
    """Every matched or annotated call of one file that needs a scope `granted` lacks.

    A call whose rule offers alternatives (`any_of`) is fine when any one of them is granted;
    otherwise the first alternative's missing scopes are named. A call that creates or updates
    a key with a literal `scopes` list needs those scopes too (a key grants only what it holds).
    """
    found: list[MissingScopes] = []
    for match in report.matches:
        extra = match.call.grants or ()
        options = match.rule.any_of or (match.scopes,)
        lacking = [_lacking((*option, *extra), granted, catalogue) for option in options]
        if all(lacking):
            found.append(MissingScopes(match.call.location, match.rule.endpoint, lacking[0]))
    for annotated in report.annotated:
        lacks = _lacking(annotated.scopes, granted, catalogue)
        if lacks:
            found.append(MissingScopes(annotated.location, annotated.chain, lacks))
    return tuple(sorted(found, key=lambda m: m.location))


def _lacking(needed: tuple[str, ...], granted: frozenset[str],
             catalogue: ScopeCatalogue) -> tuple[str, ...]:
    return tuple(dict.fromkeys(s for s in needed
                               if s not in granted and catalogue.kind_of(s) != AUTOMATIC))
