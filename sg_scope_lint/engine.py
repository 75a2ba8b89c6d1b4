"""Run the stages over one file (pure: bytes in, FileReport out) and over a whole project."""

from __future__ import annotations

import contextlib
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from .analysis.clients import VERB_ORDER
from .analysis.parse import analyse, file_error
from .analysis.solver import (
    ConstantOwners,
    SourceFile,
    clear_package_cache,
    merge_facts,
    module_name,
    reached_files,
)
from .analysis.symbols import SMTP_PASSWORD
from .annotations import read_annotations
from .cache import AnalysisCache
from .discover import display_path
from .files import read_regular
from .pool import WorkerPool
from .prefilter import might_call_sendgrid, might_have_annotations
from .rules import RuleSet, ScopeCatalogue
from .secrets import find_keys
from .types import (
    Annotated,
    AnnotationProblem,
    AnnotationProblemKind,
    CallSite,
    FileReport,
    HardCodedKey,
    Location,
    Match,
    RawCall,
    ScanResult,
    ScanStats,
    StepKind,
    Unknown,
    Unresolved,
)
from .wrappers import find_wrappers

if TYPE_CHECKING:  # libcst is imported only when a file needs parsing, a pool only when used
    from concurrent.futures import Future

    from .analysis.symbols import ModuleAnalysis, ProjectFacts

# Values flow between modules for at most this many rounds: a round analyses again only the
# files whose inputs changed, from the trees kept since their first parse. A file that values
# still reach when the limit is hit is reported as unresolved (`_stopped`), not dropped.
MAX_PROJECT_ROUNDS = 32


# The source kept in memory during a scan for the search of importers: about 1.5M lines.
KEPT_TEXT_BYTES = 64 << 20


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
        analysis = analyse(data, path, "", False, None)
        report = analysis if isinstance(analysis, FileReport) else report_calls(
            path, analysis.calls, ruleset)
    return _with_keys(_annotate(report, data, ruleset.catalogue), keys)


def report_calls(path: str, raw_calls: Iterable[RawCall], ruleset: RuleSet,
                 sent: frozenset[str] = frozenset()) -> FileReport:
    """Resolve and match a file's calls. A guessed call counts only when a rule knows it; so
    does a call to a base URL known only at run time, which is then reported as unresolved.
    A string that names an endpoint (`RawCall.named`) is reported as unresolved unless a
    request accounts for it: one on its line, or one of this file or of `sent` (the paths the
    project's requests send to) whose path it is or begins."""
    from .narrow import narrowed
    from .resolve import resolve

    matches: list[Match] = []
    unresolved: list[Unresolved] = []
    unknown: list[Unknown] = []
    raw_calls = list(raw_calls)
    requests = [raw for raw in raw_calls if not raw.named]
    for raw in requests:
        resolved = resolve(raw)
        outcome = resolved if isinstance(resolved, Unresolved) else ruleset.match(resolved)
        if (raw.guessed or raw.unknown_base) and not isinstance(outcome, Match):
            continue
        if raw.unknown_base and isinstance(outcome, Match):
            unresolved.append(_unknown_base(outcome))
        elif isinstance(outcome, Match):
            matches.append(outcome)
        elif isinstance(outcome, Unresolved):
            unresolved.append(narrowed(outcome, raw, ruleset) if outcome is resolved else outcome)
        else:
            unknown.append(outcome)
    lines = {raw.location.line for raw in requests}
    paths = sent | sent_paths(requests)
    for raw in raw_calls:
        if raw.named and raw.verb == "send":  # an SMTP host setting (see `callsites`)
            if raw.location.line not in lines and SMTP_CONNECTION not in paths:
                matches.append(_mail_send(raw, ruleset))
            continue
        named = _path_text(raw) if raw.named else None
        if named is None or raw.location.line in lines or named.startswith("/{}"):
            continue
        # The string's run-time parts stand for any text of the path a request sends.
        pattern = re.compile(".*?".join(re.escape(part) for part in named.split("{}")))
        if any(pattern.match(text) for text in paths):
            continue
        found = _named_endpoint(raw, ruleset)
        if found is not None:
            unresolved.append(found)
    unresolved.sort(key=lambda u: (u.location.line, u.location.col))
    return FileReport(path, tuple(matches), tuple(unresolved), tuple(unknown))


# Stands, among the paths requests send to, for an SMTP connection to SendGrid's relay.
SMTP_CONNECTION = "(SMTP)"


