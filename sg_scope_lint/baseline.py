"""Record today's findings in a baseline file and tell new findings from known ones.

A baseline lets a team adopt the tool without fixing everything on day one. Entries are keyed
by code, file and chain (`Finding.identity`), never by line, so moving code does not bring a
known finding back; each entry counts its occurrences, so a second identical call in the same
file is new; an entry that no longer occurs is reported as gone, so the baseline can shrink.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .codes import BY_CODE
from .errors import BaselineError
from .files import JsonProblem, parse_json, read_text
from .secrets import redact
from .types import Finding

BASELINE_VERSION = 1
_ENTRY_KEYS = ("code", "file", "chain", "count")
_CODE = re.compile(r"^[A-Z]{1,3}[0-9]{0,3}$")


@dataclass(frozen=True, slots=True, order=True)
class Entry:
    """`count` findings of `code` in `file` on the subject `chain`."""

    code: str
    file: str
    chain: str
    count: int = 1

    @property
    def identity(self) -> tuple[str, str, str]:
        return (self.code, self.file, self.chain)


@dataclass(frozen=True, slots=True)
class Baseline:
    entries: tuple[Entry, ...] = ()


@dataclass(frozen=True, slots=True)
class Split:
    """Today's findings against a baseline: `gone` counts the occurrences no longer found."""

    new: tuple[Finding, ...]
    known: tuple[Finding, ...]
    gone: tuple[Entry, ...]


def build(findings: Iterable[Finding]) -> Baseline:
    """The baseline of these findings, leaving out the codes a baseline must never hide."""
    counts = Counter(_identity(f) for f in findings if BY_CODE[f.code].baselinable)
    return Baseline(tuple(sorted(Entry(*identity, count) for identity, count in counts.items())))


def dumps(baseline: Baseline) -> str:
    """Deterministic JSON: sorted entries, no timestamps, so re-writing an unchanged baseline
    changes no byte."""
    data = {"version": BASELINE_VERSION,
            "findings": [dict(zip(_ENTRY_KEYS, (e.code, e.file, e.chain, e.count), strict=True))
                         for e in sorted(baseline.entries)]}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def split(baseline: Baseline, findings: Iterable[Finding]) -> Split:
    """Which findings the baseline knows; of several identical ones the first are known."""
    remaining = Counter({e.identity: e.count for e in baseline.entries})
    new: list[Finding] = []
    known: list[Finding] = []
    for finding in sorted(findings):
        identity = _identity(finding)
        if BY_CODE[finding.code].baselinable and remaining[identity] > 0:
            remaining[identity] -= 1
            known.append(finding)
        else:
            new.append(finding)
    gone = tuple(sorted(Entry(*identity, count) for identity, count in remaining.items()
                        if count > 0))
    return Split(tuple(new), tuple(known), gone)


def _identity(finding: Finding) -> tuple[str, str, str]:
    """A finding's identity as a baseline file holds it: redacted like every written file, so
    a file or chain holding a key matches its entry."""
    code, file, chain = finding.identity
    return code, redact(file), redact(chain)


def read(path: Path) -> Baseline:
    """The baseline in `path`; anything but a well-formed baseline is a `BaselineError`, so a
    damaged file can never pass for an empty one."""
    shown = path.as_posix()
    try:
        text = read_text(path)
    except FileNotFoundError:
        raise BaselineError("no such baseline file; create it with `--write-baseline FILE` "
                            "(of `sg-scope-lint scan` or `check`)", file=shown) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"cannot read the baseline: {exc}", file=shown) from None
    try:
        data = parse_json(text)
    except JsonProblem as exc:
        raise BaselineError(f"not valid JSON: {exc.message}", file=shown, line=exc.line) from None
    return Baseline(_entries(data, shown))


def _entries(data: Any, shown: str) -> tuple[Entry, ...]:
    if not isinstance(data, dict) or set(data) != {"version", "findings"}:
        raise BaselineError("not an sg-scope-lint baseline (expected an object with 'version' "
                            "and 'findings')", file=shown)
    if data["version"] != BASELINE_VERSION:
        raise BaselineError(f"must be {BASELINE_VERSION}, found {data['version']!r}",
                            file=shown, key="version")
    if not isinstance(data["findings"], list):
        raise BaselineError("must be a list", file=shown, key="findings")
    entries: dict[tuple[str, str, str], Entry] = {}
    for index, item in enumerate(data["findings"]):
        key = f"findings[{index}]"
        if not isinstance(item, dict) or set(item) != set(_ENTRY_KEYS):
            raise BaselineError(f"must be an object with exactly {', '.join(_ENTRY_KEYS)}",
                                file=shown, key=key)
        for name in ("code", "file", "chain"):
            if not isinstance(item[name], str):
                raise BaselineError(f"must be a string, found {item[name]!r}", file=shown,
                                    key=f"{key}.{name}")
        if not _CODE.match(item["code"]):
            raise BaselineError(f"{item['code']!r} is not a diagnostic code", file=shown,
                                key=f"{key}.code")
        count = item["count"]
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise BaselineError(f"must be a whole number of at least 1, found {count!r}",
                                file=shown, key=f"{key}.count")
        entry = Entry(item["code"], item["file"], item["chain"], count)
        if entry.identity in entries:
            raise BaselineError("the same code, file and chain as an earlier entry",
                                file=shown, key=key)
        entries[entry.identity] = entry
    return tuple(sorted(entries.values()))
