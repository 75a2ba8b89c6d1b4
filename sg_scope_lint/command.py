"""The `sg-scope-lint` command: the fast path's answer when it has one (`quick.py`), else the
full command line (`cli.py`), imported only then."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from . import output, quick
from .colour import paint


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    answer = quick.answer(args)
    if answer is not None:
        return output.guarded(lambda: _give(answer), redacting=False)  # recorded redacted
    from .cli import main as full

    return full(args)


def _give(answer: quick.Answer) -> int:
    """The recorded answer; a reader gone away (`scan | head`) ends the run quietly, as in the
    full path (`output.guarded`)."""
    sys.stdout.write(paint(answer.stdout, sys.stdout))
    sys.stderr.write(answer.stderr)
    return answer.code
