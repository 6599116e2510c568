"""Scopes for languages without a grammar: an indentation block, else a line window."""

from __future__ import annotations

from frugal_lsp.prompt import Scope

MAX_BLOCK_LINES = 200
WINDOW = 40


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def block_scope(lines: list[str], row: int) -> Scope:
    """The indented block holding ``row`` with its header line; a window when none fits."""
    row = min(max(row, 0), len(lines) - 1)
    anchor = _nearest_code(lines, row)
    if anchor is None:
        return window_scope(lines, row)
    level = indent_of(lines[anchor])
    start = _block_start(lines, anchor, level)
    end = _block_end(lines, anchor, level)
    if level == 0 or end - start + 1 > MAX_BLOCK_LINES:
        return window_scope(lines, row)
    return Scope("block", lines[start].strip()[:60], start, end)


def window_scope(lines: list[str], row: int, size: int = WINDOW) -> Scope:
    start = max(0, row - size)
    end = min(len(lines) - 1, row + size // 2)
    return Scope("window", "", start, end)


def _nearest_code(lines: list[str], row: int) -> int | None:
    above = (r for r in range(row, -1, -1) if lines[r].strip())
    below = (r for r in range(row + 1, len(lines)) if lines[r].strip())
    return next(above, None) if lines[row].strip() or row == 0 else next(below, next(above, None))


def _block_start(lines: list[str], anchor: int, level: int) -> int:
    r = anchor
    while r > 0:
        above = lines[r - 1]
        if above.strip() and indent_of(above) < level:
            return r - 1  # the header line that opens the block
        r -= 1
    return 0


def _block_end(lines: list[str], anchor: int, level: int) -> int:
    r = anchor
    last = anchor
    while r + 1 < len(lines):
        below = lines[r + 1]
        if below.strip():
            if indent_of(below) < level:
                # a closing line at the header's level ("}", "end", "fi") belongs to the block
                closing = below.strip() in {"}", "};", "end", "fi", "done", "esac", ")", "]"}
                return r + 1 if closing else last
            last = r + 1
        r += 1
    return last
