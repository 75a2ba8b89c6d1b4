"""The fast path in front of the command line: answer the runs that need no analysis without
importing the analysis at all.

Two kinds of run are answered here, and everything else goes to `cli.main` unchanged:

* a **replay**: a read-only command (`scan`, `check`, `manifest --check`) run again with the same
  arguments, in the same folder, with the same tool, where no scanned file and no input (config,
  rules, key config, manifest, baseline, the tool's own code) changed since a full run recorded
  its output under `.sg-scope-lint-cache/runs/` (sealed like every cache file, `sealed.py`: a
  record this user's tool did not write is never replayed). "Changed" is judged like `git status` judges
  its index: by each file's size, inode and change times, not by reading it. A file changed less
  than `RACY_SECONDS` before the recording could change again within the same clock tick
  unnoticed, so such runs are not recorded at all.
* an **empty scan**: `scan` with only paths, `--format` text/json/github/markdown, `--no-cache`,
  `--jobs` and `--exclude`, no settings in `[tool.sg-scope-lint]` (and a pyproject.toml that
  parses), over files none of which mentions SendGrid, holds an `# sg-scope` annotation, or a
  string shaped like an API key. Such a scan has nothing to analyse, so its report is the empty
  one, written here. The files are read on forked processes, a share each.

Like `cli.py`, this is a front end (`command.py` asks it first): it holds no analysis.

Standard library only, and as little of it as will do: this module runs on every invocation,
and the issue's goal is a no-SendGrid scan within 4x of `rg -l sendgrid`. `SG_SCOPE_LINT_FAST_PATH=0`
turns it off (benchmarks use that to time the full path). Its answers must be byte-identical to
the full path's; tests/test_quick.py compares the two.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence

from . import __version__, paths
from .files import read_regular
from .paths import display_path
from .prefilter import needs_analysis

SWITCH = "SG_SCOPE_LINT_FAST_PATH"
CACHE_DIRECTORY = ".sg-scope-lint-cache"
RECORD_FORMAT = 2
RACY_SECONDS = 1.0
# Below this many files per process, another process costs more than it saves.
_FILES_PER_PROCESS = 200

# The empty report of each format the empty scan answers (`{files}`: how many were scanned).
_EMPTY_REPORTS = {
    "text": ("Required scopes (0): none\n"
             "0 call(s) in {files} file(s); 0 unresolved; 0 unknown endpoint(s); "
             "0 file error(s); 0 hard-coded key(s)\n"),
    "json": "{{\n" + ",\n".join(f'  "{key}": []' for key in (
        "scopes", "calls", "unresolved", "unknown", "annotated", "annotation_errors", "errors",
        "keys")) + "\n}}\n",
    "github": "",
    "markdown": ("## SendGrid API-key scopes (sg-scope-lint)\n\n"
                 "No findings: every SendGrid call maps to known scopes.\n\n"
                 "### Required scopes (0)\n\n"
                 "None: no call that needs a scope was found.\n"),
}


class Answer:
    """What a run prints and the code it exits with."""

    __slots__ = ("code", "stderr", "stdout")

    def __init__(self, stdout: str, stderr: str, code: int) -> None:
        self.stdout, self.stderr, self.code = stdout, stderr, code


def answer(args: Sequence[str]) -> Answer | None:
    """The fast path's answer to a run, None when the full command line must run it."""
    if os.environ.get(SWITCH, "1") == "0":
        return None
    return replay(args) or empty_scan(args)


# ------------------------------------------------------------------------------------ replays


def project_root(cwd: str) -> str:
    """The folder the records live in: the working folder's project (`paths.project_root`)."""
    return paths.project_root(os.path.realpath(cwd))[0]


def record_path(root: str, args: Sequence[str], cwd: str) -> str:
    return os.path.join(root, CACHE_DIRECTORY, record_name(args, cwd))


def record_name(args: Sequence[str], cwd: str) -> str:
    """The record's name inside the cache folder."""
    import hashlib

    # The interpreter and the copy of the tool too: two checkouts on PYTHONPATH are two tools.
    identity = "\0".join((str(RECORD_FORMAT), __version__, sys.executable, sys.version,
                          os.path.dirname(os.path.abspath(__file__)), cwd, *args))
    name = hashlib.sha256(identity.encode("utf-8", "surrogateescape")).hexdigest()[:40]
    return f"runs/{name}.json"


