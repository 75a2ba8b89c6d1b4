"""Measure sg-scope-lint's recall and precision on the labelled evaluation set.

The set lives in ``benchmarks/eval/``: ``files/`` holds copies of public Python files (SendGrid
callers and look-alikes), ``labels.yaml`` lists every SendGrid call site in them. See
``benchmarks/eval/README.md`` for how the set was built and how ``files/`` is restored.

Usage (from anywhere)::

    .venv/bin/python benchmarks/evaluate.py                 # scan with the checked-out code
    .venv/bin/python benchmarks/evaluate.py --save-scan out.json   # also keep the merged scan
    .venv/bin/python benchmarks/evaluate.py --scan-json out.json   # score a saved scan instead
    .venv/bin/python benchmarks/evaluate.py --summary-json summary.json  # also write the numbers
    .venv/bin/python benchmarks/evaluate.py --check-prefilter  # also: same output, no prefilter

Each repository snapshot (repository and commit) is scanned as its own project: its copies are
laid out in a temporary folder under their paths in the repository, so its modules import one
another by their real names, and ``scan . --format json --no-cache`` runs there, with the
interpreter that runs this script and this checkout's package first on the path. The scans run
in one interpreter, one after the other; findings are mapped back to the names in ``files/``.
The script then matches the tool's findings to the labels by file and line:

* a reported call (JSON key ``calls``) or unknown endpoint (key ``unknown``) on a labelled line is
  a true positive when its method is the labelled one and its path has as many segments as the
  labelled path, each equal or a placeholder (``{}`` or ``{name}``) on either side;
* a label whose method and path are ``"?"`` (an endpoint that cannot be known statically) is
  matched by an ``unresolved`` finding on its line;
* an ``unresolved`` finding on the line of a label it does not match, whose reason names the
  labelled endpoint among the endpoints the call could be (``could be GET /v3/x (scope), ...``:
  a string naming an endpoint that no request was seen to send), *flags* that label: the label
  stays a miss for recall, but it was not missed silently, and the finding is correct;
* every other finding is a false positive, every unmatched label a false negative. A finding
  and a label on the same line that disagree are listed together as a mismatch (the finding
  counts as a false positive and the label as a false negative).

Besides recall, ``reported`` counts the labels matched or flagged: 100% minus it is the share
of calls missed silently, with nothing on their line.

Recall = matched labels / labels; precision = (matched + flagging) findings / findings. Both are printed
overall, per split (``split: holdout`` marks files labelled after the tool was built and never
tuned against; entries without the field are the ``tuning`` split) and per call style (per-style precision counts only findings on lines labelled with
that style; findings on unlabelled lines appear in the overall precision only). The number of
findings in look-alike files (files with no SendGrid call at all) is printed separately.

This is a measurement, not a test: the exit status is 0 whatever the scores. It is 2 only when
no measurement could be taken (labels missing or unreadable, the scan printed no JSON).
Only the standard library and PyYAML are needed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
EVAL_DIR = REPO_ROOT / "benchmarks" / "eval"
DEFAULT_LABELS = EVAL_DIR / "labels.yaml"
DEFAULT_FILES = EVAL_DIR / "files"

UNKNOWN = "?"
DEFAULT_SPLIT = "tuning"  # entries without a `split` field: the files the tool was tuned against
SPLIT_ORDER = ("tuning", "holdout")


@dataclass
class Label:
    file: str
    line: int
    method: str
    path: str
    style: str
    note: str = ""
    split: str = "tuning"
    matched: bool = False
    flagged: bool = False  # not matched, but named among an unresolved finding's candidates

    def describe(self) -> str:
        if self.method == UNKNOWN:
            return "unresolved (endpoint unknowable statically)"
        return f"{self.method} {self.path}"


@dataclass
class Finding:
    file: str
    line: int
    kind: str  # "call", "unknown" or "unresolved"
    method: str = ""
    path: str = ""
    detail: str = ""
    matched: bool = False
    flags: bool = False  # an unresolved finding naming the labelled endpoint as a candidate

    def describe(self) -> str:
        if self.kind == "unresolved":
            return f"unresolved ({self.detail})" if self.detail else "unresolved"
        text = f"{self.method} {self.path}"
        return text + " [unknown endpoint]" if self.kind == "unknown" else text


@dataclass
class Tally:
    labels: int = 0
    matched_labels: int = 0
    findings: int = 0
    matched_findings: int = 0  # matched or flagging
    flagged_labels: int = 0

    def recall(self) -> float | None:
        return self.matched_labels / self.labels if self.labels else None

    def reported(self) -> float | None:
        """Labels matched or flagged: the complement of the silent misses."""
        return (self.matched_labels + self.flagged_labels) / self.labels if self.labels else None

    def precision(self) -> float | None:
        return self.matched_findings / self.findings if self.findings else None


@dataclass
class Result:
    overall: Tally = field(default_factory=Tally)
    per_style: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    per_split: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    lookalike_findings_per_split: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    false_negatives: list[Label] = field(default_factory=list)
    false_positives: list[Finding] = field(default_factory=list)
    mismatches: list[tuple[Label, list[Finding]]] = field(default_factory=list)
    stray: list[Finding] = field(default_factory=list)  # false positives on unlabelled lines
    lookalike_findings: list[Finding] = field(default_factory=list)


def is_placeholder(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


def split_path(path: str) -> list[str]:
    path = path.split("?", 1)[0]
    return [s for s in path.strip().split("/") if s != ""]


def paths_agree(expected: str, found: str) -> bool:
    """Segment by segment; a ``{...}`` segment on either side matches any one segment."""
    a, b = split_path(expected), split_path(found)
    if len(a) != len(b):
        return False
    return all(x == y or is_placeholder(x) or is_placeholder(y) for x, y in zip(a, b))


_CANDIDATE = re.compile(r"\b(GET|POST|PUT|PATCH|DELETE) (/[^\s,()]+) \(")


def finding_flags(label: Label, finding: Finding) -> bool:
    """An unresolved finding that names the labelled endpoint among its candidates."""
    if finding.kind != "unresolved" or label.method == UNKNOWN:
        return False
    return any(method == label.method.upper() and paths_agree(label.path, path)
               for method, path in _CANDIDATE.findall(finding.detail))


def finding_matches(label: Label, finding: Finding) -> bool:
    if label.method == UNKNOWN or label.path == UNKNOWN:
        return finding.kind == "unresolved"
    if finding.kind == "unresolved":
        return False
    return finding.method.upper() == label.method.upper() and paths_agree(label.path, finding.path)


def entry_split(entry: dict) -> str:
    return str(entry.get("split") or DEFAULT_SPLIT)


def load_labels(path: Path) -> tuple[list[dict], list[Label]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if (
        not isinstance(data, dict)
        or data.get("version") != 1
        or not isinstance(data.get("files"), list)
    ):
        raise ValueError(f"{path}: expected a mapping with version: 1 and a files list")
    entries = data["files"]
    labels: list[Label] = []
    for entry in entries:
        for call in entry.get("calls") or []:
            labels.append(
                Label(
                    file=entry["file"],
                    line=int(call["line"]),
                    method=str(call["method"]),
                    path=str(call["path"]),
                    style=str(call["style"]),
                    note=str(call.get("note") or ""),
                    split=entry_split(entry),
                )
            )
    return entries, labels


def run_scan(entries: list[dict], files_dir: Path, python: str, use_cache: bool,
             prefilter: bool = True) -> dict:
    """Scan each repository snapshot as its own project and merge the results.

    The copies in ``files/`` are flat, so a module there could not import another one by its
    name (``from client import SendGridClient``), and one scan over all of them would mix
    unrelated projects' modules. Each (repository, commit) is laid out in a temporary folder as
    it is in the repository (``client.py``, ``tools/contact_tools.py``) and scanned from there,
    as a user scans a project; findings are mapped back to the names in ``files/``.
    """
    projects: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for entry in entries:
        if (files_dir / entry["file"]).is_file():
            projects[(entry["repository"], entry["commit"])].append(entry)
    merged: dict[str, list] = {"calls": [], "unknown": [], "unresolved": [], "errors": []}
    with tempfile.TemporaryDirectory(prefix="sg-eval-") as temporary:
        jobs = []
        for (repository, commit), members in sorted(projects.items()):
            root = Path(temporary) / f"{repository.replace('/', '__')}@{commit[:12]}"
            names = {}
            for entry in members:
                copy = root / entry["path"]
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(files_dir / entry["file"], copy)
                names[PurePosixPath(entry["path"]).as_posix()] = entry["file"]
            jobs.append((root, names))
        scans = _scan_projects([root for root, _ in jobs], python, use_cache, prefilter)
    for (_, names), scan in zip(jobs, scans):
        for kind in merged:
            for item in scan.get(kind) or []:
                shown = PurePosixPath(str(item.get("file", ""))).as_posix().removeprefix("./")
                merged[kind].append({**item, "file": names.get(shown, shown)})
    return merged


# Runs in one interpreter for all projects (importing the tool once, not once per project):
# `scan . --format json` in each folder given, printed as one JSON list.
_SCAN_PROJECTS = """
import contextlib, io, json, os, sys
from sg_scope_lint.cli import main
if os.environ.get("SG_EVAL_NO_PREFILTER"):  # every file analysed, as if nothing were skipped
    from sg_scope_lint import engine
    engine.might_call_sendgrid = engine.might_have_annotations = lambda data: True
