"""The hooks in .pre-commit-hooks.yaml, run by the real `pre-commit try-repo` in temporary repos.

`try-repo` installs the hook repository (a committed copy of this checkout, uncommitted edits
included) into a fresh virtualenv with pip, so these tests need the package index or a pip
cache (CI reaches the index). They are marked `precommit`: `pytest -m "not precommit"` skips
them. The README test at the end needs neither.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sg_scope_lint.cli import main

REPO = Path(__file__).resolve().parent.parent
HOOKS = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
HOOK_IDS = [hook["id"] for hook in HOOKS]
GIT_IDENTITY = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}

SEND_ONLY = """\
import sendgrid

sg = sendgrid.SendGridAPIClient()


def welcome(message):
    return sg.send(message)
"""
WITH_TEMPLATES = SEND_ONLY + """

def template(template_id):
    return sg.client.templates._(template_id).get()
"""


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, env={**os.environ, **GIT_IDENTITY},
                          capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A committed copy of this checkout as it is on disk, and its commit."""
    pytest.importorskip("pre_commit")
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs git and a git checkout of sg-scope-lint")
    copy = tmp_path_factory.mktemp("hook-repo")
    listed = git(REPO, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    git(copy, "init", "-q")
    git(copy, "add", "-A")
    git(copy, "commit", "-q", "-m", "hook repository under test")
    return copy, git(copy, "rev-parse", "HEAD").strip()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repo whose manifest and key config are right for SEND_ONLY, then a new call is added."""
    monkeypatch.chdir(tmp_path)
    git(tmp_path, "init", "-q")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.sg-scope-lint]\nkey-config = "sendgrid-key.yaml"\n')
    (tmp_path / "sendgrid-key.yaml").write_text("scopes: [mail.send]\n")
    (tmp_path / "app.py").write_text(SEND_ONLY)
    assert main(["manifest"]) == 0
    (tmp_path / "app.py").write_text(WITH_TEMPLATES)
    git(tmp_path, "add", "-A")
    return tmp_path


@pytest.fixture
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """PRE_COMMIT_HOME: pre-commit's logs and caches stay out of the user's home."""
    return tmp_path_factory.mktemp("pre-commit-home")


def try_repo(hook_repo: tuple[Path, str], hook_id: str, project: Path,
             home: Path) -> subprocess.CompletedProcess[str]:
    repo, ref = hook_repo
    env = {**os.environ, **GIT_IDENTITY, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(repo), hook_id, "--ref", ref,
         "--all-files"],
        cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.precommit
def test_check_hook_fails_on_a_missing_scope_and_passes_after_the_fix(
        hook_repo: tuple[Path, str], project: Path, home: Path) -> None:
    failed = try_repo(hook_repo, "sg-scope-lint-check", project, home)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "templates.read" in failed.stdout
    # The fix: grant the scope in the key config.
    (project / "sendgrid-key.yaml").write_text("scopes: [mail.send, templates.read]\n")
    git(project, "add", "-A")
    passed = try_repo(hook_repo, "sg-scope-lint-check", project, home)
    assert passed.returncode == 0, passed.stdout + passed.stderr


@pytest.mark.precommit
def test_manifest_hook_rewrites_a_stale_manifest_then_passes(
        hook_repo: tuple[Path, str], project: Path, home: Path) -> None:
    failed = try_repo(hook_repo, "sg-scope-lint-manifest", project, home)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "files were modified by this hook" in failed.stdout
    assert "templates.read" in (project / "sendgrid-scopes.json").read_text()
    git(project, "add", "-A")
    passed = try_repo(hook_repo, "sg-scope-lint-manifest", project, home)
    assert passed.returncode == 0, passed.stdout + passed.stderr


@pytest.mark.precommit
def test_hooks_leave_a_git_ignored_file_alone(
        hook_repo: tuple[Path, str], project: Path, home: Path) -> None:
    """A scratch file git ignores needs a scope the key lacks: neither hook may notice it."""
    (project / "sendgrid-key.yaml").write_text("scopes: [mail.send, templates.read]\n")
    assert main(["manifest", "--no-cache"]) == 0
    (project / ".gitignore").write_text("scratch/\n")
    (project / "scratch").mkdir()
    (project / "scratch" / "try.py").write_text(SEND_ONLY + "\nsg.client.stats.get()\n")
    git(project, "add", "-A")
    manifest = (project / "sendgrid-scopes.json").read_text()
    for hook_id in HOOK_IDS:
        done = try_repo(hook_repo, hook_id, project, home)
        assert done.returncode == 0, hook_id + done.stdout + done.stderr
    assert (project / "sendgrid-scopes.json").read_text() == manifest


# ------------------------------------------------------------------ without pre-commit


@pytest.mark.parametrize("hook", HOOKS, ids=HOOK_IDS)
def test_hooks_check_the_whole_repository_once(hook: dict[str, object]) -> None:
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert hook["require_serial"] is True
    assert str(hook["entry"]).startswith("sg-scope-lint ")


def test_readme_names_every_hook_id() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [hook_id for hook_id in HOOK_IDS if f"id: {hook_id}" not in readme]
    assert missing == [], f"add these hook ids to README.md: {missing}"


def test_readme_pre_commit_config_uses_real_hook_ids() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(# \.pre-commit-config\.yaml\n.*?)```", readme, re.DOTALL)
    assert block, "README.md needs a ```yaml block starting with '# .pre-commit-config.yaml'"
    config = yaml.safe_load(block.group(1))
    used = [hook["id"] for repo in config["repos"] for hook in repo["hooks"]]
    assert sorted(used) == sorted(HOOK_IDS)
