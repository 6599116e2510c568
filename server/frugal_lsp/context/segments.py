"""Split a selection too large for one question into per-definition segments.

Definitions are found by their keyword at the selection's outermost indentation (Python,
JS/TS, Go, Rust, Java-ish, Ruby, shell functions); decorators and comments directly above
a definition belong to it. Without definitions the selection is cut into line chunks
that each fit the budget.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

MAX_SEGMENTS = 8
_DEF = re.compile(
    r"^\s*(?:export\s+|default\s+|pub(?:\([\w:]+\))?\s+|public\s+|private\s+|protected\s+"
    r"|static\s+|async\s+|abstract\s+|final\s+)*"
    r"(?:def|class|function\*?|fn|func|impl|interface|struct|enum|trait|module|type)\s+"
    r"(?:\([^)]*\)\s*)?(?P<name>[\w$]+)"
)
_ATTACHED = re.compile(r"^\s*(?:@|#\[|//|#(?!!)|/\*|\*)")


@dataclass(frozen=True)
class Segment:
    name: str
    start_line: int
    end_line: int  # inclusive

    @property
    def label(self) -> str:
        lines = f"lines {self.start_line + 1}–{self.end_line + 1}"
        return f"`{self.name}` ({lines})" if self.name else lines


def segments(
    lines: list[str], start: int, end: int, count: Callable[[str], int], budget: int
) -> list[Segment]:
    """Segments covering lines ``start``..``end`` (inclusive), at most ``MAX_SEGMENTS``."""
    end = min(end, len(lines) - 1)
    found = _by_definition(lines, start, end)
    if len(found) < 2:
        found = _by_size(lines, start, end, count, budget)
    return found[:MAX_SEGMENTS]


def _outer_indent(lines: list[str], start: int, end: int) -> int:
    indents = [len(t) - len(t.lstrip()) for t in lines[start : end + 1] if t.strip()]
    return min(indents, default=0)


def _by_definition(lines: list[str], start: int, end: int) -> list[Segment]:
    indent = _outer_indent(lines, start, end)
    heads: list[tuple[int, str]] = []
    for row in range(start, end + 1):
        text = lines[row]
        m = _DEF.match(text)
        if m and len(text) - len(text.lstrip()) == indent:
            heads.append((_attached_start(lines, row, start), m.group("name")))
    out: list[Segment] = []
    for i, (row, name) in enumerate(heads):
        last = heads[i + 1][0] - 1 if i + 1 < len(heads) else end
        out.append(Segment(name, row, _trim_end(lines, row, last)))
    if heads and heads[0][0] > start and any(t.strip() for t in lines[start : heads[0][0]]):
        out.insert(0, Segment("", start, _trim_end(lines, start, heads[0][0] - 1)))
    return out


def _attached_start(lines: list[str], row: int, floor: int) -> int:
    while row - 1 >= floor and _ATTACHED.match(lines[row - 1]):
        row -= 1
    return row


def _trim_end(lines: list[str], start: int, end: int) -> int:
    while end > start and not lines[end].strip():
        end -= 1
    return end


def _by_size(
    lines: list[str], start: int, end: int, count: Callable[[str], int], budget: int
) -> list[Segment]:
    out: list[Segment] = []
    first, used = start, 0
    for row in range(start, end + 1):
        cost = count(lines[row]) + 1
        if used + cost > budget and row > first:
            out.append(Segment("", first, row - 1))
            first, used = row, 0
        used += cost
    out.append(Segment("", first, end))
    return out
