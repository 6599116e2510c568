"""Fit source lines into a token budget by priority, then render them in file order."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

GAP = "..."


def _never(_: int) -> bool:
    return False


@dataclass(frozen=True)
class Line:
    """One candidate source line: its 0-based number in the file and its (redacted) text."""

    number: int
    text: str


def fit(
    ranked: Iterable[Line], budget: int, count: Callable[[str], int], gap_cost: int = 1
) -> list[Line]:
    """The best-ranked lines whose tokens (one per line break, plus gap markers) fit ``budget``.

    ``ranked`` comes best first; a line that does not fit is skipped, and later (shorter)
    lines may still fit. The result is in file order.
    """
    chosen: dict[int, Line] = {}
    spent = 0
    misses = 0
    for line in ranked:
        if line.number in chosen:
            continue
        cost = count(line.text) + 1 + gap_cost
        if spent + cost > budget:
            misses += 1
            if misses > 24 or budget - spent < 4:
                break
            continue
        chosen[line.number] = line
        spent += cost
    return [chosen[n] for n in sorted(chosen)]


def render(lines: list[Line], gap: str = GAP, blank: Callable[[int], bool] = _never) -> str:
    """Lines in file order; a gap marker where code was left out, "" where only blank lines."""
    out: list[str] = []
    previous: int | None = None
    for line in lines:
        skipped = range(previous + 1, line.number) if previous is not None else range(0)
        if any(not blank(n) for n in skipped):
            out.append(gap)
        elif skipped:
            out.append("")
        out.append(line.text)
        previous = line.number
    return "\n".join(out)
