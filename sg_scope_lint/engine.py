"""Run the stages over one file (pure: bytes in, FileReport out) and over a whole project."""

from __future__ import annotations

import contextlib
import functools
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .annotations import read_annotations
from .cache import AnalysisCache
from .discover import display_path
from .pool import PARALLEL_THRESHOLD, WorkerPool
from .prefilter import might_call_sendgrid, might_have_annotations
from .python2 import as_python3
from .rules import RuleSet, ScopeCatalogue
from .secrets import find_keys
from .types import (
    Annotated,
    AnnotationProblem,
    AnnotationProblemKind,
    FileError,
    FileReport,
    HardCodedKey,
    Location,
    Match,
    RawCall,
    ScanResult,
    ScanStats,
    Unknown,
    Unresolved,
)
from .wrappers import find_wrappers

if TYPE_CHECKING:  # libcst is imported only when a file needs parsing, a pool only when used
    from concurrent.futures import Future

    import libcst as cst

    from .symbols import ModuleAnalysis, ProjectFacts, Value

# Values flow between modules for at most this many rounds: a round analyses again only the
# files whose inputs changed, from the trees kept since their first parse. A file that values
# still reach when the limit is hit is reported as unresolved (`_stopped`), not dropped.
MAX_PROJECT_ROUNDS = 32


def _stopped(rounds: int) -> str:
    return (f"the project analysis stopped after {rounds} rounds while SendGrid values of other "
            "modules were still reaching this module (a chain of re-exports or of calls passing "
            "a client that deep): its SendGrid calls may be missing here")


def scan_source(data: bytes, path: str, ruleset: RuleSet) -> FileReport:
    """Find, resolve and match every SendGrid call in one file's bytes, on its own, then apply
    its `# sg-scope:` annotations.

    A file that cannot be parsed yields a `FileError` instead of calls; nothing is raised, so
    one bad file never hides the results of the others.
    """
    keys = _hard_coded_keys(data, path)
    report = FileReport(path)
    if might_call_sendgrid(data):
        analysis = _analyse(data, path, "", False, None)
        report = analysis if isinstance(analysis, FileReport) else report_calls(
            path, analysis.calls, ruleset)
    return _with_keys(_annotate(report, data, ruleset.catalogue), keys)


def report_calls(path: str, raw_calls: Iterable[RawCall], ruleset: RuleSet) -> FileReport:
    """Resolve and match a file's calls. A guessed call counts only when a rule knows it; so
    does a call to a base URL known only at run time, which is then reported as unresolved."""
    from .resolve import resolve

    matches: list[Match] = []
    unresolved: list[Unresolved] = []
    unknown: list[Unknown] = []
    for raw in raw_calls:
        resolved = resolve(raw)
        outcome = resolved if isinstance(resolved, Unresolved) else ruleset.match(resolved)
        if (raw.guessed or raw.unknown_base) and not isinstance(outcome, Match):
            continue
        if raw.unknown_base and isinstance(outcome, Match):
            unresolved.append(_unknown_base(outcome))
        elif isinstance(outcome, Match):
            matches.append(outcome)
        elif isinstance(outcome, Unresolved):
            unresolved.append(outcome)
        else:
            unknown.append(outcome)
    return FileReport(path, tuple(matches), tuple(unresolved), tuple(unknown))


def _unknown_base(match: Match) -> Unresolved:
    """A request whose base URL is known only at run time, with the endpoint and scopes it
    would have if that base is SendGrid's v3 API."""
    rule, call = match.rule, match.call
    reason = (f"the URL's base is only known at run time; on SendGrid's API this would be "
              f"{rule.method} {rule.path} ({rule.id})")
    return Unresolved(call.location, reason, call.chain, call.key, could_need=match.scopes)


