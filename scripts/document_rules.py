"""Regenerate docs/rules.md from rules/*.yaml: `python scripts/document_rules.py`.

tests/test_rules_coverage.py fails when the committed docs/rules.md drifts from the YAML.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sg_scope_lint.reporters.rules_report import render_reference
from sg_scope_lint.rules import load_ruleset

REPO = Path(__file__).resolve().parent.parent
TARGET = REPO / "docs" / "rules.md"


def main() -> int:
    TARGET.write_text(render_reference(load_ruleset(REPO / "rules").rules), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
