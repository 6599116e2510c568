"""Per-line facts the completion selector scores with: code words and token counts.

Words are the identifiers a line's *code* holds: string literals, comments, numbers and
the inside of block comments and docstrings are left out, so prose never looks like code
the model needs. Both are cached by line text, and a document's words by version: after
an edit only the lines between the unchanged head and tail (``diff.py``) are looked at.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from frugal_lsp.context.diff import unchanged_lines
from frugal_lsp.tokens import TokenCounter

_WORD = re.compile(r"[A-Za-z_$][\w$]*")
_STRING = re.compile(r"""[rbfuRBFU]{0,2}('''|\"\"\"|'|"|`)(?:\\.|(?!\1).)*?\1""")
_COMMENT = re.compile(r"(?:^|\s)(?:#|//|--|;;).*$|/\*.*?\*/|^\s*\*.*$")
_NUMBER = re.compile(r"\b\d[\w.]*")
_DOC_QUOTES = ('"""', "'''")
_TRIPLE = re.compile(r"\"\"\"|'''")
MAX_CACHED = 50_000
Words = frozenset[str]
V = TypeVar("V")
_NONE: Words = frozenset()


def code_words(line: str) -> Words:
    """Identifiers in the code of one line (no strings, comments or numbers)."""
    if not line.strip():
        return _NONE
    code = _NUMBER.sub(" ", _COMMENT.sub(" ", _STRING.sub(" ", line)))
    return frozenset(_WORD.findall(code))


class LineFacts:
    """Code words and token counts of a document's lines, cached across builds and edits."""

    def __init__(self, counter: TokenCounter) -> None:
        self._counter = counter
        self._words: OrderedDict[str, Words] = OrderedDict()
        self._tokens: OrderedDict[str, int] = OrderedDict()
        self._docs: dict[Path, tuple[str, tuple[Words, ...], tuple[Words, ...]]] = {}
        # path -> (text, its lines, how many of them hold each word)
        self._every: dict[Path, tuple[str, tuple[str, ...], dict[str, int]]] = {}

    def words_of(self, path: Path, text: str, lines: Sequence[str]) -> tuple[Words, ...]:
        """The code words of every line of ``text`` (empty inside docstrings)."""
        cached = self._docs.get(path)
        if cached is not None and cached[0] is text:
            return cached[2]
        if cached is None:
            raw = tuple(self._line_words(line) for line in lines)
        else:
            old_text, old_raw, _ = cached
            head, tail = unchanged_lines(old_text, text)
            middle = lines[head : len(lines) - tail]
            raw = (
                old_raw[:head]
                + tuple(self._line_words(line) for line in middle)
                + old_raw[len(old_raw) - tail :]
            )
        words = _blank_docstrings(text, raw)
        self._docs[path] = (text, raw, words)
        return words

    def file_words(self, path: Path, text: str, lines: Sequence[str]) -> Mapping[str, int]:
        """Every code word of ``text`` (docstrings included) with the lines holding it;
        kept up to date from the changed lines alone, so an edit costs what it changed."""
        cached = self._every.get(path)
        if cached is not None and cached[0] is text:
            return cached[2]
        if cached is None:
            counts: dict[str, int] = {}
            _count(counts, map(self._line_words, lines), 1)
        else:
            old_text, old_lines, counts = cached
            head, tail = unchanged_lines(old_text, text)
            _count(counts, map(self._line_words, old_lines[head : len(old_lines) - tail]), -1)
            _count(counts, map(self._line_words, lines[head : len(lines) - tail]), 1)
        self._every[path] = (text, tuple(lines), counts)
        return counts

    def tokens(self, line: str) -> int:
        """Tokens one line adds to a text, its line break included.

        Counted between line breaks: BPE merges a break with what ends the line before
        it (``:\\n``, ``)\\n``), so this sums to within a few tokens of the joined text.
        """
        n = self._tokens.get(line)
        if n is None:
            n = max(1, self._counter.count(f"\n{line}\n") - 1)
            _remember(self._tokens, line, n)
        return n

    def forget(self, path: Path) -> None:
        self._docs.pop(path, None)
        self._every.pop(path, None)

    def _line_words(self, line: str) -> Words:
        found = self._words.get(line)
        if found is None:
            found = code_words(line)
            _remember(self._words, line, found)
        return found


def _count(counts: dict[str, int], words: Iterable[Words], step: int) -> None:
    for line_words in words:
        for w in line_words:
            n = counts.get(w, 0) + step
            if n > 0:
                counts[w] = n
            else:
                counts.pop(w, None)


def _remember(cache: OrderedDict[str, V], key: str, value: V) -> None:
    cache[key] = value
    if len(cache) > MAX_CACHED:
        cache.popitem(last=False)


def _blank_docstrings(text: str, words: tuple[Words, ...]) -> tuple[Words, ...]:
    """No words for the lines inside or closing a multi-line triple-quoted string.

    A line with an odd number of triple quotes opens or closes one. Only the quotes are
    visited (found by one regex scan), not every line.
    """
    if _DOC_QUOTES[0] not in text and _DOC_QUOTES[1] not in text:
        return words
    quotes: dict[int, int] = {}
    row, at = 0, 0
    for match in _TRIPLE.finditer(text):
        row += text.count("\n", at, match.start())
        at = match.start()
        quotes[row] = quotes.get(row, 0) + 1
    out, inside, opened = list(words), False, 0
    for row, count in quotes.items():
        if inside:
            out[opened + 1 : row + 1] = [_NONE] * (row - opened)
        if count % 2:
            inside, opened = not inside, row
    if inside:
        out[opened + 1 :] = [_NONE] * (len(out) - opened - 1)
    return tuple(out)
