"""Small hand-made scan results for the tests of findings, formats and baselines.

They are built from the plain types, without parsing anything, so a format test fails only when
the format is wrong.
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


def file_error(file: str, line: int = 2, message: str = "syntax error: invalid syntax") -> FileError:
    return FileError(Location(file, line, 7), message)


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
