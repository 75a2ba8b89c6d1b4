"""Errors in the user's input that stop a command, each formatted as one self-explaining line.

    SgScopeLintError            -- base; `str()` is the one line shown to the user (exit 2)
    ├── ConfigError             -- `[tool.sg-scope-lint]` or a command-line setting is wrong
    ├── RulesError              -- a rules or scope-catalogue file is malformed
    ├── ManifestError           -- a manifest file cannot be read
    ├── KeyConfigError          -- a key config (`--key-config`) cannot be read or is malformed
    ├── BaselineError           -- a baseline file cannot be read or is not a baseline
    └── WriteError              -- a file the command writes cannot be written

Problems in one *scanned* file are not exceptions: they become `FileError` findings so that
the rest of the scan is still reported.
"""

from __future__ import annotations

from .paths import printable


class SgScopeLintError(Exception):
    """An input problem the user must fix; the message names the file, line and key.

    `followers` are further problems of the same file, found in the same run (see
    `combined`): each is shown on a line of its own, so one run reports them all.
    """

    followers: tuple[SgScopeLintError, ...] = ()

    def __init__(self, message: str, *, file: str = "", line: int = 0, key: str = "") -> None:
        self.message = message
        self.file = file
        self.line = line
        self.key = key
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file
        if where and self.line:
            where = f"{where}:{self.line}"
        key = f"{self.key}: " if self.key else ""
        # One line whatever the file quoted: a name holding a line break is shown escaped.
        one = printable(f"{where}: {key}{self.message}" if where else f"{key}{self.message}")
        return "\n".join([one, *map(str, self.followers)])


def combined(errors: list[SgScopeLintError]) -> SgScopeLintError:
    """The first of several problems (in line order), carrying the others: raised once, shown
    as one line each."""
    ordered = sorted(errors, key=lambda e: (e.line, e.key, e.message))
    first = ordered[0]
    first.followers = tuple(ordered[1:])
    return first


class ConfigError(SgScopeLintError):
    """`[tool.sg-scope-lint]` in pyproject.toml, or a command-line setting, is wrong."""


class RulesError(SgScopeLintError):
    """A rules file or the scope catalogue is malformed or inconsistent."""


class ManifestError(SgScopeLintError):
    """A manifest file on disk cannot be read or is not a manifest."""


class KeyConfigError(SgScopeLintError):
    """A key config (our YAML/JSON, a SendGrid API body, Terraform) is unreadable or malformed.

    Messages never quote values from the file other than scope names and key names, because
    a committed SendGrid response may hold the key's secret; whatever is quoted is redacted.
    """

    def __init__(self, message: str, *, file: str = "", line: int = 0, key: str = "") -> None:
        from .secrets import redact

        super().__init__(redact(message), file=file, line=line, key=redact(key))


class BaselineError(SgScopeLintError):
    """A baseline file is missing, unreadable or malformed; never read as "no findings"."""


class WriteError(SgScopeLintError):
    """A file the command was asked to write (manifest, baseline, key config) cannot be
    written: a full disk, a read-only folder. Nothing was replaced."""
