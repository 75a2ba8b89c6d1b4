"""Cheap byte tests that decide which files need analysis at all, without importing libcst.

They live apart from `callsites.py` so that a front end (the flake8 plugin above all) can skip
a file that cannot reach SendGrid without paying for the import of libcst (~0.2 s). They search
a lower-cased copy with plain substring tests: a case-insensitive regex is ~4x slower over a
large tree, which flake8 with the plugin would pay on every file.
"""

from __future__ import annotations

import re

# `sg-scope` and its near misses (`sg_scope`, `SG-Scopes`), so a misspelt annotation is still
# read and reported rather than silently ignored; searched in lower-cased text. Compiled on
# first use (re's cache), not at import: flake8 imports this module on every run.
_ANNOTATION = rb"sg[-_ ]?scope"


def might_call_sendgrid(data: bytes) -> bool:
    """True unless the file certainly holds no call the visitor can find.

    Every call the visitor recognises needs the word `sendgrid`, in any case, somewhere in its
    module (an import, a class name, a host name, a setting).
    """
    return b"sendgrid" in data.lower()


def might_have_annotations(data: bytes) -> bool:
    """True unless the file certainly holds no `# sg-scope:` annotation (or a misspelt one)."""
    return _has_annotation(data.lower())


def needs_analysis(data: bytes) -> bool:
    """Either test, lower-casing the file once (what the flake8 plugin asks of every file)."""
    lowered = data.lower()
    return b"sendgrid" in lowered or _has_annotation(lowered)


def _has_annotation(lowered: bytes) -> bool:
    return b"scope" in lowered and re.search(_ANNOTATION, lowered) is not None