def sent_paths(raw_calls: Iterable[RawCall]) -> frozenset[str]:
    """The paths the requests among `raw_calls` send to (see `_path_text`; a client chain's
    path once resolved), and `SMTP_CONNECTION` when one of them opens an SMTP connection to
    SendGrid's relay."""
    from .resolve import resolve

    found: set[str] = set()
    for raw in raw_calls:
        if raw.named:
            continue
        text = _path_text(raw)
        if text is None and raw.steps and not raw.dynamic:
            resolved = resolve(raw)
            if isinstance(resolved, CallSite):
                text = "/" + "/".join(p if isinstance(p, str) else "{}"
                                      for p in resolved.endpoint.parts)
        if text is not None:
            found.add(text)
    if any(not raw.named and raw.key == SMTP_PASSWORD for raw in raw_calls):
        found.add(SMTP_CONNECTION)
    return frozenset(found)


def _mail_send(raw: RawCall, ruleset: RuleSet) -> Match:
    from .resolve import resolve

    resolved = resolve(replace(raw, named=False))
    assert not isinstance(resolved, Unresolved), "a setting's `send` always resolves"
    outcome = ruleset.match(resolved)
    assert isinstance(outcome, Match), "the rules always know mail/send"
    return outcome


# Placeholders of %-format and str.format left in a string: run-time parts of the path.
_PLACEHOLDER = re.compile(r"%[sdr]|\{[^{}]*\}")


def _path_text(raw: RawCall) -> str | None:
    """The path a request to a full URL sends to, as text (`{}` for run-time parts, no query
    string or trailing slash); None for other calls."""
    steps = raw.steps
    if len(steps) != 2 or steps[0].kind is not StepKind.VERSION or steps[0].pieces or \
            steps[1].kind is not StepKind.UNDERSCORE:
        return None
    text = "".join(p if isinstance(p, str) else "{}" for p in steps[1].pieces)
    text = _PLACEHOLDER.sub("{}", text.split("?")[0])
    return "/" + "/".join(s for s in text.split("/") if s)


def _named_endpoint(raw: RawCall, ruleset: RuleSet) -> Unresolved | None:
    """A string naming a SendGrid endpoint that no request of its module is seen to send:
    unresolved, with the endpoints it could be and their scopes. A bare path (no host,
    `unknown_base`) counts only when a rule knows it."""
    from .resolve import resolve

    candidates: list[Match] = []
    for verb in VERB_ORDER:
        resolved = resolve(replace(raw, verb=verb, named=False))
        if not isinstance(resolved, Unresolved):
            outcome = ruleset.match(resolved)
            if isinstance(outcome, Match):
                candidates.append(outcome)
    path = _path_text(raw)
    if raw.unknown_base and not candidates:
        return None
    if not candidates:
        return Unresolved(raw.location, f"names `{path}` on SendGrid's API, which no rule "
                          "covers, and no request of this module is seen to send it",
                          raw.chain, raw.key)
    could = ", ".join(f"{m.rule.method} {m.rule.path} ({', '.join(m.scopes) or 'no scope'})"
                      for m in candidates)
    scopes = tuple(dict.fromkeys(scope for m in candidates for scope in m.scopes))
    named = "a path of SendGrid's API" if raw.unknown_base else "a SendGrid endpoint"
    return Unresolved(raw.location, f"names {named} in a string that no request "
                      f"of this module is seen to send; it could be {could}", raw.chain,
                      raw.key, could_need=scopes)


def _unknown_base(match: Match) -> Unresolved:
    """A request whose base URL is known only at run time, with the endpoint and scopes it
    would have if that base is SendGrid's v3 API."""
    rule, call = match.rule, match.call
    reason = (f"the URL's base is only known at run time; on SendGrid's API this would be "
              f"{rule.method} {rule.path} ({rule.id})")
    return Unresolved(call.location, reason, call.chain, call.key, could_need=match.scopes)


