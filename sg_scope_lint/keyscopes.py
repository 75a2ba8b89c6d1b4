"""The list of scope names a key grants, as a key config writes it (YAML, JSON or Terraform)."""

from __future__ import annotations

from typing import Any

from .errors import KeyConfigError
from .textlines import TextLines
from .types import GrantedScope


def scope_list(value: Any, lines: TextLines, start: int, display: str,
               key: str) -> tuple[GrantedScope, ...]:
    """Validate a list of scope names; each keeps the line it is written on, duplicates once."""
    if not isinstance(value, list):
        raise KeyConfigError("must be a list of scope names (`[]` for a Full Access key)",
                             file=display, line=start, key=key)
    scopes: list[GrantedScope] = []
    seen: set[str] = set()
    line = start
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            # the item's type only: a value from a SendGrid response is never quoted back
            raise KeyConfigError(f"item {index + 1} is not a scope name (found a "
                                 f"{type(item).__name__})", file=display, line=line, key=key)
        line = lines.find_or(item, line)
        if item not in seen:
            seen.add(item)
            scopes.append(GrantedScope(item, line))
    return tuple(scopes)
