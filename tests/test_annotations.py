"""`# sg-scope:` comments read on their own (plain values), then applied by the engine."""

from __future__ import annotations

import pytest

from sg_scope_lint import manifest
from sg_scope_lint.annotations import read_annotations
from sg_scope_lint.engine import scan_source
from sg_scope_lint.rules import RuleSet, ScopeCatalogue
from sg_scope_lint.types import AnnotationProblemKind, ScanResult

CATALOGUE = ScopeCatalogue((("mail.send", "grantable"), ("templates.read", "grantable"),
                            ("2fa_required", "automatic")))

MALFORMED = AnnotationProblemKind.MALFORMED
UNKNOWN = AnnotationProblemKind.UNKNOWN_SCOPE


@pytest.mark.parametrize(("source", "expected"), [
    pytest.param("f()  # sg-scope: mail.send\n", [(1, 6, 1, ("mail.send",))], id="after-code"),
    pytest.param("# sg-scope: mail.send\nf()\n", [(1, 1, 2, ("mail.send",))], id="line-above"),
    pytest.param("    # sg-scope: mail.send, templates.read\n",
                 [(1, 5, 2, ("mail.send", "templates.read"))], id="two-names-indented"),
    pytest.param("f()  # noqa: SGS101  # sg-scope:mail.send\n", [(1, 22, 1, ("mail.send",))],
                 id="after-noqa"),
    pytest.param("f()  # sg-scope: mail.send  # relay\n", [(1, 6, 1, ("mail.send",))],
                 id="before-another-comment"),
    pytest.param("f()  # sg-scope: 2fa_required\n", [(1, 6, 1, ("2fa_required",))],
                 id="automatic-scope"),
    pytest.param('x = "# sg-scope: mail.send"\n', [], id="in-a-string"),
    pytest.param('"""Write `# sg-scope: mail.send` above a call."""\n', [], id="in-a-docstring"),
    pytest.param("# see the sg-scope-lint docs\n# sg-scope-lint: ok\n", [], id="tool-name"),
    pytest.param('"""Made by sg-scope-lint."""\nf()\n', [], id="tool-name-outside-comments"),
    pytest.param("# -*- coding: latin-1 -*-\nf()  # \xe9 sg-scope: mail.send\n",
                 [], id="coding-cookie-not-a-tag"),
    pytest.param("# -*- coding: latin-1 -*-\n# caf\xe9\nf()  #\xa0sg-scope: mail.send\n",
                 [(3, 6, 3, ("mail.send",))], id="coding-cookie-unicode-space"),
])
def test_valid_annotations(source: str,
                           expected: list[tuple[int, int, int, tuple[str, ...]]]) -> None:
    data = source.encode("latin-1" if "coding: latin-1" in source else "utf-8")
    found = read_annotations(data, "a.py", CATALOGUE)
    assert found.problems == ()
    assert [(a.location.line, a.location.col, a.target_line, a.scopes)
            for a in found.valid] == expected


@pytest.mark.parametrize(("source", "kind", "col", "detail"), [
    pytest.param("f()  # sg_scope: mail.send\n", MALFORMED, 6, "write `sg-scope:`, not `sg_scope`",
                 id="underscore"),
    pytest.param("f()  # SG-Scope: mail.send\n", MALFORMED, 6, "write `sg-scope:`, not `SG-Scope`",
                 id="upper-case"),
    pytest.param("f()  # sg-scopes: mail.send\n", MALFORMED, 6,
                 "write `sg-scope:`, not `sg-scopes`", id="plural"),
    pytest.param("f()  # sg-scope mail.send\n", MALFORMED, 6,
                 "`sg-scope` must be followed by `:` and the scope names", id="no-colon"),
    pytest.param("f()  # sg-scope:\n", MALFORMED, 6,
                 "it names no scope; list them: `# sg-scope: mail.send, templates.read`",
                 id="no-names"),
    pytest.param("f()  # sg-scope: mail.send,\n", MALFORMED, 6, "an empty entry between commas",
                 id="trailing-comma"),
    pytest.param("f()  # sg-scope: mail.send templates.read\n", MALFORMED, 6,
                 "`mail.send templates.read` is not a scope name (separate scopes with commas)",
                 id="no-commas"),
    pytest.param("f()  # sg-scope: mail.send, tempaltes.read\n", UNKNOWN, 29, "tempaltes.read",
                 id="typo-points-at-the-name"),
])
def test_annotation_problems(source: str, kind: AnnotationProblemKind, col: int,
                             detail: str) -> None:
    found = read_annotations(source.encode(), "a.py", CATALOGUE)
    assert found.valid == ()
    assert [(p.location.line, p.location.col, p.kind, p.detail) for p in found.problems] == [
        (1, col, kind, detail)]


def test_unknown_scope_suggests_close_names() -> None:
    found = read_annotations(b"f()  # sg-scope: tempaltes.read\n", "a.py", CATALOGUE)
    assert found.problems[0].suggestions == ("templates.read",)


# ------------------------------------------------------------------------ applied by the engine

HEAD = "import sendgrid\nsg = sendgrid.SendGridAPIClient()\n\n"
GETATTR_ANNOTATED = "def f(n):\n    getattr(sg.client, n).get()  # sg-scope: templates.read\n"


def scan(ruleset: RuleSet, body: str):
    return scan_source((HEAD + body).encode(), "app.py", ruleset)


