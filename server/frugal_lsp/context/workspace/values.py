"""What a cross-file snippet is worth per token, measured, and the order that follows.

A snippet's value is the names of the line being written that it holds, per token it
costs. That depends mostly on what found it and how early (the class a name near the
cursor is an instance of is worth more than the module of a name used 300 lines away),
so the figures are kept per source and rank within the source. They were measured by
``python -m tests.bench.crossfile_bench --values`` on the masked lines of pip's vendored
rich, urllib3, requests and npm's lib (318 positions, 2026-12-02): wanted names per
1,000 tokens of the snippets, each counted once, at an unbounded budget. Rerun it after
a change to how snippets are found and copy the table here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from frugal_lsp.context.workspace.outline import CrossSnippet

# names per 1,000 tokens, by rank within the source (the last figure holds for the rest)
VALUE_PER_KTOKEN: dict[str, tuple[float, ...]] = {
    # the definition the cursor is inside a call of: line starts have no open call; at
    # the mid-line positions (``--values --mid``: typed up to the name) 8 snippets, 5.56
    "call": (5.56,),
    "near": (3.62, 2.02, 1.85, 1.54, 1.15, 0.40),  # names on the rows around the cursor
    "base": (2.70, 0.0),  # the bases of the class the cursor is in
    "unbound": (2.31, 0.0),  # used with no import nor definition (15 snippets measured)
    "file": (0.63, 0.44, 0.35, 0.66, 0.51, 0.17),  # imported names used elsewhere
    # a window of a recently edited file: it held none of the names in the one bench
    # row that measures it (crossfile_bench, 19 windows); it shows a pattern, not
    # definitions, so it gets what the definitions leave
    "recent": (0.1,),
}
_UNKNOWN = 0.05


def value_per_ktoken(source: str, rank: int) -> float:
    """The measured names per 1,000 tokens of the ``rank``-th snippet from ``source``;
    never more than an earlier rank's (a later rank above an earlier one is noise: file
    rank 3's 0.66 rests on 4 names)."""
    figures = VALUE_PER_KTOKEN.get(source)
    if not figures:
        return _UNKNOWN
    return min(figures[: min(rank, len(figures) - 1) + 1])


def by_value(snippets: Iterable[CrossSnippet]) -> list[CrossSnippet]:
    """Most value per token first; equal values keep the order they were found in."""
    ranks: Counter[str] = Counter()
    scored: list[tuple[float, int, CrossSnippet]] = []
    for n, s in enumerate(snippets):
        scored.append((-value_per_ktoken(s.source, ranks[s.source]), n, s))
        ranks[s.source] += 1
    return [s for _, _, s in sorted(scored, key=lambda x: (x[0], x[1]))]
