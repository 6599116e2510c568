"""Parse trees per document version, re-parsed incrementally from the previous version.

The editor's edits are not needed: when a document's text has changed, the span that
differs is found by comparing the old and new UTF-8 bytes from both ends (``diff.py``),
reported to the old tree as one edit, and the new text is parsed against it.
Keystrokes that are answered without a context build (typing through a suggestion, an
answer from the cache) cost nothing here; a build pays for the edits since the last one.

Tree-sitter counts columns in UTF-8 bytes; LSP counts UTF-16 code units. Conversions
here are exact for any text (astral characters such as emoji are 2 UTF-16 units and 4
bytes; CJK is 1 unit and 3 bytes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import tree_sitter as ts

from frugal_lsp.context.diff import common_prefix, common_suffix
from frugal_lsp.context.document import Document
from frugal_lsp.context.grammars import parser_language
from frugal_lsp.context.index import Index

MAX_TREES = 16  # parse trees kept; ~0.5 MB per 1,000 lines (bench: RSS, 50 documents)


@dataclass
class Parsed:
    """One document version's text, bytes and tree."""

    language: str
    version: int
    text: str
    source: bytes
    tree: ts.Tree
    lines: list[str] = field(default_factory=list)
    index: Index | None = None  # its definitions, built on first use; evicted with the tree


def byte_column(line: str, index: int) -> int:
    """UTF-8 byte column of the code-point ``index`` on ``line``."""
    return len(line[:index].encode("utf-8"))


class Trees:
    """Keeps the latest tree of each document; parses fully or incrementally."""

    def __init__(self) -> None:
        self._parsed: dict[Path, Parsed] = {}
        self._parsers: dict[str, ts.Parser] = {}

    def get(self, doc: Document) -> Parsed | None:
        """The tree for this exact text; None when the language has no grammar."""
        parser = self._parser(doc.language)
        if parser is None:
            return None
        cached = self._parsed.get(doc.path)
        if cached is not None and cached.text == doc.text and cached.language == doc.language:
            return cached
        source = doc.text.encode("utf-8")
        if cached is not None and cached.language == doc.language:
            cached.tree.edit(*changed_span(cached.source, source))
            tree = parser.parse(source, cached.tree)
        else:
            tree = parser.parse(source)
        parsed = Parsed(doc.language, doc.version, doc.text, source, tree, doc.text.split("\n"))
        self._store(doc.path, parsed)
        return parsed

    def forget(self, path: Path) -> None:
        self._parsed.pop(path, None)

    def _parser(self, language: str) -> ts.Parser | None:
        if language not in self._parsers:
            lang = parser_language(language)
            if lang is None:
                return None
            self._parsers[language] = ts.Parser(lang)
        return self._parsers[language]

    def _store(self, path: Path, parsed: Parsed) -> None:
        self._parsed.pop(path, None)
        self._parsed[path] = parsed
        while len(self._parsed) > MAX_TREES:
            self._parsed.pop(next(iter(self._parsed)))


class Span(NamedTuple):
    """One edit, in the order tree-sitter's ``Tree.edit`` takes its arguments."""

    start_byte: int
    old_end_byte: int
    new_end_byte: int
    start_point: tuple[int, int]
    old_end_point: tuple[int, int]
    new_end_point: tuple[int, int]


def changed_span(old: bytes, new: bytes) -> Span:
    """The one edit that turns ``old`` into ``new``."""
    start = common_prefix(old, new)
    limit = min(len(old), len(new)) - start
    tail = common_suffix(old, new, limit)
    old_end, new_end = len(old) - tail, len(new) - tail
    while start > 0 and _continuation(new, start):  # keep whole UTF-8 characters
        start -= 1
    while new_end < len(new) and _continuation(new, new_end):
        new_end, old_end = new_end + 1, old_end + 1
    points = _point(new, start), _point(old, old_end), _point(new, new_end)
    return Span(start, old_end, new_end, *points)


def _continuation(data: bytes, at: int) -> bool:
    return at < len(data) and data[at] & 0xC0 == 0x80


def _point(data: bytes, at: int) -> tuple[int, int]:
    """(row, byte column) of byte offset ``at``."""
    return data.count(b"\n", 0, at), at - (data.rfind(b"\n", 0, at) + 1)
