"""Find the scope around a position: tree-sitter where a grammar exists, else heuristics."""

from __future__ import annotations

import re
from pathlib import Path

from frugal_lsp.context.document import Document, Position
from frugal_lsp.context.fallback import block_scope
from frugal_lsp.context.found import Found

_IMPORT = re.compile(r"^\s*(?:import|from|#include|using|require|use|package)\b")


class Scoper:
    """Scope finding for every document the builder sees."""

    def find(self, doc: Document, row: int, column: int) -> Found:
        lines = doc.lines
        header = tuple(n for n, t in enumerate(lines[:300]) if _IMPORT.match(t))
        return Found(block_scope(lines, row), header=header)

    def find_named(self, doc: Document, name: str) -> Found | None:
        return None

    def edit(self, path: Path, version: int, start: Position, end: Position, text: str) -> None:
        return None

    def forget(self, path: Path) -> None:
        return None