# ------------------------------------------------------------------------------ whole project


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
    from .analysis.symbols import ProjectFacts

    clear_package_cache()
    cwd = os.getcwd()
    files = [SourceFile(p, display_path(p, cwd), *module_name(p, cwd)) for p in paths]
    by_module = {f.module: f for f in files}
    reports: dict[Path, FileReport] = {}
    analyses: dict[Path, ModuleAnalysis] = {}

    wrapper_marker = _names_pattern(ruleset.wrapper_functions)
    keys: dict[Path, tuple[HardCodedKey, ...]] = {}
    annotated: dict[Path, bytes] = {}  # files with `# sg-scope:` comments, applied at the end
    facts = ProjectFacts(wrappers=ruleset.wrapper_functions)
    cache = cache or AnalysisCache(None)
    owners = ConstantOwners(files, by_module)
    stopped: list[SourceFile] = []  # reached by values when the round limit was hit
    # The bytes of the files read, kept (up to a budget) for later rounds to search for
    # importers of a module whose SendGrid values changed, without reading the tree again.
    texts: dict[Path, bytes] = {}
    kept_bytes = 0
    analysed: Counter[Path] = Counter()  # analyses per file, cached ones left out
    parses: Counter[Path] = Counter()  # of those, the ones that parsed the file
    rounds: list[int] = []
    from .analysis.parsed import TREES

    TREES.clear()
    with contextlib.closing(WorkerPool(jobs, _prepare_worker)) as pool:
        first = _Round(facts, pool, cache, analysed, parses)
        for source in files:
            data = _read(source)
            if isinstance(data, FileReport):
                reports[source.path] = data
                continue
            if kept_bytes + len(data) <= KEPT_TEXT_BYTES:
                texts[source.path] = data
                kept_bytes += len(data)
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
            new_facts = merge_facts(analyses.values(), facts.wrappers, owners)
            if new_facts == facts:
                break
            pending = reached_files(files, by_module, facts, new_facts, analyses, pool, texts)
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
    sent = frozenset().union(*(sent_paths(a.calls) for a in analyses.values()))
    for path, analysis in analyses.items():
        reports[path] = report_calls(shown[path], analysis.calls, ruleset, sent)
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

    from .analysis import callsites  # noqa: F401 - libcst and the analysis, before the first file

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
        self.sources: list[SourceFile] = []
        self.results: list[ModuleAnalysis | FileReport | None] = []  # None: still to come
        self.running: dict[int, Future[tuple[ModuleAnalysis | FileReport, bool]]] = {}
        self.waiting: list[int] = []  # neither cached nor sent to the pool
        self.waiting_bytes = 0

    def add(self, source: SourceFile, data: bytes | None = None) -> None:
        self.sources.append(source)
        cached = _cached(source, self.facts, self.cache, data)
        self.results.append(cached)
        if cached is not None:
            return
        self.analysed[source.path] += 1
        self.waiting.append(len(self.results) - 1)
        self.waiting_bytes += _size(source, data)
        if self.pool.wanted(len(self.waiting) + len(self.running), self.waiting_bytes):
            for index in self.waiting:
                sent = self.sources[index]
                self.running[index] = self.pool.submit(
                    sent.shown, _size(sent, data if index == len(self.results) - 1 else None),
                    _analyse_source, sent, self.facts, self.cache)
            self.waiting.clear()
            self.waiting_bytes = 0

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


def _size(source: SourceFile, data: bytes | None) -> int:
    if data is not None:
        return len(data)
    try:
        return source.path.stat().st_size
    except OSError:
        return 0


def _cached(source: SourceFile, facts: ProjectFacts, cache: AnalysisCache,
            data: bytes | FileReport | None = None) -> ModuleAnalysis | None:
    if cache.directory is None:
        return None
    if data is None:
        data = _read(source)
    if isinstance(data, FileReport):
        return None
    return cache.lookup(data, source.shown, source.module, source.is_package, facts)


def _analyse_source(source: SourceFile, facts: ProjectFacts, cache: AnalysisCache
                    ) -> tuple[ModuleAnalysis | FileReport, bool]:
    """The file's analysis, and whether this parsed it (not when cached or its tree was kept
    from an earlier round)."""
    from .analysis.parsed import TREES

    data = _read(source)
    if isinstance(data, FileReport):
        return data, False
    cached = cache.lookup(data, source.shown, source.module, source.is_package, facts)
    if cached is not None:
        return cached, False
    parsed = TREES.get(source.shown, data) is None
    analysis = analyse(data, source.shown, source.module, source.is_package, facts, keep=True)
    if not isinstance(analysis, FileReport):
        cache.store(data, source.shown, source.module, source.is_package, facts, analysis)
    return analysis, parsed


def _read(source: SourceFile) -> bytes | FileReport:
    try:
        return read_regular(source.path)  # no FIFO, device or link to one; at most 64 MB
    except IsADirectoryError:
        return file_error(source.shown, 1, 1, "is a directory, not a Python file")
    except OSError as exc:
        return file_error(source.shown, 1, 1, f"cannot read the file: {exc.strerror or exc}")


def _names_pattern(qualnames: frozenset[str]) -> re.Pattern[bytes] | None:
    """Files that may call one of these functions: they mention its name (None: no functions)."""
    names = sorted({q.rpartition(".")[2] for q in qualnames})
    if not names:
        return None
    return re.compile(rb"\b(" + b"|".join(re.escape(n.encode()) for n in names) + rb")\b")


def scan_file(path: Path, ruleset: RuleSet) -> FileReport:
    """Read one file from disk and scan it on its own."""
    return scan_files([path], ruleset).files[0]


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