def _analyse(data: bytes, path: str, module_name: str, is_package: bool,
             facts: ProjectFacts | None, keep: bool = False) -> ModuleAnalysis | FileReport:
    """Parse and analyse one module; with `keep`, its tree is kept for a later round of the
    same scan (`parsed.TREES`) and taken from there when it is already."""
    from .callsites import analyse_module
    from .parsed import TREES

    kept = TREES.get(path, data) if keep else None
    if kept is not None:
        module, source = kept
    else:
        parsed = _parse(data, path)
        if isinstance(parsed, FileReport):
            return parsed
        module, source = parsed
        if keep:
            TREES.put(path, data, module, source)
    try:
        return analyse_module(module, path, module_name, is_package, facts, source)
    except RecursionError:
        return _error(path, 1, 1, "the file is nested too deeply to analyse")


def _parse(data: bytes, path: str) -> tuple[cst.Module, bytes] | FileReport:
    """The module's tree and the source it holds (Python 2 source is read as Python 3), or
    the file's error."""
    import libcst as cst

    if _too_deep_for_libcst(data):
        return _error(path, 1, 1, "the file is nested too deeply to analyse safely "
                      f"(an expression deeper than {MAX_EXPRESSION_DEPTH} levels)")
    try:
        try:
            module = cst.parse_module(data)
        except cst.ParserSyntaxError:
            python3 = as_python3(data)  # Python 2 source, same lines
            if python3 is None:
                raise
            module, data = cst.parse_module(python3), python3
    except cst.ParserSyntaxError as exc:
        line, col, message = _python_syntax_error(data) or (
            exc.raw_line, exc.raw_column + 1, exc.message)
        return _error(path, line, col, f"syntax error: {message}")
    except (UnicodeDecodeError, LookupError, SyntaxError) as exc:
        return _error(path, 1, 1, f"cannot decode the file: {exc}")
    except RecursionError:
        return _error(path, 1, 1, "the file is nested too deeply to parse")
    return module, data


# libcst's native parser crashes the whole process (not an exception) on expressions a few
# thousand levels deep (`1+1+...` or `a.b.b...` with ~8000 terms), so such files are refused
# before it sees them. Only files with that many operators can be that deep: the others skip
# the check, which costs about a tenth of a libcst parse.
MAX_EXPRESSION_DEPTH = 1000
_OPERATOR_BYTES = (b".", b"+", b"-", b"*", b"/", b"(", b"[", b"|", b"&", b"%", b"<", b">")


MAX_BRACKET_DEPTH = 200  # CPython's own limit: deeper is never valid Python
_OPEN, _CLOSE = b"([{", b")]}"
_NOT_BRACKETS = bytes(b for b in range(256) if b not in _OPEN + _CLOSE)


def _too_deep_for_libcst(data: bytes) -> bool:
    if data.count(b"(") + data.count(b"[") + data.count(b"{") >= MAX_BRACKET_DEPTH:
        depth = 0
        for byte in data.translate(None, _NOT_BRACKETS):
            depth += 1 if byte in _OPEN else -1
            if depth > MAX_BRACKET_DEPTH:
                return True
    if sum(data.count(op) for op in _OPERATOR_BYTES) < MAX_EXPRESSION_DEPTH:
        return False
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like
            tree = ast.parse(data)
    except (RecursionError, MemoryError):
        return True
    except (SyntaxError, ValueError):
        return False  # newer syntax or an error: libcst reports it
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_EXPRESSION_DEPTH:
            return True
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return False


# ------------------------------------------------------------------------------ whole project


@dataclass(frozen=True, slots=True)
class _SourceFile:
    path: Path
    shown: str
    module: str
    is_package: bool


def module_name(path: Path, root: str = "") -> tuple[str, bool]:
    """The dotted name a file is imported under: parent folders with `__init__.py` are packages,
    up to `root` (the folder the scan runs in), which is where imports start from even when it
    has an `__init__.py` of its own."""
    folder, name = os.path.split(os.path.abspath(path))
    is_package = name == "__init__.py"
    prefix = _package_of(folder, root)
    stem = "" if is_package else os.path.splitext(name)[0]
    return ".".join(part for part in (prefix, stem) if part), is_package


