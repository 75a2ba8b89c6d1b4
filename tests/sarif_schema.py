"""Validate SARIF output against the vendored SARIF 2.1.0 schema (tests/sarif/), offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA = json.loads((Path(__file__).parent / "sarif" / "sarif-schema-2.1.0.json").read_text())


def validate(text: str) -> dict[str, Any]:
    """The SARIF log parsed from `text`; fails the test, listing every schema error, if invalid."""
    log = json.loads(text)
    validator = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    return log
