"""Large selections are offered per definition, or in chunks that fit the budget."""

from __future__ import annotations

from frugal_lsp.context.segments import Segment, segments

SOURCE = """import os

@cache
def first(x):
    return x


class Second:
    def method(self):
        pass


async def third():
    pass
"""
PYTHON = SOURCE.splitlines()


def count(text: str) -> int:
    return len(text.split()) + 1


def test_definitions_become_segments_with_their_decorators() -> None:
    found = segments(PYTHON, 0, len(PYTHON) - 1, count, 1000)
    assert found == [
        Segment("", 0, 0),
        Segment("first", 2, 4),
        Segment("Second", 7, 9),
        Segment("third", 12, 13),
    ]
    assert found[1].label == "`first` (lines 3–5)"


def test_without_definitions_the_selection_is_cut_by_budget() -> None:
    lines = [f"x{i} = {i}" for i in range(10)]
    found = segments(lines, 0, 9, count, 16)
    assert [(s.start_line, s.end_line) for s in found] == [
        (0, 2),
        (3, 5),
        (6, 8),
        (9, 9),
    ]  # 5 tokens a line
