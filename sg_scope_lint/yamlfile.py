"""Safe YAML loading that remembers the line of every mapping, so errors can point at it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import SgScopeLintError


class LineDict(dict[str, Any]):
    """A YAML mapping that knows the 1-based line it started on."""

    line: int = 0


# libyaml's parser when PyYAML was built with it: ~10x faster on the bundled rules (20 ms
# instead of 190 ms), which an editor running the flake8 plugin pays on its first SendGrid
# file. Its nodes carry the same line marks; the constructor stays PyYAML's safe one.
_SafeBase: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeBase):  # type: ignore[misc]
    """A safe loader whose mappings are `LineDict`s; never constructs arbitrary objects."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:  # type: ignore[override]
        mapping = LineDict(super().construct_mapping(node, deep=True))
        mapping.line = node.start_mark.line + 1
        return mapping


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _LineLoader.construct_mapping,  # type: ignore[arg-type]
)


def load_yaml(path: Path, display: str, error: type[SgScopeLintError]) -> Any:
    """Parse `path` safely; any read or syntax problem becomes `error` with file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"cannot read file: {exc.__class__.__name__}: {exc}", file=display) from None
    return load_yaml_text(text, display, error)


def load_yaml_text(text: str, display: str, error: type[SgScopeLintError]) -> Any:
    """Parse YAML text safely, reporting a syntax error at its line."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        problem = exc.problem or exc.context or "malformed YAML"
        raise error(f"malformed YAML: {problem}", file=display, line=line) from None
    except yaml.YAMLError as exc:
        raise error(f"malformed YAML: {exc}", file=display) from None


def line_of(node: object) -> int:
    """The line a loaded mapping started on, or 0 for anything else."""
    return node.line if isinstance(node, LineDict) else 0


def compose_yaml(text: str) -> yaml.Node:
    """The node tree of YAML text, with each node's start and end marks: where a value stands in
    the text, so that one value can be replaced and the rest (comments included) kept."""
    return yaml.compose(text, Loader=yaml.SafeLoader)


def reads_back_plain(text: str) -> bool:
    """Whether `text` written as a plain (unquoted) scalar loads back as the same string."""
    try:
        return bool(yaml.safe_load(text) == text)
    except yaml.YAMLError:
        return False
