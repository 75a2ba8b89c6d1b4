"""Decide from a file's bytes, without parsing, whether it can contain a SendGrid call.

Kept free of libcst so that a scan of files that never mention SendGrid does not even import
it. The test is conservative: every call the visitor can find on its own needs the word
`sendgrid` (any case) somewhere in the module — an import, a host name, a setting, an
annotation. Modules reached only through other modules are found by `engine.scan_files`.
"""

from __future__ import annotations

import re

_MARKER = re.compile(rb"sendgrid", re.IGNORECASE)


def might_call_sendgrid(data: bytes) -> bool:
    return _MARKER.search(data) is not None
