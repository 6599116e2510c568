"""Find the scope around a position: tree-sitter where a grammar exists, else heuristics."""

from __future__ import annotations

import re
from pathlib import Path

from frugal_lsp.context.document import Document
from frugal_lsp.context.fallback import block_scope
from frugal_lsp.context.found import Found
from frugal_lsp.context.grammars import GRAMMARS
from frugal_lsp.context.index import Index, build_index
from frugal_lsp.context.trees import Parsed, Trees, byte_column
from frugal_lsp.context.tsscope import find_in_tree

_IMPORT = re.compile(r"^\s*(?:import|from|#include|using|require|use|package|source)\b")


class Scoper:
    """Scope finding for every document the builder sees; trees and indexes are cached."""

    def __init__(self) -> None:
        self._trees = Trees()

    def find(self, doc: Document, row: int, column: int) -> Found:
        """What matters around (row, code-point column) of ``doc``."""
        parsed = self._trees.get(doc)
        if parsed is None or not doc.text.strip():
            return _fallback(doc.lines, row)
        grammar = GRAMMARS[doc.language]
        lines = parsed.lines
        col = byte_column(lines[row], column)
        return find_in_tree(parsed.tree.root_node, grammar, _index(parsed), lines, row, col)

    def find_named(self, doc: Document, name: str) -> Found | None:
        """The scope of the function or method called ``name``, if the file defines one."""
        parsed = self._trees.get(doc)
        if parsed is None:
            return None
        defs = _index(parsed).by_name.get(name, [])
        target = next((d for d in defs if d.kind != "class"), None)
        return self.find(doc, target.sig_end, 0) if target is not None else None

    def forget(self, path: Path) -> None:
        self._trees.forget(path)


def _index(parsed: Parsed) -> Index:
    if parsed.index is None:
        grammar = GRAMMARS[parsed.language]
        parsed.index = build_index(parsed.tree.root_node, grammar, parsed.lines)
    return parsed.index


def _fallback(lines: list[str], row: int) -> Found:
    header = tuple(n for n, t in enumerate(lines[:300]) if _IMPORT.match(t))
    return Found(block_scope(lines, row), header=header)
