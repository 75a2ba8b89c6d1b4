"""Time sg-scope-lint against rg, ruff and flake8 on the pinned corpora; print the goals' ratios.

Two corpora of the same pinned packages: one with new modules that use SendGrid (issue 7's
goals), and the monorepo one, where SendGrid code is appended to existing modules that the rest
of the tree imports (issue 14's goals: the project analysis must follow the SendGrid code, not
the size of the tree).

    python benchmarks/bench_scan.py [--dir DIR] [--rounds N] [--flake8] [--python PYTHON]

Every command runs as a whole process, `--rounds` times (default 5), interleaved: each round
runs every command once, in an order that rotates from round to round, so that drift in the
machine's speed falls on all of them alike. Figures are medians. The tool that runs is the one
in this checkout (its folder goes first on PYTHONPATH), under `--python` (default: this
interpreter). The script always exits 0 once it has measured: a missed goal is a finding, not
a failure. It exits 1 only when it cannot measure at all (corpus or tool broken).
Standard library only.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import corpus as corpus_module  # benchmarks/corpus.py; this script's folder is on sys.path

REPO = Path(__file__).resolve().parent.parent
CACHE_DIRECTORY = ".sg-scope-lint-cache"  # the tool's, under the corpus root (see corpus.py)

# flake8 run as usual, and with sg-scope-lint's plugin taken out of what flake8 finds: the same
# interpreter, packages and start-up, one plugin fewer. (flake8 runs a registered plugin even
# when its codes are not selected, so --select cannot give the "without" figure.)
_FLAKE8 = "import sys\nfrom flake8.main.cli import main\nsys.exit(main())\n"
_FLAKE8_WITHOUT_PLUGIN = (
    "import sys\n"
    "from flake8.plugins import finder\n"
    "_find = finder.find_plugins\n"
    "def _without(cfg, opts):\n"
    "    return [p for p in _find(cfg, opts)\n"
    "            if p.package.replace('_', '-').lower() != 'sg-scope-lint']\n"
    "finder.find_plugins = _without\n"
    "from flake8.main.cli import main\n"
    "sys.exit(main())\n"
)
_PLUGIN_REGISTERED = (
    "import importlib.metadata as m\n"
    "print(any((ep.dist.name if ep.dist else '').replace('_', '-').lower() == 'sg-scope-lint'\n"
    "          for ep in m.entry_points(group='flake8.extension')))\n"
)


@dataclass(frozen=True, slots=True)
class Command:
    key: str
    label: str
    argv: tuple[str, ...]
    cwd: Path
    ok: frozenset[int] = frozenset({0, 1})  # exit codes that mean "ran": 1 is findings for all
    env: tuple[tuple[str, str], ...] = ()  # set for this command only, over the common ones
    prepare: Callable[[], None] | None = None  # untimed, before each run (an edit to a file)


@dataclass(slots=True)
class Samples:
    seconds: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("nan")


@dataclass(frozen=True, slots=True)
class Run:
    seconds: float
    rss_kib: int  # peak resident set of the process or of any worker it waited for
    code: int
    stdout: bytes
    stderr: bytes


# GNU time reports the peak RSS of the command it starts. Our own ru_maxrss of a child would
# not do: Linux counts the parent's resident set at fork into the child's peak (exec keeps the
# old high-water mark), so every child would look at least as big as this script.
GNU_TIME = "/usr/bin/time"


def run(command: Command, env: dict[str, str], scratch: Path) -> Run:
    """Run one whole process; its output goes to files, not pipes, so reading costs nothing."""
    out, err = scratch / f"{command.key}.out", scratch / f"{command.key}.err"
    rss = scratch / f"{command.key}.rss"
    timed = os.access(GNU_TIME, os.X_OK)
    argv = (GNU_TIME, "-f", "%M", "-o", str(rss), *command.argv) if timed else command.argv
    if command.prepare is not None:
        command.prepare()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(argv, cwd=command.cwd, env={**env, **dict(command.env)},
                                   stdout=stdout, stderr=stderr)
        # wait4: without GNU time, the child's own ru_maxrss is the fallback (an upper bound).
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
    process.returncode = code = os.waitstatus_to_exitcode(status)
    peak = usage.ru_maxrss
    if timed:  # "%M" (KiB) is the last line; a line about a non-zero exit may precede it
        lines = rss.read_text(errors="replace").split()
        peak = int(lines[-1]) if lines and lines[-1].isdigit() else peak
    return Run(seconds, peak, code, out.read_bytes(), err.read_bytes())


def measure(commands: Sequence[Command], rounds: int, env: dict[str, str],
            scratch: Path) -> tuple[dict[str, Samples], dict[str, bytes]]:
    """Run every command once per round, rotating the order; keep the first stdout of each."""
    samples = {c.key: Samples() for c in commands}
    first_output: dict[str, bytes] = {}
    for number in range(rounds):
        shift = number % len(commands)
        for command in (*commands[shift:], *commands[:shift]):
            result = run(command, env, scratch)
            print(f"  round {number + 1}/{rounds}  {command.label:<44} {result.seconds:7.3f} s",
                  file=sys.stderr, flush=True)
            record = samples[command.key]
            if result.code not in command.ok:
                tail = result.stderr.decode(errors="replace").strip().splitlines()[-3:]
                record.failures.append(f"exit {result.code}: {' | '.join(tail)}")
                continue
            record.seconds.append(result.seconds)
            record.rss_kib.append(result.rss_kib)
            first_output.setdefault(command.key, result.stdout)
    return samples, first_output


# ------------------------------------------------------------------------------- the corpus


def count_lines(paths: Sequence[Path]) -> int:
    return sum(p.read_bytes().count(b"\n") for p in paths)


def needs_analysis(root: Path, expected: dict[str, Any]) -> list[Path]:
    """Files the tool has to parse: those that mention SendGrid, and the injected modules that
    do not but receive a client from one that does."""
    found = {p for p in root.rglob("*.py") if b"sendgrid" in p.read_bytes().lower()}
    found.update(root / m["file"] for m in expected["injected"])
    return sorted(found)


def half_tree(root: Path) -> tuple[list[str], int]:
    """The distributions whose lines add up closest to half the corpus (for linearity)."""
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    lines = {p.name: count_lines(list(p.rglob("*.py"))) for p in folders}
    total = sum(lines.values())
    best = min((combo for size in range(1, len(folders))
                for combo in itertools.combinations(sorted(lines), size)),
               key=lambda combo: (abs(2 * sum(lines[n] for n in combo) - total), combo))
    return list(best), sum(lines[n] for n in best)


# ------------------------------------------------------------------------------- monorepo


_EDIT_MARK = b"\n# benchmark edit "


def _append_comment(path: Path, number: int) -> None:
    """Change a file's bytes, not its meaning: one comment line, replaced on every edit."""
    _restore(path)
    with path.open("ab") as stream:
        stream.write(_EDIT_MARK.lstrip(b"\n") + str(number).encode() + b"\n")


