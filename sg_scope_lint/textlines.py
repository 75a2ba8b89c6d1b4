"""Find the line a word is on, for parsers that keep no positions (json, python-hcl2)."""

from __future__ import annotations

import re
from bisect import bisect_left

# A whole word as `find` sees it: word characters, dots and dashes, and a colon between word
# characters (`subuser:add`), so the `env` of `env: X` is found.
_TOKEN = re.compile(r"(?:[\w.-]|(?<=\w):(?=\w))+")


class TextLines:
    """A file's lines, searched for whole words: `mail.send` never matches `mail.send.beta`.

    The lines of each word are indexed on the first search, so that a config of thousands of
    keys, each looked up from near the top, costs one pass over the text, not one per key.
    """

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self._index: dict[str, list[int]] | None = None

    def find(self, word: str, start: int = 1) -> int:
        """The first 1-based line at or after `start` holding `word`; 0 when there is none."""
        start = max(start, 1)
        if _TOKEN.fullmatch(word):
            numbers = self._words().get(word, [])
            at = bisect_left(numbers, start)
            return numbers[at] if at < len(numbers) else 0
        pattern = re.compile(rf"(?<![\w.-])(?<!\w:){re.escape(word)}(?![\w.-]|:\w)")
        for number in range(start, len(self.lines) + 1):
            if pattern.search(self.lines[number - 1]):
                return number
        return 0

    def find_or(self, word: str, start: int) -> int:
        """Like `find`, falling back to `start` so a message still points near the right place."""
        return self.find(word, start) or start

    def _words(self) -> dict[str, list[int]]:
        if self._index is None:
            self._index = {}
            for number, line in enumerate(self.lines, start=1):
                for word in _TOKEN.findall(line):
                    self._index.setdefault(word, []).append(number)
        return self._index
