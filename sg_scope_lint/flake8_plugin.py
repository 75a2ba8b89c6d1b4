"""The flake8 adapter: `SGS` findings for one file at a time, computed by the engine.

flake8 finds `Plugin` through the `flake8.extension` entry point `SGS`, calls `add_options` and
`parse_options` once per process, then builds one `Plugin` per file. The rules, the scope
catalogue and the key config are loaded on the first file that needs them and kept on the class
for the rest of the process. A file that passes neither prefilter never reaches the engine, so
`flake8` over a tree without SendGrid code does not even import libcst.

The settings come from the project of each file (`paths.project_root`: the nearest
pyproject.toml with `[tool.sg-scope-lint]` above it, else its git work tree), not from the
folder flake8 runs in: an editor runs flake8 at the top of the workspace, which in a monorepo
is no project's folder.
"""

from __future__ import annotations

import ast
import io
import logging
import os
import tokenize
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from . import __version__
from .prefilter import needs_analysis

if TYPE_CHECKING:  # imported lazily at run time: flake8 imports this module on every run
    import argparse

    from flake8.options.manager import OptionManager  # type: ignore[import-untyped]

    from .rules import RuleSet
    from .types import Finding, KeyConfig

LOG = logging.getLogger(__name__)


class _Loaded:
    """What every file of the process is checked against.

    A plain slotted class, not a dataclass: flake8 imports this module on every run, and
    building a dataclass costs ~1 ms, the whole budget for a file without SendGrid code.
    """

    __slots__ = ("key_config", "ruleset")

    def __init__(self, ruleset: RuleSet, key_config: KeyConfig | None) -> None:
        self.ruleset = ruleset
        self.key_config = key_config  # None: no key config, so SGS201 is never reported


class Plugin:
    """One file's `SGS` findings; the analysis happens in `__init__`, `run` only yields them.

    Working in `__init__` means an unexpected error is reported by flake8 as a failure of this
    plugin on this file; `tree` is taken (and unused) because flake8 picks a plugin's kind from
    its parameter names, and the engine parses with libcst itself.
    """

    name = "sg-scope-lint"
    version = __version__

    # `--sg-key-config` and `--sg-rules` as flake8 parsed them (paths already normalised).
    _key_config: ClassVar[str | None] = None
    _rules: ClassVar[tuple[str, ...]] = ()
    # What each project's files are checked against, by project folder; and each file
    # folder's project folder.
    _loaded: ClassVar[dict[str, _Loaded]] = {}
    _roots: ClassVar[dict[str, str]] = {}

    def __init__(self, tree: ast.AST, filename: str, lines: Sequence[str]) -> None:
        self._findings: list[Finding] = []
        text = "".join(lines)
        data = text.encode("utf-8", "surrogateescape")
        if needs_analysis(data):
            try:
                self._findings = _analyse(_as_declared(text, data), filename,
                                          self._load(filename))
            except Exception as error:  # noqa: BLE001 - re-raised, redacted: flake8 prints it
                from .secrets import redact

                raise RuntimeError(redact(f"{type(error).__name__}: {error}")) from None

    @classmethod
    def add_options(cls, manager: OptionManager) -> None:
        manager.add_option(
            "--sg-key-config", parse_from_config=True, normalize_paths=True, metavar="FILE",
            help="key config (sg-scope-lint YAML/JSON, a SendGrid API key body or Terraform): "
                 "report calls needing scopes their key does not grant (SGS201). Default: "
                 "key-config in [tool.sg-scope-lint].",
        )
        manager.add_option(
            "--sg-rules", parse_from_config=True, comma_separated_list=True,
            normalize_paths=True, metavar="FILES",
            help="extra sg-scope-lint rule files, loaded after the bundled ones. "
                 "Default: rules in [tool.sg-scope-lint].",
        )

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        cls._key_config = options.sg_key_config
        cls._rules = tuple(options.sg_rules or ())
        cls._loaded = {}  # other options than the loaded ones: load again on the next file

    @classmethod
    def _load(cls, filename: str) -> _Loaded:
        folder = os.path.dirname(os.path.abspath(filename))
        root = cls._roots.get(folder)
        if root is None:
            from .paths import project_root

            root = cls._roots[folder] = project_root(folder)[0]
        loaded = cls._loaded.get(root)
        if loaded is None:
            loaded = cls._loaded[root] = _load(cls._key_config, cls._rules, root)
        return loaded

    def run(self) -> Iterator[tuple[int, int, str, type[Plugin]]]:
        if not self._findings:
            return
        from .secrets import redact  # flake8 prints what it is given: the CLI's redaction

        for finding in self._findings:
            yield (finding.location.line, finding.location.col - 1, redact(finding.message),
                   type(self))


def _load(key_config_option: str | None, rules_option: tuple[str, ...], root: str) -> _Loaded:
    """Load rules and key config: flake8's options first, the `[tool.sg-scope-lint]` of the
    project at `root` as fallback."""
    from .config import load_config
    from .rules import load_ruleset
    from .secrets import redact

    fallback = load_config(Path(root))
    rules = tuple(Path(p) for p in rules_option) or fallback.rules
    key_config = Path(key_config_option) if key_config_option else fallback.key_config
    ruleset = load_ruleset(extra_files=rules, cache_root=fallback.root)
    for warning in ruleset.warnings:
        LOG.warning("sg-scope-lint: %s", redact(warning))
    if key_config is None:
        return _Loaded(ruleset, None)
    from .keyconfig import read_key_config  # and PyYAML: only for projects with a key config

    return _Loaded(ruleset, read_key_config(key_config))


def _analyse(data: bytes, filename: str, loaded: _Loaded) -> list[Finding]:
    from .engine import scan_source
    from .findings import file_findings
    from .keycheck import missing_in_file

    report = scan_source(data, filename, loaded.ruleset)
    if loaded.key_config is None:
        return file_findings(report)
    missing = missing_in_file(report, loaded.key_config, loaded.ruleset.catalogue)
    return file_findings(report, missing, loaded.key_config.file)


def _as_declared(text: str, utf8: bytes) -> bytes:
    """The file's bytes in the encoding its coding cookie declares, as the engine expects.

    flake8 hands over decoded lines; re-encoding them as UTF-8 under a `latin-1` cookie would
    make libcst decode them wrongly.
    """
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(utf8).readline)
    except SyntaxError:
        return utf8
    if encoding in ("utf-8", "utf-8-sig"):
        return utf8
    try:
        return text.encode(encoding)
    except (LookupError, UnicodeEncodeError):
        return utf8
