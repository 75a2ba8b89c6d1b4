"""One `render(result) -> str` per output format; reporters format, they never decide exit codes."""

from __future__ import annotations

from . import github_report, json_report, markdown_report, sarif_report, text_report

FORMATS = {
    "text": text_report.render,
    "json": json_report.render,
    "sarif": sarif_report.render,
    "github": github_report.render,
    "markdown": markdown_report.render,
}
