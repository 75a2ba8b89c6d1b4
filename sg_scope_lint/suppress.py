"""Which findings a run shows: `# noqa` comments and `select` / `ignore`, as flake8 judges them.

`# noqa` is read with flake8's own pattern (`flake8.defaults.NOQA_INLINE_REGEXP`), so a line
is quiet in `scan`, `check` and `manifest` exactly when it is quiet in flake8: a bare `# noqa`
hides every finding on its line, `# noqa: SGS101,SGS2` those whose code starts with one of
the codes listed. A finding a baseline may not hide (a hard-coded key, a secret in the key
config: `Code.baselinable`) is not hidden by `# noqa` either; it stays usable until revoked.

`select` and `ignore` hold code prefixes, as in flake8 and ruff: a finding is shown when its
code starts with a selected prefix (all, when none is selected) and with no ignored one; when both match,
the longer prefix wins, and `ignore` a tie.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .codes import BY_CODE
from .types import Finding


def shown(findings: Iterable[Finding], select: Sequence[str] = (),
          ignore: Sequence[str] = ()) -> list[Finding]:
    """The findings neither a `# noqa` on their line nor `select`/`ignore` hides."""
    lines = _Lines()
    return [finding for finding in findings
            if chosen(finding.code, select, ignore) and not _quiet(finding, lines)]


def chosen(code: str, select: Sequence[str], ignore: Sequence[str]) -> bool:
    """Whether `select`/`ignore` show the code (the longer matching prefix decides; a tie
    hides it)."""
    selected = max((len(p) for p in select if code.startswith(p)), default=-1) if select else 0
    ignored = max((len(p) for p in ignore if code.startswith(p)), default=-1)
    return selected >= 0 and (ignored < 0 or selected > ignored)


def _quiet(finding: Finding, lines: _Lines) -> bool:
    code = BY_CODE.get(finding.code)
    if code is not None and not code.baselinable:
        return False
    text = lines.line(finding.location.file, finding.location.line)
    if "noqa" not in text.lower():
        return False
    from flake8.defaults import NOQA_INLINE_REGEXP  # type: ignore[import-untyped]

    match = NOQA_INLINE_REGEXP.search(text)
    if match is None:
        return False
    listed = match.group("codes")
    if not listed:
        return True
    from flake8.utils import parse_comma_separated_list  # type: ignore[import-untyped]

    codes = tuple(parse_comma_separated_list(listed))
    return finding.code in codes or finding.code.startswith(codes)


class _Lines:
    """Each file's lines, read once, as the finding names the file (from the working folder)."""

    def __init__(self) -> None:
        self._files: dict[str, list[str]] = {}

    def line(self, path: str, number: int) -> str:
        lines = self._files.get(path)
        if lines is None:
            try:
                from .files import read_regular  # regular files only: never a FIFO

                lines = read_regular(path).decode("utf-8", "replace").splitlines()
            except OSError:
                lines = []
            self._files[path] = lines
        return lines[number - 1] if 0 < number <= len(lines) else ""
