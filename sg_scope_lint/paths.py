"""Path work shared by discovery and the fast path: which Python files a scan reads, how paths
are shown, where the project's root and pyproject.toml are.

Standard library only, strings rather than `pathlib`, and `fnmatch` imported only when there are
exclude patterns: the fast path (`quick.py`) lists whole trees before the package's analysis is
imported, and must cost little more than reading the files.

What a folder holds to scan: every file under it, except, inside a git work tree, the untracked
files git ignores (asked of `git ls-files`, so every ignore source git knows counts; what git
tracks is scanned even where a `.gitignore` pattern matches it). `gitignore=False` asks nothing. Either way, folders that never hold
the project's own code are left out: SKIPPED_DIRECTORIES by name, `*.egg-info`, and folders of
installed packages (a `*.dist-info` folder inside: `pip install -t lib`) or virtualenvs (a
`pyvenv.cfg` inside), which are reported in `Tree.skipped` so the user is told.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence

# Folders that hold other people's code, generated files or caches, never the project's own.
SKIPPED_DIRECTORIES = frozenset({
    ".git", ".hg", ".svn", ".venv", "venv", ".env", "env", "site-packages", "dist-packages",
    "node_modules", "build", "dist", "__pycache__", ".tox", ".nox", ".eggs", ".mypy_cache",
    ".pytest_cache", ".ruff_cache", ".sg-scope-lint-cache", "__pypackages__", ".direnv",
})
TABLE_MARKER = "sg-scope-lint"


class Tree:
    """What the named paths hold to scan: `files` (unsorted, each once), the folders skipped as
    installed packages or virtualenvs, the pyproject.toml files met, and the named folders that
    gave no file although they hold Python files (excluded or ignored), with the reason."""

    __slots__ = ("empty", "files", "pyprojects", "skipped")

    def __init__(self) -> None:
        self.files: set[str] = set()
        self.skipped: set[str] = set()
        self.pyprojects: set[str] = set()
        self.empty: dict[str, str] = {}


def tree(roots: Iterable[str], patterns: Sequence[str] = (), gitignore: bool = True) -> Tree:
    """The files to scan under `roots` (folders or files; a file named is always scanned, as
    pre-commit names files one by one). `patterns` come from `anchor_pattern`."""
    found = Tree()
    folders = []
    for root in roots:
        if os.path.isdir(root):
            folders.append(root)
        else:
            found.files.add(root)
    # Git lists what it ignores while this process walks the same folders.
    asked = {root: _GitIgnored(root) for root in folders} if gitignore else {}
    for root in folders:
        part = Tree()
        _walk(root, patterns, part)
        ignored = asked[root].result() if root in asked else None
        if ignored:
            _drop_ignored(root, part, ignored)
        if not part.files:
            reason = _why_empty(root, patterns, bool(ignored))
            if reason:
                found.empty[root] = reason
        found.files.update(part.files)
        found.skipped.update(part.skipped)
        found.pyprojects.update(part.pyprojects)
    return found


def notes(found: Tree, cwd: str | None = None) -> list[str]:
    """The lines that tell the user what a scan left out that they may have meant to include."""
    out = []
    if found.skipped:
        shown = ", ".join(sorted(display_path(folder, cwd) for folder in found.skipped))
        out.append(f"note: skipped installed packages or virtualenvs: {shown} "
                   f"(name a folder on the command line to scan it)")
    for root, reason in sorted(found.empty.items()):
        out.append(f"warning: nothing to scan in {display_path(root, cwd)}: {reason}")
    return out


def _walk(root: str, patterns: Sequence[str], found: Tree) -> None:
    """Every `.py` file under the folder `root`; like `os.walk`, it does not descend into
    symlinked folders."""
    pending = [root]
    while pending:
        directory = pending.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue  # an unreadable folder holds nothing we can scan (os.walk did the same)
        if directory != root and holds_packages(entry.name for entry in entries):
            found.skipped.add(directory)
            continue
        for entry in entries:
            name = entry.name
            if entry.is_dir():
                if not entry.is_symlink() and not skipped_name(name) and not excluded(
                        entry.path, name, patterns):
                    pending.append(entry.path)
            elif name.endswith(".py") and not excluded(entry.path, name, patterns):
                found.files.add(entry.path)
            elif name == "pyproject.toml":
                found.pyprojects.add(entry.path)


def _drop_ignored(root: str, found: Tree, ignored: set[str]) -> None:
    """Take out of `found` what git ignores (`_GitIgnored`)."""
    if "" in ignored:
        found.files, found.skipped, found.pyprojects = set(), set(), set()
        return
    cut = len(os.path.join(root, ""))
    folders = {name[:-1] for name in ignored if name.endswith("/")}
    inside: dict[str, bool] = {"": False}

    def in_ignored(folder: str) -> bool:
        verdict = inside.get(folder)
        if verdict is None:
            verdict = inside[folder] = folder in folders or in_ignored(folder.rpartition("/")[0])
        return verdict

    def kept(path: str, is_folder: bool = False) -> bool:
        relative = path[cut:].replace(os.sep, "/")
        if is_folder:
            return not in_ignored(relative)
        return relative not in ignored and not in_ignored(relative.rpartition("/")[0])

    found.files = {path for path in found.files if kept(path)}
    found.pyprojects = {path for path in found.pyprojects if kept(path)}
    found.skipped = {path for path in found.skipped if kept(path, is_folder=True)}


class _GitIgnored:
    """What git ignores under the folder `root`: its untracked ignored files and folders
    (`git ls-files --others --ignored --exclude-standard --directory`, so `.gitignore`,
    `.git/info/exclude` and the global excludes all count; what git tracks is never ignored).

    Asked when made, answered by `result`: relative to `root`, folders with a trailing `/`;
    {""} when `root` itself is ignored; None when `root` is not in a git work tree or git is
    not there to ask. Started with `posix_spawn` (where there is none, git is not asked):
    `import subprocess` alone costs more than the fast path's budget for listing a tree.
    """

    __slots__ = ("prefix", "process", "stream")

    def __init__(self, root: str) -> None:
        self.process, self.stream, self.prefix = 0, -1, ""
        top = git_root(root)
        if top is None or not hasattr(os, "posix_spawnp"):
            return
        where = os.path.relpath(os.path.realpath(root), os.path.realpath(top)).replace(os.sep, "/")
        self.prefix = "" if where == "." else f"{where}/"
        # Asked at the top of the work tree: inside an ignored folder git refuses to list.
        command = ["git", "-C", top, "ls-files", "-z", "--others", "--ignored",
                   "--exclude-standard", "--directory", *(["--", where] if where != "." else [])]
        read_end, write_end = os.pipe()
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            self.process = os.posix_spawnp("git", command, os.environ, file_actions=[
                (os.POSIX_SPAWN_DUP2, write_end, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)])
            self.stream = read_end
        except OSError:
            os.close(read_end)
        finally:
            os.close(write_end)
            os.close(devnull)

    def result(self) -> set[str] | None:
        if not self.process:
            return None
        with os.fdopen(self.stream, "rb") as stream:
            listing = stream.read()
        _, status = os.waitpid(self.process, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            return None
        ignored = set()
        for name in map(os.fsdecode, filter(None, listing.split(b"\0"))):
            if name.startswith(self.prefix):
                ignored.add(name[len(self.prefix):])
            elif name.endswith("/") and self.prefix.startswith(name):
                return {""}
        return ignored


def git_root(folder: str) -> str | None:
    """The top of the git work tree the folder is in (a `.git` folder or file there), if any."""
    directory = os.path.abspath(folder)
    while True:
        if os.path.exists(os.path.join(directory, ".git")):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _why_empty(root: str, patterns: Sequence[str], ignored: bool) -> str:
    """Why a named folder gave no file, "" when it simply holds no Python file."""
    absolute = os.path.abspath(root)
    pattern = _matching(absolute, os.path.basename(absolute), patterns)
    if pattern:
        return f"it is excluded by the pattern '{pattern}'"
    if not any(name.endswith(".py") for _, _, names in os.walk(root) for name in names):
        return ""
    if ignored:
        return "git ignores its files (--no-respect-gitignore scans them)"
    return "its folders are skipped (virtualenvs, installed packages, caches)"


def skipped_name(name: str) -> bool:
    return name in SKIPPED_DIRECTORIES or name.endswith(".egg-info")


def holds_packages(names: Iterable[str]) -> bool:
    """Whether a folder with these entries holds installed packages or is a virtualenv."""
    return any(name.endswith(".dist-info") or name == "pyvenv.cfg" for name in names)


def anchor_pattern(pattern: str, base: str) -> str:
    """An exclude pattern as `excluded` takes it: a pattern with a `/` is a path relative to
    `base` (the project root for settings, the working folder for the command line), made
    absolute; a bare name (`migrations`, `*_test.py`) matches a file or folder name anywhere."""
    text = pattern.strip()
    while text.startswith("./"):
        text = text[2:]
    text = text.rstrip("/")
    if "/" not in text:
        return text
    return os.path.normpath(os.path.join(os.path.abspath(base), text))


def excluded(path: str, name: str, patterns: Sequence[str]) -> bool:
    """Whether an anchored pattern matches the path, a folder above it, or its name."""
    return bool(patterns) and bool(_matching(os.path.abspath(path), name, patterns))


def _matching(absolute: str, name: str, patterns: Sequence[str]) -> str:
    if not patterns:
        return ""
    from fnmatch import fnmatchcase

    for pattern in patterns:
        if os.path.isabs(pattern):
            if fnmatchcase(absolute, pattern) or absolute.startswith(pattern + os.sep):
                return pattern
        elif fnmatchcase(name, pattern):
            return pattern
    return ""


def excluded_below(root: str, path: str, patterns: Sequence[str]) -> bool:
    """Whether `excluded` holds for the absolute `path` or a folder between `root` and it."""
    parts = tuple(os.path.relpath(path, root).split(os.sep))
    return not parts[0].startswith("..") and _excluded_parts(root, parts, patterns)


def _excluded_parts(root: str, parts: tuple[str, ...], patterns: Sequence[str]) -> bool:
    """`excluded` for a path of git's listing and each folder on the way to it."""
    return bool(patterns) and any(
        _matching(os.path.abspath(os.path.join(root, *parts[:size])), parts[size - 1], patterns)
        for size in range(1, len(parts) + 1))