@functools.lru_cache(maxsize=4096)
def _package_of(folder: str, root: str = "") -> str:
    """The dotted package a folder is, "" when it has no `__init__.py` or is the root (cached:
    a tree shares its folders)."""
    parent, name = os.path.split(folder)
    if parent == folder or folder == root or \
            not os.path.isfile(os.path.join(folder, "__init__.py")):
        return ""
    outer = _package_of(parent, root)
    return f"{outer}.{name}" if outer else name


# Told (files done, files in the round, round number) as the analyses of each round finish.
Progress = Callable[[int, int, int], None]


def scan_files(paths: Sequence[Path], ruleset: RuleSet, jobs: int | None = None,
               progress: Progress | None = None, cache: AnalysisCache | None = None) -> ScanResult:
    """Scan a project: each file, then again where other modules' values reach it.

    Round one reads the files that mention SendGrid. A module that binds a client, a chain, a
    factory or a class holding one at module level exports it; a call that passes such a value
    to a function of another module tells that function's module. Later rounds re-read only the
    modules those facts reach (found by name without parsing), until nothing new is learnt.
    Files are analysed on `jobs` processes (default: every core); the result does not depend
    on it. One pool serves every round, and round one's files go to it as the walk over the
    tree finds them, so its workers import libcst and parse while the rest is still being read.
    A file is parsed once: a later round takes its tree from the worker that parsed it.
    `progress(done, total, round)` is told as the files of each round finish. With a `cache`,
    a module whose bytes and project facts are unchanged is not parsed at all.
    """
    from .symbols import ProjectFacts

    _package_of.cache_clear()  # folders may have gained or lost __init__.py since last time
    cwd = os.getcwd()
    files = [_SourceFile(p, display_path(p, cwd), *module_name(p, cwd)) for p in paths]
    by_module = {f.module: f for f in files}
    reports: dict[Path, FileReport] = {}
    analyses: dict[Path, ModuleAnalysis] = {}

    wrapper_marker = _names_pattern(ruleset.wrapper_functions)
    keys: dict[Path, tuple[HardCodedKey, ...]] = {}
    annotated: dict[Path, bytes] = {}  # files with `# sg-scope:` comments, applied at the end
    facts = ProjectFacts(wrappers=ruleset.wrapper_functions)
    cache = cache or AnalysisCache(None)
    owners = _ConstantOwners(files, by_module)
    stopped: list[_SourceFile] = []  # reached by values when the round limit was hit
    analysed: Counter[Path] = Counter()  # analyses per file, cached ones left out
    parses: Counter[Path] = Counter()  # of those, the ones that parsed the file
    rounds: list[int] = []
    from .parsed import TREES

    TREES.clear()
    with contextlib.closing(WorkerPool(jobs, _prepare_worker)) as pool:
        first = _Round(facts, pool, cache, analysed, parses)
        for source in files:
            data = _read(source)
            if isinstance(data, FileReport):
                reports[source.path] = data
                continue
            keys[source.path] = _hard_coded_keys(data, source.shown)
            if might_have_annotations(data):
                annotated[source.path] = data
            if might_call_sendgrid(data) or (wrapper_marker and wrapper_marker.search(data)):
                first.add(source, data)
        pending, results = first.sources, first.finish(progress, 1)
        rounds.append(len(pending))
        while True:
            for source, analysis in zip(pending, results, strict=True):
                if isinstance(analysis, FileReport):
                    reports[source.path] = analysis
                    analyses.pop(source.path, None)
                else:
                    reports.pop(source.path, None)
                    analyses[source.path] = analysis
            new_facts = _merge_facts(analyses.values(), facts.wrappers, owners)
            if new_facts == facts:
                break
            pending = _reached(files, by_module, facts, new_facts, analyses, pool)
            facts = new_facts
            if not pending:
                break
            if len(rounds) == MAX_PROJECT_ROUNDS:
                stopped = pending
                break
            later = _Round(facts, pool, cache, analysed, parses)
            for source in pending:
                later.add(source)
            rounds.append(len(pending))
            results = later.finish(progress, len(rounds))
    shown = {f.path: f.shown for f in files}
    for path, analysis in analyses.items():
        reports[path] = report_calls(shown[path], analysis.calls, ruleset)
    for source in stopped:
        report = reports.get(source.path, FileReport(source.shown))
        reports[source.path] = replace(report, unresolved=(*report.unresolved, Unresolved(
            Location(source.shown, 1, 1), _stopped(len(rounds)), source.module or source.shown)))
    for path, data in annotated.items():
        reports[path] = _annotate(reports.get(path, FileReport(shown[path])), data,
                                  ruleset.catalogue)
    TREES.clear()
    stats = ScanStats(len(files), len(analysed), sum(analysed.values()), len(parses),
                      max(parses.values(), default=0), tuple(rounds))
    return ScanResult(tuple(_with_keys(reports.get(f.path, FileReport(f.shown)),
                                       keys.get(f.path, ())) for f in files), stats)


