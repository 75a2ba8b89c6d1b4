"""The one table of diagnostic codes: each code's level, message and documentation.

Every output format reads its codes from here (SARIF rule ids and help, GitHub annotation
titles, Markdown headings), so a new kind of finding is one row here plus the stage that
produces it. Codes are `SGS` + three digits (flake8's `^[A-Z]{1,3}[0-9]{0,3}$`) and never
change meaning once released: code-scanning alerts and baselines are keyed by them.

    SGS1xx  the scan: calls that cannot be mapped to scopes, files that cannot be read, keys
    SGS2xx  reserved for the key-config comparison (missing, excess, unknown scopes)
"""

from __future__ import annotations

from dataclasses import dataclass

from .types import Level


@dataclass(frozen=True, slots=True)
class Code:
    """One diagnostic: `message` is a `str.format` template over the fields its stage passes.

    `what`, `why` and `fix` are the documentation (ruff's What it does / Why is this bad /
    Use instead), shown as SARIF rule help. `baselinable` is False for findings a baseline
    must never hide.
    """

    code: str
    name: str
    level: Level
    title: str
    message: str
    what: str
    why: str
    fix: str
    baselinable: bool = True


UNRESOLVED = Code(
    code="SGS101",
    name="unresolved-call",
    level=Level.WARNING,
    title="SendGrid call whose endpoint cannot be known without running the code",
    message="cannot tell which endpoint `{call}` reaches: {reason}",
    what="Reports a call that reaches SendGrid through the official client but whose HTTP "
         "endpoint depends on a value computed at run time (`getattr(sg.client, name)`, a path "
         "that starts with a variable, a scope that depends on a run-time path value).",
    why="The scopes this call needs cannot be known, so the required-scope set may be "
        "incomplete and an API key built from it may fail at run time with 403 Forbidden.",
    fix="Spell the endpoint out in the chain (`sg.client.templates._(template_id).get()`), or "
        "branch on the value and make one literal call per case.",
)
UNKNOWN_ENDPOINT = Code(
    code="SGS102",
    name="unknown-endpoint",
    level=Level.WARNING,
    title="SendGrid call to an endpoint no rule covers",
    message="no rule covers `{endpoint}` (called as `{call}`)",
    what="Reports a call whose endpoint was worked out but matches no row of the rules.",
    why="Its scopes are unknown: either the endpoint is misspelled (the call would fail with "
        "404), or the rules lack it and the required-scope set may be incomplete.",
    fix="Check the path against SendGrid's API reference; if it is right, add a rule for it "
        "with `--rules FILE` (or in `rules/`), citing the documentation page.",
)
FILE_ERROR = Code(
    code="SGS103",
    name="file-error",
    level=Level.ERROR,
    title="Scanned file that cannot be read or parsed",
    message="{message}",
    what="Reports a scanned file that could not be read, decoded or parsed.",
    why="Its SendGrid calls, if any, are not counted, so the required-scope set may be "
        "incomplete.",
    fix="Fix the syntax or the encoding, or leave the file out with `--exclude`.",
)
HARD_CODED_KEY = Code(
    code="SGS104",
    name="hard-coded-key",
    level=Level.ERROR,
    title="SendGrid API key written into the source",
    message="hard-coded SendGrid API key {key}: revoke it and load the key from the environment",
    what="Reports a string shaped like a SendGrid API key (`SG.` + 22 + `.` + 43 characters) "
         "in a scanned file; only its first characters are ever shown.",
    why="Anyone who can read the repository, or any copy of it, can send mail and read data "
        "as your account until the key is revoked.",
    fix="Revoke the key in SendGrid's settings, create a new one with only the scopes the "
        "code needs, and read it from the environment (`SendGridAPIClient()` reads "
        "`SENDGRID_API_KEY`).",
    # A committed key stays usable until revoked; a baseline must not make it quiet.
    baselinable=False,
)

CODES: dict[str, Code] = {
    code.code: code for code in (UNRESOLVED, UNKNOWN_ENDPOINT, FILE_ERROR, HARD_CODED_KEY)
}
