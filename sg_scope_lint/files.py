"""Reading and writing files the tool does not trust: only regular files of bounded size are
read, and every write is redacted, atomic, and keeps what it replaces.

Standard library only, with `secrets` (and its `re`) imported when a file is written: the fast
path reads files through here before anything else of the package is imported.
"""

from __future__ import annotations

import os
import stat
import tempfile

# The largest file read: a Python module, key config, manifest or baseline beyond this is an
# error of its own, not a reason to run out of memory (the largest module of CPython's own
# standard library is under 1 MB).
MAX_BYTES = 64 * 1024 * 1024
TOO_LONG_NUMBER = "a number too long to read (over 4,300 digits)"


class NotRegularFile(OSError):
    """The path names a FIFO, device, socket or folder, or a file over the size cap."""


def read_regular(path: str | os.PathLike[str], limit: int = MAX_BYTES) -> bytes:
    """A regular file's bytes; an `OSError` for anything else.

    Opened without blocking, so a FIFO cannot stall the read, and checked after opening, so a
    symlink to `/dev/zero` is refused as the device it reaches, not read until memory runs out.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    handle = os.open(path, flags)
    try:
        info = os.fstat(handle)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, "is a directory", os.fspath(path))
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(0, "not a regular file (a FIFO, device or socket)")
        if info.st_size > limit:
            raise NotRegularFile(0, f"larger than {limit // (1024 * 1024)} MB")
        chunks, size = [], 0
        while True:  # the size can change while reading: never past the cap
            chunk = os.read(handle, min(limit + 1 - size, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise NotRegularFile(0, f"larger than {limit // (1024 * 1024)} MB")
        return b"".join(chunks)
    finally:
        os.close(handle)


def read_text(path: str | os.PathLike[str], limit: int = MAX_BYTES) -> str:
    """A regular file as UTF-8 text with universal newlines, as `Path.read_text` reads it."""
    data = read_regular(path, limit).decode("utf-8")
    return data.replace("\r\n", "\n").replace("\r", "\n")


def write_atomic(path: str | os.PathLike[str], text: str, *, keep_line_endings: bool = True,
                 private: bool = False, follow_links: bool = True) -> None:
    """Write `text` through a temporary file and a rename, so no reader sees half of it.

    Every file the tool writes goes through here, so every one is redacted. What is replaced
    is kept: a symlink stays a link (its target is written), the file's mode stays (a new file
    gets the umask's), and CRLF line endings stay CRLF. `private` files (cache entries) are
    0600 and replace a link rather than follow it (`follow_links=False`: a link planted in a
    cache folder must not redirect the write). The temporary file is removed on every failure,
    an interrupt included.
    """
    from .secrets import redact

    target = os.path.realpath(path) if follow_links else os.path.abspath(path)
    directory = os.path.dirname(target)
    mode, newline = _existing(target, keep_line_endings)
    if private:
        mode = 0o600
    os.makedirs(directory, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.",
                                         suffix=".tmp", dir=directory)
    try:
        # A lone surrogate (a file name that is not UTF-8) is written as its JSON escape
        # (`\udcff`), which JSON reads back as the same string.
        with os.fdopen(handle, "w", encoding="utf-8", errors="backslashreplace",
                       newline=newline) as stream:
            stream.write(redact(text))
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _existing(target: str, keep_line_endings: bool) -> tuple[int, str]:
    """The mode and line ending to write `target` with: the existing file's, else defaults."""
    try:
        info = os.stat(target)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask, "\n"
    newline = "\n"
    if keep_line_endings and stat.S_ISREG(info.st_mode):
        try:
            with open(target, "rb") as stream:
                first = stream.readline(1 << 20)
        except OSError:
            first = b""
        if first.endswith(b"\r\n"):
            newline = "\r\n"
    return stat.S_IMODE(info.st_mode), newline


def parse_json(text: str) -> object:
    """JSON a user gave (manifest, baseline, key config): `ValueError` with a one-line reason
    and the line for anything it cannot be, including nesting past the interpreter's recursion
    limit, integers too long to convert (over 4,300 digits) and a key given twice in one object
    (JSON readers keep the last one silently)."""
    import json

    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except JsonProblem:
        raise
    except json.JSONDecodeError as exc:
        raise JsonProblem(exc.msg, exc.lineno) from None
    except RecursionError:
        raise JsonProblem("nested too deeply to read", 0) from None
    except ValueError:  # int() refusing a number of over 4,300 digits
        raise JsonProblem(TOO_LONG_NUMBER, 0) from None


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    found: dict[str, object] = {}
    for key, value in pairs:
        if key in found:
            raise JsonProblem(f"duplicate key {key!r}", 0)
        found[key] = value
    return found


class JsonProblem(ValueError):
    """Why a JSON text cannot be read (`message`), and where (`line`, 0 when unknown)."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message, self.line = message, line
