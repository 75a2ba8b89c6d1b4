"""Caches and run records save work and never decide a finding: a committed, crafted, foreign
or hostile cache folder changes nothing the tool reports, and never crashes or stalls it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sg_scope_lint import sealed
from sg_scope_lint.cache import CACHE_DIRECTORY, AnalysisCache
from sg_scope_lint.cli import main

APP = "import sendgrid\nsg = sendgrid.SendGridAPIClient()\nsg.send({})\n"
KEY = "scopes:\n  - templates.read\n"


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                          cwd=cwd, check=True, capture_output=True, text=True).stdout


def command(cwd: Path, user_cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed command, as CI or a developer's machine (`user_cache`: whose secret)."""
    environment = {**os.environ, sealed.SECRET_ENVIRONMENT: str(user_cache),
                   "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    return subprocess.run([sys.executable, "-m", "sg_scope_lint", *args], cwd=cwd,
                          env=environment, capture_output=True, text=True, timeout=300,
                          check=False)


def entries(project: Path) -> list[Path]:
    """The analysis entries of the cache folder (not the imports beside them)."""
    folder = project / CACHE_DIRECTORY
    return sorted(p for p in folder.glob("v*/*/*.json"))


def hide_calls(project: Path, user_cache: Path) -> None:
    """Craft the cache as an attacker would: every analysis entry emptied of its calls, every
    run record answering a clean `check`, all sealed with the attacker's own secret."""
    top = project / CACHE_DIRECTORY
    saved = os.environ.get(sealed.SECRET_ENVIRONMENT)
    os.environ[sealed.SECRET_ENVIRONMENT] = str(user_cache)
    try:
        folder = sealed.Folder(str(top))
        for path in [*entries(project), *top.glob("runs/*.json")]:
            relative = path.relative_to(top).as_posix()
            data = json.loads(folder.read(relative) or "null")
            if "calls" in data:
                data["calls"] = {"__tuple__": []}
            else:
                data["stdout"], data["code"] = "crafted: all good\n", 0
            folder.write(relative, json.dumps(data))
    finally:
        if saved is None:
            del os.environ[sealed.SECRET_ENVIRONMENT]
        else:
            os.environ[sealed.SECRET_ENVIRONMENT] = saved


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_committed_crafted_cache_cannot_hide_a_call_from_check_in_ci(tmp_path: Path) -> None:
    attacker, ci = tmp_path / "attacker-home", tmp_path / "ci-home"
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "app.py").write_text(APP)
    (repo / "key.yaml").write_text(KEY)
    git(repo, "init", "-q")
    honest = command(repo, attacker, "check", "--key-config", "key.yaml")
    assert honest.returncode == 1 and "mail.send" in honest.stdout, honest.stderr
    assert entries(repo)
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == (
        "?? app.py\n?? key.yaml\n")  # the cache folder ignores itself

    hide_calls(repo, attacker)
    time.sleep(1.1)
    fooled = command(repo, attacker, "check", "--key-config", "key.yaml", "--no-cache")
    assert fooled.returncode == 1  # without the cache the call is there...
    (repo / "app.py").touch()  # no replay of the crafted record: the entries alone must do it
    crafted = command(repo, attacker, "check", "--key-config", "key.yaml")
    assert crafted.returncode == 0, crafted.stdout  # ...and the crafted entries do hide it here

    git(repo, "add", "-f", ".")
    git(repo, "commit", "-qm", "cache")
    checkout = tmp_path / "checkout"
    git(tmp_path, "clone", "-q", str(repo), str(checkout))
    assert entries(checkout)
    runs = [command(checkout, ci, "check", "--key-config", "key.yaml") for _ in range(2)]
    for run in runs:
        assert run.returncode == 1 and "mail.send" in run.stdout
    warnings = [line for line in runs[0].stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "was not written by sg-scope-lint" in warnings[0]
    assert "warning" not in runs[1].stderr  # claimed and rewritten by the first run


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "key.yaml").write_text(KEY)
    return tmp_path


def check(capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["check", "--key-config", "key.yaml", "--format", "json"])
    out, err = capsys.readouterr()
    return code, out, err


def deep(depth: int) -> str:
    return "[" * depth + "]" * depth


HOSTILE = {
    "deep-json": lambda: deep(200_000),
    "huge-int": lambda: '{"calls": ' + "9" * 5000 + "}",
    "wrong-types": lambda: json.dumps({"__type__": "ModuleAnalysis", "calls": 5, "imports": {}}),
    "unknown-class": lambda: json.dumps({"__type__": "os.system"}),
    "not-json": lambda: "\xff\x00{",
}


