"""Small hand-made values for the tests of findings, formats, baselines and CI commands.

Scan results are built from the plain types, without parsing anything, so a format test fails
only when the format is wrong. The sources below are for the tests that run the command.
"""

from __future__ import annotations

from sg_scope_lint.types import (
    VALUE,
    CallSite,
    Confidence,
    Endpoint,
    FileError,
    FileReport,
    HardCodedKey,
    Location,
    Match,
    Rule,
    ScanResult,
    Unknown,
    Unresolved,
)

SEND = Rule(id="mail-send", method="POST", path="/v3/mail/send", scopes=("mail.send",),
            source="docs", confidence=Confidence.DOCUMENTED, origin="test")
TEMPLATE = Rule(id="templates-get", method="GET", path="/v3/templates/{template_id}",
                scopes=("templates.read",), source="docs", confidence=Confidence.DOCUMENTED,
                origin="test")


def match(file: str, line: int, rule: Rule, chain: str, key: str = "SENDGRID_API_KEY") -> Match:
    segments = tuple(VALUE if s.startswith("{") else s for s in rule.template[1:])
    call = CallSite(Location(file, line, 5), Endpoint(rule.method, segments), chain, key)
    return Match(call, rule, rule.scopes)


def unresolved(file: str, line: int, chain: str = "getattr(sg.client, name).get",
               reason: str = "the attribute name is computed at run time (getattr)") -> Unresolved:
    return Unresolved(Location(file, line, 5), reason, chain, "SENDGRID_API_KEY")


def unknown(file: str, line: int, chain: str = "sg.client.no_such_thing.get") -> Unknown:
    segments = tuple(chain.split(".")[2:-1])
    return Unknown(CallSite(Location(file, line, 5), Endpoint("GET", segments), chain))


def file_error(file: str, line: int = 2) -> FileError:
    return FileError(Location(file, line, 7), "syntax error: invalid syntax")


def key(file: str, line: int) -> HardCodedKey:
    return HardCodedKey(Location(file, line, 12), "SG.abc…")


def sample(offset: int = 0) -> ScanResult:
    """One finding of every kind and two matched calls; `offset` moves every line down."""
    return ScanResult((
        FileReport("src/app.py",
                   matches=(match("src/app.py", 5 + offset, SEND, "sg.send"),
                            match("src/app.py", 6 + offset, TEMPLATE,
                                  "sg.client.templates._(tid).get")),
                   unresolved=(unresolved("src/app.py", 7 + offset),),
                   unknown=(unknown("src/app.py", 8 + offset),),
                   keys=(key("src/app.py", 1 + offset),)),
        FileReport("src/broken.py", errors=(file_error("src/broken.py", 2 + offset),)),
    ))


# A two-call app, and code a change might add to it: a call needing a new scope, and a call
# whose endpoint cannot be known (SGS101), each starting with a blank line.
APP = """\
import sendgrid
sg = sendgrid.SendGridAPIClient()

def welcome(message, tid):
    sg.send(message)
    return sg.client.templates._(tid).get()
"""
NEW_SCOPE = "\ndef complaints():\n    return sg.client.suppression.spam_reports.get()\n"
NEW_FINDING = "\ndef anything(name):\n    return getattr(sg.client, name).get()\n"
