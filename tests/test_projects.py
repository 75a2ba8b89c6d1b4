"""What a run scans and which project it answers for, in real git repositories: files git
ignores and folders of installed packages change nothing, and each project of a monorepo gets
the same answer from the top of the repository, from inside it, and through flake8."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sg_scope_lint import quick
from sg_scope_lint.cli import main

MAIL = "import sendgrid\nsg = sendgrid.SendGridAPIClient()\nsg.send(None)\n"
TEMPLATES = ("import sendgrid\nsg = sendgrid.SendGridAPIClient()\n"
             "sg.client.templates._('t').get()\n")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
           "GIT_CONFIG_NOSYSTEM": "1", "HOME": os.fspath(repo)}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def scopes(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    code, out, err = run(capsys, "scan", *argv, "--format", "json", "--no-cache")
    assert code in (0, 1), err
    return json.loads(out)["scopes"]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An app in git: `app.py` sends mail; a git-ignored scratch file reads templates."""
    root = tmp_path / "repo"
    write(root / "app.py", MAIL)
    write(root / ".gitignore", "scratch/\n")
    write(root / "scratch" / "try.py", TEMPLATES)
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "app")
    monkeypatch.chdir(root)
    return root


# ------------------------------------------------------------------------ what is scanned


def test_git_ignored_file_changes_nothing(repo: Path, capsys) -> None:
    assert scopes(capsys, ".") == ["mail.send"]
    assert scopes(capsys) == ["mail.send"]  # the default: the project
    write(repo / "untracked.py", TEMPLATES)  # untracked but not ignored: part of the work
    assert scopes(capsys, ".") == ["mail.send", "templates.read"]


def test_git_ignored_file_kept_out_of_manifest_and_check(repo: Path, capsys) -> None:
    write(repo / "key.yaml", "version: 1\nscopes: [mail.send]\n")
    code, _, err = run(capsys, "check", "--key-config", "key.yaml", "--no-cache")
    assert code == 0, err
    assert run(capsys, "manifest", "--no-cache")[0] == 0
    manifest = json.loads((repo / "sendgrid-scopes.json").read_text())
    assert list(manifest["scopes"]) == ["mail.send"]


def test_no_respect_gitignore_scans_ignored_files(repo: Path, capsys) -> None:
    assert scopes(capsys, ".", "--no-respect-gitignore") == ["mail.send", "templates.read"]
    write(repo / "pyproject.toml", "[tool.sg-scope-lint]\nrespect-gitignore = false\n")
    assert scopes(capsys, ".") == ["mail.send", "templates.read"]


def test_naming_an_ignored_or_excluded_folder_says_so(repo: Path, capsys) -> None:
    _, out, err = run(capsys, "scan", "scratch", "--no-cache")
    assert "0 file(s)" in out
    assert "warning: nothing to scan in scratch: git ignores its files" in err
    write(repo / "shop" / "jobs" / "job.py", TEMPLATES)
    _code, out, err = run(capsys, "scan", "shop/jobs", "--exclude", "./shop/jobs", "--no-cache")
    assert "0 file(s)" in out
    assert "nothing to scan in shop/jobs: it is excluded by the pattern" in err


def test_dot_slash_exclude_matches(repo: Path, capsys) -> None:
    write(repo / "shop" / "jobs" / "job.py", TEMPLATES)
    assert scopes(capsys, ".") == ["mail.send", "templates.read"]
    assert scopes(capsys, ".", "--exclude", "./shop/jobs") == ["mail.send"]
    assert scopes(capsys, ".", "--exclude", "shop/jobs/") == ["mail.send"]


def installed_packages(folder: Path) -> None:
    """`pip install -t lib sendgrid`: the wheel's code and tests beside its `.dist-info`."""
    write(folder / "sendgrid-6.11.0.dist-info" / "METADATA", "Name: sendgrid\n")
    write(folder / "sendgrid" / "__init__.py", "")
    write(folder / "sendgrid" / "tests" / "test_templates.py", TEMPLATES)


