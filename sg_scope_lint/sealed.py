"""The cache folder's files, trusted only when this user's tool wrote them on this machine.

Caches save work and never decide a finding. The folder lives in the project (next to
pyproject.toml, like `.mypy_cache` or `.ruff_cache`, so removing the project removes it), which
means anyone who can commit can put files there, and entry names are predictable from file
contents. So each file is sealed: its first line is a keyed BLAKE2b digest of its name, the
tool's version and its text, keyed by a random secret kept outside every repository
(`$XDG_CACHE_HOME/sg-scope-lint/secret`, made on first use, mode 0600). A file whose seal does
not match (committed, copied from another machine, crafted, altered, truncated) is a miss and is
written again. The folder is stamped the same way: a folder that holds files but no valid stamp
was not made here, which is said once per run (`claim`).

The folder writes its own `.gitignore` (`*`) and a `CACHEDIR.TAG`, so git and backup tools
leave it alone. Standard library only: the fast path reads run records through here.
"""

from __future__ import annotations

import os
import sys

from . import __version__
from .files import read_regular, write_atomic

SECRET_ENVIRONMENT = "XDG_CACHE_HOME"
STAMP = "STAMP"
_GITIGNORE = "# Written by sg-scope-lint: a cache, never committed.\n*\n"
_CACHEDIR_TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
                 "# This file is a cache directory tag created by sg-scope-lint.\n"
                 "# For information about cache directory tags see https://bford.info/cachedir/\n")
_MAX_ENTRY = 64 * 1024 * 1024


def secret_path() -> str:
    """Where this user's secret lives: the per-user cache folder, outside any repository."""
    base = os.environ.get(SECRET_ENVIRONMENT) or ""
    if not base and sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA", "")
    if not base:
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "sg-scope-lint", "secret")


def _secret() -> bytes | None:
    """The secret, made on first use; None (no caching at all) when it cannot be kept."""
    path = secret_path()
    for _ in range(2):
        try:
            secret = read_regular(path, 1024)
            return secret if len(secret) >= 32 else None
        except FileNotFoundError:
            pass
        except OSError:
            return None
        try:
            os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue  # another process made it first: read that one
        except OSError:
            return None
        try:
            os.write(handle, os.urandom(32))
        finally:
            os.close(handle)
    return None


class Folder:
    """One cache folder (`<project>/.sg-scope-lint-cache`); `relative` names are POSIX paths
    inside it. Without a usable secret nothing is read or written."""

    def __init__(self, top: str) -> None:
        self.top = top
        self.secret = _secret()
        self._prepared = False

    @property
    def usable(self) -> bool:
        return self.secret is not None

    def seal(self, relative: str, text: str) -> str:
        import hashlib

        assert self.secret is not None
        digest = hashlib.blake2b(key=self.secret, digest_size=32)
        for part in (relative, __version__, text):
            digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
        return digest.hexdigest()

    def read(self, relative: str) -> str | None:
        """The file's text when its seal is this user's, else None (missing, foreign, damaged,
        not a regular file, too large)."""
        if self.secret is None:
            return None
        path = os.path.join(self.top, relative)
        try:
            data = read_regular(path, _MAX_ENTRY)
            seal, _, text = data.decode("utf-8").partition("\n")
        except (OSError, UnicodeDecodeError):
            return None
        import hmac

        if not hmac.compare_digest(seal, self.seal(relative, text)):
            return None
        try:
            os.utime(path)  # in use: `cache.prune` keeps it
        except OSError:
            pass
        return text

    def write(self, relative: str, text: str) -> None:
        """Write a sealed file (`text` must already be redacted: the seal covers it as written).
        A read-only checkout still works: it just does not cache."""
        if self.secret is None:
            return
        path = os.path.join(self.top, relative)
        try:
            self._prepare()
            if not _inside(os.path.dirname(path), self.top):
                return  # a folder of the cache is a link out of it: never written through
            write_atomic(path, f"{self.seal(relative, text)}\n{text}", keep_line_endings=False,
                         private=True, follow_links=False)
        except OSError:
            return

    def claim(self) -> str | None:
        """Make sure the folder is this user's: a warning when it exists without a valid stamp
        (its files are then ignored, one by one, and written again)."""
        if self.secret is None or not os.path.isdir(self.top):
            return None
        if self.read(STAMP) == "":
            return None
        try:  # only what `mark_folder` and pruning leave (no entry yet): a new folder
            if set(os.listdir(self.top)) <= {".gitignore", "CACHEDIR.TAG", ".pruned"}:
                return None
        except OSError:
            pass
        self._prepared = False
        try:
            self._prepare()
        except OSError:
            pass
        return (f"{os.path.basename(self.top)}/ was not written by sg-scope-lint for this user "
                "on this machine (committed, copied or altered): its entries are ignored and "
                "replaced")

    def _prepare(self) -> None:
        if self._prepared:
            return
        if os.path.islink(self.top):
            raise NotADirectoryError(20, "the cache folder is a link", self.top)
        mark_folder(self.top)
        if self.read(STAMP) != "":
            write_atomic(os.path.join(self.top, STAMP), f"{self.seal(STAMP, '')}\n",
                         keep_line_endings=False, private=True, follow_links=False)
        self._prepared = True


def mark_folder(top: str) -> None:
    """The folder, with its `.gitignore` (`*`: git ignores it without a line in the project's)
    and `CACHEDIR.TAG` (backup tools skip it), each written when missing. The one place these
    are written: the sealed folder prepares itself with it, `cache.maintain` marks with it."""
    if os.path.islink(top):
        raise NotADirectoryError(20, "the cache folder is a link", top)
    os.makedirs(top, exist_ok=True)
    for name, text in ((".gitignore", _GITIGNORE), ("CACHEDIR.TAG", _CACHEDIR_TAG)):
        path = os.path.join(top, name)
        if not os.path.isfile(path):
            write_atomic(path, text, keep_line_endings=False, follow_links=False)


def _inside(directory: str, top: str) -> bool:
    """Whether `directory`, links resolved, is `top` or below it (`top` itself no link)."""
    if os.path.islink(top):
        return False
    real, base = os.path.realpath(directory), os.path.realpath(top)
    return real == base or real.startswith(base + os.sep)
