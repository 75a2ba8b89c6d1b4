"""`check --write`: which scopes each key gets, and rewriting our configs without losing the rest."""

from __future__ import annotations

import pytest

from sg_scope_lint.errors import KeyConfigError
from sg_scope_lint.keyconfig import parse_key_config
from sg_scope_lint.keywrite import KeyPlan, plan, rewrite, unified_diff
from sg_scope_lint.types import (
    CheckResult,
    ConfiguredKey,
    Doubt,
    GrantedScope,
    HeldBack,
    KeyVerdict,
    Location,
    UnknownScope,
)

DOUBT = Doubt(Location("a.py", 1, 1), "getattr(sg.client, n).get", "computed")


def verdict(granted: tuple[str, ...], required: tuple[str, ...], *, excess=(), unknown=(),
            held=(), doubts=()) -> KeyVerdict:
    key = ConfiguredKey("default", tuple(GrantedScope(s) for s in granted), default=True)
    return KeyVerdict(key, required, excess=tuple(GrantedScope(s) for s in excess),
                      unknown=tuple(UnknownScope(GrantedScope(s), ()) for s in unknown),
                      held_back=tuple(HeldBack(GrantedScope(s), (DOUBT,)) for s in held),
                      doubts=doubts)


def planned(v: KeyVerdict) -> KeyPlan:
    (result,) = plan(CheckResult(parse_key_config("scopes: []\n", "k.yaml"), (v,)))
    return result


def test_plan_keeps_what_is_needed_held_back_or_automatic_and_drops_the_rest() -> None:
    v = verdict(("mail.send", "alerts.read", "typo.read", "2fa_required", "marketing.read"),
                ("mail.send", "templates.read"), excess=("alerts.read",), unknown=("typo.read",),
                held=("marketing.read",), doubts=(DOUBT,))
    assert planned(v).scopes == ("mail.send", "2fa_required", "marketing.read", "templates.read")


def test_plan_leaves_full_access_that_uncertain_calls_may_use() -> None:
    result = planned(verdict((), ("mail.send",), doubts=(DOUBT,)))
    assert result.scopes is None and "Full Access" in result.reason
    assert planned(verdict((), ("mail.send",))).scopes == ("mail.send",)


def test_plan_leaves_a_key_no_call_needs() -> None:
    assert planned(verdict(("alerts.read",), (), excess=("alerts.read",))).scopes is None


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param("# our key\nscopes:\n  - mail.send  # sends\n  - alerts.read\n# end\n",
                     "# our key\nscopes:\n  - mail.send  # sends\n  - templates.read\n# end\n",
                     id="block"),
        pytest.param("scopes:\n- alerts.read\n- mail.send", "scopes:\n- mail.send\n- templates.read",
                     id="block-at-eof"),
        pytest.param("version: 1\nscopes: [alerts.read]  # note\n",
                     "version: 1\nscopes: [mail.send, templates.read]  # note\n", id="flow"),
        pytest.param("scopes: []\n", "scopes: [mail.send, templates.read]\n", id="full-access"),
        pytest.param('{\n    "scopes": ["alerts.read"]\n}\n',
                     '{\n  "scopes": [\n    "mail.send",\n    "templates.read"\n  ]\n}\n',
                     id="json"),
    ],
)
def test_rewrite_single_key(before: str, after: str) -> None:
    config = parse_key_config(before, "k.yaml")
    new = rewrite(before, config, (KeyPlan("default", ("mail.send", "templates.read")),))
    assert new == after


def test_rewrite_keys_touches_only_the_planned_lists() -> None:
    before = ("keys:\n  mail:\n    env: MAIL_KEY   # the app\n    scopes:\n      - alerts.read\n"
              "    default: true\n  admin:\n    env: ADMIN_KEY\n    scopes: [api_keys.create]\n")
    config = parse_key_config(before, "keys.yaml")
    new = rewrite(before, config, (KeyPlan("mail", ("mail.send",)),
                                   KeyPlan("admin", None, "left")))
    assert new == before.replace("- alerts.read", "- mail.send")
    assert rewrite(before, config, (KeyPlan("mail", ("alerts.read",)),)) is before


def test_rewrite_quotes_what_yaml_would_misread() -> None:
    before = "scopes: [a]\n"
    new = rewrite(before, parse_key_config(before, "k.yaml"), (KeyPlan("default", ("yes", "1")),))
    assert new == 'scopes: ["yes", "1"]\n'
    assert parse_key_config(new, "k.yaml").keys[0].names == ("yes", "1")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        pytest.param('{"api_key_id": "x", "name": "n", "scopes": []}', "k.json", id="sendgrid"),
        pytest.param('resource "sendgrid_api_key" "k" {\n  name = "k"\n}\n', "k.tf",
                     id="terraform"),
    ],
)
def test_rewrite_refuses_other_formats(text: str, name: str) -> None:
    config = parse_key_config(text, name)
    with pytest.raises(KeyConfigError, match="--write rewrites only sg-scope-lint key configs"):
        rewrite(text, config, (KeyPlan(config.keys[0].name, ("mail.send",)),))


def test_unified_diff_names_the_file() -> None:
    diff = unified_diff("scopes: [a]\n", "scopes: [b]\n", "k.yaml")
    assert diff.splitlines() == ["--- a/k.yaml", "+++ b/k.yaml", "@@ -1 +1 @@", "-scopes: [a]",
                                 "+scopes: [b]"]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param("scopes:\n  - b.read  # why b\n  - alerts.read  # old\n# end\n",
                     "scopes:\n  - b.read  # why b\n  - mail.send  # needed by a.py:3:1 (POST "
                     "/v3/mail/send)\n# end\n", id="last-dropped"),
        pytest.param("scopes:\n  - alerts.read\n  - b.read", "scopes:\n  - b.read\n  - mail.send"
                     "  # needed by a.py:3:1 (POST /v3/mail/send)", id="no-final-newline"),
        pytest.param("scopes: [b.read, alerts.read]\n", "scopes: [b.read, mail.send]  # needed: "
                     "mail.send: a.py:3:1 (POST /v3/mail/send)\n", id="flow"),
        pytest.param("scopes: [b.read, alerts.read]  # ours\n",
                     "scopes: [b.read, mail.send]  # ours\n", id="flow-with-comment"),
    ],
)
def test_rewrite_keeps_order_and_comments_and_notes_each_added_scope(before: str,
                                                                      after: str) -> None:
    config = parse_key_config(before, "k.yaml")
    why = (("mail.send", "a.py:3:1 (POST /v3/mail/send)"),)
    new = rewrite(before, config, (KeyPlan("default", ("b.read", "mail.send"), why=why),))
    assert new == after
