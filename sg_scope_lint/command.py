"""The `sg-scope-lint` command: the fast path's answer when it has one (`quick.py`), else the
full command line (`cli.py`), imported only then."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from . import quick
from .colour import paint


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        answer = quick.answer(args)
        if answer is not None:
            sys.stdout.write(paint(answer.stdout, sys.stdout))
            sys.stderr.write(answer.stderr)
            sys.stdout.flush()
            return answer.code
        from .cli import main as full

        code = full(args)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # The reader went away (`scan | head`): what is left to print has no one to read it.
        # Point stdout at /dev/null so that the interpreter's last flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
