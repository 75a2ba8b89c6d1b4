"""The project analysis on the shapes real trees have: which calls it follows across modules,
what it costs (files analysed and parsed), and what it says where it stops following.

Each test writes a small project to disk and scans it with `engine.scan_files`, as `scan` does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sg_scope_lint import engine
from sg_scope_lint.rules import RuleSet
from sg_scope_lint.types import ScanResult

CLIENT = (
    "import os\n"
    "from sendgrid import SendGridAPIClient\n"
    "sg = SendGridAPIClient(os.environ['SENDGRID_API_KEY'])\n"
)


def write(root: Path, files: dict[str, str]) -> list[Path]:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return sorted(root.rglob("*.py"))


def scan(root: Path, files: dict[str, str], ruleset: RuleSet,
         monkeypatch: pytest.MonkeyPatch) -> ScanResult:
    paths = write(root, files)
    monkeypatch.chdir(root)
    return engine.scan_files([p.relative_to(root) for p in paths], ruleset, jobs=1)


def calls(result: ScanResult) -> set[tuple[str, int, str, str]]:
    return {(m.call.location.file, m.call.location.line, m.rule.method, m.rule.path)
            for m in result.matches}


def passed_along(depth: int) -> dict[str, str]:
    """A client made in `pkg/m0.py` and passed down `depth` functions of as many modules; the
    last one sends `GET /v3/templates` on line 2."""
    files = {"pkg/__init__.py": "",
             "pkg/m0.py": CLIENT + "from pkg.m1 import f1\n\n\ndef start():\n    f1(sg)\n"}
    for n in range(1, depth):
        files[f"pkg/m{n}.py"] = (f"from pkg.m{n + 1} import f{n + 1}\n\n\n"
                                 f"def f{n}(client):\n    f{n + 1}(client)\n")
    files[f"pkg/m{depth}.py"] = (f"def f{depth}(client):\n"
                                 "    return client.client.templates.get()\n")
    return files


def test_a_client_re_exported_by_a_package_init(tmp_path: Path, ruleset: RuleSet,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan(tmp_path, {
        "app/__init__.py": "",
        "app/mail/__init__.py": "from .clients import sg\n",
        "app/mail/clients.py": CLIENT,
        "app/views.py": "from app.mail import sg\n\n\ndef bounces():\n"
                        "    return sg.client.suppression.bounces.get()\n",
    }, ruleset, monkeypatch)
    assert calls(result) == {("app/views.py", 5, "GET", "/v3/suppression/bounces")}


def test_an_init_at_the_project_root(tmp_path: Path, ruleset: RuleSet,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The root folder is a package too (`proj.app.a`), yet the modules import each other
    by the names they have from the root (`app.a`)."""
    result = scan(tmp_path, {
        "__init__.py": "",
        "app/__init__.py": "",
        "app/a.py": CLIENT,
        "app/b.py": "from app.a import sg\n\n\ndef lists():\n"
                    "    return sg.client.marketing.lists.get()\n",
    }, ruleset, monkeypatch)
    assert calls(result) == {("app/b.py", 5, "GET", "/v3/marketing/lists")}


def test_a_client_passed_through_many_functions_of_different_modules(
        tmp_path: Path, ruleset: RuleSet, monkeypatch: pytest.MonkeyPatch) -> None:
    depth = 12
    files = passed_along(depth)
    result = scan(tmp_path, files, ruleset, monkeypatch)
    assert calls(result) == {(f"pkg/m{depth}.py", 2, "GET", "/v3/templates")}
    assert result.stats.most_parses == 1


def test_a_client_star_imported_through_many_modules(
        tmp_path: Path, ruleset: RuleSet, monkeypatch: pytest.MonkeyPatch) -> None:
    depth = 10
    files = {"pkg/__init__.py": "", "pkg/s0.py": CLIENT}
    for n in range(1, depth + 1):
        files[f"pkg/s{n}.py"] = f"from pkg.s{n - 1} import *\n"
    files["pkg/use.py"] = (f"from pkg.s{depth} import sg\n\n\n"
                           "def stats():\n    return sg.client.stats.get()\n")
    result = scan(tmp_path, files, ruleset, monkeypatch)
    assert calls(result) == {("pkg/use.py", 5, "GET", "/v3/stats")}


def test_where_the_analysis_stops_following_it_says_so(
        tmp_path: Path, ruleset: RuleSet, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the round limit the files still waiting for values are reported as unresolved,
    with the reason, instead of being dropped."""
    monkeypatch.setattr(engine, "MAX_PROJECT_ROUNDS", 2)
    depth = 6
    files = passed_along(depth)
    result = scan(tmp_path, files, ruleset, monkeypatch)
    assert not result.matches
    stopped = [u for u in result.unresolved if "stopped" in u.reason]
    assert stopped, result.unresolved
    assert all("rounds" in u.reason for u in stopped)


def test_an_ordinary_class_of_a_sendgrid_module_does_not_travel(
        tmp_path: Path, ruleset: RuleSet, monkeypatch: pytest.MonkeyPatch) -> None:
    """Importers of a module that also uses SendGrid, for its other classes and functions,
    are not analysed: nothing SendGrid reaches them."""
    files = {
        "app/__init__.py": "",
        "app/utils.py": CLIENT + (
            "\n\nclass Cache:\n    def get(self, key):\n        return key\n\n\n"
            "def make_cache():\n    return Cache()\n\n\n"
            "def notify(message):\n    return sg.send(message)\n"),
    }
    for n in range(20):
        files[f"app/view{n}.py"] = ("from app.utils import Cache, make_cache\n\n\n"
                                    "def handler(key):\n    return make_cache().get(key)\n")
    result = scan(tmp_path, files, ruleset, monkeypatch)
    assert calls(result) == {("app/utils.py", 16, "POST", "/v3/mail/send")}
    assert (result.stats.analysed, result.stats.rounds) == (1, (1,))


def test_after_an_edit_the_cache_serves_every_module_that_reads_nothing_of_it(
        tmp_path: Path, ruleset: RuleSet, monkeypatch: pytest.MonkeyPatch) -> None:
    """An edit that changes what a module exports sends back that module and its importers
    only: the other modules' entries are keyed by the facts they can read."""
    from sg_scope_lint.cache import AnalysisCache

    files = {
        "app/__init__.py": "",
        "app/a.py": CLIENT,
        "app/b.py": "from app.a import sg\n\n\ndef lists():\n"
                    "    return sg.client.marketing.lists.get()\n",
        "app/c.py": CLIENT.replace("sg =", "other ="),
        "app/d.py": "from app.c import other\n\n\ndef stats():\n"
                    "    return other.client.stats.get()\n",
    }
    cold = scan(tmp_path, files, ruleset, monkeypatch)
    paths = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.py"))
    cache = AnalysisCache(tmp_path)
    engine.scan_files(paths, ruleset, jobs=1, cache=cache)
    warm = engine.scan_files(paths, ruleset, jobs=1, cache=cache)
    assert warm == cold and warm.stats.parsed == 0
    (tmp_path / "app/a.py").write_text(CLIENT.replace("SENDGRID_API_KEY", "MAIL_KEY"))
    edited = engine.scan_files(paths, ruleset, jobs=1, cache=cache)
    assert edited.stats.parsed == 2  # app/a.py, and app/b.py that imports its client
    keys = {m.call.location.file: m.call.key for m in edited.matches}
    assert keys == {"app/b.py": "MAIL_KEY", "app/d.py": "SENDGRID_API_KEY"}
