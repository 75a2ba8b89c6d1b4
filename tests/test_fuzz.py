"""The engine never raises, whatever Python (or near-Python) it is given.

Bounded so the suite stays fast; `scripts/fuzz.py` runs the same properties for longer.
"""

from __future__ import annotations

from fuzz_strategies import mutated_snippets, valid_programs
from hypothesis import HealthCheck, given, settings

from sg_scope_lint.engine import scan_source
from sg_scope_lint.rules import RuleSet

FAST = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@FAST
@given(data=mutated_snippets())
def test_mutated_sendgrid_snippets_never_raise(data: bytes, ruleset: RuleSet) -> None:
    report = scan_source(data, "fuzz.py", ruleset)
    assert all("\n" not in e.message for e in report.errors)


@FAST
@given(data=valid_programs())
def test_generated_programs_never_raise(data: bytes, ruleset: RuleSet) -> None:
    scan_source(data, "fuzz.py", ruleset)
