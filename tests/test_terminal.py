"""Terminal manners and small breaks: a closed pipe, colour, the progress counter, the cache
folder that ignores and bounds itself, a subcommand's own usage, a missing rules file."""

from __future__ import annotations

import io
import os
import pty
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sg_scope_lint import cache, cli
from sg_scope_lint.cli import main

APP = ("import sendgrid\nsg = sendgrid.SendGridAPIClient()\n\n\n"
       "def f(name):\n    getattr(sg.client, name).get()\n    sg.send(None)\n")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def command(*argv: str) -> list[str]:
    installed = shutil.which("sg-scope-lint", path=os.path.dirname(sys.executable))
    assert installed, "install the project (pip install -e '.[test]') to run this test"
    return [installed, *argv]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    write(tmp_path / "app.py", APP)
    return tmp_path


def test_a_closed_pipe_ends_the_run_quietly(project: Path) -> None:
    for number in range(300):  # more output than a pipe holds
        write(project / "pkg" / f"m{number:03}.py", APP)
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader (`head`) has gone
    try:
        done = subprocess.run(command("scan", ".", "--no-cache", "--jobs", "1"),
                              cwd=project, stdout=write_end, stderr=subprocess.PIPE, text=True,
                              timeout=300, check=False)
    finally:
        os.close(write_end)
    assert done.stderr == ""
    assert done.returncode == 1


def test_colour_only_at_a_terminal_or_when_forced(project: Path, capsys,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    main(["scan", ".", "--no-cache"])
    assert "\x1b[" not in capsys.readouterr().out  # not a terminal
    monkeypatch.setenv("FORCE_COLOR", "1")
    main(["scan", ".", "--no-cache"])
    out = capsys.readouterr().out
    assert "\x1b[1mapp.py:6:5:\x1b[0m \x1b[33;1mSGS101\x1b[0m cannot resolve" in out
    main(["scan", ".", "--no-cache", "--format", "json"])
    assert "\x1b[" not in capsys.readouterr().out
    monkeypatch.setenv("NO_COLOR", "1")
    main(["scan", ".", "--no-cache"])
    assert "\x1b[" not in capsys.readouterr().out


def test_a_replay_is_recorded_without_colour(project: Path, capsys,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from sg_scope_lint import quick

    monkeypatch.setattr(quick, "RACY_SECONDS", 0)
    monkeypatch.setenv("FORCE_COLOR", "1")
    main(["scan", "."])
    assert "\x1b[" in capsys.readouterr().out
    monkeypatch.delenv("FORCE_COLOR")
    replayed = quick.replay(["scan", "."])
    assert replayed is not None and "SGS101" in replayed.stdout
    assert "\x1b[" not in replayed.stdout


def run_at_a_terminal(project: Path, *argv: str) -> bytes:
    """The command with its stderr on a real terminal (a pseudo-terminal); what it showed."""
    controller, terminal = pty.openpty()
    try:
        subprocess.run(command(*argv), cwd=project, stdout=subprocess.DEVNULL,
                       stderr=terminal, timeout=300, check=False,
                       env={**os.environ, "SG_SCOPE_LINT_FAST_PATH": "0"})
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
        return shown
    finally:
        os.close(controller)


def test_a_short_run_shows_no_progress_counter(project: Path) -> None:
    assert b"analysed" not in run_at_a_terminal(project, "scan", ".", "--no-cache")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_long_run_shows_the_counter_then_clears_it(project: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "PROGRESS_AFTER", 0.0)
    stderr = _Terminal()
    monkeypatch.setattr(sys, "stderr", stderr)
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    main(["scan", ".", "--no-cache"])
    shown = stderr.getvalue()
    assert "\rsg-scope-lint: round 1: analysed 1/1 files" in shown
    assert shown.endswith("\r" + " " * 60 + "\r")


def test_cache_folder_ignores_itself_and_stays_bounded(project: Path, capsys) -> None:
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    main(["scan", "."])
    folder = project / cache.CACHE_DIRECTORY
    assert (folder / ".gitignore").read_text().endswith("*\n")
    assert (folder / "CACHEDIR.TAG").read_text().startswith(
        "Signature: 8a477f597d28d172789f06886806bc55")
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"],
                            cwd=project, capture_output=True, text=True, check=True).stdout
    assert cache.CACHE_DIRECTORY not in status
    old = write(folder / "v1" / "ab" / "old.json", "{}")
    stale = write(folder / f"v{cache._FORMAT}" / "cd" / "stale.json", "{}")
    month_ago = time.time() - 30 * 24 * 3600
    os.utime(stale, (month_ago, month_ago))
    os.utime(folder / ".pruned", (month_ago, month_ago))  # last pruned long ago
    kept = sorted(p for p in folder.rglob("*.json") if p not in (old, stale))
    assert kept
    main(["scan", ".", "--no-cache"])  # a run that leaves the cache alone does not prune it
    assert old.exists()
    write(project / "other.py", APP)
    main(["scan", "."])
    assert not old.exists() and not (folder / "v1").exists() and not stale.exists()
    assert all(path.exists() for path in kept)


def test_an_unknown_option_shows_the_subcommands_usage(project: Path, capsys) -> None:
    assert main(["check", "--frobnicate"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: sg-scope-lint check ")
    assert "sg-scope-lint check: error: unrecognized arguments: --frobnicate" in err


def test_validating_a_missing_rules_file_is_one_line(project: Path, capsys) -> None:
    assert main(["rules", "validate", "nope.yaml"]) == 2
    out, err = capsys.readouterr()
    assert err == "sg-scope-lint: error: nope.yaml: no such file\n" and out == ""