@pytest.mark.parametrize("in_git", [True, False], ids=["git", "no-git"])
def test_installed_packages_are_skipped_and_said_once(tmp_path: Path, capsys,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      in_git: bool) -> None:
    root = tmp_path / "lambda"
    write(root / "handler.py", MAIL)
    installed_packages(root / "lib")
    write(root / "venv2" / "pyvenv.cfg", "home = /usr\n")
    write(root / "venv2" / "x.py", TEMPLATES)
    if in_git:
        git(root, "init", "-q")
    monkeypatch.chdir(root)
    _code, out, err = run(capsys, "scan", ".", "--no-cache")
    assert "Required scopes (1): mail.send" in out
    assert err.count("note: skipped installed packages or virtualenvs: lib, venv2") == 1
    # Named on its own, the folder is scanned.
    assert scopes(capsys, "lib") == ["templates.read"]


def test_fast_path_agrees_with_the_full_path(repo: Path, capsys) -> None:
    """The empty scan and the replay see the same files as discovery: ignored ones not at
    all, so a SendGrid file there does not send the scan to the full path."""
    (repo / "app.py").write_text("print('no mail')\n")
    installed_packages(repo / "lib")
    argv = ["scan", ".", "--format", "json"]
    assert quick.empty_scan(argv) is None  # the note is the full path's to print
    (repo / ".gitignore").write_text("scratch/\nlib/\n")
    answer = quick.empty_scan(argv)
    code = main(argv)
    out, err = capsys.readouterr()
    assert answer is not None and (answer.stdout, answer.stderr, answer.code) == (out, err, code)
    assert quick.empty_scan([*argv, "--no-respect-gitignore"]) is None