# Control characters in a file name, as reports show them: a name holding a line break must not
# start a line of its own in a report (it would read as a finding).
_CONTROL = {code: f"\\x{code:02x}" for code in (*range(32), 127, 0x85)} | {
    10: "\\n", 13: "\\r", 9: "\\t", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def display_path(path: str | os.PathLike[str], cwd: str | None = None) -> str:
    """A path as reports show it: POSIX, relative to the working directory where possible,
    control characters escaped (`\\n`).

    Called for every file of a large tree, so the common case (a relative path inside the
    working directory) is answered with string operations; pass `cwd` in loops.
    """
    text = os.fspath(path)
    if not os.path.isabs(text) and not text.startswith(".."):
        normal = os.path.normpath(text)
        if not normal.startswith(".."):
            return printable(normal.replace(os.sep, "/"))
    return printable(
        os.path.relpath(os.path.abspath(text), cwd or os.getcwd()).replace(os.sep, "/"))


def printable(text: str) -> str:
    """`text` on one line: control characters escaped (`\\n`, `\\x00`)."""
    return text if text.isprintable() else text.translate(_CONTROL)


def pyproject_candidates(start: str) -> Iterator[str]:
    """Where a pyproject.toml is looked for, nearest first: `start` (an absolute folder) and
    each folder above it."""
    directory = start
    while True:
        yield os.path.join(directory, "pyproject.toml")
        parent = os.path.dirname(directory)
        if parent == directory:
            return
        directory = parent


def find_pyproject(start: str) -> str | None:
    """The nearest pyproject.toml at or above the folder `start` (an absolute path)."""
    return next((path for path in pyproject_candidates(start) if os.path.isfile(path)), None)


def has_table(pyproject: str) -> bool:
    """Whether the pyproject.toml holds `[tool.sg-scope-lint]`. A file that mentions the tool
    but does not parse counts as holding it, so that its error is reported, not passed over;
    so does one whose `tool` is not a table (`tool = 5`: no tool's settings can be read)."""
    try:
        with open(pyproject, "rb") as stream:
            data = stream.read()
    except OSError:
        return False
    if TABLE_MARKER.encode() not in data and not _sets_tool(data):
        return False
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # the same parser, from the package index (a dependency on Python 3.10)
        import tomli as tomllib
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return True
    tool = document.get("tool", {})
    return not isinstance(tool, dict) or TABLE_MARKER in tool


def _sets_tool(data: bytes) -> bool:
    """Whether a line assigns `tool` itself (`tool = 5`), which `has_table` must report."""
    return b"tool" in data and any(
        line.split(b"=", 1)[0].strip() == b"tool" for line in data.splitlines() if b"=" in line)


def project_root(start: str) -> tuple[str, str | None]:
    """The project a folder belongs to: the nearest folder at or above it whose pyproject.toml
    holds `[tool.sg-scope-lint]`, else the top of its git work tree, else the folder of the
    nearest pyproject.toml, else the working folder (`start` itself when it lies outside).
    Returns the root and that pyproject.toml (None when the project has no settings)."""
    start = os.path.abspath(start)
    for candidate in pyproject_candidates(start):
        if os.path.isfile(candidate) and has_table(candidate):
            return os.path.dirname(candidate), candidate
    top = git_root(start)
    if top is not None:
        return top, None
    nearest = find_pyproject(start)
    if nearest:
        return os.path.dirname(nearest), None
    cwd = os.path.realpath(os.getcwd())
    inside = os.path.realpath(start) == cwd or os.path.realpath(start).startswith(cwd + os.sep)
    return (cwd if inside else start), None


def default_path() -> str:
    """What a command scans when given no path: the working folder's whole project, named
    relative to the working folder ("." at the project's root)."""
    return os.path.relpath(project_root(os.getcwd())[0]).replace(os.sep, "/")
