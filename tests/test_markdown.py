"""`scan --format markdown` is a job summary / PR comment: scopes, scopes by key, findings by code,
call sites; scanned text is escaped so it cannot break the Markdown around it."""

from __future__ import annotations

import pytest
from scan_values import SEND, match, sample

from sg_scope_lint.reporters import markdown_report, markup
from sg_scope_lint.types import Annotated, FileReport, Location, ScanResult


@pytest.mark.parametrize(("text", "expected"), [
    ("sg.send", "`sg.send`"),
    ("a`b", "``a`b``"),
    ("`edge`", "`` `edge` ``"),
    ("two\nlines", "`two lines`"),
], ids=["plain", "inner-backtick", "edge-backticks", "newline"])
def test_code_span_holds_any_text(text: str, expected: str) -> None:
    assert markup.code(text) == expected


def test_prose_escapes_markdown_outside_code_spans_only() -> None:
    assert markup.prose("x <b>*y*</b> `keep <this>`") == "x \\<b\\>\\*y\\*\\</b\\> `keep <this>`"


def test_summary_sections_in_reading_order() -> None:
    text = markdown_report.render(sample())
    headings = [line for line in text.splitlines() if line.startswith(("#", "<summary>"))]
    assert headings == [
        markdown_report.TITLE,
        "### Required scopes (2)",
        "### Required scopes by key",
        "### Findings (4)",
        "#### SGS001 file-not-analysed (1)",
        "#### SGS002 hard-coded-key (1)",
        "#### SGS101 unresolved-call (1)",
        "#### SGS102 unknown-endpoint (1)",
        "<summary>Call sites (2)</summary>",
    ]
    assert "| `mail.send` | `POST /v3/mail/send` | `src/app.py` |" in text
    assert "| `SENDGRID_API_KEY` | `mail.send`, `templates.read` |" in text
    assert "- `src/app.py:8:5` `GET /v3/no_such_thing` is not covered by any rule" in text
    assert ("| `src/app.py:6:5` | `GET /v3/templates/{template_id}` | `templates.read` | "
            "`templates-get` | `sg.client.templates._(tid).get` |") in text
    assert text.endswith("</details>\n")


def test_a_pipe_in_a_call_does_not_split_the_table() -> None:
    weird = ScanResult((FileReport("a.py", matches=(match("a.py", 1, SEND, "(a or b|c).send"),)),))
    row = next(line for line in markdown_report.render(weird).splitlines()
               if line.startswith("| `a.py:1:5`"))
    assert row.count(" | ") == 4
    assert "`(a or b\\|c).send`" in row


def test_clean_scan_says_so_and_omits_unknown_keys() -> None:
    clean = ScanResult((FileReport("a.py", matches=(match("a.py", 1, SEND, "sg.send", key=""),)),))
    text = markdown_report.render(clean)
    assert "No findings" in text
    assert "### Findings" not in text
    assert "by key" not in text


def test_long_lists_are_capped_with_a_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(markup, "MAX_ROWS", 2)
    many = ScanResult((FileReport("a.py", matches=tuple(
        match("a.py", line, SEND, "sg.send") for line in range(1, 6))),))
    text = markdown_report.render(many)
    assert text.count("| `a.py:") == 2
    assert "… and 3 more call sites" in text


def test_annotated_calls_count_towards_scopes_and_call_sites() -> None:
    declared = Annotated(Location("a.py", 4, 5), "sg.client._(kind).get", ("templates.read",),
                         Location("a.py", 3, 1), "the path starts with a variable", "MAIL_KEY")
    text = markdown_report.render(ScanResult((FileReport("a.py", annotated=(declared,)),)))
    assert "| `templates.read` | (annotated calls) | `a.py` |" in text
    assert "| `MAIL_KEY` | `templates.read` |" in text
    assert ("| `a.py:4:5` | (annotated) | `templates.read` | `# sg-scope` on line 3 | "
            "`sg.client._(kind).get` |") in text