def _hard_coded_keys(data: bytes, shown: str) -> tuple[HardCodedKey, ...]:
    if b"SG." not in data:
        return ()
    return tuple(HardCodedKey(Location(shown, line, col), key)
                 for line, col, key in find_keys(data))


def _with_keys(report: FileReport, keys: tuple[HardCodedKey, ...]) -> FileReport:
    return replace(report, keys=keys) if keys else report


def _prepare_worker() -> None:
    import gc

    from . import callsites  # noqa: F401 - libcst and the analysis, before the first file

    # What is alive now (modules, classes) lives as long as the worker: the collector need not
    # walk it again on every full collection while files are parsed (~7% of a parse).
    gc.freeze()


class _Round:
    """One round's analyses, in the order their files are added, begun as they are added:
    cached ones are taken at once, the others go to the pool when it is wanted (each file to
    the worker that has its tree), else they are analysed here by `finish`. A warm rescan
    starts no pool and imports no libcst."""

    def __init__(self, facts: ProjectFacts, pool: WorkerPool, cache: AnalysisCache,
                 analysed: Counter[Path], parses: Counter[Path]) -> None:
        self.facts, self.pool, self.cache = facts, pool, cache
        self.analysed, self.parses = analysed, parses
        self.sources: list[_SourceFile] = []
        self.results: list[ModuleAnalysis | FileReport | None] = []  # None: still to come
        self.running: dict[int, Future[tuple[ModuleAnalysis | FileReport, bool]]] = {}
        self.waiting: list[int] = []  # neither cached nor sent to the pool

    def add(self, source: _SourceFile, data: bytes | None = None) -> None:
        self.sources.append(source)
        cached = _cached(source, self.facts, self.cache, data)
        self.results.append(cached)
        if cached is not None:
            return
        self.analysed[source.path] += 1
        self.waiting.append(len(self.results) - 1)
        if self.pool.wanted(len(self.waiting) + len(self.running)):
            for index in self.waiting:
                sent = self.sources[index]
                self.running[index] = self.pool.submit(
                    sent.shown, _size(sent, data if index == len(self.results) - 1 else None),
                    _analyse_source, sent, self.facts, self.cache)
            self.waiting.clear()

    def finish(self, progress: Progress | None, number: int
               ) -> list[ModuleAnalysis | FileReport]:
        """Every analysis, in order; `progress(done, total, number)` told as they come in."""
        total = len(self.results)
        done = total - len(self.waiting) - len(self.running)
        finished: list[ModuleAnalysis | FileReport] = []
        for index, (source, result) in enumerate(zip(self.sources, self.results, strict=True)):
            if result is None:
                running = self.running.get(index)
                result, parsed = running.result() if running is not None else _analyse_source(
                    source, self.facts, self.cache)
                if parsed:
                    self.parses[source.path] += 1
                done += 1
                if progress:
                    progress(done, total, number)
            finished.append(result)
        return finished


def _size(source: _SourceFile, data: bytes | None) -> int:
    if data is not None:
        return len(data)
    try:
        return source.path.stat().st_size
    except OSError:
        return 0


