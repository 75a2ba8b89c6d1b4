"""The engine never raises, whatever Python (or near-Python) it is given; hostile key configs,
baselines, manifests and cache entries are one error line or a miss, never a crash.

Bounded so the suite stays fast; `scripts/fuzz.py` runs the same properties for longer.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fuzz_strategies import hostile_json, hostile_yaml, mutated_snippets, valid_programs
from hypothesis import HealthCheck, given, settings

from sg_scope_lint import baseline, manifest, quick, rules
from sg_scope_lint.analysis.symbols import ModuleAnalysis
from sg_scope_lint.cache import AnalysisCache
from sg_scope_lint.engine import scan_source
from sg_scope_lint.errors import BaselineError, KeyConfigError, ManifestError
from sg_scope_lint.keyconfig import parse_key_config
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


# ------------------------------------------ hostile inputs: one error line or a miss, never a crash


@FAST
@given(text=hostile_json() | hostile_yaml())
def test_hostile_key_configs_are_a_config_or_one_error(text: str) -> None:
    try:
        parse_key_config(text, "key.yaml")
    except KeyConfigError as error:
        # each problem on a line of its own, every line naming the file (several problems of
        # one file are reported in one run)
        assert all(line.startswith("key.yaml") for line in str(error).split("\n"))


@FAST
@given(text=hostile_json())
def test_hostile_baselines_and_manifests_are_read_or_one_error(text: str,
                                                               tmp_path: Path) -> None:
    path = tmp_path / "file.json"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    for read, error in ((baseline.read, BaselineError), (manifest.read, ManifestError)):
        try:
            read(path)
        except error as problem:
            assert "\n" not in str(problem)


@FAST
@given(text=hostile_json())
def test_hostile_cache_entries_are_misses(text: str, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Even sealed with this user's secret (so that they reach the decoder): the analysis
    entry, the rules entry and the run record are each a hit of the right type or a miss."""
    monkeypatch.chdir(tmp_path)
    store = AnalysisCache(tmp_path)
    assert store.folder is not None
    store.folder.write("v4/ab/abc.json", text)
    assert store.get("abc") is None or isinstance(store.get("abc"), ModuleAnalysis)
    files = [rules.bundled_rules_dir() / rules.CATALOGUE_FILE]
    store.folder.write(rules._cache_entry(files), text)
    assert isinstance(rules._cached(files, tmp_path), (RuleSet, type(None)))
    argv = ["scan", "."]
    store.folder.write(quick.record_name(argv, os.getcwd()), text)
    answer = quick.replay(argv)
    assert answer is None or isinstance(answer, quick.Answer)
