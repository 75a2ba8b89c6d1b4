"""No API key leaves the tool: keys planted in every kind of input are searched for in every
output, in every format, through flake8, and in every file the tool writes.

Each planted key is distinct, so a failure names the input it leaked from. A leak is any 12
characters of a key's hidden part (all but `SG.` and the three characters shown), which also
catches a key echoed in the pieces it was written in.
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sg_scope_lint import quick
from sg_scope_lint.cli import main
from sg_scope_lint.reporters import FORMATS
from sg_scope_lint.reporters.check_report import CHECK_FORMATS
from sg_scope_lint.reporters.markup import code, prose
from sg_scope_lint.secrets import redact

REPO = Path(__file__).resolve().parent.parent
INSTALLED = any(ep.name == "SGS"  # else a local plugin (as tests/test_flake8_plugin.py)
                for ep in importlib.metadata.entry_points(group="flake8.extension"))
FORMAT = "--format=%(row)d:%(col)d: %(code)s %(text)s"


def key(tag: str) -> str:
    """A key-shaped string, with `_` and `-` (Markdown escapes `_`), unique to `tag`."""
    body = (tag + "_-") * 10
    return f"SG.{(body + 'a_b-c' * 5)[:22]}.{(body[::-1] + 'Z_y-X' * 10)[:43]}"


KEYS = {
    "source": key("src"),
    "split": key("splitplus"),
    "adjacent": key("adjacent"),
    "cookie": key("cookie"),
    "annotation": key("annot"),
    "file_name": key("filename"),
    "folder_name": key("folder"),
    "config": key("config"),
    "key_config": key("keyconf"),
    "argument": key("argument"),
    "environment": key("environ"),
}


def leaks(text: str) -> list[str]:
    """The planted keys any 12 hidden characters of which appear in `text`."""
    found = []
    for name, planted in KEYS.items():
        hidden = planted[6:]
        if any(hidden[i:i + 12] in text for i in range(len(hidden) - 11)):
            found.append(name)
    return found


def plant(project: Path) -> None:
    split, adjacent = KEYS["split"], KEYS["adjacent"]
    (project / "app.py").write_text(
        "import sendgrid\n"
        "sg = sendgrid.SendGridAPIClient()\n"
        f"API_KEY = '{KEYS['source']}'\n"
        f"sg.client._('{split[:30]}' + '{split[30:]}').get()\n"
        f"sg.client._('{adjacent[:20]}'\n    '{adjacent[20:50]}' \"{adjacent[50:]}\").post()\n"
        f"sg.client._(name).get()  # sg-scope: {KEYS['annotation']}\n"
        f"def f(client: '{KEYS['annotation']}'): pass\n", encoding="utf-8")
    (project / "cookie.py").write_text(
        f"# -*- coding: {KEYS['cookie']} -*-\nimport sendgrid\n", encoding="utf-8")
    (project / f"{KEYS['file_name']}.py").write_text(
        "import sendgrid\nsendgrid.SendGridAPIClient().client._(x).get()\n", encoding="utf-8")
    folder = project / KEYS["folder_name"]
    folder.mkdir()
    (folder / "mod.py").write_text(
        "import sendgrid\nsendgrid.SendGridAPIClient().send(m)\n", encoding="utf-8")
    (project / "pyproject.toml").write_text(
        f"[tool.sg-scope-lint]\nexclude = ['{KEYS['config']}']\nkey-config = 'key.yaml'\n",
        encoding="utf-8")
    (project / "key.yaml").write_text(
        f"keys:\n  main:\n    scopes: [mail.send]\n  '{KEYS['key_config']}':\n"
        "    scopes: [mail.send]\n", encoding="utf-8")


def written_files(project: Path) -> dict[str, str]:
    texts = {}
    for directory, _, names in os.walk(project):
        for name in names:
            path = Path(directory, name)
            if path.suffix in (".py", ".toml", ".yaml"):
                continue  # the planted inputs themselves
            texts[path.relative_to(project).as_posix()] = path.read_text("utf-8", "replace")
    return texts


RUNS = [
    *(["scan", "--format", fmt] for fmt in sorted(FORMATS)),
    *(["check", "--format", fmt] for fmt in CHECK_FORMATS),
    ["scan", "--write-baseline", "baseline.json"],
    ["check", "--write-baseline", "check-baseline.json"],
    ["manifest", "-o", "manifest.json"],
    ["manifest", "--check", "-o", "manifest.json"],
    ["manifest", "-o", "-"],
    ["scan", "--exclude", KEYS["argument"]],
    ["scan", KEYS["argument"]],  # a path that does not exist: an error naming it
    ["scan", "--format", KEYS["argument"]],  # argparse's usage error
    ["check", "--key-config", KEYS["argument"]],
    ["explain", KEYS["argument"]],
]


def test_no_planted_key_in_any_output_or_written_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    plant(tmp_path)
    time.sleep(quick.RACY_SECONDS + 0.1)  # else runs are not recorded (`quick.save`)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SENDGRID_API_KEY", KEYS["environment"])
    seen = []
    for _ in range(2):  # the second time from the cache and the recorded runs
        for argv in RUNS:
            code = main([*argv])
            out, err = capsys.readouterr()
            seen.append((argv, code, leaks(out), leaks(err)))
    assert [(argv, out, err) for argv, _, out, err in seen if out or err] == []
    assert {code for argv, code, _, _ in seen if argv[0] == "scan"} >= {1, 2}  # it did report
    files = written_files(tmp_path)
    assert any(name.startswith(".sg-scope-lint-cache/runs/") for name in files)
    assert any(name.startswith(".sg-scope-lint-cache/v") for name in files)
    assert {"baseline.json", "manifest.json"} <= set(files)
    assert {name: leaks(text) for name, text in files.items() if leaks(text)} == {}


def test_no_planted_key_through_flake8_or_the_installed_command(tmp_path: Path) -> None:
    plant(tmp_path)
    (tmp_path / "pyproject.toml").unlink()
    local = "" if INSTALLED else (f"[flake8:local-plugins]\nextension =\n"
                                  f"    SGS = sg_scope_lint.flake8_plugin:Plugin\npaths = {REPO}\n")
    (tmp_path / "setup.cfg").write_text(f"[flake8]\nselect = SGS\n{local}", encoding="utf-8")
    environment = {**os.environ, "SENDGRID_API_KEY": KEYS["environment"],
                   "PYTHONPATH": str(REPO)}
    flake8 = subprocess.run([sys.executable, "-m", "flake8", FORMAT, "."], cwd=tmp_path,
                            env=environment, capture_output=True, text=True, timeout=300,
                            check=False)
    assert flake8.stdout.count("SGS") >= 5, flake8.stdout + flake8.stderr
    assert leaks(flake8.stdout + flake8.stderr) == []
    command = subprocess.run(
        [sys.executable, "-m", "sg_scope_lint", "scan", "--format", KEYS["argument"]],
        cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=300,
        check=False)
    assert command.returncode == 2 and "invalid choice" in command.stderr
    assert leaks(command.stdout + command.stderr) == []


@pytest.mark.parametrize("text", [
    f"x('{KEYS['split'][:30]}' + '{KEYS['split'][30:]}')",
    f'x(\\"{KEYS["split"][:9]}\\" \\n \\"{KEYS["split"][9:]}\\")',  # as JSON shows source
    f"x('{KEYS['split'][:40]}'\n     f'{KEYS['split'][40:]}')",
], ids=["added", "json-escaped", "implicit-f-string"])
def test_a_key_in_pieces_is_one_redacted_key(text: str) -> None:
    assert leaks(redact(text)) == []
    assert KEYS["split"][:6] + "…" in redact(text)


def test_markdown_redacts_before_it_escapes() -> None:
    message = f"unknown encoding: {KEYS['cookie']}"
    assert "_" in KEYS["cookie"]
    assert leaks(prose(message)) == [] and leaks(code(message)) == []


def test_redaction_stays_linear_on_long_text() -> None:
    """A 500 kB string of key characters and joins passes in well under a second."""
    started = time.perf_counter()
    redact("a" * 500_000 + "'a' + " * 50_000)
    assert time.perf_counter() - started < 2


def test_an_internal_error_is_exit_2_with_a_redacted_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A bug that raises with a key in its message (a path, a value) never prints the key,
    and exits 2 (an incomplete verdict), not Python's 1 (which reads as findings)."""
    from sg_scope_lint import cli

    monkeypatch.chdir(tmp_path)

    def broken(*args: object) -> int:
        raise ValueError(f"cannot handle {KEYS['source']}")

    monkeypatch.setattr(cli, "_scan", broken)
    assert main(["scan", "--no-cache"]) == 2
    out, err = capsys.readouterr()
    assert "Traceback" in err and "internal error: ValueError" in err
    assert leaks(out + err) == []


def test_a_failure_inside_the_flake8_plugin_is_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    """flake8 prints a plugin's exception as it is given: the plugin redacts it first."""
    import ast

    from sg_scope_lint import engine, flake8_plugin

    def broken(data: bytes, filename: str, ruleset: object) -> None:
        raise ValueError(f"cannot handle {KEYS['source']}")

    monkeypatch.setattr(engine, "scan_source", broken)
    source = "import sendgrid\nsendgrid.SendGridAPIClient().send(m)\n"
    with pytest.raises(RuntimeError) as raised:
        flake8_plugin.Plugin(ast.parse(source), "app.py", source.splitlines(True))
    assert "ValueError: cannot handle SG." in str(raised.value)
    assert leaks(str(raised.value)) == []
