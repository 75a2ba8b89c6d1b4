"""The command line as a user runs it: `main([...])` in-process, and once as the installed command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sg_scope_lint.cli import main
from sg_scope_lint.pool import WorkerPool

DEMO = "examples/demo-app"
GOLDEN = Path(__file__).parent / "golden"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


APP = """\
import sendgrid
sg = sendgrid.SendGridAPIClient()

def welcome(message, tid):
    sg.send(message)
    return sg.client.templates._(tid).get()
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "src" / "app.py", APP)
    return tmp_path


def test_scan_json_lists_calls_with_relative_paths(project: Path, capsys) -> None:
    code, out, _ = run(capsys, "scan", "src", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert data["scopes"] == ["mail.send", "templates.read"]
    assert [(c["file"], c["line"], c["col"], c["method"], c["path"], c["scopes"]) for c in
            data["calls"]] == [
        ("src/app.py", 5, 5, "POST", "/v3/mail/send", ["mail.send"]),
        ("src/app.py", 6, 12, "GET", "/v3/templates/{template_id}", ["templates.read"]),
    ]
    assert all(c["rule"] for c in data["calls"])
    assert data["unresolved"] == [] and data["unknown"] == []


def test_syntax_error_is_one_line_and_the_scan_goes_on(project: Path, capsys) -> None:
    write(project / "src" / "broken.py", "import sendgrid\ndef f(:\n    pass\n")
    code, out, _ = run(capsys, "scan", "src")
    assert code == 1
    error_lines = [line for line in out.splitlines() if "error:" in line]
    assert len(error_lines) == 1
    assert error_lines[0].startswith("src/broken.py:2:")
    assert "syntax error" in error_lines[0]
    assert "src/app.py:5:5: POST /v3/mail/send -> mail.send" in out


def test_unresolved_and_unknown_calls_exit_1(project: Path, capsys) -> None:
    write(project / "src" / "dyn.py", "import sendgrid\nsg = sendgrid.SendGridAPIClient()\n"
          "def f(n):\n    getattr(sg.client, n).get()\n    sg.client.no_such_thing.get()\n")
    code, out, _ = run(capsys, "scan", "src", "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert [(u["file"], u["line"]) for u in data["unresolved"]] == [("src/dyn.py", 4)]
    assert "getattr" in data["unresolved"][0]["reason"]
    assert [(u["file"], u["line"], u["path"]) for u in data["unknown"]] == [
        ("src/dyn.py", 5, "/v3/no_such_thing")]


def test_walk_skips_virtualenvs_and_honours_excludes(project: Path, capsys) -> None:
    write(project / "src" / ".venv" / "lib" / "x.py", APP)
    write(project / "src" / "env2" / "pyvenv.cfg", "")
    write(project / "src" / "env2" / "y.py", APP)
    write(project / "src" / "node_modules" / "z.py", APP)
    write(project / "src" / "generated" / "g.py", APP)
    code, out, _ = run(capsys, "scan", "src", "--exclude", "src/generated", "--format", "json")
    assert {c["file"] for c in json.loads(out)["calls"]} == {"src/app.py"}


def test_pyproject_settings_apply(project: Path, capsys) -> None:
    write(project / "src" / "legacy" / "old.py", APP)
    write(project / "pyproject.toml", '[tool.sg-scope-lint]\nexclude = ["legacy"]\n')
    code, out, _ = run(capsys, "scan", "src", "--format", "json")
    assert {c["file"] for c in json.loads(out)["calls"]} == {"src/app.py"}


def test_bad_pyproject_setting_is_a_usage_error(project: Path, capsys) -> None:
    write(project / "pyproject.toml", '[tool.sg-scope-lint]\nexclude = "legacy"\n')
    code, _, err = run(capsys, "scan", "src")
    assert code == 2
    assert err.strip().endswith("tool.sg-scope-lint.exclude: must be a list of glob patterns, "
                                "found 'legacy'")
    assert "pyproject.toml:2:" in err


def test_missing_path_and_unknown_option_exit_2(project: Path, capsys) -> None:
    code, _, err = run(capsys, "scan", "nope")
    assert code == 2 and "no such file or directory: nope" in err
    code, _, err = run(capsys, "scan", "--frobnicate")
    assert code == 2 and "unrecognized arguments" in err


def test_manifest_write_then_check(project: Path, capsys) -> None:
    code, _, _ = run(capsys, "manifest", "src", "-o", "scopes.json")
    assert code == 0
    manifest = json.loads((project / "scopes.json").read_text())
    assert list(manifest["scopes"]) == ["mail.send", "templates.read"]
    assert manifest["scopes"]["templates.read"] == {
        "endpoints": ["GET /v3/templates/{template_id}"], "files": ["src/app.py"]}
    assert run(capsys, "manifest", "src", "-o", "scopes.json", "--check")[0] == 0


def test_manifest_ignores_line_moves_but_not_new_scopes(project: Path, capsys) -> None:
    run(capsys, "manifest", "src", "-o", "scopes.json")
    before = (project / "scopes.json").read_bytes()
    write(project / "src" / "app.py", "# a comment moves every line\n\n" + APP)
    assert run(capsys, "manifest", "src", "-o", "scopes.json", "--check")[0] == 0
    write(project / "src" / "app.py", APP + "sg.client.suppression.bounces.delete()\n")
    code, _, err = run(capsys, "manifest", "src", "-o", "scopes.json", "--check")
    assert code == 1
    assert "+ suppression.bounces.delete" in err
    assert (project / "scopes.json").read_bytes() == before  # --check writes nothing


def test_manifest_check_without_a_file_fails(project: Path, capsys) -> None:
    code, _, err = run(capsys, "manifest", "src", "-o", "scopes.json", "--check")
    assert code == 1 and "missing" in err
    assert not (project / "scopes.json").exists()


def test_demo_app_manifest_matches_golden(in_repo: Path, capsys, update_golden: bool) -> None:
    code, out, _ = run(capsys, "manifest", DEMO, "-o", "-")
    assert code == 0
    golden = GOLDEN / "demo-app.manifest.json"
    if update_golden:
        golden.write_text(out)
    assert out == golden.read_text()


def test_demo_app_report_matches_golden(in_repo: Path, capsys, update_golden: bool) -> None:
    code, out, _ = run(capsys, "scan", DEMO)
    assert code == 0
    golden = GOLDEN / "demo-app.scan.txt"
    if update_golden:
        golden.write_text(out)
    assert out == golden.read_text()


def test_installed_command_runs_from_another_directory(tmp_path: Path) -> None:
    """The console script finds its bundled rules without the repository around it."""
    command = shutil.which("sg-scope-lint", path=os.path.dirname(sys.executable))
    assert command, "install the project (pip install '.[test]') to run this test"
    write(tmp_path / "app.py", APP)
    done = subprocess.run([command, "scan", "app.py", "--format", "json"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["scopes"] == ["mail.send", "templates.read"]


@pytest.mark.parametrize("project", sorted(p.name for p in (GOLDEN / "projects").iterdir()))
def test_golden_project_scan(project: str, in_repo: Path, capsys, update_golden: bool) -> None:
    """Whole-project resolution: clients across modules, factories, inheritance, parameters."""
    code, out, _ = run(capsys, "scan", f"tests/golden/projects/{project}", "--format", "json")
    golden = GOLDEN / f"{project}.scan.json"
    if update_golden:
        golden.write_text(out)
    assert out == golden.read_text()


def test_scan_is_identical_on_one_and_many_processes(in_repo: Path, capsys,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sg_scope_lint.pool.PARALLEL_THRESHOLD", 1)  # use the pool
    monkeypatch.setattr("sg_scope_lint.analysis.solver.PARALLEL_THRESHOLD", 1)
    started = []
    start = WorkerPool.start
    monkeypatch.setattr(WorkerPool, "start", lambda pool: started.append(1) or start(pool))
    # --no-cache: with the cache, the second run would take every analysis from the first.
    runs = [run(capsys, "scan", "examples", "tests/golden/projects", "--format", "json",
                "--no-cache", "--jobs", jobs)[1] for jobs in ("1", "2")]
    assert runs[0] == runs[1]
    assert started, "the --jobs 2 run did not use a pool"


def test_malformed_pyproject_names_its_line(project: Path, capsys) -> None:
    write(project / "pyproject.toml", '[tool.sg-scope-lint]\nexclude = ["a",\n')
    code, _, err = run(capsys, "scan", "src")
    assert code == 2
    assert err.startswith("sg-scope-lint: error: ") and "pyproject.toml:" in err
    assert "malformed TOML" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("text, expected", [
    ('{"scopes": [1, 2', "scopes.json:1: not valid JSON"),
    ('["not", "a", "manifest"]', "not an sg-scope-lint manifest"),
])
def test_malformed_manifest_is_one_line_and_exit_2(project: Path, capsys, text: str,
                                                   expected: str) -> None:
    write(project / "scopes.json", text)
    before = (project / "scopes.json").read_text()
    code, _, err = run(capsys, "manifest", "src", "-o", "scopes.json", "--check")
    assert code == 2
    assert expected in err and len(err.strip().splitlines()) == 1
    assert (project / "scopes.json").read_text() == before


def test_contradictory_flags_are_usage_errors(project: Path, capsys) -> None:
    code, _, err = run(capsys, "manifest", "src", "-o", "-", "--check")
    assert code == 2 and "--check needs a manifest file" in err
    code, _, err = run(capsys, "scan", "src", "--jobs", "0")
    assert code == 2 and "at least 1" in err


def test_stats_say_what_the_scan_cost(in_repo: Path, capsys) -> None:
    code, out, err = run(capsys, "scan", "tests/golden/projects/crossmodule", "--stats",
                         "--no-cache", "--jobs", "1")
    assert code == 0 and "Required scopes" in out
    line = err.strip().splitlines()[-1]
    assert line.startswith("sg-scope-lint: ") and "file(s) read" in line
    assert "files per round: " in line and "at most 1 time(s) one file" in line
