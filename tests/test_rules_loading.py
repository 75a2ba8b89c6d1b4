"""The rules loader accepts the bundled rules and rejects each malformed file with a clear line.

Each `rules_cases/*.fail.yaml` starts with `# error: <text>`: loading it must fail with a
message containing that text, naming the file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sg_scope_lint.errors import RulesError
from sg_scope_lint.rules import RuleSet, load_catalogue, load_rule_file, load_ruleset
from sg_scope_lint.types import Endpoint

CASES = Path(__file__).parent / "rules_cases"
REPO = Path(__file__).resolve().parent.parent


def _expected_error(path: Path) -> str:
    first = path.read_text().splitlines()[0]
    assert first.startswith("# error: "), f"{path.name} must start with '# error: '"
    return first.removeprefix("# error: ")


@pytest.mark.parametrize("path", sorted(CASES.glob("*.fail.yaml")), ids=lambda p: p.stem)
def test_malformed_rule_file_is_rejected(path: Path) -> None:
    catalogue = load_catalogue(CASES / "catalogue.yaml")
    with pytest.raises(RulesError) as caught:
        load_rule_file(path, catalogue)
    message = str(caught.value)
    assert _expected_error(path) in message
    assert path.name in message
    assert "\n" not in message


def test_duplicate_endpoint_across_files_is_rejected(tmp_path: Path) -> None:
    shutil.copy(CASES / "catalogue.yaml", tmp_path / "scopes.yaml")
    rule = ("version: 1\nrules:\n  - {id: %s, method: GET, path: '/v3/templates/%s', "
            "scopes: [templates.read], source: docs}\n")
    (tmp_path / "a.yaml").write_text(rule % ("one", "{template_id}"))
    (tmp_path / "b.yaml").write_text(rule % ("two", "{id}"))
    with pytest.raises(RulesError, match=r"duplicate endpoint GET /v3/templates/\{id\}"):
        load_ruleset(tmp_path)


def test_bundled_rules_load(ruleset: RuleSet) -> None:
    assert len(ruleset.rules) > 20
    assert "mail.send" in ruleset.catalogue


@pytest.mark.parametrize(
    ("endpoint", "rule_path"),
    [
        (Endpoint("POST", ("asm", "suppressions", "global")), "/v3/asm/suppressions/global"),
        (Endpoint("GET", ("templates", None)), "/v3/templates/{template_id}"),
        (Endpoint("GET", ("templates", "d-123")), "/v3/templates/{template_id}"),
    ],
    ids=["literal-beats-parameter", "value-fills-parameter", "literal-fills-parameter"],
)
def test_lookup_prefers_the_most_specific_rule(ruleset: RuleSet, endpoint: Endpoint,
                                               rule_path: str) -> None:
    rule = ruleset.find(endpoint)
    assert rule is not None and rule.path == rule_path


def test_a_run_time_value_never_fills_a_literal_segment(ruleset: RuleSet) -> None:
    rule = ruleset.find(Endpoint("POST", ("asm", "suppressions", None)))
    assert rule is None or rule.path != "/v3/asm/suppressions/global"


def test_cached_rules_equal_the_yaml_and_follow_its_changes(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            ruleset: RuleSet) -> None:
    """The rules cache (for editors: flake8 loads the rules on every save) changes nothing."""
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "rules", rules)
    monkeypatch.chdir(tmp_path)
    fresh = load_ruleset(rules, cache_root=tmp_path)
    entries = list((tmp_path / ".sg-scope-lint-cache" / "rules").glob("*.json"))
    assert len(entries) == 1
    cached = load_ruleset(rules, cache_root=tmp_path)
    assert cached == fresh == load_ruleset(rules)
    monkeypatch.setattr("sg_scope_lint.rules.load_rule_file", None)  # a hit reads no YAML
    assert load_ruleset(rules, cache_root=tmp_path) == fresh
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)

    mail = rules / "mail.yaml"
    mail.write_text(mail.read_text().replace("scopes: [mail.send]", "scopes: [mail.batch.read]", 1))
    changed = load_ruleset(rules, cache_root=tmp_path)
    assert changed.find(Endpoint("POST", ("mail", "send"), 3)).scopes == ("mail.batch.read",)

    mail.write_text(mail.read_text().replace("scopes: [mail.batch.read]", "scopes: [mail.send]", 1))
    for entry in (tmp_path / ".sg-scope-lint-cache" / "rules").glob("*.json"):
        entry.write_text('{"rules": [{"id": 1}], "catalogue": []}')  # damaged: a miss
    assert load_ruleset(rules, cache_root=tmp_path) == fresh


SIX_MISTAKES = """\
version: 1
rules:
  - id: mail-send
    methd: POST
    path: /v3/mail/send
    scopes: [mail.sned]
    source: docs
  - id: Templates_Get
    method: GETT
    path: /v3/templates
    scopes: [templates.read]
    source: docs
  - id: bounces
    method: GET
    path: /v3/suppression/bounces
    scopes: [templates.raed]
    source: docs
    confidence: documentd
    deprecated: "yes"
"""


def test_every_problem_of_a_rules_file_is_reported_in_one_run_at_its_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.yaml").write_text(SIX_MISTAKES)
    with pytest.raises(RulesError) as caught:
        load_rule_file(tmp_path / "bad.yaml", load_catalogue(CASES / "catalogue.yaml"))
    assert str(caught.value).splitlines() == [
        "bad.yaml:4: rules[0].methd: unknown key; did you mean 'method'?",
        ("bad.yaml:6: rules[0].scopes: unknown scope 'mail.sned' (not in the scope catalogue); "
        "did you mean 'mail.send'?"),
        ("bad.yaml:8: rules[1].id: 'Templates_Get': ids are kebab-case: lower-case letters, "
        "digits and dashes"),
        ("bad.yaml:9: rules[1].method: 'GETT' is not one of GET, POST, PUT, PATCH, DELETE; did "
        "you mean 'GET'?"),
        ("bad.yaml:16: rules[2].scopes: unknown scope 'templates.raed' (not in the scope "
        "catalogue); did you mean 'templates.read'?"),
        ("bad.yaml:18: rules[2].confidence: 'documentd' is not one of documented, inferred; did "
        "you mean 'documented'?"),
        "bad.yaml:19: rules[2].deprecated: must be true or false",
    ]