def test_replay_sees_a_newly_unignored_file(repo: Path, capsys,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(quick, "RACY_SECONDS", 0)
    argv = ["scan", ".", "--format", "json"]
    first = run(capsys, *argv)
    replayed = quick.replay(argv)
    assert replayed is not None and replayed.stdout == first[1]
    (repo / ".gitignore").write_text("")
    assert quick.replay(argv) is None


# ------------------------------------------------------------------ the project is the unit


def test_exclude_and_manifest_are_anchored_to_the_project(repo: Path, capsys,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    write(repo / "pyproject.toml", '[tool.black]\nexclude = "x"\n\n'
                                   '[tool.sg-scope-lint]\nexclude = ["shop/jobs"]\n')
    write(repo / "shop" / "jobs" / "job.py", TEMPLATES)
    write(repo / "shop" / "views.py", MAIL)
    monkeypatch.chdir(repo / "shop")
    assert scopes(capsys, ".") == ["mail.send"]
    assert run(capsys, "manifest", "--no-cache")[0] == 0
    assert not (repo / "shop" / "sendgrid-scopes.json").exists()
    manifest = json.loads((repo / "sendgrid-scopes.json").read_text())
    assert manifest["scopes"]["mail.send"]["files"] == ["app.py", "shop/views.py"]


def test_config_error_names_the_line_in_its_own_table(repo: Path, capsys) -> None:
    write(repo / "pyproject.toml", '[tool.black]\nexclude = "x"\n\n'
                                   '[tool.sg-scope-lint]\nexclude = "shop"\n')
    code, _, err = run(capsys, "scan", ".")
    assert code == 2
    assert "pyproject.toml:5: tool.sg-scope-lint.exclude: must be a list" in err


SHOP_RULE = """\
version: 1
rules:
  - id: shop-orders
    method: GET
    path: /v3/shop_orders
    scopes: [templates.read]
    source: https://example.com/shop
"""
MAILER_RULE = SHOP_RULE.replace("shop", "mailer").replace("templates.read", "stats.read")


@pytest.fixture
def monorepo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two projects, each with its own pyproject.toml, key config, custom rule and manifest;
    each one's code calls the endpoint only its own rule covers."""
    root = tmp_path / "mono"
    for name, rule in (("shop", SHOP_RULE), ("mailer", MAILER_RULE)):
        project = root / "services" / name
        write(project / "pyproject.toml", f"""\
            [project]
            name = "{name}"

            [tool.sg-scope-lint]
            key-config = "keys/sendgrid.yaml"
            rules = ["sendgrid-rules.yaml"]
            manifest = "scopes.json"
            """)
        write(project / "sendgrid-rules.yaml", rule)
        write(project / "keys" / "sendgrid.yaml", "version: 1\nscopes: [mail.send]\n")
        write(project / "app.py", f"""\
            import sendgrid

            sg = sendgrid.SendGridAPIClient()


            def run(message):
                sg.send(message)
                return sg.client.{name}_orders.get()
            """)
    # Neither a git-ignored scratch file nor a vendored package folder changes any answer.
    write(root / ".gitignore", "scratch/\n")
    write(root / "services" / "shop" / "scratch" / "try.py", TEMPLATES.replace(
        "templates._('t')", "suppression.bounces"))
    installed_packages(root / "services" / "mailer" / "lib")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "two projects")
    monkeypatch.chdir(root)
    return root


def check_lines(capsys, *argv: str) -> tuple[int, list[str]]:
    code, out, _err = run(capsys, "check", *argv, "--no-cache")
    # The same finding, shown from the working folder: `services/shop/app.py` or `app.py`.
    return code, sorted(line.replace("services/shop/", "") for line in out.splitlines()
                        if line.startswith(("services/shop/app.py:", "app.py:")))


def test_each_project_answers_the_same_from_anywhere(monorepo: Path, capsys,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    shop = monorepo / "services" / "shop"
    from_root = check_lines(capsys, "services/shop")
    from_file = check_lines(capsys, "services/shop/app.py")
    named_key = check_lines(capsys, "services/shop", "--key-config",
                            "services/shop/keys/sendgrid.yaml")
    monkeypatch.chdir(shop)
    from_project = check_lines(capsys)
    assert from_root[0] == from_project[0] == from_file[0] == named_key[0] == 1
    assert from_root[1] == from_file[1] == from_project[1] == named_key[1]
    assert from_root[1] == [("app.py:8:12: SGS201 `GET /v3/shop_orders` needs `templates.read`, "
                             "not in keys/sendgrid.yaml")]


def test_scan_from_the_top_applies_each_projects_rules(monorepo: Path, capsys) -> None:
    _code, out, err = run(capsys, "scan", "--format", "json", "--no-cache")
    data = json.loads(out)
    assert data["unknown"] == [], err
    assert data["scopes"] == ["mail.send", "stats.read", "templates.read"]


def test_check_from_the_top_checks_each_project_against_its_key(monorepo: Path,
                                                                 capsys) -> None:
    code, out, _ = run(capsys, "check", "--no-cache")
    assert code == 1
    assert [line for line in out.splitlines() if ": SGS" in line] == [
        ("services/mailer/app.py:8:12: SGS201 `GET /v3/mailer_orders` needs `stats.read`, not "
         "in services/mailer/keys/sendgrid.yaml"),
        ("services/shop/app.py:8:12: SGS201 `GET /v3/shop_orders` needs `templates.read`, not "
         "in services/shop/keys/sendgrid.yaml"),
    ]


def test_manifest_from_the_top_writes_each_projects_own(monorepo: Path, capsys) -> None:
    assert run(capsys, "manifest", "--no-cache")[0] == 0
    for name, scope in (("shop", "templates.read"), ("mailer", "stats.read")):
        manifest = json.loads((monorepo / "services" / name / "scopes.json").read_text())
        assert list(manifest["scopes"]) == ["mail.send", scope]
        assert manifest["scopes"][scope]["files"] == ["app.py"]
    assert not (monorepo / "sendgrid-scopes.json").exists()


def test_flake8_on_one_file_uses_its_projects_settings(monorepo: Path) -> None:
    """Run at the top of the repository, as an editor does."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "SGS", "services/shop/app.py"],
        cwd=monorepo, env=env, capture_output=True, text=True, check=False)
    assert result.stdout.splitlines() == [
        ("services/shop/app.py:8:12: SGS201 `GET /v3/shop_orders` needs `templates.read`, not in "
        "services/shop/keys/sendgrid.yaml")], result.stderr
