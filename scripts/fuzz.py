"""Run the fuzz properties for longer than the test suite does: the engine on mutated and
generated code, and the readers of key configs, baselines, manifests and cache entries on
hostile JSON and YAML.

    python scripts/fuzz.py [--examples N]

Prints how many examples were tried and every failure found (exit 1 if any), for the README.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import traceback
from pathlib import Path

from hypothesis import HealthCheck, given, settings

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from fuzz_strategies import hostile_json, hostile_yaml, mutated_snippets, valid_programs  # noqa: E402

from sg_scope_lint import baseline, manifest  # noqa: E402
from sg_scope_lint.cache import AnalysisCache  # noqa: E402
from sg_scope_lint.engine import scan_source  # noqa: E402
from sg_scope_lint.errors import BaselineError, KeyConfigError, ManifestError  # noqa: E402
from sg_scope_lint.keyconfig import parse_key_config  # noqa: E402
from sg_scope_lint.rules import load_ruleset  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000)
    args = parser.parse_args()
    ruleset = load_ruleset(REPO / "rules")
    tried = {"mutated": 0, "generated": 0, "hostile": 0}
    failures: list[str] = []
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp()  # the cache secret of this run only
    scratch = Path(tempfile.mkdtemp())
    store = AnalysisCache(scratch)

    def cache_entry(text: str) -> None:
        assert store.folder is not None  # sealed with this run's secret: it reaches the decoder
        store.folder.write("v4/ab/a.json", text)
        store.get("a")

    def read_hostile(text: str) -> None:
        tried["hostile"] += 1
        path = scratch / "file.json"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        for reader, expected in ((lambda: parse_key_config(text, "key.yaml"), KeyConfigError),
                                 (lambda: baseline.read(path), BaselineError),
                                 (lambda: manifest.read(path), ManifestError),
                                 (lambda: cache_entry(text), ())):
            try:
                reader()
            except expected:
                pass
            except Exception:  # noqa: BLE001 - the point is to record any exception at all
                failures.append(f"hostile: {text[:200]!r}\n{traceback.format_exc()}")

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
    given(text=hostile_json() | hostile_yaml())(slow(read_hostile))()
    print(f"examples tried: {tried['mutated']} mutated snippets, "
          f"{tried['generated']} generated programs, {tried['hostile']} hostile configs, "
          f"baselines, manifests and cache entries; failures: {len(failures)}")
    for failure in failures:
        print(failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