def _cached(source: _SourceFile, facts: ProjectFacts, cache: AnalysisCache,
            data: bytes | FileReport | None = None) -> ModuleAnalysis | None:
    if cache.directory is None:
        return None
    if data is None:
        data = _read(source)
    if isinstance(data, FileReport):
        return None
    return cache.get(cache.key(data, source.shown, source.module, source.is_package, facts))


def _analyse_source(source: _SourceFile, facts: ProjectFacts, cache: AnalysisCache
                    ) -> tuple[ModuleAnalysis | FileReport, bool]:
    """The file's analysis, and whether this parsed it (not when cached or its tree was kept
    from an earlier round)."""
    from .parsed import TREES

    data = _read(source)
    if isinstance(data, FileReport):
        return data, False
    key = None
    if cache.directory is not None:  # no key without a cache: it hashes the project facts
        key = cache.key(data, source.shown, source.module, source.is_package, facts)
        cached = cache.get(key)
        if cached is not None:
            return cached, False
    parsed = TREES.get(source.shown, data) is None
    analysis = _analyse(data, source.shown, source.module, source.is_package, facts, keep=True)
    if key is not None and not isinstance(analysis, FileReport):
        cache.put(key, analysis)
    return analysis, parsed


def _read(source: _SourceFile) -> bytes | FileReport:
    try:
        return source.path.read_bytes()
    except IsADirectoryError:
        return _error(source.shown, 1, 1, "is a directory, not a Python file")
    except OSError as exc:
        return _error(source.shown, 1, 1, f"cannot read the file: {exc.strerror or exc}")


def _merge_facts(analyses: Iterable[ModuleAnalysis], wrappers: frozenset[str],
                 owners: _ConstantOwners) -> ProjectFacts:
    from .symbols import ProjectFacts

    merged = ProjectFacts(wrappers=wrappers)
    wanted: dict[str, set[str]] = {}
    unbound: set[str] = set()
    analyses = list(analyses)
    for analysis in analyses:
        merged.exports.update(analysis.exports)
    _export_under_imported_names(merged.exports, analyses, owners)
    # "Not bound there" changes an answer only for a name a star import may bind: of a
    # module that is not in the project (`os.environ`), other names are never followed.
    starred = frozenset(star for analysis in analyses for star in analysis.stars)
    for analysis in analyses:
        for qualname, passed in analysis.arguments.items():
            merged.arguments.setdefault(qualname, {}).update(passed)
        merged.constants.update(analysis.constants)
        for qualname in analysis.wanted:
            owner = owners.of(qualname)
            if owner is not None:
                wanted.setdefault(owner, set()).add(qualname)
            elif owners.absent(qualname) and qualname.rpartition(".")[0] in starred:
                unbound.add(qualname)
        unbound.update(analysis.unbound)
    merged.wanted.update((owner, frozenset(names)) for owner, names in sorted(wanted.items()))
    return replace(merged, unbound=frozenset(unbound))


def _export_under_imported_names(exports: dict[str, Value], analyses: list[ModuleAnalysis],
                                 owners: _ConstantOwners) -> None:
    """Exports again under the names other modules import them by, where those differ.

    A file in folders without `__init__.py` (namespace packages) is named from its nearest
    package only (`sendgrid` for `app/constants/sendgrid.py`), while other modules import it
    by its full dotted path from the project root (`app.constants.sendgrid`).
    """
    aliases: dict[str, str] = {}
    for analysis in analyses:
        for qualname in analysis.imports:
            for module in (qualname, qualname.rpartition(".")[0]):
                if module and module not in aliases:
                    named = owners.named_as(module)
                    if named is not None:
                        aliases[module] = named
    for imported_as, named in aliases.items():
        for qualname, value in list(exports.items()):
            if qualname.startswith(named + "."):
                exports.setdefault(imported_as + qualname[len(named):], value)