def snapshot(roots: Iterable[str], exclude: Sequence[str], inputs: Iterable[str],
             cwd: str, gitignore: bool = True) -> tuple[str, int]:
    """A digest of the state a run depends on, and the newest change time in it (ns).

    `roots` are the paths the run scans (listed as discovery lists them, with the
    pyproject.toml files among them, which can make a folder a project of its own), `inputs`
    every other file it reads; a missing file counts as a state of its own.
    """
    import hashlib

    found = paths.tree(roots, exclude, gitignore)
    digest = hashlib.blake2b(digest_size=20)
    newest = 0
    for group in (sorted(found.files, key=lambda p: display_path(p, cwd)),
                  sorted(found.pyprojects), list(inputs)):
        for path in group:
            try:
                info = os.stat(path)
            except OSError:
                digest.update(f"{path}\0absent\n".encode("utf-8", "surrogateescape"))
                continue
            newest = max(newest, info.st_mtime_ns, info.st_ctime_ns)
            digest.update(f"{path}\0{info.st_size}\0{info.st_ino}\0{info.st_mtime_ns}\0"
                          f"{info.st_ctime_ns}\n".encode("utf-8", "surrogateescape"))
        digest.update(b"\1")
    return digest.hexdigest(), newest


def replay(args: Sequence[str]) -> Answer | None:
    """The recorded answer of this very run, when nothing it depends on has changed (never for
    `--stats`, which reports what this run costs)."""
    if "--stats" in args:
        return None
    from .sealed import Folder

    cwd = os.getcwd()
    text = Folder(os.path.join(project_root(cwd), CACHE_DIRECTORY)).read(record_name(args, cwd))
    if text is None:
        return None
    import json

    try:
        record = json.loads(text)
        roots, exclude, inputs = record["roots"], record["exclude"], record["inputs"]
        gitignore = record["gitignore"]
        state, out, err, code = record["state"], record["stdout"], record["stderr"], record["code"]
    except (ValueError, KeyError, TypeError, RecursionError):
        return None  # a damaged record is a miss; the full run will write a new one
    if not all(isinstance(v, list) and all(isinstance(i, str) for i in v)
               for v in (roots, exclude, inputs)) or not (gitignore in (True, False) and
            isinstance(out, str) and isinstance(err, str) and code in (0, 1)):
        return None
    if snapshot(roots, exclude, inputs, cwd, gitignore)[0] != state:
        return None
    return Answer(out, err, code)


def save(args: Sequence[str], cwd: str, before: tuple[str, int], taken_ns: int,
         roots: Sequence[str], exclude: Sequence[str], inputs: Sequence[str],
         answer: Answer, gitignore: bool = True) -> None:
    """Record a full run's answer for `replay`; `before` is the `snapshot` taken (at
    `taken_ns`) before the run read anything. Runs over files changed just before are not
    recorded (see the module docstring), nor runs whose state moved while they ran."""
    state, newest = before
    if answer.code not in (0, 1) or newest > taken_ns - int(RACY_SECONDS * 1e9):
        return
    if snapshot(roots, exclude, inputs, cwd, gitignore)[0] != state:
        return
    import json

    from .sealed import Folder
    from .secrets import redact

    root = project_root(cwd)
    record = {"roots": list(roots), "exclude": list(exclude), "inputs": list(inputs),
              "gitignore": gitignore, "state": state, "stdout": answer.stdout, "stderr": answer.stderr,
              "code": answer.code}
    # Redacted before it is sealed; a read-only checkout still scans, it just does not replay.
    Folder(os.path.join(root, CACHE_DIRECTORY)).write(record_name(args, cwd),
                                                      redact(json.dumps(record)))
    from pathlib import Path

    from .cache import maintain  # the full path has imported it already

    maintain(Path(root))


# -------------------------------------------------------------------------------- empty scans


class _ScanRequest:
    __slots__ = ("exclude", "format", "gitignore", "jobs", "paths")

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.exclude: list[str] = []  # anchored to the working folder, as the full path does
        self.gitignore = True
        self.format = "text"
        self.jobs = 0  # 0: one per core


def _scan_request(args: Sequence[str]) -> _ScanRequest | None:
    """The arguments of a plain `scan`, or None for anything the full parser should judge."""
    if not args or args[0] != "scan":
        return None
    request = _ScanRequest()
    tokens = list(args[1:])
    while tokens:
        token = tokens.pop(0)
        if token == "--no-cache":
            continue
        if token == "--no-respect-gitignore":
            request.gitignore = False
            continue
        name, value = token, None
        if token.startswith("--") and "=" in token:
            name, _, value = token.partition("=")
        elif token.startswith("-j") and len(token) > 2 and not token.startswith("--"):
            name, value = "-j", token[2:]
        if name in ("--jobs", "-j", "--format", "--exclude"):
            if value is None:
                if not tokens or tokens[0].startswith("-"):
                    return None
                value = tokens.pop(0)
            if name == "--format":
                if value not in _EMPTY_REPORTS:
                    return None
                request.format = value
            elif name == "--exclude":
                request.exclude.append(paths.anchor_pattern(value, os.getcwd()))
            elif value.isdigit() and int(value) >= 1:
                request.jobs = int(value)
            else:
                return None
            continue
        if token.startswith("-") or not token:
            return None  # another option, `--`, `-`, help: the full parser decides
        request.paths.append(token)
    request.paths = request.paths or [paths.default_path()]
    return request