def _restore(path: Path) -> None:
    data = path.read_bytes()
    cut = data.find(_EDIT_MARK)
    if cut != -1:
        path.write_bytes(data[:cut + 1])


_STATS = re.compile(r"(?P<files>\d+) file\(s\) read; (?P<analysed>\d+) analysed "
                    r"(?P<analyses>\d+) time\(s\) in all, files per round: (?P<rounds>[^;]*); "
                    r"(?P<parsed>\d+) parsed, at most (?P<most_parses>\d+) time")


def _stats(stderr: bytes) -> dict[str, Any]:
    """The figures of a `--stats` line ({} when there is none)."""
    text = stderr.decode(errors="replace")
    found = _STATS.search(text)
    if found is None:
        return {}
    figures: dict[str, Any] = {k: int(v) for k, v in found.groupdict().items() if k != "rounds"}
    figures["line"] = text[text.rfind("sg-scope-lint:", 0, found.start()):found.end()].strip()
    return figures


# ------------------------------------------------------------------------------- checks


def check_findings(output: bytes, expected: dict[str, Any]) -> list[str]:
    """Every expected call reported at its line with its method and path; nothing else."""
    try:
        report = json.loads(output)
    except ValueError as error:
        return [f"the JSON output cannot be read: {error}"]
    want = {(c["file"], c["line"], c["method"], c["path"]) for c in expected["calls"]}
    got = {(c["file"], c["line"], c["method"], c["path"]) for c in report.get("calls", [])}
    problems = [f"missing: {f}:{line} {m} {p}" for f, line, m, p in sorted(want - got)]
    problems += [f"not expected: {f}:{line} {m} {p}" for f, line, m, p in sorted(got - want)]
    for kind in ("unresolved", "unknown", "errors", "keys"):
        for item in report.get(kind, []):
            problems.append(f"{kind}: {item.get('file')}:{item.get('line')} "
                            f"{item.get('reason') or item.get('message') or ''}".rstrip())
    return problems