class _ConstantOwners:
    """Which file of the project binds a module-level name another module reads.

    `core.settings.API_VERSION` is bound by the module `core.settings`; when no file is that
    module by its `__init__.py` packages (a namespace package, or a `src/` layout whose root is
    not a package), by the one file whose path ends in `core/settings.py`. A name that is itself
    a module, or that names no file or several, has no owner: it stays unknown.
    """

    def __init__(self, files: list[_SourceFile], by_module: dict[str, _SourceFile]) -> None:
        self.by_module = by_module
        self.by_last: dict[str, list[tuple[tuple[str, ...], _SourceFile]]] = {}
        for source in files:
            parts = Path(source.shown).with_suffix("").parts
            if parts and parts[-1] == "__init__":
                parts = parts[:-1]
            if parts:
                self.by_last.setdefault(parts[-1], []).append((parts, source))
        self.found: dict[str, str | None] = {}
        self.by_shown = {source.shown: source for source in files}

    def of(self, qualname: str) -> str | None:
        """The shown path of the file that binds `qualname`, None when unknown."""
        module = qualname.rpartition(".")[0]
        if not module or qualname in self.by_module:
            return None
        if module not in self.found:
            self.found[module] = self._file(module)
        return self.found[module]

    def named_as(self, module: str) -> str | None:
        """The module name the project gives the one file that `module` can only be found as
        by its path (its folders lack `__init__.py`), when that name is shorter."""
        if module in self.by_module:
            return None
        shown = self._file(module)
        if shown is None:
            return None
        named = self.by_shown[shown].module
        return named if module.endswith("." + named) else None

    def absent(self, qualname: str) -> bool:
        """Whether no file of the project can be the module that binds `qualname` (a settings
        `local.py` kept out of the repository, or a module of another package)."""
        module = qualname.rpartition(".")[0]
        return bool(module) and qualname not in self.by_module and not self._files(module)

    def _file(self, module: str) -> str | None:
        matches = self._files(module)
        return matches[0] if len(matches) == 1 else None

    def _files(self, module: str) -> list[str]:
        if module in self.by_module:
            return [self.by_module[module].shown]
        wanted = tuple(module.split("."))
        return [source.shown for parts, source in self.by_last.get(wanted[-1], [])
                if parts[-len(wanted):] == wanted]


def _reached(files: list[_SourceFile], by_module: dict[str, _SourceFile], old: ProjectFacts,
             new: ProjectFacts, analyses: dict[Path, ModuleAnalysis],
             pool: WorkerPool | None = None) -> list[_SourceFile]:
    """The files whose view of the project changed between two rounds of facts (the files not
    analysed yet are searched on the pool's workers when it is running)."""
    changed_exports = {q for q, v in new.exports.items() if old.exports.get(q) != v}
    changed_arguments = {q for q, v in new.arguments.items() if old.arguments.get(q) != v}
    modules = {q.rpartition(".")[0] for q in changed_exports}
    changed_prefixes = {q.rsplit(".", cut)[0] for q in changed_exports
                        for cut in range(q.count(".") + 1)}
    reached: dict[Path, _SourceFile] = {}
    # A file asked for new names, and the files whose asked-for strings came back: only those.
    asked = {shown for shown, names in new.wanted.items() if old.wanted.get(shown) != names}
    answered = {q for q, v in new.constants.items() if old.constants.get(q) != v}
    answered |= new.unbound - old.unbound  # "not bound here" is an answer too
    if asked or answered:
        for source in files:
            analysis = analyses.get(source.path)
            if source.shown in asked or (analysis is not None and analysis.wanted & answered):
                reached[source.path] = source
    for qualname in changed_arguments:
        # A function's module, else a method's (`module.Class.method`): not the package
        # around a function's module.
        candidate = qualname.rpartition(".")[0]
        if candidate not in by_module:
            candidate = qualname.rsplit(".", 2)[0]
        if candidate in by_module:
            reached[by_module[candidate].path] = by_module[candidate]
    if modules:
        pattern = _import_pattern(_import_names(modules, by_module))
        names = frozenset(module.rpartition(".")[2].encode() for module in modules)
        # An unread file is reached only when it also names one of the changed exports (or
        # star-imports): importing the module for its ordinary functions brings no SendGrid
        # value into the file.
        exported = frozenset(q.rpartition(".")[2].encode() for q in changed_exports)
        unread = [source for source in files if source.path not in reached
                  and source.module not in modules and source.path not in analyses]
        importing = _importing(unread, names, pattern, exported, pool)
        for source in files:
            if source.path in reached:
                continue
            analysis = analyses.get(source.path)
            if analysis is not None:
                # Names of its own module do not send a file back (its own exports changed);
                # names of other modules do, also when a file of the same name (a namespace
                # package's `sendgrid.py` beside its `constants/sendgrid.py`) exported them.
                # An import of one of the changed names, of a class or module holding one,
                # or a star import of their module: not any import from that module.
                own = source.module + "."
                if any(name in changed_prefixes and not name.startswith(own)
                       for name in analysis.imports) or not modules.isdisjoint(analysis.stars):
                    reached[source.path] = source
            elif source.module in modules:
                continue
            elif source.path in importing:
                reached[source.path] = source
    return list(reached.values())