def retyped(project: Path) -> None:
    """Every analysis entry with its line numbers turned into strings, sealed anew: a valid
    seal and a valid shape, wrong field types."""
    top = project / CACHE_DIRECTORY
    folder = sealed.Folder(str(top))
    for path in entries(project):
        relative = path.relative_to(top).as_posix()
        text = folder.read(relative)
        assert text is not None and '"line":' in text
        folder.write(relative, re.sub(r'"line":(\d+)', r'"line":"\1"', text))


def test_entries_with_wrong_field_types_are_misses(project: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    expected = check(capsys)
    retyped(project)
    assert check(capsys)[:2] == expected[:2]
    store = AnalysisCache(project)
    retyped(project)
    for path in entries(project):
        assert store.get(path.stem) is None


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_entries_sealed_with_our_own_secret_are_misses(
        kind: str, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Even an entry that passes the seal (written by a bug, or by this user) is only a miss
    when it does not decode: the rules cache, the analysis entries and the run records."""
    expected = check(capsys)
    assert expected[0] == 1
    folder = sealed.Folder(str(project / CACHE_DIRECTORY))
    top = project / CACHE_DIRECTORY
    targets = [*entries(project), *top.glob("rules/*.json"), *top.glob("v*/imports/*/*")]
    assert len(targets) >= 3
    for path in targets:
        folder.write(path.relative_to(top).as_posix(), HOSTILE[kind]())
    assert check(capsys)[:2] == expected[:2]


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "huge", "folder-link"])
def test_entries_that_are_not_regular_files_are_never_read(
        kind: str, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = check(capsys)
    paths = entries(project)
    for path in paths:
        path.unlink()
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "dev-zero":
            os.symlink("/dev/zero", path)
        elif kind == "huge":
            with open(path, "wb") as stream:
                stream.truncate(sealed._MAX_ENTRY + 1)
    if kind == "folder-link":  # a planted link out of the cache: never written through
        outside = project.parent / f"{project.name}-outside"
        outside.mkdir()
        for folder in {p.parent for p in paths}:
            shutil.rmtree(folder)
            os.symlink(outside, folder)
    started = time.monotonic()
    assert check(capsys)[:2] == expected[:2]
    assert time.monotonic() - started < 60
    if kind == "folder-link":
        assert list(outside.iterdir()) == []


def test_cache_folder_ignores_itself_and_is_tagged(project: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    check(capsys)
    top = project / CACHE_DIRECTORY
    assert (top / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (top / "CACHEDIR.TAG").read_text().startswith(
        "Signature: 8a477f597d28d172789f06886806bc55")


def test_a_cache_folder_that_is_a_link_is_never_pruned_through(
        project: Path, tmp_path_factory: pytest.TempPathFactory,
        capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path_factory.mktemp("outside")
    old = outside / "v1" / "keep.py"
    old.parent.mkdir()
    old.write_text("x = 1\n")
    other = outside / "notes.txt"
    other.write_text("mine\n")
    month_ago = time.time() - 30 * 24 * 3600
    for path in (old, other):
        os.utime(path, (month_ago, month_ago))
    os.symlink(outside, project / CACHE_DIRECTORY)
    check(capsys)
    assert old.exists() and other.exists()
    assert sorted(p.name for p in outside.iterdir()) == ["notes.txt", "v1"]


def test_a_failing_cache_write_leaves_no_temporary_file(
        project: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    def no_space(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_space)
    assert check(capsys)[0] == 1
    monkeypatch.undo()
    left = [p for p in (project / CACHE_DIRECTORY).rglob("*") if p.name.endswith(".tmp")]
    assert left == []


def test_without_a_place_for_the_secret_nothing_is_cached(
        project: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = project / "blocked"
    blocked.write_text("a file where the folder should be")
    monkeypatch.setenv(sealed.SECRET_ENVIRONMENT, str(blocked))
    assert check(capsys)[0] == 1
    assert not (project / CACHE_DIRECTORY / "v4").exists()


def test_a_crafted_rules_entry_cannot_rewrite_a_rules_scopes(
        project: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The validated-rules cache sits at a predictable path: an entry sealed by anyone else
    that says `POST /v3/mail/send` needs no scope is never read."""
    expected = check(capsys)
    assert "mail.send" in expected[1]
    top = project / CACHE_DIRECTORY
    (entry,) = top.glob("rules/*.json")
    relative = entry.relative_to(top).as_posix()
    data = json.loads(sealed.Folder(str(top)).read(relative) or "null")
    for rule in data["rules"]:
        rule["scopes"] = []
    monkeypatch.setenv(sealed.SECRET_ENVIRONMENT, str(project / "attacker"))
    sealed.Folder(str(top)).write(relative, json.dumps(data))
    assert "mail.send" not in check(capsys)[1]  # the attacker's own runs believe it...
    monkeypatch.undo()
    monkeypatch.chdir(project)
    assert check(capsys)[:2] == expected[:2]  # ...this user's do not
