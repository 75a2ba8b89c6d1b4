"""Shared fixtures: the bundled rules, and `--update-golden` to rewrite expected outputs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sg_scope_lint.rules import RuleSet, load_ruleset

REPO = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/* from the current output, for review")


@pytest.fixture(scope="session", autouse=True)
def _user_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The per-user cache folder (where the secret sealing cache files lives) in a temporary
    folder, for every test and the commands they start."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("user-cache"))


@pytest.fixture(scope="session")
def ruleset() -> RuleSet:
    return load_ruleset(REPO / "rules")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run with the repository as working directory, as a user of the README would."""
    monkeypatch.chdir(REPO)
    return REPO


CI_RULES = Path(__file__).resolve().parent / "ci_rules"


@pytest.fixture
def ci_rules(monkeypatch: pytest.MonkeyPatch) -> RuleSet:
    """Commands run with the three rules of tests/ci_rules instead of the bundled ones, so the
    tests of output formats do not change when rules/ grows."""
    monkeypatch.setattr("sg_scope_lint.rules.bundled_rules_dir", lambda: CI_RULES)
    return load_ruleset(CI_RULES)
