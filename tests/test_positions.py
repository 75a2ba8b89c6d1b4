"""Positions from the parsed bytes agree with positions from libcst's regenerated code."""

from __future__ import annotations

import ast

import libcst as cst
import pytest

from sg_scope_lint.analysis.collect import Collector
from sg_scope_lint.analysis.positions import Positions
from sg_scope_lint.analysis.walk import walk

SOURCES = {
    "utf-8": "x = f()\ns = 'é'; y = g(h(1), é=2)\n".encode(),
    "bom": b"\xef\xbb\xbfx = f()\ny = g()\n",
    "latin-1 cookie": "# -*- coding: latin-1 -*-\ns = 'é'; y = g()\n".encode("latin-1"),
    "crlf": b"x = f()\r\nif x:\r\n    y = g(\r\n        h())\r\n",
    "form feed": b"x = f()\n\x0c\ny = g()\n",
    "decorated": b"@a(1)\n@b\ndef f(x=c()):\n    return [d(i) for i in e()]\n",
}


@pytest.mark.parametrize("data", SOURCES.values(), ids=SOURCES.keys())
def test_positions_from_bytes_match_regenerated_code(data: bytes) -> None:
    module = cst.parse_module(data)
    collector = Collector("m.py", "m", False)
    walk(module, collector)
    from_bytes = Positions(module, len(collector.calls), collector.assigns, data)
    from_code = Positions(module, len(collector.calls), collector.assigns)
    for kind, count in ((ast.Call, len(collector.calls)), (ast.Assign, collector.assigns)):
        for ordinal in range(count):
            node = collector.calls[ordinal].node if kind is ast.Call else module
            assert from_bytes.of(kind, ordinal, node) == from_code.of(kind, ordinal, node)
    assert from_bytes._from_ast() is not None  # answered by ast, not the fallback
