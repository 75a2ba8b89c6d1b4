"""The one table of diagnostic codes (`SGS` + three digits) and their message templates.

Numbering: 0xx the file itself, 1xx what a call reaches, 2xx the key config, 3xx `# sg-scope:`
annotations. Each code has a section in docs/codes.md (tests/test_codes.py checks both ways).
A code, once released, keeps its meaning: a retired code is removed, never reused; SARIF
alerts and baselines are keyed by it. `level` is how the CI formats show it (SARIF level,
GitHub `::error`/`::warning`); every level fails `scan` alike. The 2xx codes are the findings
of `check`; which of them fail it (the errors, and SGS203 with --strict) is the CLI's choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .types import Level


@dataclass(frozen=True, slots=True)
class Code:
    """A diagnostic: its code, a stable kebab-case name, and a `str.format` message template.

    `baselinable` is False for findings a baseline must never hide.
    """

    code: str
    name: str
    template: str
    level: Level = Level.WARNING
    baselinable: bool = True

    def message(self, **fields: Any) -> str:
        """The message with its fields filled in, prefixed by the code as flake8 expects."""
        return f"{self.code} {self.template.format(**fields)}"


FILE_NOT_ANALYSED = Code("SGS001", "file-not-analysed", "cannot analyse the file: {message}",
                         Level.ERROR)
HARD_CODED_KEY = Code(
    "SGS002", "hard-coded-key",
    "hard-coded SendGrid API key {key}: revoke it and load the key from the environment",
    # A committed key stays usable until it is revoked: a baseline must not make it quiet.
    Level.ERROR, baselinable=False,
)
UNRESOLVED_CALL = Code(
    "SGS101", "unresolved-call",
    "cannot resolve SendGrid call `{call}`: {reason}; declare its scopes with `# sg-scope:`",
)
UNKNOWN_ENDPOINT = Code("SGS102", "unknown-endpoint", "`{endpoint}` is not covered by any rule")
SCOPE_NOT_GRANTED = Code(
    "SGS201", "scope-not-granted", "`{target}` needs {scopes}, not in {key_config}",
    Level.ERROR,
)
UNKNOWN_SCOPE = Code(
    "SGS202", "unknown-scope", "key '{key}' lists `{scope}`, not a SendGrid scope{hint}",
    Level.ERROR,
)
# A warning: `check --strict` fails on it, and that is the exit code's business.
EXCESS_SCOPE = Code("SGS203", "excess-scope", "key '{key}' grants `{scope}`, which no call needs")
BILLING_SCOPE_SHARED = Code("SGS204", "billing-scope-shared", "{detail}", Level.ERROR)
SECRET_IN_KEY_CONFIG = Code(
    "SGS205", "secret-in-key-config", "the key config {detail}",
    # Like a hard-coded key: usable until revoked, so a baseline must not make it quiet.
    Level.ERROR, baselinable=False,
)
FULL_ACCESS_KEY = Code("SGS206", "full-access-key", "{detail}")
VALIDATION_SCOPE_SHARED = Code("SGS207", "validation-scope-shared", "{detail}")
KEY_NOT_ATTRIBUTABLE = Code("SGS208", "key-not-attributable", "{detail}")
CALLS_CHECKED_AGAINST_NO_KEY = Code("SGS209", "calls-checked-against-no-key", "{detail}")
MALFORMED_ANNOTATION = Code(
    "SGS301", "malformed-annotation", "malformed scope annotation: {detail}", Level.ERROR,
)
UNKNOWN_ANNOTATION_SCOPE = Code(
    "SGS302", "unknown-annotation-scope", "`{scope}` is not a SendGrid scope{hint}",
    Level.ERROR,
)
UNUSED_ANNOTATION = Code(
    "SGS303", "unused-annotation",
    "`# sg-scope:` annotation for line {line}, where no SendGrid call is unresolved and no "
    "function is defined",
)

CODES: tuple[Code, ...] = (
    FILE_NOT_ANALYSED,
    HARD_CODED_KEY,
    UNRESOLVED_CALL,
    UNKNOWN_ENDPOINT,
    SCOPE_NOT_GRANTED,
    UNKNOWN_SCOPE,
    EXCESS_SCOPE,
    BILLING_SCOPE_SHARED,
    SECRET_IN_KEY_CONFIG,
    FULL_ACCESS_KEY,
    VALIDATION_SCOPE_SHARED,
    KEY_NOT_ATTRIBUTABLE,
    CALLS_CHECKED_AGAINST_NO_KEY,
    MALFORMED_ANNOTATION,
    UNKNOWN_ANNOTATION_SCOPE,
    UNUSED_ANNOTATION,
)

BY_CODE: dict[str, Code] = {code.code: code for code in CODES}


def is_code(text: str) -> bool:
    """Whether `explain` should read the text as a code (`SGS201`, any case)."""
    return len(text) == 6 and text[:3].upper() == "SGS" and text[3:].isdigit()


def check_prefixes(prefixes: list[str]) -> tuple[str, ...]:
    """`select` / `ignore` values, upper-cased; ValueError naming one that is no code's prefix."""
    out = tuple(prefix.strip().upper() for prefix in prefixes if prefix.strip())
    for prefix in out:
        if not any(code.code.startswith(prefix) for code in CODES):
            raise ValueError(f"'{prefix}' is not a code or the start of one "
                             f"(codes: {', '.join(code.code for code in CODES)})")
    return out
