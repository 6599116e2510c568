"""Token count of a whole file, kept cheap across edits by counting it in cached chunks.

Counting a 5,000-line file takes 15-40 ms; after an edit only the chunk that changed is
counted again. Chunks end at line breaks, where the tokenizer splits anyway, so the sum
matches a whole-file count to within a few tokens.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

from frugal_lsp.tokens import TokenCounter

CHUNK_LINES = 64
MAX_CHUNKS = 20_000


class FileTokens:
    """Counts whole files, remembering each chunk's count by its text."""

    def __init__(self, counter: TokenCounter) -> None:
        self._counter = counter
        self._chunks: OrderedDict[str, int] = OrderedDict()
        self._last: dict[Path, tuple[str, int]] = {}

    def count(self, path: Path, text: str) -> int:
        last = self._last.get(path)
        if last is not None and last[0] is text:
            return last[1]
        lines = text.split("\n")
        total = sum(
            self._chunk("\n".join(lines[i : i + CHUNK_LINES]) + "\n")
            for i in range(0, len(lines), CHUNK_LINES)
        )
        total -= 1 if lines else 0  # the last chunk's added line break
        self._last[path] = (text, total)
        return max(total, 0)

    def _chunk(self, chunk: str) -> int:
        cached = self._chunks.get(chunk)
        if cached is not None:
            self._chunks.move_to_end(chunk)
            return cached
        n = self._counter.count(chunk)
        self._chunks[chunk] = n
        if len(self._chunks) > MAX_CHUNKS:
            self._chunks.popitem(last=False)
        return n
