"""A text document as the engine sees it, with exact LSP position conversion."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

EXTENSION_LANGUAGES: dict[str, str] = {
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".tsx": "typescriptreact",
    ".go": "go",
    ".rs": "rust",
    ".java": "java",
    ".c": "c",
    ".h": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".cxx": "cpp",
    ".hpp": "cpp",
    ".rb": "ruby",
    ".sh": "shellscript",
    ".bash": "shellscript",
}


def language_for(path: str | Path) -> str:
    """The LSP language id for a file name ("plaintext" when unknown)."""
    return EXTENSION_LANGUAGES.get(Path(path).suffix.lower(), "plaintext")


@dataclass(frozen=True)
class Position:
    """An LSP position: 0-based line, UTF-16 code-unit column."""

    line: int
    character: int


@dataclass
class Document:
    """One open (or read-from-disk) file."""

    path: Path
    text: str
    language: str
    version: int = 0

    @classmethod
    def from_file(cls, path: str | Path) -> Document:
        p = Path(path).resolve()
        return cls(
            path=p, text=p.read_text(encoding="utf-8", errors="replace"), language=language_for(p)
        )

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    def offset_at(self, pos: Position) -> int:
        """Index into ``text`` (code points) for an LSP position; clamped to the document."""
        lines = self.lines
        line = min(max(pos.line, 0), len(lines) - 1)
        start = sum(len(x) + 1 for x in lines[:line])
        return start + utf16_to_index(lines[line], pos.character)


def utf16_to_index(line: str, character: int) -> int:
    """Code-point index on ``line`` of a UTF-16 column, clamped to the line's end."""
    units = 0
    for i, ch in enumerate(line):
        if units >= character:
            return i
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(line)
