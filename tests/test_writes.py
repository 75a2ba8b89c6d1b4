"""Files the tool writes keep what they replace: a symlinked key config stays a link (its target
is rewritten), the mode and CRLF line endings stay, and no temporary file is ever left; a
manifest or baseline naming a folder shaped like a key stays up to date once written."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from sg_scope_lint.cli import main

APP = "import sendgrid\nsg = sendgrid.SendGridAPIClient()\nsg.send({})\n"
KEY = "# the production key\nscopes:\n  - templates.read\n"
UNIX_ONLY = pytest.mark.skipif(sys.platform == "win32", reason="POSIX links and modes")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(APP)
    return tmp_path


def write_key(capsys: pytest.CaptureFixture[str], path: str = "key.yaml") -> int:
    code = main(["check", "--key-config", path, "--write", "--no-cache"])
    capsys.readouterr()
    return code


@UNIX_ONLY
def test_a_symlinked_key_config_stays_a_link_and_its_target_is_rewritten(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "config").mkdir()
    (project / "config" / "real.yaml").write_text(KEY)
    os.symlink("config/real.yaml", project / "key.yaml")
    assert write_key(capsys) == 0
    assert os.readlink(project / "key.yaml") == "config/real.yaml"
    assert "mail.send" in (project / "config" / "real.yaml").read_text()
    assert "templates.read" not in (project / "config" / "real.yaml").read_text()


@UNIX_ONLY
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o600, 0o664])
def test_the_mode_of_the_replaced_file_stays(mode: int, project: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    (project / "key.yaml").write_text(KEY)
    (project / "key.yaml").chmod(mode)
    assert write_key(capsys) == 0
    assert stat.S_IMODE((project / "key.yaml").stat().st_mode) == mode


@UNIX_ONLY
def test_a_new_file_gets_the_umask_mode(project: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    umask = os.umask(0o022)
    try:
        assert main(["manifest", "-o", "m.json", "--no-cache"]) == 0
    finally:
        os.umask(umask)
    assert stat.S_IMODE((project / "m.json").stat().st_mode) == 0o644


def test_crlf_line_endings_stay(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "key.yaml").write_bytes(KEY.replace("\n", "\r\n").encode())
    assert write_key(capsys) == 0
    data = (project / "key.yaml").read_bytes()
    assert b"mail.send" in data
    assert data.count(b"\r\n") == data.count(b"\n") == 3


def test_lf_line_endings_stay_lf(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "key.yaml").write_text(KEY)
    assert write_key(capsys) == 0
    assert b"\r" not in (project / "key.yaml").read_bytes()


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"),
                                     KeyboardInterrupt()], ids=["full-disk", "interrupt"])
def test_no_temporary_file_is_left_on_any_failure(failure: BaseException,
                                                  tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from sg_scope_lint import files

    (tmp_path / "m.json").write_text("old\n")

    def failing(*args: object) -> None:
        raise failure

    monkeypatch.setattr(files.os, "replace", failing)
    with pytest.raises(type(failure)):
        files.write_atomic(tmp_path / "m.json", "new\n")
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]
    assert (tmp_path / "m.json").read_text() == "old\n"


KEY_SHAPED = "SG." + "f" * 22 + "." + "o" * 43


@pytest.mark.parametrize("argv", [["manifest", "-o", "m.json"],
                                  ["scan", "--write-baseline", "b.json"]])
def test_a_folder_named_like_a_key_stays_up_to_date_once_written(
        argv: list[str], project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Written files are redacted; what they are compared with must be too."""
    (project / KEY_SHAPED).mkdir()
    (project / KEY_SHAPED / "mod.py").write_text(
        "import sendgrid\nsendgrid.SendGridAPIClient().client._(x).get()\n")
    main([*argv, "--no-cache"])
    capsys.readouterr()
    if argv[0] == "manifest":
        assert main(["manifest", "--check", "-o", "m.json", "--no-cache"]) == 0
    else:
        assert main(["scan", "--baseline", "b.json", "--no-cache"]) == 0
    out, err = capsys.readouterr()
    assert KEY_SHAPED not in out + err
