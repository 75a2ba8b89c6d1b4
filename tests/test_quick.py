"""The fast path (`quick.py`): its answers must be the full path's, byte for byte, and it must
step aside whenever the full path could say something else."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sg_scope_lint import quick
from sg_scope_lint.cli import main as full_main

PLAIN = "import os\n\n\ndef handler(event):\n    return os.environ.get('HOME')\n"
APP = "import sendgrid\nsg = sendgrid.SendGridAPIClient()\nsg.client.templates.get()\n"
KEY = "SG." + "a" * 22 + "." + "b" * 43


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def plain_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "src" / "handlers.py", PLAIN)
    write(tmp_path / "src" / "pkg" / "__init__.py", "")
    write(tmp_path / "tools" / "build.py", "print('build')\n")
    write(tmp_path / ".venv" / "lib" / "sendgrid.py", APP)  # skipped folder: never read
    return tmp_path


def full(capsys: pytest.CaptureFixture[str], argv: list[str]) -> quick.Answer:
    code = full_main(argv)
    out, err = capsys.readouterr()
    return quick.Answer(out, err, code)


def same(answer: quick.Answer | None, expected: quick.Answer) -> bool:
    return answer is not None and (answer.stdout, answer.stderr, answer.code) == (
        expected.stdout, expected.stderr, expected.code)


# ---------------------------------------------------------------------------- empty scans


@pytest.mark.parametrize("fmt", ["text", "json", "github", "markdown"])
@pytest.mark.parametrize("pyproject", [None, "[project]\nname = 'x'\n",
                                       "[tool.sg-scope-lint]\n# nothing set yet\n"])
def test_empty_scan_matches_the_full_path(plain_project: Path, capsys, fmt: str,
                                          pyproject: str | None) -> None:
    if pyproject is not None:
        write(plain_project / "pyproject.toml", pyproject)
    argv = ["scan", "src", "tools", "--format", fmt, "--no-cache"]
    answer = quick.empty_scan(argv)
    assert same(answer, full(capsys, argv))


def test_empty_scan_answers_for_its_own_projects_root(plain_project: Path, capsys) -> None:
    """The table of the project being scanned is its settings, not a nested project; a
    nested project's table still hands the run to the full path."""
    write(plain_project / "pyproject.toml", "[tool.sg-scope-lint]\n# nothing set yet\n")
    argv = ["scan", ".", "--no-cache"]
    answer = quick.empty_scan(argv)
    assert answer is not None and same(answer, full(capsys, argv))
    write(plain_project / "tools" / "pyproject.toml", "[tool.sg-scope-lint]\n")
    assert quick.empty_scan(argv) is None


def test_empty_scan_counts_each_file_once(plain_project: Path, capsys) -> None:
    argv = ["scan", ".", "src/handlers.py", "./src", "--format=json", "-j1", "--exclude", "tools"]
    answer = quick.empty_scan(argv)
    assert same(answer, full(capsys, argv))
    text = quick.empty_scan(["scan", ".", "src/handlers.py", "--exclude=tools"])
    assert text is not None and "0 call(s) in 2 file(s)" in text.stdout


@pytest.mark.parametrize("name, change", [
    ("sendgrid in capitals", lambda p: write(p / "src" / "mail.py", "HOST = 'API.SENDGRID.COM'\n")),
    ("annotation", lambda p: write(p / "src" / "a.py", "def f():  # SG_Scope: mail.send\n    pass\n")),
    ("hard-coded key", lambda p: write(p / "src" / "k.py", f"KEY = '{KEY}'\n")),
    ("settings", lambda p: write(p / "pyproject.toml", "[tool.sg-scope-lint]\nexclude = ['x']\n")),
    ("malformed config", lambda p: write(p / "pyproject.toml", "[tool.sg-scope-lint\n")),
])
def test_empty_scan_steps_aside(plain_project: Path, name: str, change) -> None:
    change(plain_project)
    assert quick.empty_scan(["scan", "."]) is None, name


@pytest.mark.parametrize("argv", [
    ["scan", "missing"], ["scan", ".", "--format", "sarif"], ["scan", ".", "--jobs", "0"],
    ["scan", ".", "--baseline", "b.json"], ["scan", "--help"], ["scan", "--", "."],
    ["scan", ".", "--exclude"], ["scan", ".", "--form", "json"], ["manifest", "."],
    ["check", "."], [],
])
def test_empty_scan_leaves_other_arguments_to_the_full_parser(plain_project: Path,
                                                              argv: list[str]) -> None:
    assert quick.empty_scan(argv) is None


def test_unreadable_file_is_the_full_paths_to_report(plain_project: Path) -> None:
    os.symlink(plain_project / "nowhere.py", plain_project / "src" / "dangling.py")
    assert quick.empty_scan(["scan", "src"]) is None


