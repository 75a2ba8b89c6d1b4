"""The comparison of needed and granted scopes, over small hand-made scans, rules and configs.

These tests do not load the bundled rules: each builds the few rules and catalogue entries it
needs, so the comparison is checked on its own.
"""

from __future__ import annotations

import pytest

from sg_scope_lint.keycheck import compare, key_for, missing_in_file
from sg_scope_lint.rules import ScopeCatalogue
from sg_scope_lint.types import (
    Annotated,
    CallSite,
    CheckResult,
    Confidence,
    ConfigFormat,
    ConfiguredKey,
    Endpoint,
    FileError,
    FileReport,
    GrantedScope,
    KeyConfig,
    Location,
    Match,
    Rule,
    ScanResult,
    Severity,
    Unknown,
    Unresolved,
)

CATALOGUE = ScopeCatalogue(tuple(sorted({
    "mail.send": "grantable", "templates.read": "grantable", "alerts.read": "grantable",
    "suppression.bounces.read": "grantable", "api_keys.create": "grantable",
    "api_keys.update": "grantable", "api_keys.delete": "grantable", "marketing.read": "grantable",
    "templates.update": "grantable",
    "2fa_required": "automatic", "sender_verification_eligible": "automatic",
    "billing.read": "billing", "validations.email.create": "separate_key",
}.items())))


def rule(endpoint: str, *scopes: str, any_of: tuple[tuple[str, ...], ...] = (),
         grants: bool = False) -> Rule:
    method, path = endpoint.split(" ")
    return Rule(f"r-{abs(hash(endpoint))}", method, path, scopes, "docs", Confidence.DOCUMENTED,
                "test.yaml:1", any_of=any_of, grants_body_scopes=grants)


MAIL = rule("POST /v3/mail/send", "mail.send")
TEMPLATE = rule("GET /v3/templates/{template_id}", "templates.read")
BOUNCES = rule("GET /v3/suppression/bounces", "suppression.bounces.read")
CREATE_KEY = rule("POST /v3/api_keys", "api_keys.create", grants=True)
UPDATE_KEY = rule("PUT /v3/api_keys/{api_key_id}", "api_keys.update", grants=True)
BILLING = rule("GET /v3/billing", "billing.read")


def call(rule_: Rule, line: int, key: str = "", file: str = "app.py",
         grants: tuple[str, ...] | None = ()) -> Match:
    segments = tuple(None if s.startswith("{") else s for s in rule_.template[1:])
    site = CallSite(Location(file, line, 5), Endpoint(rule_.method, segments),
                    f"sg.call{line}", key, grants)
    return Match(site, rule_, rule_.scopes or (rule_.any_of[0] if rule_.any_of else ()))


def scan(*items: Match | Unresolved | Unknown | FileError | Annotated) -> ScanResult:
    return ScanResult((FileReport(
        "app.py",
        matches=tuple(i for i in items if isinstance(i, Match)),
        annotated=tuple(i for i in items if isinstance(i, Annotated)),
        unresolved=tuple(i for i in items if isinstance(i, Unresolved)),
        unknown=tuple(i for i in items if isinstance(i, Unknown)),
        errors=tuple(i for i in items if isinstance(i, FileError)),
    ),))


def key(name: str, *scopes: str, env: str = "", default: bool = False) -> ConfiguredKey:
    return ConfiguredKey(name, tuple(GrantedScope(s, n) for n, s in enumerate(scopes, 2)), env,
                         default, 1)


def single(*scopes: str) -> KeyConfig:
    return KeyConfig("key.yaml", ConfigFormat.SCOPES, (key("default", *scopes, default=True),))


def unresolved(line: int, key_: str = "", could_need: tuple[str, ...] | None = None) -> Unresolved:
    return Unresolved(Location("app.py", line, 1), "computed", f"getattr{line}", key_, could_need)


def only(check: CheckResult):
    (verdict,) = check.keys
    return verdict


