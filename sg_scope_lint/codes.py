"""The one table of diagnostic codes (`SGS` + three digits) and their message templates.

Numbering: 0xx the file itself, 1xx what a call reaches, 2xx the key config, 3xx `# sg-scope:`
annotations. Each code has a section in docs/codes.md (tests/test_codes.py checks both ways).
A code, once released, keeps its meaning: a retired code is removed, never reused; SARIF
alerts and baselines are keyed by it. `level` is how the CI formats show it (SARIF level,
GitHub `::error`/`::warning`); every level fails `scan` alike.
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
    MALFORMED_ANNOTATION,
    UNKNOWN_ANNOTATION_SCOPE,
    UNUSED_ANNOTATION,
)

BY_CODE: dict[str, Code] = {code.code: code for code in CODES}
