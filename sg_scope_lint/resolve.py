"""Work out which HTTP request a recognised call makes, the way python_http_client builds it.

`client._(x)` appends `str(x)` verbatim, so one argument may hold several segments
(`_("suppression/bounces")`) or nothing at all (a falsy value); attribute steps add one
segment each; `.version(n)` changes the `/v3` prefix; `client.send(m)` posts to `/v3/mail/send`.
A query string or leading slash inside `_()` is not part of the endpoint.
"""

from __future__ import annotations

from .types import VALUE, CallSite, Endpoint, RawCall, Segment, Step, StepKind, Unresolved

SEND_ENDPOINT = Endpoint("POST", ("mail", "send"))
DEFAULT_VERSION = 3
NO_VERSION = 0


def resolve(call: RawCall) -> CallSite | Unresolved:
    """The endpoint of a call, or why it cannot be known without running the code."""
    if call.dynamic:
        return Unresolved(call.location, call.dynamic, call.chain, call.key)
    if call.verb == "send":
        return CallSite(call.location, SEND_ENDPOINT, call.chain, call.key, call.grants)
    if call.verb == "call":  # an in-house wrapper function a rule names
        function = call.steps[0].pieces[0] or ""
        return CallSite(call.location, Endpoint("CALL", (function,), 0), call.chain, call.key)
    segments: list[Segment] = []
    version = DEFAULT_VERSION
    for step in call.steps:
        if step.kind is StepKind.ATTRIBUTE:
            segments.extend(step.pieces)
        elif step.kind is StepKind.UNDERSCORE:
            segments.extend(split_segments(step.pieces))
        else:
            number = version_number(step)
            if number is None:
                return Unresolved(call.location, "the API version is computed at run time",
                                  call.chain, call.key)
            version = number
    first = segments[0] if segments else None
    if version == NO_VERSION and first is not None and _is_version(first):
        version = int(first[1:])  # a full path such as /v3/mail/send written out
        segments = segments[1:]
    if segments and segments[0] is VALUE:
        return Unresolved(call.location, "the path starts with a value computed at run time",
                          call.chain, call.key)
    endpoint = Endpoint(call.verb.upper(), tuple(segments), version)
    return CallSite(call.location, endpoint, call.chain, call.key, call.grants)


def split_segments(pieces: tuple[Segment, ...]) -> list[Segment]:
    """Split the pieces of one `_()` argument into path segments.

    A segment that mixes literal text with a run-time value is itself a run-time value;
    empty segments (leading, trailing or doubled slashes) are dropped; everything from a `?`
    on is a query string and ends the path.
    """
    segments: list[Segment] = []
    current: list[Segment] = []

    def close() -> None:
        if VALUE in current:
            segments.append(VALUE)
        elif "".join(p for p in current if p is not None):
            segments.append("".join(p for p in current if p is not None))
        current.clear()

    for piece in pieces:
        if piece is VALUE:
            current.append(VALUE)
            continue
        text, question_mark, _ = piece.partition("?")
        parts = text.split("/")
        current.append(parts[0])
        for part in parts[1:]:
            close()
            current.append(part)
        if question_mark:
            break
    close()
    return segments


def _is_version(segment: Segment) -> bool:
    return segment is not VALUE and segment[:1] == "v" and segment[1:].isdigit()


def version_number(step: Step) -> int | None:
    """The version a step sets; no pieces means none (a path written out in full)."""
    if not step.pieces:
        return NO_VERSION
    text = "".join(p for p in step.pieces if p is not None)
    if VALUE in step.pieces or not text.isdigit():
        return None
    return int(text)