def test_missing_excess_and_unknown_are_each_reported_with_their_places() -> None:
    result = scan(call(MAIL, 3), call(TEMPLATE, 7), call(TEMPLATE, 9))
    config = single("mail.send", "api_keys.delete", "suppresion.bounces.read")
    check = compare(result, config, CATALOGUE)
    verdict = only(check)
    assert verdict.required == ("mail.send", "templates.read")
    assert [(m.scope, [(n.location.line, n.reason) for n in m.needs]) for m in verdict.missing] \
        == [("templates.read", [(7, "GET /v3/templates/{template_id}"),
                                (9, "GET /v3/templates/{template_id}")])]
    assert [(g.name, g.line) for g in verdict.excess] == [("api_keys.delete", 3)]
    assert [(u.scope.name, u.scope.line, u.suggestions) for u in verdict.unknown] == [
        ("suppresion.bounces.read", 4, ("suppression.bounces.read",))]
    assert check.failed() and compare(result, config, CATALOGUE, strict=True).failed()


def test_an_exact_key_passes_even_when_strict() -> None:
    check = compare(scan(call(MAIL, 3), call(TEMPLATE, 4)), single("templates.read", "mail.send"),
                    CATALOGUE, strict=True)
    verdict = only(check)
    assert (verdict.missing, verdict.excess, verdict.unknown, verdict.problems) == ((),) * 4
    assert not check.failed()


def test_excess_alone_fails_only_when_strict() -> None:
    check = compare(scan(call(MAIL, 3)), single("mail.send", "alerts.read"), CATALOGUE)
    assert [g.name for g in only(check).excess] == ["alerts.read"]
    assert not check.failed()
    assert compare(scan(call(MAIL, 3)), single("mail.send", "alerts.read"), CATALOGUE,
                   strict=True).failed()


def test_automatic_scopes_are_never_missing_nor_excess() -> None:
    automatic_rule = rule("GET /v3/user/2fa", "2fa_required")
    check = compare(scan(call(MAIL, 3), call(automatic_rule, 4)),
                    single("mail.send", "sender_verification_eligible"), CATALOGUE)
    verdict = only(check)
    assert verdict.required == ("mail.send",)
    assert (verdict.missing, verdict.excess, verdict.held_back) == ((), (), ())


@pytest.mark.parametrize(
    ("doubt", "held"),
    [
        pytest.param(unresolved(5), ["alerts.read", "marketing.read"], id="any-scope"),
        pytest.param(unresolved(5, could_need=("alerts.read",)), ["alerts.read"], id="narrowed"),
        pytest.param(Unknown(call(rule("GET /v3/nope", "mail.send"), 6).call),
                     ["alerts.read", "marketing.read"], id="unknown-endpoint"),
        pytest.param(FileError(Location("bad.py", 1, 1), "syntax error"),
                     ["alerts.read", "marketing.read"], id="unreadable-file"),
    ],
)
def test_uncertain_calls_hold_excess_back(doubt, held: list[str]) -> None:
    check = compare(scan(call(MAIL, 3), doubt), single("mail.send", "alerts.read", "marketing.read"),
                    CATALOGUE)
    verdict = only(check)
    assert [h.scope.name for h in verdict.held_back] == held
    assert all(len(h.doubts) == 1 for h in verdict.held_back)
    assert sorted(g.name for g in verdict.excess) == sorted(
        {"alerts.read", "marketing.read"} - set(held))


def test_an_uncertain_call_on_another_key_holds_nothing_back() -> None:
    config = KeyConfig("keys.yaml", ConfigFormat.KEYS, (
        key("mail", "mail.send", "alerts.read", env="MAIL_KEY"),
        key("admin", "templates.read", env="ADMIN_KEY"),
    ))
    check = compare(scan(call(MAIL, 3, key="MAIL_KEY"), call(TEMPLATE, 4, key="ADMIN_KEY"),
                         unresolved(5, key_="ADMIN_KEY")), config, CATALOGUE)
    mail, admin = check.keys
    assert [g.name for g in mail.excess] == ["alerts.read"]
    assert mail.held_back == () and mail.doubts == ()
    assert [d.location.line for d in admin.doubts] == [5]


def test_creating_a_key_needs_every_scope_it_grants() -> None:
    result = scan(call(CREATE_KEY, 12, grants=("mail.send", "alerts.read", "2fa_required")))
    verdict = only(compare(result, single("api_keys.create"), CATALOGUE))
    assert verdict.required == ("alerts.read", "api_keys.create", "mail.send")
    assert [(m.scope, m.needs[0].reason) for m in verdict.missing] == [
        ("alerts.read", "granted by app.py:12"), ("mail.send", "granted by app.py:12")]