def test_annotation_resolves_the_call_on_its_line(ruleset: RuleSet) -> None:
    report = scan(ruleset, GETATTR_ANNOTATED)
    assert report.unresolved == ()
    [annotated] = report.annotated
    assert (annotated.location.line, annotated.location.col) == (5, 5)
    assert annotated.chain == "getattr(sg.client, n).get"
    assert annotated.scopes == ("templates.read",)
    assert annotated.annotation.line == 5
    assert "getattr" in annotated.reason


def test_annotation_above_resolves_the_next_line_only(ruleset: RuleSet) -> None:
    report = scan(ruleset, "def f(n):\n    # sg-scope: mail.send\n    sg.client._(n).post()\n"
                           "    sg.client._(n).get()\n")
    assert [a.location.line for a in report.annotated] == [6]
    assert [u.location.line for u in report.unresolved] == [7]


def test_annotation_with_a_typo_resolves_nothing(ruleset: RuleSet) -> None:
    report = scan(ruleset, "def f(n):\n    sg.client._(n).get()  # sg-scope: templates.raed\n")
    assert report.annotated == ()
    assert [u.location.line for u in report.unresolved] == [5]
    assert [(p.kind, p.detail) for p in report.annotation_problems] == [
        (AnnotationProblemKind.UNKNOWN_SCOPE, "templates.raed")]


def test_annotation_on_a_resolved_call_is_unused(ruleset: RuleSet) -> None:
    report = scan(ruleset, "def f(m):\n    sg.send(m)  # sg-scope: mail.send\n")
    assert report.annotated == ()
    assert [(p.location.line, p.kind, p.detail) for p in report.annotation_problems] == [
        (5, AnnotationProblemKind.UNUSED, "5")]


WRAPPERS = """\
def fetch(path):  # sg-scope: templates.read
    return sg.client._(path).get()


class Mailer:
    # sg-scope: mail.send
    def deliver(self, body):
        return sg.client._(body["path"]).post(request_body=body)

    def welcome(self):
        return self.deliver({})


def page():
    return fetch("templates")
"""


def test_wrapper_annotation_covers_its_body_and_its_callers(ruleset: RuleSet) -> None:
    report = scan(ruleset, WRAPPERS)
    assert report.unresolved == () and report.annotation_problems == ()
    assert [(a.location.line, a.chain, a.scopes, a.annotation.line) for a in report.annotated] == [
        (5, "sg.client._(path).get", ("templates.read",), 4),
        (11, "sg.client._(body[\"path\"]).post", ("mail.send",), 9),
        (14, "self.deliver", ("mail.send",), 9),
        (18, "fetch", ("templates.read",), 4),
    ]
    assert report.annotated[3].reason == "calls `fetch`, annotated on line 4"


def test_wrapper_annotation_above_the_decorators(ruleset: RuleSet) -> None:
    report = scan(ruleset, "# sg-scope: mail.send\n@retry\n@log\ndef post(n):\n"
                           "    return sg.client._(n).post()\n\npost(1)\n")
    assert report.annotation_problems == () and report.unresolved == ()
    assert [(a.location.line, a.chain) for a in report.annotated] == [
        (8, "sg.client._(n).post"), (10, "post")]


def test_wrapper_in_a_file_that_never_mentions_sendgrid(ruleset: RuleSet) -> None:
    source = b"def notify(client, m):  # sg-scope: mail.send\n    client.send(m)\n\nnotify(c, 1)\n"
    report = scan_source(source, "notify.py", ruleset)
    assert [(a.location.line, a.location.col, a.chain) for a in report.annotated] == [
        (4, 1, "notify")]


def test_wrapper_call_columns_count_characters(ruleset: RuleSet) -> None:
    source = "def w():  # sg-scope: mail.send\n    pass\n\nx = ('é', w())\n".encode()
    [annotated] = scan_source(source, "w.py", ruleset).annotated
    assert annotated.location.col == 11


def test_annotated_calls_count_in_the_scopes_and_the_manifest(ruleset: RuleSet) -> None:
    report = scan(ruleset, GETATTR_ANNOTATED)
    result = ScanResult((report,))
    assert result.scopes == ("templates.read",)
    built = manifest.build(result)
    assert built["scopes"]["templates.read"] == {"endpoints": [], "files": ["app.py"]}
    assert built["annotated"] == [
        {"file": "app.py", "call": "getattr(sg.client, n).get", "scopes": ["templates.read"]}]
    assert built["unresolved"] == []


def test_scan_shows_annotated_calls_and_annotation_errors(tmp_path, monkeypatch, capsys) -> None:
    import json

    from sg_scope_lint.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(HEAD + "def f(n):\n"
                                     "    getattr(sg.client, n).get()  # sg-scope: templates.read\n"
                                     "    sg.client._(n).get()  # sg-scope: templates.raed\n")
    assert main(["scan", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["scopes"] == ["templates.read"]
    assert data["annotated"] == [{
        "file": "app.py", "line": 5, "col": 5, "scopes": ["templates.read"], "annotation_line": 5,
        "reason": "the attribute name is computed at run time (getattr)",
        "call": "getattr(sg.client, n).get"}]
    assert [(e["line"], e["code"]) for e in data["annotation_errors"]] == [(6, "SGS302")]
    assert [u["line"] for u in data["unresolved"]] == [6]
    assert main(["scan"]) == 1
    text = capsys.readouterr().out
    assert "app.py:5:5: annotated -> templates.read (# sg-scope on line 5): " in text
    assert "app.py:6:39: SGS302 `templates.raed` is not a SendGrid scope" in text
