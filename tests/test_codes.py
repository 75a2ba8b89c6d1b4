"""The code table is well formed, and docs/codes.md documents exactly its codes."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from sg_scope_lint.codes import CODES, Code

DOCS = Path(__file__).resolve().parent.parent / "docs" / "codes.md"
PARTS = ("What it does.", "Why is this bad.", "Example.", "Use instead.", "Known problems.")


def sections() -> dict[str, str]:
    """`## SGS101 name` heading -> the text up to the next heading."""
    text = DOCS.read_text(encoding="utf-8")
    found = re.split(r"^## ", text, flags=re.MULTILINE)[1:]
    return {chunk.splitlines()[0].strip(): chunk for chunk in found}


def test_codes_are_unique_and_flake8_shaped() -> None:
    assert len({c.code for c in CODES}) == len(CODES)
    assert len({c.name for c in CODES}) == len(CODES)
    for code in CODES:
        assert re.fullmatch(r"SGS[0-9]{3}", code.code), code
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", code.name), code


def test_docs_have_a_section_for_every_code_and_no_other() -> None:
    assert set(sections()) == {f"{c.code} {c.name}" for c in CODES}


@pytest.mark.parametrize("code", CODES, ids=lambda c: c.code)
def test_each_section_has_every_part_in_order(code: Code) -> None:
    section = sections()[f"{code.code} {code.name}"]
    positions = [section.find(f"**{part}**") for part in PARTS]
    assert -1 not in positions, f"{code.code}: missing {PARTS[positions.index(-1)]}"
    assert positions == sorted(positions), f"{code.code}: parts out of order"


@pytest.mark.parametrize("code", CODES, ids=lambda c: c.code)
def test_messages_start_with_the_code(code: Code) -> None:
    fields = {name: "x" for _, name, _, _ in string.Formatter().parse(code.template) if name}
    assert code.message(**fields).startswith(f"{code.code} ")