def test_updating_a_key_with_computed_scopes_is_a_doubt() -> None:
    result = scan(call(UPDATE_KEY, 8, grants=None))
    check = compare(result, single("api_keys.update", "alerts.read"), CATALOGUE)
    verdict = only(check)
    assert verdict.missing == () and verdict.excess == ()
    assert [h.scope.name for h in verdict.held_back] == ["alerts.read"]
    assert "computed at run time" in check.doubts[0].reason


def test_any_of_is_satisfied_by_any_granted_alternative() -> None:
    either = rule("GET /v3/templates", any_of=(("templates.read",), ("templates.update",)))
    verdict = only(compare(scan(call(either, 3)), single("templates.update"), CATALOGUE))
    assert verdict.required == ("templates.update",)
    assert (verdict.missing, verdict.excess) == ((), ())
    verdict = only(compare(scan(call(either, 3)), single("mail.send"), CATALOGUE))
    assert [m.scope for m in verdict.missing] == ["templates.read"]  # the preferred one


@pytest.mark.parametrize(
    ("granted", "severity"),
    [
        pytest.param(("billing.read",), None, id="billing-alone"),
        pytest.param(("billing.read", "mail.send"), Severity.ERROR, id="billing-mixed"),
        pytest.param(("billing.read", "2fa_required"), None, id="billing-and-automatic"),
        pytest.param(("validations.email.create", "mail.send"), Severity.WARNING,
                     id="validation-mixed"),
    ],
)
def test_scopes_that_need_a_key_of_their_own(granted: tuple[str, ...], severity) -> None:
    verdict = only(compare(scan(), single(*granted), CATALOGUE))
    assert [p.severity for p in verdict.problems] == ([severity] if severity else [])


def test_calls_that_need_billing_and_other_scopes_through_one_key() -> None:
    verdict = only(compare(scan(call(BILLING, 3), call(MAIL, 4)), single("mail.send"), CATALOGUE))
    assert [p.severity for p in verdict.problems] == [Severity.ERROR]
    assert "need billing scopes (billing.read)" in verdict.problems[0].message


def test_no_scopes_means_full_access() -> None:
    check = compare(scan(call(MAIL, 3), call(BILLING, 4)), single(), CATALOGUE)
    verdict = only(check)
    assert verdict.full_access
    assert verdict.problems[0].severity is Severity.WARNING
    assert "Full Access" in verdict.problems[0].message
    # Full Access never includes billing scopes
    assert [m.scope for m in verdict.missing] == ["billing.read"]
    assert verdict.excess == ()


def test_two_keys_are_each_checked_against_their_own_calls() -> None:
    config = KeyConfig("keys.yaml", ConfigFormat.KEYS, (
        key("transactional", "mail.send", env="SENDGRID_API_KEY", default=True),
        key("marketing", "marketing.read", env="SENDGRID_MARKETING_KEY"),
    ))
    marketing_rule = rule("GET /v3/marketing/lists", "marketing.read")
    result = scan(call(MAIL, 3, key="SENDGRID_API_KEY"),
                  call(marketing_rule, 4, key="SENDGRID_MARKETING_KEY"),
                  call(TEMPLATE, 5, key="SENDGRID_MARKETING_KEY"),
                  call(MAIL, 6, key=""))
    check = compare(result, config, CATALOGUE)
    transactional, marketing = check.keys
    assert transactional.required == ("mail.send",) and transactional.missing == ()
    assert marketing.required == ("marketing.read", "templates.read")
    assert [(m.scope, [n.location.line for n in m.needs]) for m in marketing.missing] == [
        ("templates.read", [5])]
    assert [(u.location.line, u.key, u.checked_against) for u in check.unattributed] == [
        (6, "", "transactional")]


def test_calls_of_no_configured_key_without_a_default_are_listed_and_unchecked() -> None:
    config = KeyConfig("keys.yaml", ConfigFormat.KEYS, (key("m", "mail.send", env="M_KEY"),))
    check = compare(scan(call(TEMPLATE, 4, key="OTHER_KEY")), config, CATALOGUE)
    assert [(u.key, u.checked_against) for u in check.unattributed] == [("OTHER_KEY", "")]
    assert only(check).required == ()
    assert any("checked against no key" in p.message for p in check.problems)


def test_a_single_key_without_env_takes_every_call_silently() -> None:
    check = compare(scan(call(MAIL, 3, key="WHATEVER"), call(MAIL, 4)), single("mail.send"),
                    CATALOGUE)
    assert check.unattributed == ()
    assert only(check).required == ("mail.send",)