results = []
for root in sys.argv[2:]:
    os.chdir(root)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["scan", ".", "--format", "json", *sys.argv[1].split()])
    results.append(json.loads(out.getvalue()))
print(json.dumps(results))
"""


def _scan_projects(roots: list[Path], python: str, use_cache: bool,
                   prefilter: bool = True) -> list[dict]:
    flags = "" if use_cache else "--no-cache"
    cmd = [python, "-c", _SCAN_PROJECTS, flags, *map(str, roots)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p)}
    if not prefilter:
        env["SG_EVAL_NO_PREFILTER"] = "1"
    proc = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True, check=False,
                          env=env)
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError:
        sys.stderr.write(f"evaluate: the scans printed no JSON (exit status {proc.returncode}).\n")
        sys.stderr.write(f"command: {python} -c <scan each project> {flags} <{len(roots)} folders>\n")
        if proc.stderr:
            sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(2) from None


def relative_name(file_field: str, files_dir: Path) -> str:
    """The tool reports paths relative to its working directory; labels use names in files/."""
    p = Path(file_field)
    if not p.is_absolute():
        p = REPO_ROOT / p
    try:
        return p.resolve().relative_to(files_dir.resolve()).as_posix()
    except ValueError:
        # files/ is flat and its names are unique: a scan saved elsewhere still maps by name.
        return Path(file_field).name


def collect_findings(scan: dict, files_dir: Path) -> list[Finding]:
    findings: list[Finding] = []
    for item in scan.get("calls") or []:
        findings.append(
            Finding(
                relative_name(item["file"], files_dir),
                int(item["line"]),
                "call",
                str(item.get("method", "")),
                str(item.get("path", "")),
                str(item.get("rule", "")),
            )
        )
    for item in scan.get("unknown") or []:
        findings.append(
            Finding(
                relative_name(item["file"], files_dir),
                int(item["line"]),
                "unknown",
                str(item.get("method", "")),
                str(item.get("path", "")),
                str(item.get("reason", "")),
            )
        )
    for item in scan.get("unresolved") or []:
        findings.append(
            Finding(
                relative_name(item["file"], files_dir),
                int(item["line"]),
                "unresolved",
                detail=str(item.get("reason", "")),
            )
        )
    return findings


# A quoted URL on SendGrid's API hosts with at least one segment after the version (the same
# test as tests/test_endpoint_strings_reported.py, independent of the tool's own finder).
_ENDPOINT_STRING = re.compile(r"""["'](?:https?://)?api(?:\.eu)?\.sendgrid\.com(/v[23]/[^"'\s?]+)""")
_SLOT = re.compile(r"\{[^}]*\}|%[sd]")


def unreported_endpoint_strings(paths: list[Path], findings: list[Finding],
                                scan: dict) -> list[str]:
    """`file:line: string` for each endpoint string with no finding on its line and no
    reported call or unknown endpoint whose path is it or begins with it."""
    lines = {(f.file, f.line) for f in findings}
    sent = [_SLOT.sub("{}", str(item.get("path", "")))
            for kind in ("calls", "unknown") for item in scan.get(kind) or []]
    silent = []
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            if line.lstrip().startswith("#") or (path.name, number) in lines:
                continue
            for found in _ENDPOINT_STRING.finditer(line):
                named = _SLOT.sub("{}", found.group(1)).rstrip("/")
                pattern = re.compile(".*?".join(re.escape(p) for p in named.split("{}")))
                if not any(pattern.match(p) for p in sent):
                    silent.append(f"{path.name}:{number}: {found.group(0)}")
    return silent


def score(
    labels: list[Label],
    findings: list[Finding],
    lookalikes: set[str],
    splits: dict[str, str] | None = None,
) -> Result:
    """Match findings to labels; ``splits`` maps a file name to its split (default: tuning)."""
    splits = splits or {}
    result = Result()
    by_line_labels: dict[tuple[str, int], list[Label]] = defaultdict(list)
    by_line_findings: dict[tuple[str, int], list[Finding]] = defaultdict(list)
    for label in labels:
        by_line_labels[(label.file, label.line)].append(label)
    for finding in findings:
        by_line_findings[(finding.file, finding.line)].append(finding)

    # Match on each line: labels in file order, each to the first agreeing unmatched finding.
    for key, line_labels in by_line_labels.items():
        for label in line_labels:
            for finding in by_line_findings.get(key, []):
                if not finding.matched and finding_matches(label, finding):
                    label.matched = finding.matched = True
                    break

    # Then the labels still missed that an unresolved finding on their line names.
    for key, line_labels in by_line_labels.items():
        for label in line_labels:
            if label.matched:
                continue
            for finding in by_line_findings.get(key, []):
                if not finding.matched and finding_flags(label, finding):
                    label.flagged = finding.flags = True
                    break

    def correct(finding: Finding) -> bool:
        return finding.matched or finding.flags

    result.overall.labels = len(labels)
    result.overall.matched_labels = sum(1 for label in labels if label.matched)
    result.overall.flagged_labels = sum(1 for label in labels if label.flagged)
    result.overall.findings = len(findings)
    result.overall.matched_findings = sum(1 for finding in findings if correct(finding))

    for label in labels:
        tally = result.per_style[label.style]
        tally.labels += 1
        tally.matched_labels += label.matched
        tally.flagged_labels += label.flagged
        split_tally = result.per_split[splits.get(label.file, label.split)]
        split_tally.labels += 1
        split_tally.matched_labels += label.matched
        split_tally.flagged_labels += label.flagged
    # Per-split precision: every finding counts for the split of its file.
    for finding in findings:
        split_tally = result.per_split[splits.get(finding.file, DEFAULT_SPLIT)]
        split_tally.findings += 1
        split_tally.matched_findings += correct(finding)
    # Per-style precision: findings on a line whose labels all share one style count for it.
    for key, line_findings in by_line_findings.items():
        styles = {label.style for label in by_line_labels.get(key, [])}
        if len(styles) != 1:
            continue
        tally = result.per_style[styles.pop()]
        tally.findings += len(line_findings)
        tally.matched_findings += sum(1 for finding in line_findings if correct(finding))

    for key, line_labels in sorted(by_line_labels.items()):
        leftovers = [f for f in by_line_findings.get(key, []) if not correct(f)]
        missed = [label for label in line_labels if not label.matched and not label.flagged]
        if missed and leftovers:
            # All unmatched findings of the line are listed with the first missed label.
            result.mismatches.append((missed[0], leftovers))
            result.false_negatives.extend(missed[1:])
        else:
            result.false_negatives.extend(missed)
    for finding in sorted(findings, key=lambda f: (f.file, f.line)):
        if correct(finding):
            continue
        result.false_positives.append(finding)
        if finding.file in lookalikes:
            result.lookalike_findings.append(finding)
            result.lookalike_findings_per_split[splits.get(finding.file, DEFAULT_SPLIT)] += 1
        if (finding.file, finding.line) not in by_line_labels:
            result.stray.append(finding)
    return result


def ordered_splits(names) -> list[str]:
    """Known splits in their usual order, then any other split name alphabetically."""
    names = set(names)
    return [s for s in SPLIT_ORDER if s in names] + sorted(names - set(SPLIT_ORDER))


def pct(value: float | None) -> str:
    return "   n/a" if value is None else f"{100 * value:5.1f}%"


def print_report(
    result: Result, entries: list[dict], skipped: list[str], scan: dict, out=sys.stdout
) -> None:
    w = out.write
    file_splits = {e["file"]: entry_split(e) for e in entries}

    def tag(label: Label) -> str:
        # Only held-out (non-default) labels are marked, so tuning lines read as before.
        return label.style if label.split == DEFAULT_SPLIT else f"{label.style}, {label.split}"

    n_files = len(entries) - len(skipped)
    n_lookalike = sum(1 for e in entries if e.get("lookalike") and e["file"] not in skipped)
    o = result.overall
    w(
        f"sg-scope-lint evaluation: {n_files} files ({n_lookalike} look-alikes), "
        f"{o.labels} labelled calls, {o.findings} findings\n\n"
    )
    w(
        f"overall   recall {pct(o.recall())} ({o.matched_labels}/{o.labels})   "
        f"precision {pct(o.precision())} ({o.matched_findings}/{o.findings})   "
        f"reported {pct(o.reported())} "
        f"({o.matched_labels + o.flagged_labels}/{o.labels}; the rest missed silently)\n\n"
    )
    present = [e for e in entries if e["file"] not in skipped]
    split_names = ordered_splits([entry_split(e) for e in present] + list(result.per_split))
    w(f"{'split':<20} {'recall':>8} {'':>9} {'precision':>10} {'':>9}  files  look-alike findings\n")
    for name in [*split_names, "overall"]:
        t = o if name == "overall" else result.per_split.get(name, Tally())
        members = present if name == "overall" else [e for e in present if entry_split(e) == name]
        n_look = (
            len(result.lookalike_findings)
            if name == "overall"
            else result.lookalike_findings_per_split.get(name, 0)
        )
        w(
            f"{name:<20} {pct(t.recall()):>8} {f'({t.matched_labels}/{t.labels})':>9} "
            f"{pct(t.precision()):>10} {f'({t.matched_findings}/{t.findings})':>9}  "
            f"{len(members):>5}  {n_look}\n"
        )
    w("\n")
    w(f"{'style':<20} {'recall':>8} {'':>9} {'precision':>10} {'':>9}\n")
    for style in sorted(result.per_style):
        t = result.per_style[style]
        w(
            f"{style:<20} {pct(t.recall()):>8} {f'({t.matched_labels}/{t.labels})':>9} "
            f"{pct(t.precision()):>10} {f'({t.matched_findings}/{t.findings})':>9}\n"
        )
    w(f"\nfindings in look-alike files: {len(result.lookalike_findings)}\n")

    if result.mismatches:
        n = len(result.mismatches)
        w(f"\nmismatches: label and finding on the same line disagree ({n}):\n")
        for label, found in result.mismatches:
            w(f"  {label.file}:{label.line} [{tag(label)}]\n")
            w(f"      expected {label.describe()}\n")
            for finding in found:
                w(f"      found    {finding.describe()}\n")
    if result.false_negatives:
        n = len(result.false_negatives)
        w(f"\nfalse negatives: labelled, nothing matching reported on the line ({n}):\n")
        for label in result.false_negatives:
            where = f"{label.file}:{label.line} [{tag(label)}]"
            w(f"  {where} expected {label.describe()}, found nothing\n")
    if result.stray:
        w(f"\nfalse positives: reported where no call is labelled ({len(result.stray)}):\n")
        lookalike_ids = {id(f) for f in result.lookalike_findings}
        for finding in result.stray:
            kinds = ["look-alike"] if id(finding) in lookalike_ids else []
            if file_splits.get(finding.file, DEFAULT_SPLIT) != DEFAULT_SPLIT:
                kinds.append(file_splits[finding.file])
            marks = f" [{', '.join(kinds)}]" if kinds else ""
            where = f"{finding.file}:{finding.line}{marks}"
            w(f"  {where} expected nothing, found {finding.describe()}\n")

    errors = scan.get("errors") or []
    if errors:
        w(f"\nfiles the tool could not analyse ({len(errors)}):\n")
        for err in errors:
            w(f"  {err.get('file')}:{err.get('line')}: {err.get('message')}\n")
    if skipped:
        w(
            f"\nnot evaluated, missing from the files folder ({len(skipped)}): "
            "run benchmarks/eval/fetch_files.py\n"
        )
        for name in skipped:
            w(f"  {name}\n")


def summary(result: Result) -> dict:
    def tally(t: Tally) -> dict:
        return {
            "labels": t.labels,
            "matched_labels": t.matched_labels,
            "findings": t.findings,
            "matched_findings": t.matched_findings,
            "recall": t.recall(),
            "precision": t.precision(),
        }

    return {
        "overall": tally(result.overall),
        "per_split": {s: tally(result.per_split[s]) for s in ordered_splits(result.per_split)},
        "per_style": {s: tally(t) for s, t in sorted(result.per_style.items())},
        "lookalike_findings": len(result.lookalike_findings),
        "false_negatives": [
            {
                "file": lab.file,
                "line": lab.line,
                "style": lab.style,
                "split": lab.split,
                "expected": lab.describe(),
            }
            for lab in result.false_negatives
        ],
        "mismatches": [
            {
                "file": lab.file,
                "line": lab.line,
                "style": lab.style,
                "split": lab.split,
                "expected": lab.describe(),
                "found": [f.describe() for f in fs],
            }
            for lab, fs in result.mismatches
        ],
        "false_positives": [
            {"file": f.file, "line": f.line, "found": f.describe()} for f in result.false_positives
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Score sg-scope-lint against benchmarks/eval/labels.yaml (always exits 0)."
    )
    parser.add_argument(
        "--labels", type=Path, default=DEFAULT_LABELS, help="labels file (default: %(default)s)"
    )
    parser.add_argument(
        "--files",
        type=Path,
        default=DEFAULT_FILES,
        help="folder of copied files (default: %(default)s)",
    )
    parser.add_argument(
        "--scan-json",
        type=Path,
        help="score this saved `scan --format json` output instead of scanning",
    )
    parser.add_argument(
        "--python",
        default=sys.executable,
        help="interpreter that runs the tool (default: this one)",
    )
    parser.add_argument(
        "--cache",
        action="store_true",
        help="let the tool use its analysis cache (default: --no-cache)",
    )
    parser.add_argument(
        "--check-prefilter",
        action="store_true",
        help="scan again with every file analysed and report whether the output is identical "
             "(issue 7: the prefilter must never change results)",
    )
    parser.add_argument(
        "--check-endpoint-strings",
        action="store_true",
        help="list the strings naming a SendGrid endpoint that no finding reports (never "
             "silent: each must be part of a reported call or reported itself)",
    )
    parser.add_argument(
        "--save-scan", type=Path, help="also write the merged scan as JSON (for --scan-json)"
    )
    parser.add_argument(
        "--summary-json", type=Path, help="also write the scores and lists as JSON to this file"
    )
    args = parser.parse_args(argv)

    try:
        entries, labels = load_labels(args.labels)
    except (OSError, ValueError, yaml.YAMLError, KeyError, TypeError) as exc:
        sys.stderr.write(f"evaluate: cannot read labels: {exc}\n")
        return 2

    files_dir = args.files
    skipped = [e["file"] for e in entries if not (files_dir / e["file"]).is_file()]
    for entry in entries:
        copy = files_dir / entry["file"]
        if entry["file"] in skipped or not entry.get("sha256"):
            continue
        if hashlib.sha256(copy.read_bytes()).hexdigest() != entry["sha256"]:
            sys.stderr.write(
                f"evaluate: warning: {entry['file']} differs from the labelled copy; "
                "its labels may not fit\n"
            )

    if args.scan_json:
        scan = json.loads(args.scan_json.read_text(encoding="utf-8"))
    else:
        if len(skipped) == len(entries):
            sys.stderr.write(
                f"evaluate: no labelled file in {files_dir}; run benchmarks/eval/fetch_files.py\n"
            )
            return 2
        scan = run_scan(entries, files_dir, args.python, args.cache)
        if args.check_prefilter:
            unfiltered = run_scan(entries, files_dir, args.python, args.cache, prefilter=False)
            verdict = "identical" if unfiltered == scan else "DIFFERENT"
            print(f"prefilter check: output with every file analysed is {verdict}\n")
        if args.save_scan:
            args.save_scan.write_text(json.dumps(scan, indent=2) + "\n", encoding="utf-8")

    known = {e["file"] for e in entries}
    skipped_set = set(skipped)
    findings = collect_findings(scan, files_dir)
    if args.check_endpoint_strings:
        silent = unreported_endpoint_strings(
            [files_dir / e["file"] for e in entries if e["file"] not in skipped], findings, scan)
        print(f"endpoint-string check: {len(silent)} string(s) naming a SendGrid endpoint "
              "with no finding that reports them")
        for line in silent:
            print(f"  {line}")
        print()
    stray = sorted({f.file for f in findings if f.file not in known})
    if stray:
        sys.stderr.write(
            "evaluate: warning: ignoring findings in unlabelled files: " + ", ".join(stray) + "\n"
        )
    findings = [f for f in findings if f.file in known and f.file not in skipped_set]
    labels = [label for label in labels if label.file not in skipped_set]
    lookalikes = {e["file"] for e in entries if e.get("lookalike")}

    splits = {e["file"]: entry_split(e) for e in entries}
    result = score(labels, findings, lookalikes, splits)
    print_report(result, entries, skipped, scan)
    if args.summary_json:
        args.summary_json.write_text(json.dumps(summary(result), indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # output piped into `head` and the like
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
