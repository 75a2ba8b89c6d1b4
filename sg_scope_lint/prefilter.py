"""Decide from a file's bytes, without parsing, whether it can contain a SendGrid call.

Kept free of libcst so that a scan of files that never mention SendGrid does not even import
it. The test is conservative: every call the visitor can find on its own needs the word
`sendgrid` (any case) somewhere in the module — an import, a host name, a setting, an
annotation. Modules reached only through other modules are found by `engine.scan_files`.

The tests search a lower-cased copy with plain substring tests: a case-insensitive regex is
~4x slower over a large tree, which flake8 with the plugin pays on every file it checks.
"""

from __future__ import annotations

# `sg-scope` and its near misses (`sg_scope`, `SG-Scopes`), so a misspelt annotation is still
# read and reported rather than silently ignored: `sg`, at most one separator, `scope`, in
# lower-cased text. Found by looking just before each `scope` rather than by a regex: this module
# is imported by the fast path and by flake8 on every run, and `re` costs more to import than the
# fast path spends on a small project.
_SEPARATORS = b"-_ "


def might_call_sendgrid(data: bytes) -> bool:
    return b"sendgrid" in data.lower()


def might_have_annotations(data: bytes) -> bool:
    """True unless the file certainly holds no `# sg-scope:` annotation (or a misspelt one)."""
    return _has_annotation(data.lower())


def needs_analysis(data: bytes) -> bool:
    """Either test, lower-casing the file once (what the flake8 plugin asks of every file)."""
    lowered = data.lower()
    return b"sendgrid" in lowered or _has_annotation(lowered)


def _has_annotation(lowered: bytes) -> bool:
    at = lowered.find(b"scope")
    while at != -1:
        if lowered[at - 2:at] == b"sg" or (
                lowered[at - 3:at - 1] == b"sg" and lowered[at - 1] in _SEPARATORS):
            return True
        at = lowered.find(b"scope", at + 5)
    return False