def test_several_keys_without_env_are_a_warning() -> None:
    config = KeyConfig("k.tf", ConfigFormat.TERRAFORM, (key("a", "mail.send"),
                                                        key("b", "mail.send")))
    check = compare(scan(call(MAIL, 3)), config, CATALOGUE)
    assert [p.severity for p in check.problems] == [Severity.WARNING, Severity.WARNING]
    assert "none says which variable" in check.problems[0].message


def test_a_secret_in_the_config_is_an_error_at_its_line() -> None:
    config = KeyConfig("key.json", ConfigFormat.SENDGRID, single("mail.send").keys, (3,))
    check = compare(scan(call(MAIL, 1)), config, CATALOGUE)
    assert [(p.severity, p.line) for p in check.problems] == [(Severity.ERROR, 3)]
    assert check.failed()


def test_key_for_prefers_env_and_falls_back_to_the_default() -> None:
    config = KeyConfig("keys.yaml", ConfigFormat.KEYS, (
        key("a", env="A", default=True), key("b", env="B")))
    assert key_for("B", config) == (config.keys[1], True)
    assert key_for("", config) == (config.keys[0], False)
    assert key_for("(hard-coded)", config) == (config.keys[0], False)


ANNOTATED = Annotated(Location("app.py", 3, 5), "getattr(sg.client, n).get", ("templates.read",),
                      Location("app.py", 3, 40), "computed", "")


def test_annotated_calls_need_what_their_comment_declares() -> None:
    check = compare(scan(call(MAIL, 1), ANNOTATED), single("mail.send", "templates.read"),
                    CATALOGUE)
    assert only(check).required == ("mail.send", "templates.read")
    assert only(check).excess == ()
    (missing,) = only(compare(scan(ANNOTATED), single("mail.send"), CATALOGUE)).missing
    assert [(n.target, n.reason) for n in missing.needs] == [
        ("getattr(sg.client, n).get", "declared by # sg-scope: at app.py:3")]


EITHER = rule("GET /v3/things", any_of=(("marketing.read",), ("templates.read",)))


@pytest.mark.parametrize(("found", "granted", "expected"), [
    pytest.param(call(MAIL, 1), ("mail.send",), [], id="granted"),
    pytest.param(call(rule("GET /v3/both", "templates.read", "mail.send"), 1), ("mail.send",),
                 [(1, "GET /v3/both", ("templates.read",))], id="one-of-two-missing"),
    pytest.param(call(rule("GET /v3/x", "mail.send", "2fa_required"), 1), ("mail.send",), [],
                 id="automatic-never-missing"),
    pytest.param(call(EITHER, 1), ("templates.read",), [], id="second-alternative-granted"),
    pytest.param(call(EITHER, 1), ("mail.send",), [(1, "GET /v3/things", ("marketing.read",))],
                 id="no-alternative-granted"),
    pytest.param(call(CREATE_KEY, 1, grants=("templates.read", "alerts.read")),
                 ("api_keys.create", "alerts.read"),
                 [(1, "POST /v3/api_keys", ("templates.read",))], id="key-creation"),
    pytest.param(ANNOTATED, ("mail.send",), [(3, "getattr(sg.client, n).get", ("templates.read",))],
                 id="annotated-call"),
])
def test_missing_in_file_gives_one_entry_per_call(found, granted: tuple[str, ...],
                                                  expected: list) -> None:
    report = scan(found).files[0]
    missing = missing_in_file(report, single(*granted), CATALOGUE)
    assert [(m.location.line, m.target, m.scopes) for m in missing] == expected


def test_missing_in_file_checks_each_call_against_its_own_key() -> None:
    config = KeyConfig("keys.yaml", ConfigFormat.KEYS, (
        key("mail", "mail.send", env="MAIL_KEY", default=True),
        key("templates", "templates.read", env="TEMPLATES_KEY"),
    ))
    report = scan(call(TEMPLATE, 1, key="TEMPLATES_KEY"), call(TEMPLATE, 2, key="MAIL_KEY"),
                  call(MAIL, 3, key="TEMPLATES_KEY"), call(TEMPLATE, 4)).files[0]
    assert [(m.location.line, m.scopes) for m in missing_in_file(report, config, CATALOGUE)] == [
        (2, ("templates.read",)), (3, ("mail.send",)), (4, ("templates.read",))]
