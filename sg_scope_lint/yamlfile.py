"""Safe YAML loading that remembers the line of every mapping, so errors can point at it."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import SgScopeLintError
from .files import TOO_LONG_NUMBER, read_text

if TYPE_CHECKING:
    import yaml


class LineDict(dict[str, Any]):
    """A YAML mapping that knows the 1-based line it started on."""

    line: int = 0


@functools.cache
def _line_loader() -> Any:
    """A safe loader whose mappings are `LineDict`s; never constructs arbitrary objects.

    Built on first use, with PyYAML imported only then: the rules usually come from the cache
    (rules.py), and flake8 imports this package on every run.
    """
    import yaml

    # libyaml's parser when PyYAML was built with it: ~10x faster on the bundled rules (20 ms
    # instead of 190 ms). Its nodes carry the same line marks; the constructor stays PyYAML's
    # safe one.
    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class LineLoader(base):  # type: ignore[misc, valid-type]
        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:
            seen: set[object] = set()
            for key_node, _ in node.value:  # YAML keeps the last of two equal keys, silently
                key = self.construct_object(key_node, deep=True)
                if isinstance(key, (str, int, float, bool)) or key is None:
                    if key in seen:
                        raise yaml.constructor.ConstructorError(
                            None, None, f"duplicate key {key!r}", key_node.start_mark)
                    seen.add(key)
            mapping = LineDict(super().construct_mapping(node, deep=True))
            mapping.line = node.start_mark.line + 1
            return mapping

    LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                               LineLoader.construct_mapping)
    return LineLoader


def load_yaml(path: Path, display: str, error: type[SgScopeLintError]) -> Any:
    """Parse `path` safely; any read or syntax problem becomes `error` with file and line."""
    try:
        text = read_text(path)
    except OSError as exc:
        raise error(f"cannot read file: {exc.strerror or exc}", file=display) from None
    except UnicodeDecodeError:
        raise error("cannot read file: not UTF-8 text", file=display) from None
    return load_yaml_text(text, display, error)


def load_yaml_text(text: str, display: str, error: type[SgScopeLintError]) -> Any:
    """Parse YAML text safely, reporting a syntax error at its line."""
    import yaml

    try:
        return yaml.load(text, Loader=_line_loader())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        problem = exc.problem or exc.context or "malformed YAML"
        raise error(f"malformed YAML: {problem}", file=display, line=line) from None
    except yaml.YAMLError as exc:  # a reader error (a NUL, say): its first line says it all
        reason = (str(exc).splitlines() or ["unreadable"])[0]
        raise error(f"malformed YAML: {reason}", file=display) from None
    except RecursionError:
        raise error("malformed YAML: nested too deeply to read", file=display) from None
    except ValueError:  # int() refusing a number of over 4,300 digits
        raise error(f"malformed YAML: {TOO_LONG_NUMBER}", file=display) from None


def line_of(node: object) -> int:
    """The line a loaded mapping started on, or 0 for anything else."""
    return node.line if isinstance(node, LineDict) else 0


def compose_yaml(text: str) -> yaml.Node:
    """The node tree of YAML text, with each node's start and end marks: where a value stands in
    the text, so that one value can be replaced and the rest (comments included) kept."""
    import yaml

    return yaml.compose(text, Loader=yaml.SafeLoader)


def reads_back_plain(text: str) -> bool:
    """Whether `text` written as a plain (unquoted) scalar loads back as the same string."""
    import yaml

    try:
        return bool(yaml.safe_load(text) == text)
    except yaml.YAMLError:
        return False
