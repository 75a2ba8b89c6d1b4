"""Every rule is reachable: a client call written for its endpoint resolves to that very rule.

For each rule the test writes the call a user would write (`sg.client.templates._(tid).get()`,
with `_()` for segments that are not identifiers, keywords, verbs or `version`) and scans it.
This catches templates the matcher would hand to a more specific sibling, segments the client
cannot express, and ids that collide.
"""

from __future__ import annotations

import keyword

from sg_scope_lint.engine import scan_source
from sg_scope_lint.rules import RuleSet
from sg_scope_lint.types import Rule

NOT_ATTRIBUTES = {"get", "post", "put", "patch", "delete", "version", "_", "host",
                  "request_headers", "append_slash", "timeout", "methods"}


def call_for(rule: Rule, index: int) -> str:
    chain = "sg.client"
    for segment in rule.path.split("/")[2:]:
        if segment.startswith("{"):
            name = segment[1:-1]
            if rule.scopes_by_value and name == rule.value_param:
                chain += f"._({rule.scopes_by_value[0][0]!r})"
            else:
                chain += f"._(value_{index})"
        elif segment.isidentifier() and not keyword.iskeyword(segment) \
                and segment not in NOT_ATTRIBUTES and not segment.startswith("_"):
            chain += f".{segment}"
        else:
            chain += f"._({segment!r})"
    return f"{chain}.{rule.method.lower()}()"


def test_every_rule_is_reachable_through_the_client(ruleset: RuleSet) -> None:
    rules = [r for r in ruleset.rules if r.path.startswith("/v3/")]
    lines = ["import sendgrid", "sg = sendgrid.SendGridAPIClient()", "def calls(*values):"]
    lines += [f"    value_{i} = values[{i}]" for i in range(len(rules))]
    first_call_line = len(lines) + 1
    lines += [f"    {call_for(rule, i)}" for i, rule in enumerate(rules)]
    report = scan_source("\n".join(lines).encode(), "every_rule.py", ruleset)
    assert not report.errors and not report.unknown and not report.unresolved
    matched = {m.call.location.line - first_call_line: m.rule.id for m in report.matches}
    wrong = {rule.id: matched.get(i) for i, rule in enumerate(rules) if matched.get(i) != rule.id}
    assert not wrong, f"rules reached as another rule (rule: reached as): {wrong}"
