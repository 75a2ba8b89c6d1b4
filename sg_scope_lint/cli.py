"""The `sg-scope-lint` command: parse arguments, run the engine, print, choose the exit code.

Exit codes: 0 clean; 1 findings (unresolved calls, unknown endpoints, unreadable scanned files,
manifest drift; for `check`: missing or unknown scopes, or excess with --strict; with a
baseline, only new findings count); 2 usage or input errors (bad options, missing paths, broken
rules, config, key config, manifests or baselines; a file that cannot be written, a stdout that
is closed or full; for `check`, also scanned files that could not be analysed). `diff` informs: it exits 0.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO, cast

from . import __version__, baseline, findings, manifest_diff, quick
from . import manifest as manifest_module
from .cache import CACHE_DIRECTORY, AnalysisCache, maintain
from .codedocs import docs_path
from .codes import check_prefixes, is_code
from .colour import paint, plain
from .config import Config, load_config, parse_config
from .discover import discover_tree, display_path
from .engine import scan_files
from .errors import ConfigError, RulesError, SgScopeLintError
from .explain import explain
from .keyannotations import apply_key_marks
from .keycheck import compare
from .keyconfig import parse_key_config, read_key_config, read_key_text
from .keyinit import initial_keys, render_terraform, render_yaml
from .keywrite import plan, rewrite, unified_diff
from .livekey import DEFAULT_ENV as LIVE_ENV
from .livekey import DEFAULT_HOST as LIVE_HOST
from .livekey import live_key_config
from .output import guarded
from .paths import anchor_pattern, default_path, has_table, notes, pyproject_candidates, tree
from .projects import Project, base_config, check_single, split, start_folder
from .reporters import FORMATS
from .reporters.check_report import CHECK_FORMATS, render_check
from .reporters.diff_report import DIFF_FORMATS
from .reporters.rules_report import render_code, render_explanation, render_list
from .reporters.text_report import render_findings
from .rules import RuleSet, bundled_rules_dir, load_rule_file, load_ruleset
from .suppress import shown
from .types import CheckResult, KeyConfig, ScanResult

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
DEFAULT_KEY_CONFIG = "sendgrid-key.yaml"
PROGRESS_AFTER = 1.0  # seconds a scan runs before its progress counter is shown


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sg-scope-lint",
        description="Find the SendGrid API-key scopes a Python codebase needs, without running it.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.set_defaults(exclude=None, rules=None)  # so every command's namespace has them
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("paths", nargs="*", type=Path, default=None, metavar="PATH",
                        help="files or folders to scan (default: the current folder's project)")
    common.add_argument("--exclude", action="append", default=None, metavar="GLOB",
                        help="skip files and folders matching GLOB: a name anywhere, or a path "
                             "from the current folder (repeatable)")
    common.add_argument("--no-respect-gitignore", dest="respect_gitignore",
                        action="store_false", default=None,
                        help="in a git work tree, scan files git ignores too")
    common.add_argument("--rules", action="append", type=Path, default=None, metavar="FILE",
                        help="an extra rules file to load after the bundled ones (repeatable)")
    common.add_argument("--no-cache", action="store_true",
                        help=f"do not read or write the analysis cache ({CACHE_DIRECTORY}/)")
    common.add_argument("--stats", action="store_true",
                        help="print on stderr how many files were read and analysed, and how "
                             "often (a run from the cache analyses none)")
    common.add_argument("--jobs", "-j", type=_positive, default=None, metavar="N",
                        help="processes to analyse files on (default: every core)")
    common.add_argument("--select", type=_codes, default=None, metavar="CODES",
                        help="report only findings whose code starts with one of these "
                             "(comma-separated, e.g. SGS1,SGS201)")
    common.add_argument("--ignore", type=_codes, default=None, metavar="CODES",
                        help="do not report findings whose code starts with one of these")

    # What `scan` and `check` print, and how they exit.
    report = argparse.ArgumentParser(add_help=False)
    report.add_argument("--exit-zero", action="store_true",
                        help="exit 0 even when there are findings (2 still means an error)")
    report.add_argument("--quiet", "-q", action="store_true",
                        help="print the findings only: no calls, notes or summary")
    report.add_argument("--output-file", type=Path, default=None, metavar="FILE",
                        help="write the report to FILE instead of the standard output")

    scan = commands.add_parser("scan", parents=[common, report],
                               help="list every SendGrid call and the scopes it needs")
    scan.add_argument("--format", choices=sorted(FORMATS), default="text")
    known = scan.add_mutually_exclusive_group()
    known.add_argument("--baseline", type=Path, default=None, metavar="FILE",
                       help="report only findings not recorded in FILE; list the ones gone")
    known.add_argument("--write-baseline", type=Path, default=None, metavar="FILE",
                       help="record today's findings in FILE, then report against it")

    manifest = commands.add_parser("manifest", parents=[common],
                                   help="write (or --check) the required-scopes manifest")
    manifest.add_argument("-o", "--output", type=Path, default=None, metavar="FILE",
                          help="manifest file (default: [tool.sg-scope-lint] manifest, else "
                               "sendgrid-scopes.json); '-' prints it")
    manifest.add_argument("--check", action="store_true",
                          help="exit 1 if the file differs from what the code needs; write nothing")
    manifest.add_argument("--key-config", type=Path, default=None, metavar="FILE",
                          help="a key config naming several keys adds one section per key")

    check = commands.add_parser("check", parents=[common, report], help="compare the scopes "
                                "the code needs with the key config in the repository")
    check.add_argument("--key-config", type=Path, default=None, metavar="FILE",
                       help="the key config (default: key-config in [tool.sg-scope-lint])")
    check.add_argument("--format", choices=CHECK_FORMATS, default="text")
    check.add_argument("--strict", action="store_true", help="excess scopes are errors too")
    check.add_argument("--live", nargs="?", const=LIVE_ENV, default=None, metavar="ENV_VAR",
                       help="compare with the scopes the deployed key holds, asking SendGrid "
                            f"(GET /v3/scopes) with the key in ENV_VAR (default: {LIVE_ENV}); "
                            "the key is never printed")
    check.add_argument("--live-host", default=LIVE_HOST, metavar="URL",
                       help=f"SendGrid's API host for --live (default: {LIVE_HOST}; EU: "
                            "https://api.eu.sendgrid.com)")
    check_known = check.add_mutually_exclusive_group()
    check_known.add_argument("--baseline", type=Path, default=None, metavar="FILE",
                             help="report only findings not recorded in FILE; list the ones gone")
    check_known.add_argument("--write-baseline", type=Path, default=None, metavar="FILE",
                             help="record today's findings in FILE, then report against it")
    rewriting = check.add_mutually_exclusive_group()
    rewriting.add_argument("--write", action="store_true",
                           help="rewrite an sg-scope-lint key config to the scopes the code "
                                "needs, printing the diff")
    rewriting.add_argument("--diff", action="store_true",
                           help="print the diff --write would make; write nothing")

    init = commands.add_parser("init", parents=[common], help="write the first key config: the "
                               "scopes each key the code uses needs")
    init.add_argument("-o", "--output", type=Path, default=None, metavar="FILE",
                      help="the key config to write (default: key-config in "
                           "[tool.sg-scope-lint], else sendgrid-key.yaml in the project "
                           "folder); '-' prints it")
    init.add_argument("--terraform", action="store_true",
                      help="print sendgrid_api_key resources to paste into Terraform instead")
    init.add_argument("--force", action="store_true", help="replace an existing key config")

    diff = commands.add_parser("diff", help="the scopes added or dropped between two manifests")
    diff.add_argument("old", type=Path, metavar="OLD_MANIFEST")
    diff.add_argument("new", type=Path, metavar="NEW_MANIFEST")
    diff.add_argument("--format", choices=sorted(DIFF_FORMATS), default="text")

    rules = commands.add_parser("rules", help="list or validate rules")
    rules_commands = rules.add_subparsers(dest="rules_command", required=True, metavar="ACTION")
    listing = rules_commands.add_parser("list", help="every rule: id, endpoint, scopes, source")
    listing.add_argument("--format", choices=["text", "json"], default="text")
    listing.add_argument("--rules", action="append", type=Path, default=None, metavar="FILE")
    validate = rules_commands.add_parser("validate", help="check rule files strictly")
    validate.add_argument("files", nargs="+", type=Path, metavar="FILE")

    explain = commands.add_parser("explain", help="which endpoints need a scope, which scopes "
                                  "an endpoint needs, what a rule says, or what a code means")
    explain.add_argument("query", metavar="SCOPE|'METHOD /v3/path'|RULE-ID|SGSxxx")
    explain.add_argument("--format", choices=["text", "json"], default="text")
    explain.add_argument("--rules", action="append", type=Path, default=None, metavar="FILE")
    for command in (scan, manifest, check, init, diff, rules, listing, validate, explain):
        command.set_defaults(command_parser=command)  # whose usage an unknown option shows
    return parser


def _parse(arguments: list[str]) -> argparse.Namespace:
    """The arguments; an unknown option is reported with the usage of the command it was given
    to (argparse's own report shows the top-level usage)."""
    args, unknown = _parser().parse_known_args(arguments)
    if unknown:
        args.command_parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; everything it prints passes `output.SafeStream` (redacted, escaped)."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    return guarded(lambda: _main(arguments))


def _main(arguments: list[str]) -> int:
    try:
        args = _parse(arguments)
    except SystemExit as exit_request:  # argparse reports usage errors and --help this way
        return int(exit_request.code or 0)
    if hasattr(args, "paths") and not args.paths:
        args.paths = [Path(default_path())]
    try:
        config = base_config(args.paths) if hasattr(args, "paths") else load_config()
        config = _overridden(config, args)
        claimed = _claim_cache(args, config)
        if _replayable(args) and claimed:
            return _recorded(arguments, args, config)
        return _command(args, config)
    except SgScopeLintError as error:
        for line in str(error).splitlines():  # a file's every problem, one line each
            _err(f"sg-scope-lint: error: {line}")
        return EXIT_ERROR


def _overridden(config: Config, args: argparse.Namespace) -> Config:
    """A project's settings with the command line's added: its excludes are paths from the
    working folder, its rules files load after the project's own."""
    cwd = os.getcwd()
    return config.with_overrides(
        exclude=(*config.exclude, *(anchor_pattern(p, cwd) for p in args.exclude))
        if args.exclude else None,
        rules=(*config.rules, *args.rules) if args.rules else None,
        respect_gitignore=getattr(args, "respect_gitignore", None),
        select=getattr(args, "select", None), ignore=getattr(args, "ignore", None))


def _command(args: argparse.Namespace, config: Config) -> int:
    if args.command == "rules" and args.rules_command == "validate":
        return _validate(args.files)
    if args.command == "diff":
        return _diff(args)
    if args.command in ("scan", "manifest", "check", "init"):
        return _per_project(args, config)
    if args.command == "explain" and is_code(args.query):
        _out(render_code(args.query, args.format))
        return EXIT_CLEAN
    ruleset = _ruleset(args, config)
    if args.command == "explain":
        _out(render_explanation(explain(ruleset, args.query), args.format))
        return EXIT_CLEAN
    _out(render_list(ruleset.rules, args.format))
    return EXIT_CLEAN


def _claim_cache(args: argparse.Namespace, config: Config) -> bool:
    """Warn once when the cache folder was not made by this user's tool (`sealed.py`); False
    then, so that the warning is not recorded for replays."""
    if getattr(args, "no_cache", False):
        return True
    warning = AnalysisCache(config.root).claim()
    if warning is not None:
        _err(f"sg-scope-lint: warning: {warning}")
    return warning is None


def _ruleset(args: argparse.Namespace, config: Config) -> RuleSet:
    cache_root = None if getattr(args, "no_cache", False) else config.root
    ruleset = load_ruleset(extra_files=config.rules, cache_root=cache_root)
    for warning in ruleset.warnings:
        _err(f"sg-scope-lint: warning: {warning}")
    return ruleset


def _projects(args: argparse.Namespace, config: Config) -> list[Project]:
    """The files the paths hold, grouped by the project each belongs to (`projects.py`); what
    was left out that the user may have meant to scan is said once, on stderr."""
    files, found = discover_tree(args.paths, config.exclude, config.respect_gitignore)
    for line in [] if getattr(args, "quiet", False) else notes(found):
        _err(f"sg-scope-lint: {line}")
    return split(files, config, lambda settings: _overridden(settings, args))


def _per_project(args: argparse.Namespace, config: Config) -> int:
    """`scan` reports every project's files at once; `manifest` and `check` answer for each
    project in turn, with its own manifest and key config."""
    projects = _projects(args, config)
    if args.command == "scan":
        return _scan(args, projects)
    if args.command == "init":  # one key config, written for one project
        check_single(projects, "init writes one project's key config; run it once per project")
        (project,) = projects
        return _init(args, project.config, _ruleset(args, project.config), project.files)
    if args.command == "manifest":
        if args.output is not None:
            check_single(projects, "--output names one manifest; run once per project")
        return max(_manifest(args, p.config, _ruleset(args, p.config), p.files)
                   for p in projects)
    if args.format != "text" or args.baseline or args.write_baseline:
        check_single(projects, "give one project's path for this output or baseline")
    if len(projects) > 1:
        projects = [p for p in projects if _has_key_config(args, p.config)] or projects[:1]
    return max(_check(args, p.config, _ruleset(args, p.config), p.files) for p in projects)


def _has_key_config(args: argparse.Namespace, config: Config) -> bool:
    if args.live is not None or args.key_config or config.key_config:
        return True
    _err(f"sg-scope-lint: note: {display_path(config.root)}: no key config; not checked")
    return False


# ------------------------------------------------------------------- recorded runs (quick.py)


def _replayable(args: argparse.Namespace) -> bool:
    """Commands that only read, so that `quick.replay` may answer them again from a record."""
    if getattr(args, "no_cache", True) or getattr(args, "output_file", None):
        return False
    if args.command == "scan":
        return args.write_baseline is None
    if args.command == "check":  # --live asks SendGrid: its answer may change at any time
        return args.write_baseline is None and not args.write and args.live is None
    return args.command == "manifest" and (args.check or str(args.output) == "-")


def _recorded(arguments: list[str], args: argparse.Namespace, config: Config) -> int:
    """Run the command and record its output for `quick.replay`, with every file it depends on:
    the scanned tree, the config (and where a config could appear), rules, the command's own
    inputs and the tool's code and data."""
    cwd = os.getcwd()
    roots = [os.fspath(path) for path in args.paths]
    inputs = sorted(_inputs(args, config))
    taken = time.time_ns()
    before = quick.snapshot(roots, config.exclude, inputs, cwd, config.respect_gitignore)
    out, err = _Transcript(sys.stdout), _Transcript(sys.stderr)
    sys.stdout, sys.stderr = cast(TextIO, out), cast(TextIO, err)
    try:
        code = _command(args, config)
    finally:
        sys.stdout, sys.stderr = out.stream, err.stream
    quick.save(arguments, cwd, before, taken, roots, config.exclude, inputs,
               quick.Answer(out.text(), err.text(), code), config.respect_gitignore)
    return code


def _inputs(args: argparse.Namespace, config: Config) -> set[str]:
    """The files a run reads besides the scanned ones: the settings of every project its paths
    hold (and where settings could appear), rules, the command's own inputs, the tool."""
    configs = [config]
    for pyproject in tree(map(os.fspath, args.paths), config.exclude,
                          config.respect_gitignore).pyprojects:
        if has_table(pyproject):
            configs.append(parse_config(Path(pyproject)))
    found = {os.path.abspath(path) for path in (
        *_pyproject_candidates(args.paths), docs_path(), getattr(args, "baseline", None),
        getattr(args, "key_config", None), getattr(args, "output", None),
    ) if path is not None and str(path) != "-"}
    for each in configs:
        found.update(os.path.abspath(path) for path in (*each.rules, each.key_config,
                                                        each.manifest) if path is not None)
    for folder in (bundled_rules_dir(), Path(__file__).parent):
        for directory, _, names in os.walk(folder):
            found.update(os.path.join(directory, name) for name in names
                         if name.endswith((".py", ".yaml", ".yml", ".txt")))
    for path in getattr(args, "paths", ()):  # a package above the scanned paths renames modules
        directory = os.path.dirname(os.path.abspath(path))
        while True:
            found.add(os.path.join(directory, "__init__.py"))
            parent = os.path.dirname(directory)
            if parent == directory:
                break
            directory = parent
    return found


def _pyproject_candidates(roots: Sequence[Path]) -> list[str]:
    """Every place above the paths where a pyproject.toml decides their project: a new one
    there, or a new `[tool.sg-scope-lint]` in one, changes the settings."""
    return sorted({candidate for root in roots for candidate in pyproject_candidates(
        os.fspath(start_folder([root]).resolve()))})


class _Transcript(io.TextIOBase):
    """A stream that writes through and keeps what was written, except terminal redraws
    (writes starting with a carriage return: the progress bar), which a replay must not show."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        if not text.startswith("\r"):
            self.parts.append(plain(text))  # a replay paints for its own terminal
        return self.stream.write(text)

    def flush(self) -> None:
        # Also called when the transcript is collected, maybe after its stream was closed.
        if not self.stream.closed:
            self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def text(self) -> str:
        return "".join(self.parts)


def _validate(files: list[Path]) -> int:
    """Check each file against the bundled catalogue; report every bad file, not just the first
    (exit 1 for invalid rules, 2 for a file that cannot be read at all)."""
    catalogue = load_ruleset().catalogue
    status = EXIT_CLEAN
    for path in files:
        if not path.is_file():
            what = "a folder, not a rules file" if path.is_dir() else "no such file"
            _err(f"sg-scope-lint: error: {display_path(path)}: {what}")
            status = EXIT_ERROR
            continue
        try:
            count = len(load_rule_file(path, catalogue))
        except RulesError as error:
            _err(f"{error}")
            status = max(status, EXIT_FINDINGS)
        else:
            _out(f"{display_path(path)}: ok ({count} rules)\n")
    return status


def _run(args: argparse.Namespace, config: Config, ruleset: RuleSet,
         files: Sequence[Path]) -> ScanResult:
    progress = _Progress() if sys.stderr.isatty() and not getattr(args, "quiet", False) else None
    cache = AnalysisCache(None if args.no_cache else config.root)
    try:
        result = scan_files(files, ruleset, args.jobs, progress, cache)
    finally:
        if progress is not None:
            progress.clear()  # the counter leaves the screen with the scan
    if not args.no_cache:
        maintain(config.root)
    if args.stats:
        stats = result.stats
        rounds = " + ".join(str(size) for size in stats.rounds) or "none"
        _err(f"sg-scope-lint: {stats.files} file(s) read; {stats.analysed} analysed "
             f"{stats.analyses} time(s) in all, files per round: {rounds}; {stats.parsed} "
             f"parsed, at most {stats.most_parses} time(s) one file")
    return result


class _Progress:
    """A one-line counter on a terminal's stderr, over every round of the project analysis;
    never written to pipes or CI logs, and only once the scan has run PROGRESS_AFTER seconds:
    a quick run leaves nothing on the screen."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.shown = False

    def __call__(self, done: int, total: int, round_number: int) -> None:
        if self.shown or time.monotonic() - self.start >= PROGRESS_AFTER:
            self.shown = True
            self._draw(f"sg-scope-lint: round {round_number}: analysed {done}/{total} files")

    def clear(self) -> None:
        if self.shown:
            self._draw("", end="\r")

    @staticmethod
    def _draw(text: str, end: str = "") -> None:
        # One write per redraw, starting with "\r": how `_Transcript` knows to leave it out.
        sys.stderr.write(f"\r{text:<60}{end}")
        sys.stderr.flush()


def _out(text: str) -> None:
    sys.stdout.write(text)


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def _codes(text: str) -> tuple[str, ...]:
    try:
        return check_prefixes(text.split(","))
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return number


def _scan(args: argparse.Namespace, projects: Sequence[Project]) -> int:
    recorded = baseline.read(args.baseline) if args.baseline else None  # fail before scanning
    results = [_shown(_run(args, p.config, _ruleset(args, p.config), p.files), p.config)
               for p in projects]
    cwd = os.getcwd()
    result = results[0] if len(results) == 1 else ScanResult(tuple(sorted(
        (report for each in results for report in each.files),
        key=lambda report: display_path(report.path, cwd))))
    if args.write_baseline:
        recorded = baseline.build(findings.scan_findings(result))
        manifest_module.write_atomic(args.write_baseline, baseline.dumps(recorded))
        total = sum(entry.count for entry in recorded.entries)
        _err(f"{display_path(args.write_baseline)}: baseline written ({total} finding(s))")
    if recorded is not None:
        split = baseline.split(recorded, findings.scan_findings(result))
        result = findings.only(result, split.new)
        _describe_baseline(args.baseline or args.write_baseline, split, "scan")
    quiet = args.quiet and args.format == "text"
    _report(args, render_findings(findings.scan_findings(result)) if quiet
            else FORMATS[args.format](result))
    problems = (result.unresolved or result.unknown or result.errors or result.keys
                or result.annotation_problems)
    return EXIT_FINDINGS if problems and not args.exit_zero else EXIT_CLEAN


def _shown(result: ScanResult, config: Config) -> ScanResult:
    """The scan without the findings `# noqa` or the project's select/ignore hide."""
    return findings.only(result, shown(findings.scan_findings(result), config.select,
                                       config.ignore))


def _report(args: argparse.Namespace, text: str) -> None:
    """The report, on the standard output or in `--output-file`."""
    if args.output_file is None:
        _out(paint(text, sys.stdout) if args.format == "text" else text)
    else:
        manifest_module.write_atomic(args.output_file, text)


def _manifest(args: argparse.Namespace, config: Config, ruleset: RuleSet,
              files: Sequence[Path]) -> int:
    result = _shown(_run(args, config, ruleset, files), config)
    for error in result.errors:
        _err(f"{error.location}: error: {error.message}")
    key_config_path = args.key_config or config.key_config
    key_config = read_key_config(key_config_path) if key_config_path else None
    needed = manifest_module.build(apply_key_marks(result), key_config, os.fspath(config.root))
    text = manifest_module.dumps(needed)
    target: Path = args.output or config.manifest
    if str(target) == "-":
        if args.check:
            _err("sg-scope-lint: error: --check needs a manifest file, not '-'")
            return EXIT_ERROR
        _out(text)
        return EXIT_CLEAN
    on_disk = manifest_module.read(target)
    diff = manifest_module.compare(on_disk, needed)
    shown = display_path(target)
    if args.check:
        if on_disk is None:
            _err(f"{shown}: missing; run `sg-scope-lint manifest` to create it")
            return EXIT_FINDINGS
        if diff.changed:
            _describe(shown, diff, "is out of date")
            return EXIT_FINDINGS
        _out(f"{shown}: up to date ({len(needed['scopes'])} scopes)\n")
        return EXIT_CLEAN
    if not diff.changed:
        _out(f"{shown}: unchanged ({len(needed['scopes'])} scopes)\n")
        return EXIT_CLEAN
    manifest_module.write_atomic(target, text)
    _describe(shown, diff, "written")
    return EXIT_CLEAN


def _check(args: argparse.Namespace, config: Config, ruleset: RuleSet,
           files: Sequence[Path]) -> int:
    path: Path | None = args.key_config or config.key_config
    if args.live is not None:  # the deployed key, asked of SendGrid: there is no file to edit
        if args.write or args.diff:
            raise ConfigError("--live compares with the deployed key; --write and --diff edit "
                              "a key config file")
        text, key_config = "", live_key_config(args.live, args.live_host)
    elif path is None:
        raise ConfigError("check needs a key config: --key-config FILE, or key-config in "
                          "[tool.sg-scope-lint]")
    else:
        # Read before the scan, so a broken key config fails at once. A folder is Terraform,
        # which --write refuses, so it has no text to rewrite.
        text = "" if path.is_dir() else read_key_text(path)
        key_config = read_key_config(path) if path.is_dir() else parse_key_config(
            text, display_path(path), path)
    recorded = baseline.read(args.baseline) if args.baseline else None  # fail before scanning
    result = apply_key_marks(_run(args, config, ruleset, files))
    check = compare(result, key_config, ruleset.catalogue, args.strict)
    if (args.write or args.diff) and path is not None:
        check = _write(path, text, key_config, check, result, ruleset, args)
    found = tuple(shown(findings.check_findings(check, result), config.select, config.ignore))
    check, result = findings.only_check(check, found), findings.only(result, found)
    if args.write_baseline:
        recorded = baseline.build(found)
        manifest_module.write_atomic(args.write_baseline, baseline.dumps(recorded))
        total = sum(entry.count for entry in recorded.entries)
        _err(f"{display_path(args.write_baseline)}: baseline written ({total} finding(s))")
    if recorded is not None:
        split = baseline.split(recorded, found)
        found = split.new
        check = findings.only_check(check, split.new)  # the text, JSON and exit code see new only
        _describe_baseline(args.baseline or args.write_baseline, split, "check")
    quiet = args.quiet and args.format == "text"
    _report(args, render_findings(found) if quiet
            else render_check(args.format, check, result, found))
    if result.errors:
        return EXIT_ERROR  # the verdict is incomplete: files it needs could not be analysed
    return EXIT_FINDINGS if check.failed() and not args.exit_zero else EXIT_CLEAN


def _init(args: argparse.Namespace, config: Config, ruleset: RuleSet,
          files: Sequence[Path]) -> int:
    """Write the first key config from the code (or print it, or print Terraform)."""
    target: Path = args.output or config.key_config or config.root / DEFAULT_KEY_CONFIG
    where = display_path(target)
    if not args.terraform and str(target) != "-" and target.exists() and not args.force:
        raise ConfigError(f"{where} exists: `sg-scope-lint check --write` brings it up to date "
                          "(or pass --force to replace it)")
    result = apply_key_marks(_run(args, config, ruleset, files))
    for error in result.errors:
        _err(f"{error.location}: error: {error.message}")
    if result.errors:
        _err(f"{where}: not written: {len(result.errors)} file(s) could not be analysed")
        return EXIT_ERROR
    keys, uncertain = initial_keys(result, ruleset.catalogue)
    if not keys:
        _err("sg-scope-lint: no call needs a scope; no key config written")
        return EXIT_FINDINGS
    if args.terraform:
        _out(render_terraform(keys, uncertain))
        return EXIT_CLEAN
    text = render_yaml(keys, uncertain)
    if str(target) == "-":
        _out(text)
        return EXIT_CLEAN
    manifest_module.write_atomic(target, text)
    _err(f"{where}: written ({len(keys)} key(s)); `sg-scope-lint check` compares the code with "
         "it")
    return EXIT_CLEAN


def _write(path: Path, text: str, key_config: KeyConfig, check: CheckResult, result: ScanResult,
           ruleset: RuleSet, args: argparse.Namespace) -> CheckResult:
    """Rewrite the key config to the planned scopes, print the diff, and check the new file;
    with --diff, print the diff only and check the file as it is.

    In any format but text the diff and notes go to stderr, so stdout stays one document.
    """
    say = _out if args.format == "text" else sys.stderr.write
    shown = key_config.file
    plans = plan(check)
    new = rewrite(text, key_config, plans)  # refuses SendGrid bodies and Terraform
    for key_plan in plans:
        if key_plan.scopes is None:
            say(f"{shown}: key '{key_plan.name}' not rewritten: {key_plan.reason}\n")
    if result.errors:
        say(f"{shown}: not written: {len(result.errors)} file(s) could not be analysed\n")
        return check
    if new == text:
        say(f"{shown}: already lists the scopes the code needs; nothing written\n")
        return check
    if args.diff:
        say(unified_diff(text, new, shown))
        return check
    manifest_module.write_atomic(path, new)
    say(unified_diff(text, new, shown))
    return compare(result, parse_key_config(new, shown), ruleset.catalogue, check.strict)


def _describe_baseline(path: Path, split: baseline.Split, command: str) -> None:
    """What the baseline hid, and the entries no longer found: the baseline can shrink."""
    shown = display_path(path)
    _err(f"{shown}: {len(split.known)} known finding(s) not shown, {len(split.new)} new")
    if not split.gone:
        return
    _err(f"{shown}: {sum(e.count for e in split.gone)} baselined finding(s) no longer found; "
         f"run `sg-scope-lint {command} --write-baseline {shown}` to drop them")
    for entry in split.gone:
        times = f" (x{entry.count})" if entry.count > 1 else ""
        _err(f"  - {entry.code} {entry.file}: {entry.chain or '(whole file)'}{times}")


def _diff(args: argparse.Namespace) -> int:
    old = manifest_diff.read(args.old)
    new = manifest_diff.read(args.new)
    changes = manifest_diff.diff(old, new, display_path(args.old), display_path(args.new))
    _out(DIFF_FORMATS[args.format](changes))
    return EXIT_CLEAN


def _describe(shown: str, diff: manifest_module.ManifestDiff, verdict: str) -> None:
    _err(f"{shown}: {verdict}")
    for scope in diff.added_scopes:
        _err(f"  + {scope}")
    for scope in diff.removed_scopes:
        _err(f"  - {scope}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