def imports_libcst(python: str, args: Sequence[str], cwd: Path, env: dict[str, str]) -> bool:
    """Whether a run imports libcst (in the main process or a worker), from -X importtime."""
    result = subprocess.run([python, "-X", "importtime", "-m", "sg_scope_lint", *args], cwd=cwd,
                            env=env, capture_output=True, check=False)
    return re.search(rb"\|\s+libcst$", result.stderr, re.MULTILINE) is not None


# ------------------------------------------------------------------------------- report


@dataclass(frozen=True, slots=True)
class Goal:
    label: str
    value: float | None  # None: not measured
    limit: float
    at_most: bool  # True: value <= limit passes; False: value >= limit passes
    unit: str = "x"
    detail: str = ""

    def line(self) -> str:
        sign = "<=" if self.at_most else ">="
        goal = f"goal {sign} {_fmt(self.limit, self.unit)}"
        if self.value is None or self.value != self.value:  # None or NaN
            return f"  {'n/a ':5} {self.label:<52} {'':>12}  {goal:<18} {self.detail}"
        passed = self.value <= self.limit if self.at_most else self.value >= self.limit
        if passed:
            miss = ""
        elif self.at_most:
            miss = f"{self.value / self.limit - 1:.0%} over; "
        else:
            miss = f"{1 - self.value / self.limit:.0%} short; "
        verdict = "PASS" if passed else "FAIL"
        return (f"  {verdict:5} {self.label:<52} {_fmt(self.value, self.unit):>12}  {goal:<18} "
                f"{miss}{self.detail}").rstrip()


def _fmt(value: float, unit: str) -> str:
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "":
        return f"{value:g}"
    if unit == "%":
        return f"{value:.1f}%"
    if unit == "lines/s":
        return f"{value:,.0f} lines/s"
    if unit in ("MB", "ms"):
        return f"{value:.0f} {unit}"
    return f"{value:.3f} {unit}"


def _text(argv: Sequence[str], cwd: Path | None = None) -> str:
    try:
        result = subprocess.run(list(argv), cwd=cwd, capture_output=True, text=True, check=False)
    except OSError:
        return "?"
    return (result.stdout.strip() or result.stderr.strip() or "?").splitlines()[0]


def machine(python: str, rg: str, ruff: str) -> list[str]:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    commit = _text(["git", "rev-parse", "--short", "HEAD"], REPO)
    dirty = _text(["git", "status", "--porcelain", "--", "sg_scope_lint", "rules"], REPO)
    tool_python = _text([python, "-c", "import platform; print(platform.python_version())"])
    libcst = _text([python, "-c", "import importlib.metadata as m; print(m.version('libcst'))"])
    return [
        f"date:    {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}",
        f"machine: {model}; {os.cpu_count()} CPUs ({cores} usable); {platform.platform()}",
        f"python:  {tool_python} (tool), {platform.python_version()} (this script); libcst "
        + libcst,
        f"tool:    sg-scope-lint at {commit}"
        + (" + uncommitted changes" if dirty not in ("", "?") else ""),
        f"others:  {_text([rg, '--version'])}; {_text([ruff, '--version'])}; flake8 "
        + _text([python, "-m", "flake8", "--version"]).split()[0],
    ]


