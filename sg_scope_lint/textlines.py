"""Find the line a word is on, for parsers that keep no positions (json, python-hcl2)."""

from __future__ import annotations

import re


class TextLines:
    """A file's lines, searched for whole words: `mail.send` never matches `mail.send.beta`."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def find(self, word: str, start: int = 1) -> int:
        """The first 1-based line at or after `start` holding `word`; 0 when there is none."""
        # a colon belongs to the word only between word characters (`subuser:add`), so the
        # `env` of `env: X` is found
        pattern = re.compile(rf"(?<![\w.-])(?<!\w:){re.escape(word)}(?![\w.-]|:\w)")
        for number in range(max(start, 1), len(self.lines) + 1):
            if pattern.search(self.lines[number - 1]):
                return number
        return 0

    def find_or(self, word: str, start: int) -> int:
        """Like `find`, falling back to `start` so a message still points near the right place."""
        return self.find(word, start) or start
