"""stdout and stderr as the command writes them: API keys redacted, characters the stream
cannot encode escaped, and a failing stream (closed, full disk) one error line; a reader that
went away (`scan | head`) ends the run quietly.

`guarded` installs `SafeStream` on both for the length of a command, so whatever writes there
(the reporters, argparse's usage errors, warnings) passes `secrets.redact` on its way out.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable
from typing import TextIO, cast

EXIT_ERROR = 2
EXIT_READER_GONE = 1  # what `scan | head` ends with: no verdict reached anyone


class OutputError(Exception):
    """Writing to stdout failed: the command's answer could not be given. `gone` when the
    reader went away (a closed pipe, `scan | head`): nobody is left to tell, so it is quiet."""

    def __init__(self, reason: str, gone: bool = False) -> None:
        super().__init__(reason)
        self.gone = gone


class SafeStream(io.TextIOBase):
    """A text stream that redacts, escapes what its encoding lacks (`SG.abc…` on a cp1252
    console, a lone surrogate in a file name) and raises `OutputError` when writing fails."""

    def __init__(self, stream: TextIO | None, redacting: bool = True) -> None:
        self.stream = cast(TextIO, stream if stream is not None else _Closed())
        self.redacting = redacting

    def write(self, text: str) -> int:
        if self.redacting:
            from .secrets import redact

            text = redact(text)
        try:
            try:
                self.stream.write(text)
            except UnicodeEncodeError:
                encoding = getattr(self.stream, "encoding", None) or "ascii"
                self.stream.write(text.encode(encoding, "backslashreplace").decode(encoding))
        except BrokenPipeError as error:
            raise OutputError(_reason(error), gone=True) from None
        except (OSError, ValueError) as error:  # ValueError: the stream was closed
            raise OutputError(_reason(error)) from None
        return len(text)

    def flush(self) -> None:
        if self.stream.closed:
            raise OutputError("the stream is closed")
        try:
            self.stream.flush()
        except BrokenPipeError as error:
            raise OutputError(_reason(error), gone=True) from None
        except (OSError, ValueError) as error:
            raise OutputError(_reason(error)) from None

    def close(self) -> None:
        """Mark this wrapper closed (not the wrapped stream). When it is collected at exit after
        a write already failed and was reported, the flush `close` makes may fail again: that
        failure was said once, so it is not raised from the finaliser (Python 3.13 prints such
        exceptions)."""
        try:
            super().close()
        except OutputError:
            pass

    def isatty(self) -> bool:
        return not self.stream.closed and self.stream.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.stream, "encoding", None) or "utf-8"


class _Closed(io.StringIO):
    """What Python leaves as `sys.stdout` when file descriptor 1 was closed (`None`)."""

    def __init__(self) -> None:
        super().__init__()
        self.close()


def guarded(command: Callable[[], int], redacting: bool = True) -> int:
    """Run `command` with safe streams; a failed write of its answer is exit 2 and one line.

    An unexpected exception (a bug) is exit 2 too, not Python's 1, which CI would read as
    "findings": its traceback goes to stderr through the same redaction as everything else.
    """
    if isinstance(sys.stdout, SafeStream):
        return command()
    saved = sys.stdout, sys.stderr
    sys.stdout = cast(TextIO, SafeStream(saved[0], redacting))
    sys.stderr = cast(TextIO, SafeStream(saved[1], redacting))
    try:
        code = command()
        sys.stdout.flush()
        return code
    except OutputError as error:
        _abandon(saved[0])
        if error.gone:  # `scan | head`: the reader has what it wanted; end quietly
            return EXIT_READER_GONE
        try:
            saved[1].write(f"sg-scope-lint: error: cannot write the output: {error}\n")
            saved[1].flush()
        except (OSError, ValueError, AttributeError):  # AttributeError: stderr closed (None)
            pass
        return EXIT_ERROR
    except Exception as error:  # noqa: BLE001 - reported in full, redacted, never swallowed
        import traceback

        sys.stderr.write("".join(traceback.format_exception(error)))
        sys.stderr.write(f"sg-scope-lint: internal error: {type(error).__name__}: {error}; "
                         "please report it\n")
        return EXIT_ERROR
    finally:
        sys.stdout, sys.stderr = saved


def _abandon(stream: TextIO | None) -> None:
    """Point a stdout that failed at /dev/null, so the interpreter's own flush at exit does not
    fail again with a traceback (Python's advice for a closed pipe)."""
    try:
        descriptor = stream.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, descriptor)
        os.close(null)
    except (OSError, ValueError, AttributeError):  # AttributeError: no stream at all (None)
        pass


def _reason(error: Exception) -> str:
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return "the stream is closed"  # the ValueError of a write to a closed file