def empty_scan(args: Sequence[str]) -> Answer | None:
    """The report of a plain scan that has nothing to analyse, or None when it may have."""
    request = _scan_request(args)
    if request is None:
        return None
    if not all(os.path.lexists(root) for root in request.paths):
        return None  # the full path reports the missing path
    found = paths.tree(request.paths, request.exclude, request.gitignore)
    first = request.paths[0]
    pyproject = paths.project_root(first if os.path.isdir(first) else
                                   os.path.dirname(os.path.abspath(first)))[1]
    own = os.path.realpath(pyproject) if pyproject is not None else None
    nested = [p for p in found.pyprojects if os.path.realpath(p) != own]
    if found.skipped or found.empty or any(map(paths.has_table, nested)):
        return None  # notes to print, or projects of their own: the full path's to say
    once: dict[str, str] = {}  # a file named twice (`a.py ./a.py /abs/a.py`) is read once
    for path in sorted({os.path.normpath(path) for path in found.files}):
        once.setdefault(os.path.normcase(os.path.abspath(path)), path)
    files = sorted(once.values())
    processes = min(request.jobs or os.cpu_count() or 1, len(files) // _FILES_PER_PROCESS + 1)
    children = _fork_checks(files, processes) if hasattr(os, "fork") else []
    # While the children read their shares, this process reads the config (settings such as
    # rules and excludes, and config errors, are the full path's job), then its own share.
    plain = (pyproject is None or _settings_free(pyproject)) and _plain(
        files[0::len(children) + 1], children)
    if not _children_plain(children, stop=not plain):
        return None
    return Answer(_EMPTY_REPORTS[request.format].format(files=len(files)), "", 0)


class _Child:
    """A forked process checking a share of the files; it answers one byte on a pipe:
    b"1" all plain, b"0" not (nothing: it failed, which counts as not plain)."""

    __slots__ = ("answer", "pid", "pipe")

    def __init__(self, pid: int, pipe: int) -> None:
        self.pid, self.pipe = pid, pipe
        self.answer: bytes | None = None

    def poll(self) -> bytes | None:
        import select

        if self.answer is None and select.select([self.pipe], [], [], 0)[0]:
            self.answer = os.read(self.pipe, 1)
        return self.answer

    def finish(self, stop: bool) -> bool:
        """Wait for the answer, or with `stop` kill the child; True when it answered plain."""
        if stop and self.answer is None:
            import signal

            os.kill(self.pid, signal.SIGKILL)
            self.answer = b""
        elif self.answer is None:
            self.answer = os.read(self.pipe, 1)
        os.close(self.pipe)
        os.waitpid(self.pid, 0)
        return self.answer == b"1"


def _fork_checks(files: list[str], processes: int) -> list[_Child]:
    """Start processes - 1 children, child i checking every processes-th file from the i-th.
    Reading and searching a large tree is the whole cost of an empty scan, so it is shared
    among the cores where the platform forks."""
    children = []
    for share in range(1, processes):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: nothing of the parent's is flushed or cleaned up here
            os.close(read_end)
            os.write(write_end, b"1" if _plain(files[share::processes]) else b"0")
            os._exit(0)
        os.close(write_end)
        children.append(_Child(pid, read_end))
    return children


def _children_plain(children: list[_Child], stop: bool) -> bool:
    """Every child's answer (a child still checking is killed when `stop`: the answer is known)."""
    verdict = not stop
    for child in children:
        verdict = child.finish(stop or not verdict) and verdict
    return verdict


# How many files this process checks between looks at whether a child found something.
_POLL_EVERY = 64


def _plain(files: list[str], children: Sequence[_Child] = ()) -> bool:
    """True when none of the files mentions SendGrid, holds an annotation or a key-shaped
    string, and each can be read (an unreadable file is an error the full path reports).
    Stops early when one of `children` answers that its share is not plain."""
    for index, path in enumerate(files):
        if children and index and index % _POLL_EVERY == 0 and any(
                child.poll() == b"0" for child in children):
            return False
        try:
            data = read_regular(path)  # a FIFO or device is an error the full path reports
        except OSError:
            return False
        if needs_analysis(data) or _may_hold_key(data):
            return False
    return True


def _settings_free(pyproject: str) -> bool:
    """True when pyproject.toml parses and sets nothing for this tool (an empty table is fine).
    `pyproject` holds the table (`paths.project_root`)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # the same parser, from the package index (a dependency on Python 3.10)
        import tomli as tomllib

    try:
        with open(pyproject, "rb") as stream:
            document = tomllib.loads(stream.read().decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    table = document.get("tool", {})
    return isinstance(table, dict) and table.get("sg-scope-lint", {}) == {}


def _may_hold_key(data: bytes) -> bool:
    """Whether the file holds a string shaped like an API key, which the full path reports."""
    from .secrets import KEY_PATTERN

    return KEY_PATTERN.search(data) is not None