def test_files_checked_in_forked_processes_still_count(plain_project: Path, capsys,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Each process checks every n-th file: a SendGrid file in any share sends the scan to the
    full path."""
    monkeypatch.setattr(quick, "_FILES_PER_PROCESS", 2)
    for number in range(40):
        write(plain_project / "many" / f"m{number:02}.py", PLAIN)
    argv = ["scan", "many", "--jobs", "3", "--format", "json"]
    assert same(quick.empty_scan(argv), full(capsys, argv))
    for share in range(3):  # sorted m00..m39: file `share` goes to process `share`
        target = plain_project / "many" / f"m{share:02}.py"
        target.write_text(APP)
        assert quick.empty_scan(argv) is None, f"share {share}"
        target.write_text(PLAIN)


# -------------------------------------------------------------------------------- replays


@pytest.fixture
def recording(plain_project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Files just written are "racy" (module docstring); these tests record them anyway."""
    monkeypatch.setattr(quick, "RACY_SECONDS", 0)
    write(plain_project / "src" / "app.py", APP)
    return plain_project


def test_rerun_replays_the_recorded_output(recording: Path, capsys) -> None:
    argv = ["scan", "src", "--format", "json"]
    first = full(capsys, argv)
    assert json.loads(first.stdout)["scopes"] == ["templates.read"]
    assert same(quick.replay(argv), first)
    assert quick.replay(["scan", "src"]) is None  # other arguments: another record


@pytest.mark.parametrize("name, change", [
    ("edited file", lambda p: (p / "src" / "app.py").write_text(APP + "sg.send(m)\n")),
    ("new file", lambda p: write(p / "src" / "more.py", PLAIN)),
    ("deleted file", lambda p: (p / "src" / "handlers.py").unlink()),
    ("new config", lambda p: write(p / "pyproject.toml", "[tool.sg-scope-lint]\n")),
    ("package above the scanned folder", lambda p: write(p / "__init__.py", "")),
])
def test_any_change_ends_the_replay(recording: Path, capsys, name: str, change) -> None:
    argv = ["scan", "src", "--format", "json"]
    full(capsys, argv)
    assert quick.replay(argv) is not None
    change(recording)
    assert quick.replay(argv) is None, name


def test_baseline_and_key_config_are_inputs(recording: Path, capsys) -> None:
    write(recording / "keys.yaml", "keys:\n  app:\n    scopes: [templates.read]\n")
    argv = ["check", "src", "--key-config", "keys.yaml"]
    first = full(capsys, argv)
    assert first.code == 0, first.stderr
    assert same(quick.replay(argv), first)
    write(recording / "keys.yaml", "keys:\n  app:\n    scopes: [mail.send]\n")
    assert quick.replay(argv) is None


@pytest.mark.parametrize("argv", [
    ["scan", "src", "--no-cache"], ["scan", "src", "--write-baseline", "b.json"],
    ["manifest", "src"], ["scan", "missing"],
])
def test_runs_that_write_or_fail_are_not_recorded(recording: Path, capsys,
                                                  argv: list[str]) -> None:
    full(capsys, argv)
    assert quick.replay(argv) is None


def test_files_changed_just_before_the_run_are_not_recorded(plain_project: Path,
                                                            capsys) -> None:
    write(plain_project / "src" / "app.py", APP)  # now: within RACY_SECONDS of the run
    argv = ["scan", "src"]
    full(capsys, argv)
    assert quick.replay(argv) is None


def test_damaged_record_is_a_miss(recording: Path, capsys) -> None:
    argv = ["scan", "src"]
    full(capsys, argv)
    path = quick.record_path(quick.project_root(os.getcwd()), argv, os.getcwd())
    Path(path).write_text('{"roots": 1}')
    assert quick.replay(argv) is None


def test_installed_command_replays_without_importing_the_analysis(tmp_path: Path) -> None:
    """The whole process, as pre-commit or an editor runs it twice on an unchanged tree."""
    write(tmp_path / "app.py", APP)
    write(tmp_path / "other.py", PLAIN)
    time.sleep(quick.RACY_SECONDS + 0.1)
    argv = [sys.executable, "-X", "importtime", "-m", "sg_scope_lint", "scan", ".", "--format",
            "json"]
    runs = [subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=120,
                           check=False)
            for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr[-2000:]
    assert runs[0].stdout == runs[1].stdout
    assert json.loads(runs[1].stdout)["scopes"] == ["templates.read"]
    assert "| libcst" in runs[0].stderr
    assert "sg_scope_lint.cli" not in runs[1].stderr and "| libcst" not in runs[1].stderr


def test_a_find_in_one_share_stops_the_others(plain_project: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """No process keeps reading once the answer is known, and none is left behind."""
    monkeypatch.setattr(quick, "_FILES_PER_PROCESS", 2)
    monkeypatch.setattr(quick, "_POLL_EVERY", 1)
    for number in range(60):
        write(plain_project / "many" / f"m{number:02}.py", APP if number == 0 else PLAIN)
    started: list[int] = []
    fork = os.fork

    def counting_fork() -> int:
        pid = fork()
        if pid:
            started.append(pid)
        return pid

    killed: list[int] = []
    kill = os.kill

    def recording_kill(pid: int, signal: int) -> None:
        killed.append(pid)
        kill(pid, signal)

    monkeypatch.setattr(os, "fork", counting_fork)
    monkeypatch.setattr(os, "kill", recording_kill)
    # m00 (the SendGrid file) is this process's first file: its child is stopped, not awaited
    assert quick.empty_scan(["scan", "many", "--jobs", "2"]) is None
    assert len(started) == 1 and killed == started
    with pytest.raises(ChildProcessError):
        os.waitpid(started[0], os.WNOHANG)  # already reaped