def _importing(sources: list[_SourceFile], names: frozenset[bytes], pattern: re.Pattern[bytes],
               exported: frozenset[bytes], pool: WorkerPool | None) -> set[Path]:
    """The files whose text may import one of the modules and name one of their changed
    exports; on the pool when it is running."""
    paths = [os.fspath(source.path) for source in sources]  # str: cheap to send to workers
    if pool is None or not pool.running or len(paths) < PARALLEL_THRESHOLD:
        found = _files_importing(paths, names, pattern, exported)
    else:
        parts = min(len(paths), pool.workers * 4)  # small parts: workers finish together
        found = [index * parts + start for start, indices in enumerate(pool.map(
            _files_importing, [paths[start::parts] for start in range(parts)],
            [names] * parts, [pattern] * parts, [exported] * parts)) for index in indices]
    return {sources[index].path for index in found}


def _files_importing(paths: list[str], names: frozenset[bytes], pattern: re.Pattern[bytes],
                     exported: frozenset[bytes]) -> list[int]:
    """The indices of the files that may import one of the modules and name one of their
    changed exports (or star-import); unreadable ones may not."""
    found = []
    for index, path in enumerate(paths):
        try:
            with open(path, "rb") as file:
                data = file.read()
        except OSError:
            continue
        # Substring tests first (C speed): a file can only use an export whose name it
        # contains, and only import a module whose last name it contains; the regexes then
        # run on the few files left.
        if not (any(name in data for name in exported) or _STAR_IMPORT.search(data)):
            continue
        if any(name in data for name in names) and pattern.search(data):
            found.append(index)
    return found


_STAR_IMPORT = re.compile(rb"import\s*\*")


def _names_pattern(qualnames: frozenset[str]) -> re.Pattern[bytes] | None:
    """Files that may call one of these functions: they mention its name (None: no functions)."""
    names = sorted({q.rpartition(".")[2] for q in qualnames})
    if not names:
        return None
    return re.compile(rb"\b(" + b"|".join(re.escape(n.encode()) for n in names) + rb")\b")


def _import_names(modules: set[str], by_module: dict[str, _SourceFile]) -> set[str]:
    """The dotted names other files may import `modules` by: each module's own, and, for a file
    in folders without `__init__.py`, the longer names its path gives (`core.settings` for the
    module `settings` in `core/settings.py`)."""
    names = set(modules)
    for module in modules:
        source = by_module.get(module)
        if source is None:
            continue
        parts = Path(source.shown).with_suffix("").parts
        if parts and parts[-1] == "__init__":
            parts = parts[:-1]
        dotted = ".".join(parts)
        if all(part.isidentifier() for part in parts) and dotted.endswith("." + module):
            names.update(".".join(parts[start:]) for start in range(len(parts) - 1))
    return names


