"""Bad scanned files each give one clear line with file and line, never a traceback, and the
rest of the scan is still reported."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from sg_scope_lint.engine import scan_files
from sg_scope_lint.rules import RuleSet

GOOD = b"import sendgrid\nsg = sendgrid.SendGridAPIClient()\nsg.send({})\n"


def deeply_nested(term: bytes) -> bytes:
    return b"import sendgrid\nx = a" + term * 20000 + b"\n"


CASES = {
    # Python 2 is read as Python 3 where a rewrite explains every error; tuple parameters are not
    "python2_tuple_parameter.py": (b"import sendgrid\nprint 'hi'\ndef f((a, b)): pass\n",
                                   "syntax error"),
    "half_typed.py": (b"import sendgrid\nsg = sendgrid.SendGridAPIClient(\n", "syntax error"),
    "latin1_no_cookie.py": (b"import sendgrid\nname = '\xe9t\xe9'\n", "cannot decode"),
    "bad_cookie.py": (b"# -*- coding: klingon -*-\nimport sendgrid\n", "cannot decode"),
    "nul_bytes.py": (b"import sendgrid\nx = 1\x00\n", ""),
    "deep_parens.py": (b"import sendgrid\nx = " + b"(" * 5000 + b"1" + b")" * 5000,
                       "nested too deeply"),
    "long_sum.py": (deeply_nested(b"+1"), "nested too deeply"),
    "long_attribute_chain.py": (deeply_nested(b".b"), "nested too deeply"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_file_is_one_error_and_the_good_file_still_counts(
        name: str, tmp_path: Path, ruleset: RuleSet, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    data, expected = CASES[name]
    (tmp_path / name).write_bytes(data)
    (tmp_path / "good.py").write_bytes(GOOD)
    result = scan_files([Path(name), Path("good.py")], ruleset, jobs=1)
    assert [m.call.location.file for m in result.matches] == ["good.py"]
    errors = result.errors
    if expected:
        assert len(errors) == 1
        assert errors[0].location.file == name
        assert expected in errors[0].message
        assert "\n" not in errors[0].message
    else:  # parsers differ on these; what matters is that nothing raised
        assert all("\n" not in e.message for e in errors)


@pytest.mark.parametrize(
    "data",
    [b"", b"\xef\xbb\xbfimport sendgrid\nsendgrid.SendGridAPIClient().send({})\n",
     b"# -*- coding: latin-1 -*-\nimport sendgrid\nname = '\xe9'\n"
     b"sendgrid.SendGridAPIClient().send({})\n"],
    ids=["empty", "bom", "latin1-with-cookie"],
)
def test_valid_oddities_scan_cleanly(data: bytes, tmp_path: Path, ruleset: RuleSet,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "odd.py").write_bytes(data)
    result = scan_files([Path("odd.py")], ruleset, jobs=1)
    assert not result.errors
    assert len(result.matches) == (1 if data else 0)


def test_large_file_is_scanned(tmp_path: Path, ruleset: RuleSet,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    filler = b"# " + b"x" * 97 + b"\n"
    filler = filler * 30_000 + b"TABLE = %r\n" % ("y" * 500_000)  # ~3.5 MB
    (tmp_path / "big.py").write_bytes(GOOD + filler + b"sg.send({})\n")
    result = scan_files([Path("big.py")], ruleset, jobs=1)
    assert not result.errors and len(result.matches) == 2


def test_links_and_directories(tmp_path: Path, ruleset: RuleSet,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "good.py").write_bytes(GOOD)
    os.symlink("missing.py", tmp_path / "broken.py")
    os.symlink("loop_b.py", tmp_path / "loop_a.py")
    os.symlink("loop_a.py", tmp_path / "loop_b.py")
    (tmp_path / "folder.py").mkdir()
    paths = [Path(p) for p in ("broken.py", "folder.py", "good.py", "loop_a.py")]
    result = scan_files(paths, ruleset, jobs=1)
    assert [m.call.location.file for m in result.matches] == ["good.py"]
    by_file = {e.location.file: e.message for e in result.errors}
    assert set(by_file) == {"broken.py", "folder.py", "loop_a.py"}
    assert "No such file" in by_file["broken.py"]
    assert "directory" in by_file["folder.py"]


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0,
                    reason="permissions do not stop root from reading a file")
def test_unreadable_file(tmp_path: Path, ruleset: RuleSet,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "secret.py").write_bytes(GOOD)
    (tmp_path / "secret.py").chmod(0)
    result = scan_files([Path("secret.py")], ruleset, jobs=1)
    assert [e.location.file for e in result.errors] == ["secret.py"]


def test_literals_python_cannot_evaluate_are_unknown_values(tmp_path: Path, ruleset: RuleSet,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Found by scripts/fuzz.py: libcst accepts strings ast.literal_eval rejects."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "odd.py").write_bytes(GOOD + b'sg.client._("suppression\\unces").get()\n'
                                      b'EMAIL_BACKEND = "a\\x00b"\n')
    result = scan_files([Path("odd.py")], ruleset, jobs=1)
    assert not result.errors
    assert [u.location.line for u in result.unresolved] == [4]


# ------------------------------------------------------------- inputs of the command itself

APP = "import sendgrid\nsg = sendgrid.SendGridAPIClient()\nsg.send({})\n"
DEEP_JSON = "[" * 100_000 + "]" * 100_000
HUGE_NUMBER = "9" * 5000


def one_error_line(capsys: pytest.CaptureFixture[str], argv: list[str], where: str) -> str:
    """Run the command; it must exit 2 with one line naming `where`, and print nothing else."""
    from sg_scope_lint.cli import main

    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert len(err.strip().splitlines()) == 1, err
    assert where in err and "Traceback" not in err
    return err


INPUT_ERRORS = {
    "baseline-deep-json": ({"b.json": DEEP_JSON}, ["scan", "--baseline", "b.json"],
                           "b.json: not valid JSON: nested too deeply"),
    "baseline-huge-number": (
        {"b.json": '{"version": 1, "findings": [{"code": "SGS101", "file": "a.py", '
                   f'"chain": "c", "count": {HUGE_NUMBER}}}]}}'},
        ["scan", "--baseline", "b.json"], "b.json: not valid JSON: a number too long"),
    "manifest-deep-json": ({"m.json": DEEP_JSON}, ["manifest", "--check", "-o", "m.json"],
                           "m.json: not valid JSON: nested too deeply"),
    "manifest-huge-number": ({"m.json": f'{{"scopes": {{"a": {HUGE_NUMBER}}}}}'},
                             ["manifest", "--check", "-o", "m.json"], "m.json: not valid JSON"),
    "diff-deep-json": ({"m.json": DEEP_JSON, "n.json": '{"scopes": {}}'},
                       ["diff", "m.json", "n.json"], "m.json: not valid JSON"),
    "key-config-deep-json": ({"k.json": DEEP_JSON}, ["check", "--key-config", "k.json"],
                             "k.json: malformed JSON: nested too deeply"),
    "key-config-huge-number-json": ({"k.json": f'{{"scopes": [{HUGE_NUMBER}]}}'},
                                    ["check", "--key-config", "k.json"],
                                    "k.json: malformed JSON: a number too long"),
    "key-config-huge-number-yaml": ({"k.yaml": f"scopes: [{HUGE_NUMBER}]\n"},
                                    ["check", "--key-config", "k.yaml"],
                                    "k.yaml: malformed YAML: a number too long"),
    "pyproject-tool-is-a-number": ({"pyproject.toml": "tool = 5\n"}, ["scan"],
                                   "pyproject.toml:1: `tool` must be a table"),
    "nul-in-configured-path": (
        {"pyproject.toml": '[tool.sg-scope-lint]\nkey-config = "a\\u0000b"\n'}, ["check"],
        "tool.sg-scope-lint.key-config: holds a NUL character"),
    "key-config-duplicate-yaml-key": (
        {"k.yaml": "keys:\n  main:\n    scopes: [mail.send]\n  main:\n    scopes: []\n"},
        ["check", "--key-config", "k.yaml"], "k.yaml:4: malformed YAML: duplicate key 'main'"),
    "key-config-duplicate-json-key": (
        {"k.json": '{"scopes": ["mail.send"], "scopes": []}'},
        ["check", "--key-config", "k.json"], "k.json: malformed JSON: duplicate key 'scopes'"),
    "key-config-nul-yaml": (  # found by tests/test_fuzz.py: PyYAML's message had two lines
        {"k.yaml": "\0scopes: [mail.send]\n"}, ["check", "--key-config", "k.yaml"],
        "k.yaml: malformed YAML: unacceptable character #x0000"),
    "key-config-name-with-line-break": (  # found by tests/test_fuzz.py
        {"k.json": '{"a\\nb": null}'}, ["check", "--key-config", "k.json"],
        "k.json: not a key config"),
    "nul-in-configured-exclude": (
        {"pyproject.toml": '[tool.sg-scope-lint]\nexclude = ["a\\u0000b"]\n'}, ["scan"],
        "tool.sg-scope-lint.exclude: holds a NUL character"),
}


@pytest.mark.parametrize("name", sorted(INPUT_ERRORS))
def test_each_bad_input_is_one_line_and_exit_2(
        name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    files, argv, expected = INPUT_ERRORS[name]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(APP)
    for file_name, text in files.items():
        (tmp_path / file_name).write_text(text)
    one_error_line(capsys, argv, expected)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_given_as_key_config_is_an_error_not_a_hang(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(APP)
    os.mkfifo(tmp_path / "key.yaml")
    one_error_line(capsys, ["check", "--key-config", "key.yaml"],
                   "key.yaml: cannot read the file: not a regular file")


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not os.path.exists("/dev/zero"),
                    reason="needs FIFOs and /dev/zero")
@pytest.mark.parametrize("fast_path", ["0", "1"])
def test_a_fifo_or_a_link_to_dev_zero_named_x_py_is_a_file_error(
        fast_path: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Neither stalls the scan nor eats memory; the good file still counts."""
    from sg_scope_lint.command import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SG_SCOPE_LINT_FAST_PATH", fast_path)
    (tmp_path / "app.py").write_text(APP)
    os.mkfifo(tmp_path / "x.py")
    os.symlink("/dev/zero", tmp_path / "z.py")
    assert main(["scan", ".", "--format", "json", "--no-cache"]) == 1
    import json

    report = json.loads(capsys.readouterr().out)
    assert [c["file"] for c in report["calls"]] == ["app.py"]
    assert {e["file"]: e["message"] for e in report["errors"]} == {
        name: "cannot read the file: not a regular file (a FIFO, device or socket)"
        for name in ("x.py", "z.py")}


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="needs byte file names")
@pytest.mark.parametrize("argv", [
    *(["scan", "--format", fmt] for fmt in ("text", "json", "sarif", "github", "markdown")),
    ["scan", "--write-baseline", "b.json"], ["manifest", "-o", "m.json"],
    ["check", "--key-config", "k.json", "--format", "sarif"],
    ["check", "--key-config", "k.json", "--write"],
], ids=lambda argv: "-".join(argv).replace("--", ""))
def test_names_that_are_not_utf8_and_lone_surrogates(
        argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A file name of Latin-1 bytes, a scope holding a lone surrogate: reported, escaped
    where the output cannot hold them, and read back from the files written."""
    from sg_scope_lint.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / os.fsdecode(b"caf\xe9.py")).write_text(
        "import sendgrid\nsendgrid.SendGridAPIClient().client._(x).get()\n")
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "k.json").write_text('{"scopes": ["\\ud800", "mail.send"]}')
    code = main(argv)
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    if "--format" in argv and argv[0] == "scan":
        assert "caf" in out
    if "--write-baseline" in argv:
        assert main(["scan", "--baseline", "b.json"]) == 0, capsys.readouterr()


@pytest.mark.parametrize("encoding", ["latin-1", "ascii", "cp1252"])
def test_a_stdout_that_cannot_encode_the_ellipsis_gets_it_escaped(
        encoding: str, tmp_path: Path) -> None:
    import subprocess

    key = "SG." + "k" * 22 + "." + "q" * 43
    (tmp_path / "app.py").write_text(f"import sendgrid\nKEY = '{key}'\n")
    done = subprocess.run([sys.executable, "-m", "sg_scope_lint", "scan", "."], cwd=tmp_path,
                          env={**os.environ, "PYTHONIOENCODING": encoding}, capture_output=True,
                          timeout=300, check=False)
    assert done.returncode == 1, done.stderr
    expected = "SG.kkk…".encode("cp1252") if encoding == "cp1252" else b"SG.kkk\\u2026"
    assert expected in done.stdout and b"Traceback" not in done.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("stdout", ["full", "closed"])
def test_a_stdout_that_fails_is_one_line_and_exit_2(stdout: str, tmp_path: Path) -> None:
    import subprocess

    (tmp_path / "app.py").write_text(APP)
    redirect = "> /dev/full" if stdout == "full" else ">&-"
    done = subprocess.run(f"'{sys.executable}' -m sg_scope_lint scan . --no-cache {redirect}",
                          shell=True, cwd=tmp_path, capture_output=False, timeout=300,
                          check=False, stderr=subprocess.PIPE, text=True)
    assert done.returncode == 2
    assert done.stderr.startswith("sg-scope-lint: error: cannot write the output: ")
    assert len(done.stderr.splitlines()) == 1, done.stderr


@pytest.mark.parametrize(("argv", "old"), [
    (["manifest", "-o", "m.json"], '{"scopes": {}}\n'),
    (["scan", "--write-baseline", "m.json"], "old\n"),
    (["check", "--key-config", "m.json", "--write"], '{"scopes": ["templates.read"]}\n'),
], ids=["manifest", "baseline", "key-config"])
def test_a_write_that_fails_is_one_line_exit_2_and_leaves_the_old_file(
        argv: list[str], old: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from sg_scope_lint import files

    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "m.json").write_text(old)

    def no_space(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", no_space)
    one_error_line(capsys, [*argv, "--no-cache"], "m.json: cannot write the file: No space left")
    assert (tmp_path / "m.json").read_text() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.py", "m.json"]


@pytest.mark.skipif(sys.platform == "win32", reason="needs a line break in a file name")
@pytest.mark.parametrize("fmt", ["text", "github", "markdown"])
def test_a_file_name_with_a_line_break_cannot_forge_a_finding_line(
        fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from sg_scope_lint.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "evil\napp.py:9:1: POST forged -> mail.send [x].py").write_text(
        "import sendgrid\nsendgrid.SendGridAPIClient().client._(x).get()\n")
    assert main(["scan", "--format", fmt, "--no-cache"]) == 1
    out = capsys.readouterr().out
    assert not any(line.startswith("app.py:9:1") for line in out.splitlines())
    assert "evil\\napp.py" in out


def test_a_file_given_twice_is_scanned_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from sg_scope_lint.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(APP)
    assert main(["scan", "app.py", "./app.py", str(tmp_path / "app.py"), ".", "--format", "json",
                 "--no-cache"]) == 0
    assert [c["file"] for c in json.loads(capsys.readouterr().out)["calls"]] == ["app.py"]


def test_many_hard_coded_keys_and_a_config_of_many_keys_cost_linear_time() -> None:
    """50,000 keys in one file took 59 s (each key's line counted from the top), a key config
    of 4,000 keys 9-33 s (each name searched from the top); both are one pass now."""
    import time

    from sg_scope_lint.keyconfig import parse_key_config
    from sg_scope_lint.secrets import find_keys

    data = b"".join(b'K%d = "SG.%022d.%043d"\n' % (i, i, i) for i in range(50_000))
    started = time.perf_counter()
    found = find_keys(data)
    assert time.perf_counter() - started < 5
    assert (len(found), found[-1][:2]) == (50_000, (50_000, 11))
    config = "keys:\n" + "".join(f"  key{i}:\n    scopes: [mail.send]\n    env: E{i}\n"
                                 for i in range(4_000))
    started = time.perf_counter()
    keys = parse_key_config(config, "keys.yaml").keys
    assert time.perf_counter() - started < 10
    assert (len(keys), keys[-1].line) == (4_000, 1 + 3 * 3_999 + 1)
