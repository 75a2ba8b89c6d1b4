"""One code system in every command: `# noqa` as flake8 reads it, `--select`/`--ignore` (and
their settings), `--exit-zero`, `--quiet`, `--output-file`, a code on every finding line,
findings in file, line and column order, and `explain SGSxxx`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sg_scope_lint.cli import main

APP = """\
import sendgrid

sg = sendgrid.SendGridAPIClient()


def notify(name, tid):
    getattr(sg.client, name).get(){unresolved}
    sg.client.no_such_thing.get(){unknown}
    return sg.client.templates._(tid).get(){missing}
"""
KEY = "SG." + "a" * 22 + "." + "b" * 43


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([*argv, "--no-cache"]) if argv[0] in ("scan", "check", "manifest") else main(
        list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def app(unresolved: str = "", unknown: str = "", missing: str = "") -> str:
    return APP.format(unresolved=unresolved, unknown=unknown, missing=missing)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "app.py", app())
    write(tmp_path / "key.yaml", "version: 1\nscopes: [mail.send]\n")
    return tmp_path


def codes(out: str) -> list[str]:
    return re.findall(r"^\S+:\d+(?::\d+)?: (SGS\d{3}) ", out, re.MULTILINE)


def test_every_finding_line_carries_its_code(project: Path, capsys) -> None:
    write(project / "broken.py", "import sendgrid\ndef f(:\n")
    write(project / "keyed.py", f"KEY = '{KEY}'\n")
    code, out, _ = run(capsys, "scan", ".")
    assert code == 1
    findings = [line for line in out.splitlines() if line and " -> " not in line
                and not line.startswith(("Required scopes", "2 call(s)", "1 call(s)"))]
    assert len(findings) == 4 and len(codes(out)) == 4, out
    assert codes(out) == ["SGS101", "SGS102", "SGS001", "SGS002"]  # app, app, broken, keyed


def test_check_lists_findings_by_file_line_and_column(project: Path, capsys) -> None:
    write(project / "a_first.py", "import sendgrid\nsendgrid.SendGridAPIClient().client"
                                  ".suppression.bounces.get()\n")
    write(project / "key.yaml", "version: 1\nscopes:\n  - mail.send\n  - templates.raed\n")
    code, out, _ = run(capsys, "check", ".", "--key-config", "key.yaml")
    assert code == 1
    places = re.findall(r"^(\S+?):(\d+)(?::(\d+))?: SGS", out, re.MULTILINE)
    keyed = [(file, int(line), int(col or 0)) for file, line, col in places]
    assert keyed == sorted(keyed) and len(keyed) == 5, out
    assert [file for file, _, _ in keyed] == ["a_first.py", "app.py", "app.py", "app.py",
                                                "key.yaml"]


@pytest.mark.parametrize("comment, hidden", [
    ("  # noqa", {"SGS101", "SGS102", "SGS201"}),
    ("  # noqa: SGS101", {"SGS101"}),
    ("  # NOQA:SGS1", {"SGS101", "SGS102"}),
    ("  # noqa: SGS2", {"SGS201"}),
    ("  # noqa: E501", set()),
])
def test_noqa_is_honoured_alike_by_scan_check_manifest_and_flake8(
        project: Path, capsys, comment: str, hidden: set[str]) -> None:
    write(project / "app.py", app(comment, comment, comment))
    everything = {"SGS101", "SGS102", "SGS201"}
    _, out, _ = run(capsys, "scan", ".")
    assert set(codes(out)) == everything - hidden - {"SGS201"}
    _, out, _ = run(capsys, "check", ".", "--key-config", "key.yaml")
    assert set(codes(out)) - {"SGS203"} == everything - hidden
    assert run(capsys, "manifest", ".")[0] == 0
    manifest = json.loads((project / "sendgrid-scopes.json").read_text())
    assert bool(manifest["unresolved"]) is ("SGS101" not in hidden)
    assert bool(manifest["unknown"]) is ("SGS102" not in hidden)
    write(project / "setup.cfg", "[flake8]\nsg-key-config = key.yaml\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-m", "flake8", "--select", "SGS", "app.py"],
                          cwd=project, env=env, capture_output=True, text=True, check=False)
    assert set(codes(done.stdout)) == everything - hidden, done.stderr


def test_noqa_does_not_hide_a_hard_coded_key(project: Path, capsys) -> None:
    write(project / "keyed.py", f"KEY = '{KEY}'  # noqa\n")
    code, out, _ = run(capsys, "scan", "keyed.py")
    assert code == 1 and codes(out) == ["SGS002"]


def test_select_and_ignore_from_the_command_line_and_the_settings(project: Path, capsys) -> None:
    assert codes(run(capsys, "scan", ".", "--select", "SGS1")[1]) == ["SGS101", "SGS102"]
    assert codes(run(capsys, "scan", ".", "--select", "SGS1", "--ignore", "SGS102")[1]) == [
        "SGS101"]
    code, out, _ = run(capsys, "scan", ".", "--ignore", "sgs101,SGS102")
    assert code == 0 and codes(out) == []
    write(project / "pyproject.toml", '[tool.sg-scope-lint]\nignore = ["SGS102"]\n')
    assert codes(run(capsys, "scan", ".")[1]) == ["SGS101"]
    _, out, _ = run(capsys, "check", ".", "--key-config", "key.yaml", "--select", "SGS201")
    assert codes(out) == ["SGS201"]


def test_unknown_code_is_one_clear_line(project: Path, capsys) -> None:
    code, _, err = run(capsys, "scan", ".", "--select", "SGS9")
    assert code == 2 and "'SGS9' is not a code or the start of one" in err
    write(project / "pyproject.toml", '[tool.sg-scope-lint]\nselect = ["E501"]\n')
    code, _, err = run(capsys, "scan", ".")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "pyproject.toml:2: tool.sg-scope-lint.select: 'E501' is not a code" in err


def test_exit_zero_quiet_and_output_file(project: Path, capsys) -> None:
    code, out, _ = run(capsys, "scan", ".", "--exit-zero")
    assert code == 0 and codes(out) == ["SGS101", "SGS102"]
    code, out, _ = run(capsys, "check", ".", "--key-config", "key.yaml", "--exit-zero")
    assert code == 0 and "SGS201" in out
    code, out, _ = run(capsys, "scan", ".", "--quiet")
    assert code == 1 and out.splitlines() == [
        line for line in out.splitlines() if re.match(r"app\.py:\d+:\d+: SGS1", line)]
    assert len(out.splitlines()) == 2
    code, out, _ = run(capsys, "check", ".", "--key-config", "key.yaml", "-q")
    assert code == 1 and codes(out) == ["SGS101", "SGS102", "SGS201"]
    assert len(out.splitlines()) == 3
    code, out, _ = run(capsys, "scan", ".", "--format", "json", "--output-file", "out/r.json")
    assert code == 1 and out == ""
    assert len(json.loads((project / "out" / "r.json").read_text())["unresolved"]) == 1


def test_explain_a_code_prints_its_docs(capsys) -> None:
    code, out, _ = run(capsys, "explain", "SGS201")
    assert code == 0
    assert out.startswith("SGS201 scope-not-granted\n")
    assert "What it does." in out and "Why is this bad." in out
    code, out, _ = run(capsys, "explain", "sgs101", "--format", "json")
    assert json.loads(out)["code"] == "SGS101"
    code, _, err = run(capsys, "explain", "SGS999")
    assert code == 2 and "'SGS999' is not a code" in err