def _import_pattern(modules: set[str]) -> re.Pattern[bytes]:
    """A cheap byte test for files that may import one of `modules`: `import a.b.c`,
    `from a.b.c import x`, `from a.b import c` (also in parentheses over several lines), and,
    for a module inside a package, the relative forms of the last two."""
    alternatives = []
    for module in sorted(modules):
        parent, _, last = module.rpartition(".")
        dotted, name = re.escape(module), re.escape(last)
        alternatives.append(rf"import\s[^\n]*\b{dotted}\b")
        alternatives.append(rf"from\s+{dotted}\s+import\b")
        if parent:
            alternatives.append(rf"from\s+{re.escape(parent)}\s+import\s+"
                                rf"(?:\([^)]*|[^\n]*)\b{name}\b")
            alternatives.append(rf"from\s+\.+(?:[\w.]*\.)?{name}\s+import\b")
            alternatives.append(rf"from\s+\.+[\w.]*\s+import\s+(?:\([^)]*|[^\n]*)\b{name}\b")
    # Anchored at the start of a line: the alternatives are tried only where a statement
    # begins, not at every byte of the file.
    return re.compile(rb"(?m)^[ \t]*(?:" + "|".join(alternatives).encode() + rb")")


def scan_file(path: Path, ruleset: RuleSet) -> FileReport:
    """Read one file from disk and scan it on its own."""
    return scan_files([path], ruleset).files[0]


def _python_syntax_error(data: bytes) -> tuple[int, int, str] | None:
    """CPython's own account of a syntax error: the line, column and words users know."""
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(data)
    except SyntaxError as exc:
        return exc.lineno or 1, exc.offset or 1, " ".join(str(exc.msg).split())
    except (ValueError, RecursionError, MemoryError):
        return None
    return None


def _annotate(report: FileReport, data: bytes, catalogue: ScopeCatalogue) -> FileReport:
    """The report with its file's annotations applied; unchanged when it has none to apply."""
    if report.errors or not might_have_annotations(data):
        return report
    return _apply_annotations(report, data, catalogue)


def _apply_annotations(report: FileReport, data: bytes, catalogue: ScopeCatalogue) -> FileReport:
    """Resolve the unresolved calls that `# sg-scope:` annotations speak for.

    An annotation covers the unresolved calls on its line; on a `def` line it also covers the
    unresolved calls in that function's body and makes every call to the function (in this
    file) an annotated call. An annotation that covers nothing is reported as unused.
    """
    found = read_annotations(data, report.path, catalogue)
    if not found.valid and not found.problems:
        return report
    index = find_wrappers(data, report.path, {note.target_line for note in found.valid})
    covered: dict[Unresolved, tuple[tuple[str, ...], Location]] = {}
    annotated: list[Annotated] = []
    problems: list[AnnotationProblem] = list(found.problems)
    for note in found.valid:
        wrapper = index.at(note.target_line)
        hits = [u for u in report.unresolved if u.location.line == note.target_line or (
            wrapper is not None and wrapper.line <= u.location.line <= wrapper.end_line)]
        for call in hits:
            scopes, where = covered.get(call, ((), note.location))
            covered[call] = (tuple(dict.fromkeys(scopes + note.scopes)), where)
        if wrapper is not None:
            reason = f"calls `{wrapper.name}`, annotated on line {note.location.line}"
            annotated += [Annotated(c.location, c.text, note.scopes, note.location, reason)
                          for c in index.calls if c.wrapper == wrapper]
        elif not hits:
            problems.append(AnnotationProblem(note.location, AnnotationProblemKind.UNUSED,
                                              str(note.target_line)))
    annotated += [Annotated(call.location, call.chain, scopes, where, call.reason, call.key)
                  for call, (scopes, where) in covered.items()]
    return replace(
        report,
        unresolved=tuple(u for u in report.unresolved if u not in covered),
        annotated=tuple(sorted(annotated, key=lambda a: (a.location, a.chain))),
        annotation_problems=tuple(sorted(problems, key=lambda p: (p.location, p.detail))),
    )


def _error(path: str, line: int, col: int, message: str) -> FileReport:
    return FileReport(path, errors=(FileError(Location(path, line, col), message),))
