"""An endpoint no rule covers says which covered endpoint it resembles: often a typo."""

from __future__ import annotations

import pytest

from sg_scope_lint.rules import RuleSet
from sg_scope_lint.types import Endpoint


@pytest.mark.parametrize(("method", "segments", "resembles"), [
    ("GET", ("suppresion", "bounces"), "GET /v3/suppression/bounces"),
    ("GET", ("marketing", "list"), "GET /v3/marketing/lists"),
    ("DELETE", ("templates", None, "version", None), "DELETE /v3/templates/{template_id}/versions/{version_id}"),
    ("GET", ("no", "such", "thing"), ""),
], ids=["typo", "singular", "run-time-ids", "nothing-close"])
def test_unknown_endpoint_names_the_closest_covered_one(
        ruleset: RuleSet, method: str, segments: tuple[str | None, ...], resembles: str) -> None:
    endpoint = Endpoint(method, segments)
    assert ruleset.find(endpoint) is None
    assert ruleset.resembling(endpoint) == resembles
