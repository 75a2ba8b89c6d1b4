"""Cheap byte tests that decide which files need analysis at all, without importing libcst.

They live apart from `callsites.py` so that a front end (the flake8 plugin above all) can skip
a file that cannot reach SendGrid without paying for the import of libcst (~0.2 s).
"""

from __future__ import annotations

import re

_SENDGRID = re.compile(rb"sendgrid", re.IGNORECASE)
# `sg-scope` and its near misses (`sg_scope`, `SG-Scopes`), so a misspelt annotation is still
# read and reported rather than silently ignored.
_ANNOTATION = re.compile(rb"sg[-_ ]?scope", re.IGNORECASE)


def might_call_sendgrid(data: bytes) -> bool:
    """True unless the file certainly holds no call the visitor can find.

    Every call the visitor recognises needs the word `sendgrid` somewhere in its module (an
    import, a host name, a setting).
    """
    return _SENDGRID.search(data) is not None


def might_have_annotations(data: bytes) -> bool:
    """True unless the file certainly holds no `# sg-scope:` annotation (or a misspelt one)."""
    return _ANNOTATION.search(data) is not None
