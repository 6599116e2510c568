"""A text document as the engine sees it, with exact LSP position conversion."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from frugal_lsp.errors import InvalidRequest

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
        """Read ``path``; InvalidRequest (with the reason and the path) when it cannot be."""
        p = Path(path).resolve()
        try:
            text = p.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise InvalidRequest(f"cannot read {path}: {_why(exc)}") from exc
        return cls(path=p, text=text, language=language_for(p))

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    def offset_at(self, pos: Position) -> int:
        """Index into ``text`` (code points) for an LSP position; clamped to the document."""
        return offset_at(self.text, pos)


def _why(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file — check the path (relative paths start at the current directory)"
    if isinstance(exc, IsADirectoryError):
        return "it is a directory — name a file inside it"
    if isinstance(exc, PermissionError):
        return "permission denied — check the file's permissions"
    return exc.strerror or str(exc)


_BREAK = re.compile(r"\r\n|\r|\n")


def line_bounds(text: str, line: int) -> tuple[int, int]:
    """Where 0-based ``line`` starts and ends in ``text`` (its line break excluded);
    ``(len(text), len(text))`` past the last line.

    Line breaks are the LSP's: ``\\r\\n``, ``\\r`` and ``\\n``, not the form feeds or U+2028
    that ``str.splitlines`` also breaks at. Without a lone ``\\r`` (nearly every file) this
    is a C-speed split, so a keystroke in a 5,000-line file does not walk its lines.
    """
    if "\r" not in text or text.count("\r") == text.count("\r\n"):
        if line <= 0:
            start = 0
        else:
            parts = text.split("\n", line)
            if len(parts) <= line:
                return len(text), len(text)
            start = len(text) - len(parts[-1])
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        return start, end - 1 if end > start and text[end - 1] == "\r" else end
    starts = [0] + [m.end() for m in _BREAK.finditer(text)]
    if line >= len(starts):
        return len(text), len(text)
    start = starts[max(line, 0)]
    found = _BREAK.search(text, start)
    return start, found.start() if found else len(text)


def line_count(text: str) -> int:
    """How many lines ``text`` has for LSP (a final line break starts an empty last line)."""
    if "\r" not in text or text.count("\r") == text.count("\r\n"):
        return text.count("\n") + 1
    return len(_BREAK.findall(text)) + 1


def line_utf16_length(text: str, line: int) -> int:
    """The length of 0-based ``line`` in UTF-16 code units (its line break excluded)."""
    start, end = line_bounds(text, line)
    return len(text[start:end].encode("utf-16-le")) // 2


def offset_at(text: str, pos: Position) -> int:
    """Index into ``text`` (code points) of an LSP position (UTF-16 column), clamped to its line."""
    start, end = line_bounds(text, pos.line)
    return start + utf16_to_index(text[start:end], pos.character)


def utf16_to_index(line: str, character: int) -> int:
    """Code-point index on ``line`` of a UTF-16 column, clamped to the line's end."""
    if line.isascii():
        return min(max(character, 0), len(line))
    units = 0
    for i, ch in enumerate(line):
        if units >= character:
            return i
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(line)