def load_average() -> str:
    """Other work on the machine skews whole-process times; the figures say how much there was."""
    try:
        return " ".join(f"{value:.1f}" for value in os.getloadavg())
    except OSError:
        return "?"


# ------------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=corpus_module.DEFAULT_DIR,
                        help=f"corpus folder, built if needed (default: "
                             f"{corpus_module.DEFAULT_DIR})")
    parser.add_argument("--rounds", type=int, default=5, help="runs of each command (>= 5)")
    parser.add_argument("--flake8", action="store_true",
                        help="also time flake8 over the corpus (about 45 s a run)")
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter that runs the tool, ruff and flake8 (default: this one)")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    python = args.python
    # Bytecode caching on, as in an installed package (as in flake8_overhead.py): without it
    # every run, and every worker, recompiles the modules it imports from this checkout.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    bindir = Path(python).parent
    rg = shutil.which("rg")
    ruff = shutil.which("ruff", path=str(bindir)) or shutil.which("ruff")
    if rg is None or ruff is None:
        print("bench: needs `rg` (apt-get install -y ripgrep) and `ruff` (pip install ruff)",
              file=sys.stderr)
        return 1

    try:
        full = corpus_module.build(args.dir, sendgrid=True)
        bare = corpus_module.build(args.dir, sendgrid=False)
        mono = corpus_module.build(args.dir, monorepo=True)
    except corpus_module.CorpusError as error:
        print(f"bench: cannot build the corpus: {error}", file=sys.stderr)
        return 1
    assert full.expected is not None
    expected = json.loads(full.expected.read_text(encoding="utf-8"))
    analysed = needs_analysis(full.root, expected)
    analysed_lines = count_lines(analysed)
    half, half_lines = half_tree(full.root)
    empty = args.dir.expanduser().absolute() / "empty"
    empty.mkdir(exist_ok=True)
    scratch = args.dir.expanduser().absolute() / "runs"
    scratch.mkdir(exist_ok=True)

    def tool(key: str, label: str, cwd: Path, *extra: str,
             env: tuple[tuple[str, str], ...] = ()) -> Command:
        return Command(key, label, (python, "-m", "sg_scope_lint", "scan", *extra,
                                    "--format", "json"), cwd, env=env)

    commands = [
        Command("rg", "rg -l sendgrid (corpus)", (rg, "-l", "sendgrid"), full.root),
        Command("rg_bare", "rg -l sendgrid (no-SendGrid corpus)", (rg, "-l", "sendgrid"),
                bare.root),
        Command("ruff", "ruff check --no-cache --quiet", (ruff, "check", "--no-cache",
                                                          "--quiet", "."), full.root),
        tool("cold", "sg-scope-lint cold, --jobs 2", full.root, ".", "--no-cache", "--jobs", "2"),
        tool("cold1", "sg-scope-lint cold, --jobs 1", full.root, ".", "--no-cache", "--jobs", "1"),
        tool("bare", "sg-scope-lint cold, no-SendGrid corpus", bare.root, ".", "--no-cache",
             "--jobs", "2"),
        # The baseline the analysis goals subtract: the same full path as the cold scans
        # (package imported, every file read and prefiltered) over a tree where no file needs
        # analysis. The fast path in front of the CLI, which spares a tree without SendGrid
        # even the package's import, would otherwise leave that start-up in the "analysis".
        tool("base", "sg-scope-lint cold, no-SendGrid, full path", bare.root, ".",
             "--no-cache", "--jobs", "1", env=(("SG_SCOPE_LINT_FAST_PATH", "0"),)),
        tool("warm", "sg-scope-lint warm (cache, nothing changed)", full.root, ".", "--jobs", "2"),
        tool("half", "sg-scope-lint cold, half the corpus", full.root, *half, "--no-cache",
             "--jobs", "2"),
        tool("startup", "sg-scope-lint on an empty folder", empty, ".", "--no-cache"),
    ]
    assert mono.expected is not None
    mono_expected = json.loads(mono.expected.read_text(encoding="utf-8"))
    edited = mono.root / mono_expected["calls"][0]["file"]  # a module that uses SendGrid
    edits = itertools.count()
    commands += [
        Command("mono_ruff", "ruff check --no-cache (monorepo)",
                (ruff, "check", "--no-cache", "--quiet", "."), mono.root),
        tool("mono", "sg-scope-lint cold, --jobs 2 (monorepo)", mono.root, ".", "--no-cache",
             "--jobs", "2"),
        # The warm run after an edit: each run finds one SendGrid module changed (a comment
        # added, untimed), so no replay answers it and the cache has every other module.
        Command("mono_edit", "sg-scope-lint warm, one file edited (monorepo)",
                (python, "-m", "sg_scope_lint", "scan", ".", "--jobs", "2", "--format", "json"),
                mono.root, prepare=lambda: _append_comment(edited, next(edits))),
        tool("mono_file", "sg-scope-lint cold, that file alone", mono.root,
             edited.relative_to(mono.root).as_posix(), "--no-cache"),
    ]
    plugin = _text([python, "-c", _PLUGIN_REGISTERED]) == "True"
    if args.flake8:
        commands.append(Command("flake8", "flake8" + (" (with the plugin)" if plugin else ""),
                                (python, "-c", _FLAKE8, "."), full.root))
        if plugin:
            commands.append(Command("flake8_bare", "flake8 without the plugin",
                                    (python, "-c", _FLAKE8_WITHOUT_PLUGIN, "."), full.root))

    # Untimed: read both trees once (so no command pays for a cold page cache), check that the
    # tool runs at all, and fill its cache for the warm runs.
    for command in commands[:2]:
        run(command, env, scratch)
    shutil.rmtree(full.root / CACHE_DIRECTORY, ignore_errors=True)
    first = run(tool("fill", "", full.root, ".", "--jobs", "2"), env, scratch)
    if first.code not in (0, 1):
        print(f"bench: the tool failed (exit {first.code}):\n"
              f"{first.stderr.decode(errors='replace')}", file=sys.stderr)
        return 1
    shutil.rmtree(mono.root / CACHE_DIRECTORY, ignore_errors=True)
    _restore(edited)
    run(tool("mono_fill", "", mono.root, ".", "--jobs", "2"), env, scratch)
    mono_stats = _stats(run(tool("mono_stats", "", mono.root, ".", "--no-cache", "--jobs", "2",
                                 "--stats"), env, scratch).stderr)
    libcst_bare = imports_libcst(python, ("scan", ".", "--no-cache", "--format", "json"),
                                 bare.root, env)
    libcst_warm = imports_libcst(python, ("scan", ".", "--format", "json"), full.root, env)

    if args.rounds < 5:
        print(f"bench: only {args.rounds} rounds; the goals want medians of at least 5",
              file=sys.stderr)
    header = machine(python, rg, ruff)  # the date the rounds start
    load_before = load_average()
    samples, outputs = measure(commands, args.rounds, env, scratch)
    load_after = load_average()
    m = {key: s.median for key, s in samples.items()}

    # ---- the figures
    print("sg-scope-lint benchmark (issue 7)")
    print("\n".join(header))
    print(f"load:    {load_before} before, {load_after} after (1, 5, 15 min averages; "
          f"{os.cpu_count()} CPUs)")
    print(f"corpus:  {full.root}: {full.files} files, {full.lines:,} lines "
          f"({', '.join(expected['pins'])}); {len(expected['injected'])} injected modules, "
          f"{len(expected['calls'])} expected calls")
    print(f"         {bare.root}: {bare.files} files, {bare.lines:,} lines")
    print(f"         need analysis: {len(analysed)} files, {analysed_lines:,} lines; "
          f"half the corpus: {' '.join(half)} ({half_lines:,} lines)")
    print(f"\nwhole-process wall time, median of {args.rounds} interleaved rounds:")
    print(f"  {'command':<46} {'median':>8} {'min':>8} {'max':>8} {'peak RSS':>10}")
    for command in commands:
        s = samples[command.key]
        if not s.seconds:
            print(f"  {command.label:<46} failed: {s.failures[0] if s.failures else '?'}")
            continue
        print(f"  {command.label:<46} {s.median:7.3f}s {min(s.seconds):7.3f}s "
              f"{max(s.seconds):7.3f}s {max(s.rss_kib) / 1024:7.0f} MB"
              + (f"  ({len(s.failures)} failed runs)" if s.failures else ""))

    # The cold scans minus start-up, reading and prefiltering (the full path over a tree with
    # nothing to analyse; no pool starts there, so one baseline serves --jobs 1 and 2).
    analysis_1 = m["cold1"] - m["base"]
    analysis_2 = m["cold"] - m["base"]
    rate = analysed_lines / analysis_1 if analysis_1 > 0 else float("nan")
    speedup = analysis_1 / analysis_2 if analysis_2 > 0 else float("nan")
    per_line_full = (m["cold"] - m["startup"]) / full.lines
    per_line_half = (m["half"] - m["startup"]) / half_lines
    tool_keys = ("cold", "cold1", "bare", "base", "warm", "half", "startup")
    peak = max((max(samples[k].rss_kib) for k in tool_keys if samples[k].rss_kib), default=0)
    goals = [
        Goal("cold full scan (2 jobs) / ruff check --no-cache", m["cold"] / m["ruff"], 1.0, True,
             detail=f"{m['cold']:.2f} s vs {m['ruff']:.2f} s"),
        Goal("cold scan, no-SendGrid corpus / rg -l sendgrid", m["bare"] / m["rg_bare"], 4.0,
             True, detail=f"{m['bare']:.3f} s vs {m['rg_bare']:.3f} s; libcst "
                          f"{'IMPORTED' if libcst_bare else 'not imported'}"),
        Goal("warm rescan, nothing changed / rg -l sendgrid", m["warm"] / m["rg"], 4.0, True,
             detail=f"{m['warm']:.3f} s vs {m['rg']:.3f} s; libcst "
                    f"{'IMPORTED' if libcst_warm else 'not imported'}"),
        Goal("analysis of files that need it, per core", rate, 10_000, False, "lines/s",
             detail=f"{analysed_lines:,} lines in {analysis_1:.2f} s "
                    "(cold --jobs 1 minus the no-SendGrid full path)"),
        Goal("speed-up of that analysis, --jobs 2 vs --jobs 1", speedup, 1.8, False,
             detail=f"{analysis_1:.2f} s vs {analysis_2:.2f} s; whole process "
                    f"{m['cold1'] / m['cold']:.2f}x"),
    ]
    if "flake8_bare" in samples:
        goals.append(Goal("flake8 with the plugin / without it",
                          m["flake8"] / m["flake8_bare"], 1.03, True,
                          detail=f"{m['flake8']:.1f} s vs {m['flake8_bare']:.1f} s"))
    else:
        reason = ("sg-scope-lint registers no flake8 plugin in this environment" if not plugin
                  else "run with --flake8")
        goals.append(Goal("flake8 with the plugin / without it", None, 1.03, True,
                          detail=f"not measured: {reason}"))
    goals += [
        Goal("editor: flake8 plugin on a file without SendGrid", None, 1, True, "ms",
             detail="not measured here: see benchmarks/flake8_overhead.py"),
        Goal("editor: flake8 plugin on a 240-line SendGrid file", None, 250, True, "ms",
             detail="not measured here: see benchmarks/flake8_overhead.py"),
        Goal("peak memory of any tool process", peak / 1024, 150, True, "MB",
             detail="the largest tool process or worker (GNU time %M)"
                    if os.access(GNU_TIME, os.X_OK) else "upper bound: wait4 ru_maxrss"),
        Goal("time per line, whole corpus / half of it", per_line_full / per_line_half, 1.1,
             True, detail="linear growth; start-up subtracted; 1.1 is our tolerance, "
                          "the issue gives no number"),
    ]
    print("\ngoals (issue 7):")
    print("\n".join(goal.line() for goal in goals))
    mentions = sum(1 for path in mono.root.rglob("*.py")
                   if b"sendgrid" in path.read_bytes().lower())
    receivers = sum(1 for m in mono_expected["injected"] if not m["mentions_sendgrid"])
    mono_peak = max(samples["mono"].rss_kib, default=0) / 1024
    mono_problems = check_findings(outputs.get("mono", b""), mono_expected)
    missing = sum(1 for problem in mono_problems if problem.startswith("missing: "))
    total_calls = len(mono_expected["calls"])
    print(f"\nmonorepo: {mono.root}: {mono.files} files, {mono.lines:,} lines; SendGrid code "
          f"appended to {len(mono_expected['injected'])} existing modules, "
          f"{total_calls} expected calls")
    if mono_stats:
        print(f"          --stats: {mono_stats['line']}")
    mono_goals = [
        Goal("cold scan / ruff check --no-cache, same tree", m["mono"] / m["mono_ruff"], 1.0,
             True, detail=f"{m['mono']:.2f} s vs {m['mono_ruff']:.2f} s"),
        Goal("times any file is parsed in one run",
             mono_stats.get("most_parses", float("nan")), 1, True, "",
             detail=f"{mono_stats.get('parsed', '?')} files parsed, "
                    f"{mono_stats.get('analyses', '?')} analyses"),
        Goal("files analysed beyond those that mention SendGrid",
             mono_stats.get("analysed", float("nan")) - mentions, receivers, True, "",
             detail=f"{mentions} mention SendGrid; the goal: the {receivers} appended "
                    "modules that receive a client from another module"),
        Goal("warm run after editing one SendGrid file", m["mono_edit"],
             0.5 + max(m["mono_file"] - m["startup"], 0.0), True, "s",
             detail=f"goal: 0.5 s + that file alone cold ({m['mono_file']:.2f} s) minus "
                    f"start-up ({m['startup']:.2f} s)"),
        Goal("peak memory (monorepo)", mono_peak, 300, True, "MB",
             detail="the largest tool process or worker"),
        Goal("recall of the appended calls", 100 * (total_calls - missing) / total_calls, 100,
             False, "%", detail=f"{total_calls - missing}/{total_calls}"),
    ]
    print("\ngoals (issue 14, monorepo):")
    print("\n".join(goal.line() for goal in mono_goals))

    print("\nfor reference:")
    print(f"  cold full scan / rg -l sendgrid: {m['cold'] / m['rg']:.1f}x; "
          f"start-up on an empty folder: {m['startup']:.3f} s")
    if "flake8" in samples:
        print(f"  cold full scan / flake8: {m['cold'] / m['flake8']:.2f}x")

    print("\nchecks:")
    problems = check_findings(outputs.get("cold", b""), expected)
    print(f"  {'PASS' if not problems else 'FAIL'}  findings match expected-calls.json "
          f"({len(expected['calls'])} calls)")
    for problem in problems[:20]:
        print(f"          {problem}")
    if len(problems) > 20:
        print(f"          ... and {len(problems) - 20} more")
    print(f"  {'PASS' if not mono_problems else 'FAIL'}  monorepo findings match "
          f"expected-calls-monorepo.json ({total_calls} calls)")
    for problem in mono_problems[:20]:
        print(f"          {problem}")
    same = {k: outputs.get(k) == outputs.get("cold") for k in ("cold1", "warm")}
    print(f"  {'PASS' if all(same.values()) else 'FAIL'}  identical output: --jobs 1 "
          f"{'same' if same['cold1'] else 'DIFFERS'}, warm cache "
          f"{'same' if same['warm'] else 'DIFFERS'}")
    bare_calls = json.loads(outputs.get("bare") or b"{}").get("calls", [])
    print(f"  {'PASS' if not bare_calls else 'FAIL'}  no calls in the no-SendGrid corpus"
          + (f" ({len(bare_calls)} found)" if bare_calls else ""))
    failed = {c.label: samples[c.key].failures for c in commands if samples[c.key].failures}
    for label, failures in failed.items():
        print(f"  FAIL  {label}: {len(failures)} runs failed; first: {failures[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
