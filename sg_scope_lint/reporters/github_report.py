"""The findings as GitHub Actions workflow commands, which GitHub shows as annotations on the diff.

Each finding is one line, `::error file=F,line=L,col=C,title=T::message`. Values are escaped as
the runner's toolkit (`@actions/core` `command.ts`) escapes them: in the message `%`, CR and LF;
in properties also `:` and `,`. Without it, a newline in scanned code would end the command
and whatever follows could be read as a command of its own.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..codes import BY_CODE, level_of
from ..findings import scan_findings
from ..types import Finding, Level, ScanResult

COMMANDS = {Level.ERROR: "error", Level.WARNING: "warning", Level.NOTE: "notice"}


def render(result: ScanResult) -> str:
    return render_findings(scan_findings(result))


def render_findings(findings: Iterable[Finding]) -> str:
    """Any findings (the scan's, a key-config check's), one annotation per line, sorted."""
    return "".join(annotation(finding) + "\n" for finding in sorted(findings))


def annotation(finding: Finding) -> str:
    location = finding.location
    properties = {"file": location.file}
    if location.line >= 1:
        properties["line"] = str(location.line)
        if location.col >= 1:
            properties["col"] = str(location.col)
    code = BY_CODE[finding.code]
    properties["title"] = f"{code.code} {code.name}"
    listed = ",".join(f"{name}={escape_property(value)}" for name, value in properties.items())
    return f"::{COMMANDS[level_of(finding)]} {listed}::{escape_data(finding.text)}"


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
