"""Run the engine's fuzz properties for longer than the test suite does.

    python scripts/fuzz.py [--examples N]

Prints how many examples were tried and every failure found (exit 1 if any), for the README.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from hypothesis import HealthCheck, given, settings

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from fuzz_strategies import mutated_snippets, valid_programs  # noqa: E402

from sg_scope_lint.engine import scan_source  # noqa: E402
from sg_scope_lint.rules import load_ruleset  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000)
    args = parser.parse_args()
    ruleset = load_ruleset(REPO / "rules")
    tried = {"mutated": 0, "generated": 0}
    failures: list[str] = []

    def check(kind: str, data: bytes) -> None:
        tried[kind] += 1
        try:
            scan_source(data, "fuzz.py", ruleset)
        except Exception:  # noqa: BLE001 - the point is to record any exception at all
            failures.append(f"{kind}: {data[:200]!r}\n{traceback.format_exc()}")

    slow = settings(max_examples=args.examples, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))
    given(data=mutated_snippets())(slow(lambda data: check("mutated", data)))()
    given(data=valid_programs())(slow(lambda data: check("generated", data)))()
    print(f"examples tried: {tried['mutated']} mutated snippets, "
          f"{tried['generated']} generated programs; failures: {len(failures)}")
    for failure in failures:
        print(failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
