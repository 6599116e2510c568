"""Parse trees per document version, re-parsed incrementally when edits are reported.

Tree-sitter counts columns in UTF-8 bytes; LSP counts UTF-16 code units. Conversions
here are exact for any text (astral characters such as emoji are 2 UTF-16 units and 4
bytes; CJK is 1 unit and 3 bytes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import tree_sitter as ts

from frugal_lsp.context.document import Document, Position, utf16_to_index
from frugal_lsp.context.grammars import parser_language

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
    edited: bool = False  # the tree has pending edits: pass it to the next parse


def byte_column(line: str, index: int) -> int:
    """UTF-8 byte column of the code-point ``index`` on ``line``."""
    return len(line[:index].encode("utf-8"))


def point_of(lines: list[str], pos: Position) -> tuple[int, int, int]:
    """(row, code-point index, byte column) of an LSP position, clamped to the text."""
    row = min(max(pos.line, 0), len(lines) - 1)
    index = utf16_to_index(lines[row], pos.character)
    return row, index, byte_column(lines[row], index)


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
        if cached is not None and not cached.edited and cached.text == doc.text:
            return cached
        old = (
            cached.tree
            if cached is not None and cached.edited and cached.text == doc.text
            else None
        )
        source = doc.text.encode("utf-8")
        tree = parser.parse(source, old) if old is not None else parser.parse(source)
        parsed = Parsed(doc.language, doc.version, doc.text, source, tree, doc.text.split("\n"))
        self._store(doc.path, parsed)
        return parsed

    def edit(self, path: Path, version: int, start: Position, end: Position, text: str) -> None:
        """Apply one LSP content change to the cached tree (and text) of ``path``."""
        cached = self._parsed.get(path)
        if cached is None:
            return
        lines = cached.lines
        srow, sidx, scol = point_of(lines, start)
        erow, eidx, ecol = point_of(lines, end)
        start_byte = _line_byte(lines, srow) + scol
        old_end_byte = _line_byte(lines, erow) + ecol
        new_text = (
            cached.text[: _offset(lines, srow, sidx)]
            + text
            + cached.text[_offset(lines, erow, eidx) :]
        )
        inserted = text.split("\n")
        new_end_row = srow + len(inserted) - 1
        last = inserted[-1].encode("utf-8")
        new_end_col = (scol + len(last)) if len(inserted) == 1 else len(last)
        cached.tree.edit(
            start_byte=start_byte,
            old_end_byte=old_end_byte,
            new_end_byte=start_byte + len(text.encode("utf-8")),
            start_point=(srow, scol),
            old_end_point=(erow, ecol),
            new_end_point=(new_end_row, new_end_col),
        )
        cached.version, cached.text, cached.lines = version, new_text, new_text.split("\n")
        cached.source, cached.edited = new_text.encode("utf-8"), True

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


def _line_byte(lines: list[str], row: int) -> int:
    return sum(len(line.encode("utf-8")) + 1 for line in lines[:row])


def _offset(lines: list[str], row: int, index: int) -> int:
    return sum(len(line) + 1 for line in lines[:row]) + index
