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
