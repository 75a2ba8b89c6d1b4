"""One `render(result) -> str` per output format; reporters format, they never decide exit codes."""

from __future__ import annotations

from . import json_report, text_report

FORMATS = {"text": text_report.render, "json": json_report.render}
