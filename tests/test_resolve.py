"""How `_()` arguments and chain steps become path segments."""

from __future__ import annotations

import pytest

from sg_scope_lint.resolve import resolve, split_segments
from sg_scope_lint.types import VALUE, CallSite, Location, RawCall, Step, StepKind, Unresolved

HERE = Location("app.py", 1, 1)


@pytest.mark.parametrize(
    ("pieces", "segments"),
    [
        pytest.param(("global",), ["global"], id="literal"),
        pytest.param(("suppression/bounces",), ["suppression", "bounces"], id="slash-splits"),
        pytest.param(("/templates/",), ["templates"], id="leading-and-trailing-slash"),
        pytest.param(("bounces?limit=5",), ["bounces"], id="query-string-dropped"),
        pytest.param(("a?b", VALUE, "/c"), ["a"], id="query-ends-the-path"),
        pytest.param((VALUE,), [VALUE], id="run-time-value"),
        pytest.param(("templates/", VALUE, "/versions"), ["templates", VALUE, "versions"],
                     id="f-string"),
        pytest.param(("d-", VALUE), [VALUE], id="mixed-segment-is-a-value"),
        pytest.param((), [], id="falsy-argument-adds-nothing"),
        pytest.param(("",), [], id="empty-string-adds-nothing"),
        pytest.param(("2.0",), ["2.0"], id="dotted-literal"),
        pytest.param(("ips:batchAdd",), ["ips:batchAdd"], id="custom-method"),
    ],
)
def test_split_segments(pieces: tuple, segments: list) -> None:
    assert split_segments(pieces) == segments


def _call(*steps: Step, verb: str = "get") -> RawCall:
    return RawCall(HERE, "sg.client...", steps, verb)


def attribute(name: str) -> Step:
    return Step(StepKind.ATTRIBUTE, (name,))


def test_send_posts_to_mail_send() -> None:
    resolved = resolve(_call(verb="send"))
    assert isinstance(resolved, CallSite)
    assert str(resolved.endpoint) == "POST /v3/mail/send"


def test_version_step_changes_the_prefix() -> None:
    resolved = resolve(_call(Step(StepKind.VERSION, ("4",)), attribute("x"), verb="delete"))
    assert isinstance(resolved, CallSite)
    assert str(resolved.endpoint) == "DELETE /v4/x"


def test_path_from_a_variable_is_unresolved() -> None:
    resolved = resolve(_call(Step(StepKind.UNDERSCORE, (VALUE,))))
    assert isinstance(resolved, Unresolved)
    assert "run time" in resolved.reason


def test_dynamic_call_keeps_its_reason() -> None:
    call = RawCall(HERE, "getattr(sg.client, n).get", (), "", dynamic="computed name")
    assert resolve(call) == Unresolved(HERE, "computed name", "getattr(sg.client, n).get")
